"""The egress gate: the one way out for a change's bytes, checked with real providers over
loopback and by reading the code for any other way out."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.config.classes import DataClass
from bot.egress import EgressRefused, Gate
from bot.providers import CompletionRequest, Message, build_providers
from bot.tasks.review import ReviewAnswer
from tests.fakes.openai_server import FakeOpenAIServer

TOKEN = "ghp_" + "R3alLook1ngT0ken" + "x9QwErTyUiOp4sDfGhJk"
CODE = f'GITHUB_TOKEN = "{TOKEN}"\n'


@pytest.fixture
def servers() -> Iterator[tuple[FakeOpenAIServer, FakeOpenAIServer]]:
    with (
        FakeOpenAIServer(flavour="vllm", models=["qwen"]) as local,
        FakeOpenAIServer(flavour="vllm", models=["gpt-4o-mini"]) as cloud,
    ):
        yield local, cloud


def gate_for(local: FakeOpenAIServer, cloud: FakeOpenAIServer) -> Gate:
    # The "cloud" fake speaks vLLM's API (it even has /tokenize): only the declaration
    # makes a target local, so it is cloud all the same.
    settings = Settings.model_validate(
        {
            "providers": {
                "gpu": {"base_url": local.base_url, "model": "qwen", "location": "local"},
                "gateway": {"base_url": cloud.base_url, "model": "gpt-4o-mini"},
            }
        }
    )
    return Gate(build_providers(settings, {}), settings)


def request(text: str) -> CompletionRequest:
    return CompletionRequest(
        messages=[Message("system", "Review."), Message("user", text)],
        response_model=ReviewAnswer,
    )


def test_restricted_work_is_refused_for_a_cloud_target_before_anything_is_sent(
    servers: tuple[FakeOpenAIServer, FakeOpenAIServer],
) -> None:
    local, cloud = servers
    gate = gate_for(local, cloud)
    with pytest.raises(EgressRefused, match="restricted code stays on premises"):
        gate.clear("gateway", DataClass.RESTRICTED, request("def charge(): ..."))
    with pytest.raises(EgressRefused):
        gate.count("gateway", DataClass.RESTRICTED, "def charge(): ...")
    assert cloud.requests == []


def test_secrets_are_redacted_for_the_cloud_and_left_for_the_premises(
    servers: tuple[FakeOpenAIServer, FakeOpenAIServer],
) -> None:
    local, cloud = servers
    gate = gate_for(local, cloud)
    to_cloud = gate.clear("gateway", DataClass.INTERNAL, request(CODE))
    assert to_cloud.redactions == 1
    gate.send(to_cloud)
    sent = str(cloud.chat_requests())
    assert TOKEN not in sent and "[REDACTED:github-token#1]" in sent
    to_local = gate.clear("gpu", DataClass.RESTRICTED, request(CODE))
    assert to_local.redactions == 0
    gate.send(to_local)
    assert TOKEN in str(local.chat_requests())


# A line of a key's body: nothing in it tells a key; the file it came from did.
BODY_LINE = "Mq7RkT0vXbZ2pLw9Yc4NfJ8sHd1GaEu6Vy3KoQi5Bn+WmSr/Tx0DlCe7Ag2Ph9Uj"


def test_values_found_in_the_file_are_taken_out_though_the_prompt_alone_hides_them(
    servers: tuple[FakeOpenAIServer, FakeOpenAIServer],
) -> None:
    local, cloud = servers
    gate = gate_for(local, cloud)
    hunk = f"### deploy/values.yaml (modified)\n 14 | {BODY_LINE}\n 15 + {'A' * 64}\n"
    assert gate.clear("gateway", DataClass.INTERNAL, request(hunk)).redactions == 0
    withheld = {BODY_LINE: "private-key"}
    to_cloud = gate.clear("gateway", DataClass.INTERNAL, request(hunk), withheld)
    assert to_cloud.redactions == 1
    gate.send(to_cloud)
    sent = str(cloud.chat_requests())
    assert BODY_LINE not in sent and "[REDACTED:private-key#1]" in sent
    # The self-hosted target sees the file as it is.
    gate.send(gate.clear("gpu", DataClass.INTERNAL, request(hunk), withheld))
    assert BODY_LINE in str(local.chat_requests())


def test_an_exact_count_asks_only_what_the_target_may_see(
    servers: tuple[FakeOpenAIServer, FakeOpenAIServer],
) -> None:
    local, cloud = servers
    gate = gate_for(local, cloud)
    gate.count("gpu", DataClass.RESTRICTED, CODE)
    assert TOKEN in str(local.bodies("POST", "/tokenize"))
    count = gate.count("gateway", DataClass.INTERNAL, CODE)
    # An OpenAI-compatible cloud API has no tokenizer: it is not asked at all.
    assert cloud.requests == []
    assert count.method in ("tiktoken", "estimate") and count.tokens > 0


def test_a_cloud_tokenizer_set_explicitly_gets_the_redacted_text(
    servers: tuple[FakeOpenAIServer, FakeOpenAIServer],
) -> None:
    _, cloud = servers
    settings = Settings.model_validate(
        {
            "providers": {
                "gateway": {"base_url": cloud.base_url, "model": "m", "tokenizer": "server"}
            }
        }
    )
    gate = Gate(build_providers(settings, {}), settings)
    assert gate.count("gateway", DataClass.INTERNAL, CODE).method == "server"
    counted = str(cloud.bodies("POST", "/tokenize"))
    assert TOKEN not in counted and "REDACTED" in counted
    gate.count("gateway", DataClass.INTERNAL, BODY_LINE, {BODY_LINE: "private-key"})
    assert BODY_LINE not in str(cloud.bodies("POST", "/tokenize"))


def test_the_tokenizer_setting_is_honoured(
    servers: tuple[FakeOpenAIServer, FakeOpenAIServer],
) -> None:
    local, _ = servers
    settings = Settings.model_validate(
        {
            "providers": {
                "gpu": {
                    "base_url": local.base_url,
                    "model": "qwen",
                    "location": "local",
                    "tokenizer": "estimate",
                }
            }
        }
    )
    gate = Gate(build_providers(settings, {}), settings)
    assert gate.count("gpu", DataClass.INTERNAL, "def f(): pass").method == "estimate"
    assert local.requests == []


# -- no other way out -------------------------------------------------------------------------

BOT = Path(__file__).resolve().parent.parent / "bot"
# Calls that put bytes on the wire to a model. Inside bot/providers they are the SDK
# adapters themselves (and doctor's probes, which send fixed text of their own).
_SENDING = {"complete", "count_tokens", "complete_structured"}
_ALLOWED = {BOT / "egress.py", BOT / "tokens" / "counting.py"}


def _sending_calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        fn = node.func
        name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
        if name in _SENDING:
            found.append(f"{path.relative_to(BOT.parent)}:{node.lineno} {name}()")
    return found


def test_only_the_gate_calls_a_model() -> None:
    outside = [
        call
        for path in BOT.rglob("*.py")
        if path not in _ALLOWED and BOT / "providers" not in path.parents
        for call in _sending_calls(path)
    ]
    assert outside == [], "model calls outside bot/egress.py: " + ", ".join(outside)


def test_the_scan_sees_a_call_when_there_is_one(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("def f(p, r):\n    return p.complete(r)\n")
    assert _sending_calls_anywhere(probe) == ["complete()"]


def _sending_calls_anywhere(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{n.func.attr}()"
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in _SENDING
    ]
