"""Endpoint discovery (bot/providers/discovery.py): what each runner says about itself, asked
once, remembered in the state folder for an hour, and never asked of a cloud API on paths it
does not have. Against the fake servers over loopback, with the real SDK."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config.loader import ConfigProblems, load_settings
from bot.config.model import ProviderConfig, Settings
from bot.errors import IncompleteError
from bot.planning import targets_of
from bot.providers import ErrorKind, Message, ProviderError
from bot.providers.discovery import (
    DEFAULT_CONTEXT_TOKENS,
    FACTS_FILE,
    REPORTED_VIA,
    FactsStore,
    context_for,
    resolve_context,
)
from bot.providers.openai_compat import OpenAICompatibleProvider
from bot.providers.retry import reported_context
from bot.providers.structured import complete_structured
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.provider_helpers import GOOD, make_provider, request

MODEL = "qwen2.5-coder-14b"
_SELF_HOSTED_ONLY = ("/tokenize", "/props", "/metrics", "/api/show", "/extras/tokenize/count")


def provider(fake: FakeOpenAIServer | str, **cfg: Any) -> OpenAICompatibleProvider:
    cfg.setdefault("model", MODEL)
    cfg.setdefault("location", "local")
    return make_provider(OpenAICompatibleProvider, "local", fake, None, **cfg)


def settings_for(fake: FakeOpenAIServer, tmp_path: Path, **cfg: Any) -> Settings:
    cfg.setdefault("model", MODEL)
    cfg.setdefault("location", "local")
    return Settings(
        providers={"local": ProviderConfig(base_url=fake.base_url, **cfg)},
        state_dir=str(tmp_path),
    )


def paths(fake: FakeOpenAIServer) -> list[str]:
    return [r.path for r in fake.requests]


@pytest.fixture
def store(tmp_path: Path) -> FactsStore:
    return FactsStore(tmp_path / FACTS_FILE)


# -- what each runner says ---------------------------------------------------------------------


def test_vllm_context_from_v1_models_and_its_tokenizer(store: FactsStore) -> None:
    with FakeOpenAIServer("vllm", max_model_len=16384) as fake:
        prov = provider(fake)
        facts = prov.discover(store)
        prov.probe()  # doctor looks for the tokenizer, with a fixed text
    assert facts.reachable and facts.served_models == [MODEL]
    assert (facts.context_tokens, facts.context_via) == (16384, "/v1/models max_model_len")
    assert store.get(prov.facts_key).tokenizer == "vllm"  # type: ignore[union-attr]
    # Nothing more asked once /v1/models said the context; the probe text is fixed.
    assert "/props" not in paths(fake) and "/api/show" not in paths(fake)
    assert fake.bodies("POST", "/tokenize")[0]["prompt"] == "def probe(): return 1"


def test_llamacpp_context_from_props(store: FactsStore) -> None:
    with FakeOpenAIServer("llamacpp", max_model_len=8192) as fake:
        prov = provider(fake)
        facts = prov.discover(store)
        assert fake.bodies("POST", "/tokenize") == []  # a run finds it with its first count
        prov.count_tokens("x = 1")
    assert (facts.context_tokens, facts.context_via) == (8192, "/props n_ctx")
    assert store.get(prov.facts_key).tokenizer == "llamacpp"  # type: ignore[union-attr]
    assert prov.context_tokens == 8192


def test_llamacpp_python_tokenizer_at_extras(store: FactsStore) -> None:
    # llama-cpp-python's /v1/models names no context and it has no /props: the context is
    # assumed, saying so; its tokenizer is at /extras/tokenize, body {"input"}.
    with FakeOpenAIServer("llamacpp-python", models=["gemma"]) as fake:
        prov = provider(fake, model="gemma")
        facts = prov.discover(store)
        assert prov.count_tokens("def f(x): return x") == 11
        assert prov.remembered().tokenizer == "llamacpp-python"  # type: ignore[union-attr]
        bodies = fake.bodies("POST", "/extras/tokenize/count")
        assert prov.tokenizer_endpoint == fake.root_url + "/extras/tokenize/count"
        cfg = ProviderConfig(model="gemma", base_url=fake.base_url, location="local")
    assert bodies[-1] == {"model": "gemma", "input": "def f(x): return x"}
    assert facts.context_tokens is None
    context = resolve_context("local", cfg, facts)
    assert context.tokens == DEFAULT_CONTEXT_TOKENS
    assert context.source.startswith("assumed 32768: the server did not say")
    assert "SWITCHYARD_LOCAL_CONTEXT_TOKENS" in context.source


def test_ollama_num_ctx_from_api_show(store: FactsStore) -> None:
    with FakeOpenAIServer("ollama", max_model_len=131072, num_ctx=8192) as fake:
        facts = provider(fake).discover(store)
        shown = fake.bodies("POST", "/api/show")
    assert shown == [{"model": MODEL}]
    assert (facts.context_tokens, facts.context_via) == (8192, "/api/show num_ctx")


def test_ollama_without_num_ctx_serves_its_default_not_the_trained_length(
    store: FactsStore,
) -> None:
    with FakeOpenAIServer("ollama", max_model_len=131072) as fake:
        facts = provider(fake).discover(store)
    assert facts.context_tokens == 4096
    assert "the model takes 131072" in facts.context_via


# -- a context-length refusal ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "size"),
    [
        ("This model's maximum context length is 8192 tokens. However, you requested 9000", 8192),
        ("Requested tokens (9000) exceed context window of 4096", 4096),
        ("Input validation error: `inputs` tokens + `max_new_tokens` must be <= 2048.", 2048),
        ("prompt is too long: 210000 tokens > 200000 maximum", 200000),
        ("response_format json_schema is not supported", None),
    ],
)
def test_the_reported_size_is_read(message: str, size: int | None) -> None:
    assert reported_context(message) == size


@pytest.mark.parametrize("flavour", ["llamacpp-python", "llamacpp", "vllm"])
def test_a_context_length_400_carries_the_size_and_is_remembered(
    flavour: str, store: FactsStore
) -> None:
    with FakeOpenAIServer(flavour, max_model_len=1024) as fake:
        prov = provider(fake, context_tokens=32768)
        prov.use_store(store)
        long = request()
        long.messages[1] = Message("user", "word " * 2000)
        with pytest.raises(ProviderError) as caught:
            complete_structured(prov, long)
        # The next plan packs at what the server reported, even over the configured 32768.
        again = provider(fake, context_tokens=32768)
    err = caught.value
    assert err.kind is ErrorKind.BAD_REQUEST and err.context_tokens == 1024
    # Not retried, and not taken for a refused response_format (no other mode tried).
    refused = [b for b in fake.chat_requests() if "word word" in str(b)]
    modes = [(b.get("response_format") or {}).get("type") for b in refused]
    expected = {
        "vllm": ["json_schema"],
        # Streamed, llama-cpp-python's refusal is a 200 that ends with no event; the same
        # ask, not streamed and for one token, hears the 400 with the size.
        "llamacpp-python": ["json_schema", "json_object", "json_object"],
    }.get(flavour, ["json_schema", "json_object"])
    assert modes == expected
    if flavour == "llamacpp-python":
        assert refused[-1].get("stream") is None and refused[-1]["max_tokens"] == 1
    facts = again.remembered(store)
    assert facts is not None and (facts.context_tokens, facts.context_via) == (1024, REPORTED_VIA)
    context = resolve_context("local", again.config, facts)
    assert context.tokens == 1024 and context.source.startswith("server: a context-length error")


# -- remembered: once per endpoint, an hour in the state folder --------------------------------


def test_facts_are_asked_once_and_kept_for_an_hour(tmp_path: Path) -> None:
    now = [1_000_000.0]
    store = FactsStore(tmp_path / FACTS_FILE, ttl_s=3600, clock=lambda: now[0])
    with FakeOpenAIServer("llamacpp", max_model_len=8192) as fake:
        first = provider(fake)
        first.discover(store)
        first.discover(store)  # the same process: not asked again
        asked = len(fake.requests)
        # Another run (a new provider) within the hour: the file answers.
        assert provider(fake).discover(store).context_tokens == 8192
        assert len(fake.requests) == asked
        saved = json.loads((tmp_path / FACTS_FILE).read_text())
        assert list(saved["endpoints"]) == [f"{fake.base_url} {MODEL}"]
        now[0] += 3601  # expired: asked again
        assert store.get(f"{fake.base_url} {MODEL}") is None
        provider(fake).discover(store)
        assert len(fake.requests) > asked
    assert not list(tmp_path.glob(".endpoints-*"))  # written whole, then renamed


def test_a_corrupt_facts_file_is_only_a_missed_shortcut(tmp_path: Path) -> None:
    (tmp_path / FACTS_FILE).write_text("{not json")
    store = FactsStore(tmp_path / FACTS_FILE)
    with FakeOpenAIServer("vllm", max_model_len=16384) as fake:
        assert provider(fake).discover(store).context_tokens == 16384
    assert json.loads((tmp_path / FACTS_FILE).read_text())["version"] == 1


def test_the_structured_mode_that_worked_is_remembered(store: FactsStore) -> None:
    # Each work item (and run) does not find again that json_schema gets llama.cpp's 500.
    with FakeOpenAIServer("llamacpp") as fake:
        fake.responder = lambda _req: Reply(GOOD)
        first = provider(fake)
        first.discover(store)
        assert complete_structured(first, request()).structured_mode == "json_object"
        kinds = [(b.get("response_format") or {}).get("type") for b in fake.chat_requests()]
        assert kinds == ["json_schema", "json_object"]
        second = provider(fake)
        second.discover(store)
        complete_structured(second, request())
        kinds = [(b.get("response_format") or {}).get("type") for b in fake.chat_requests()]
    assert kinds == ["json_schema", "json_object", "json_object"]


def test_a_refused_mode_is_not_offered_again_even_before_one_works(store: FactsStore) -> None:
    # llama-cpp-python refuses json_schema (422); its first json_object request then fails
    # for another reason (here a prompt past its context), so no mode has worked yet.
    with FakeOpenAIServer("llamacpp-python", max_model_len=50) as fake:
        fake.responder = lambda _req: Reply(GOOD)
        p = provider(fake, max_retries=0)
        with pytest.raises(ProviderError):
            long = [Message("system", "You review code."), Message("user", "word " * 200)]
            complete_structured(p, request(messages=long))
        fake.max_model_len = 32768
        before = len(fake.chat_requests())
        complete_structured(p, request())
    kinds = [(b.get("response_format") or {}).get("type") for b in fake.chat_requests()]
    assert kinds[0] == "json_schema" and kinds[before:] == ["json_object"]


def test_an_unreachable_endpoint_is_not_written_down(store: FactsStore) -> None:
    from tests.fakes.openai_server import unused_port

    url = f"http://127.0.0.1:{unused_port()}/v1"
    facts = provider(url).discover(store)
    assert not facts.reachable and "Cannot reach" in facts.notes[0]
    assert store.get(f"{url} {MODEL}") is None


# -- the trust boundary: a cloud API is asked /v1/models only ----------------------------------


def test_a_cloud_target_gets_no_request_for_self_hosted_paths(store: FactsStore) -> None:
    with FakeOpenAIServer("cloud", models=["gpt-4o-mini"], api_key="sk-test") as fake:
        prov = make_provider(
            OpenAICompatibleProvider, "openai", fake, "sk-test", model="gpt-4o-mini"
        )
        facts = prov.discover(store)
        fake.responder = lambda _req: Reply({"ok": True})
        result = prov.probe()  # doctor's checks too
    assert facts.served_models == ["gpt-4o-mini"] and facts.tokenizer is None
    assert result.ok, result.problems
    assert not [p for p in paths(fake) if p in _SELF_HOSTED_ONLY], paths(fake)


# -- planning: context from discovery, config first, dry runs send nothing ---------------------


def test_planning_uses_the_discovered_context(tmp_path: Path) -> None:
    with FakeOpenAIServer("llamacpp", max_model_len=8192) as fake:
        settings = settings_for(fake, tmp_path)
        prov = provider(fake)
        [target] = targets_of(settings, {"local": prov}, discover=True)
    assert target.context_tokens == 8192
    # The answer allowance fits the context: a quarter of 8k, not a fixed 4,096.
    assert target.max_output_tokens == 2048
    assert (tmp_path / FACTS_FILE).exists()


def test_a_dry_run_sends_nothing_but_uses_what_is_remembered(tmp_path: Path) -> None:
    with FakeOpenAIServer("llamacpp", max_model_len=8192) as fake:
        settings = settings_for(fake, tmp_path)
        [target] = targets_of(settings, {"local": provider(fake)})
        assert target.context_tokens == DEFAULT_CONTEXT_TOKENS and fake.requests == []
        targets_of(settings, {"local": provider(fake)}, discover=True)
        asked = len(fake.requests)
        [target] = targets_of(settings, {"local": provider(fake)})
        assert len(fake.requests) == asked
    assert target.context_tokens == 8192


def test_configured_context_wins_over_the_server(tmp_path: Path) -> None:
    with FakeOpenAIServer("vllm", max_model_len=16384) as fake:
        settings = settings_for(fake, tmp_path, context_tokens=12000)
        context = context_for(provider(fake, context_tokens=12000), settings)
    assert context.tokens == 12000
    assert context.source == "config: providers.local.context_tokens"


def test_the_context_variable_is_named_as_the_source(tmp_path: Path) -> None:
    env = {
        "SWITCHYARD_LOCAL_BASE_URL": "http://gpu01:8000/v1",
        "SWITCHYARD_LOCAL_MODEL": "m",
        "SWITCHYARD_LOCAL_CONTEXT_TOKENS": "8192",
    }
    cfg = load_settings(repo_dir=None, config_path=None, environ=env).settings.providers["local"]
    context = resolve_context("local", cfg, None)
    assert (context.tokens, context.source) == (8192, "config: SWITCHYARD_LOCAL_CONTEXT_TOKENS")


def test_review_refuses_a_model_the_runner_does_not_serve(tmp_path: Path) -> None:
    with FakeOpenAIServer("llamacpp-python", models=["/models/gemma.gguf"]) as fake:
        settings = settings_for(fake, tmp_path, model="gemma")
        with pytest.raises(IncompleteError) as caught:
            targets_of(settings, {"local": provider(fake, model="gemma")}, discover=True)
    assert caught.value.exit_code == 3
    assert "model 'gemma' is not served" in str(caught.value)
    assert "/models/gemma.gguf" in str(caught.value)


# -- small defects: errors name what the user set ----------------------------------------------


def test_a_url_typo_is_refused_at_load_naming_the_variable() -> None:
    env = {"SWITCHYARD_LOCAL_BASE_URL": "htp://gpu01:8000/v1", "SWITCHYARD_LOCAL_MODEL": "m"}
    with pytest.raises(ConfigProblems) as caught:
        load_settings(repo_dir=None, config_path=None, environ=env)
    text = str(caught.value)
    assert "SWITCHYARD_LOCAL_BASE_URL" in text
    assert "'htp://gpu01:8000/v1' is not an http:// or https:// URL" in text


def test_an_unreachable_runner_names_the_variable_that_set_it() -> None:
    from tests.fakes.openai_server import unused_port

    url = f"http://127.0.0.1:{unused_port()}/v1"
    env = {"SWITCHYARD_LOCAL_BASE_URL": url, "SWITCHYARD_LOCAL_MODEL": "m"}
    cfg = load_settings(repo_dir=None, config_path=None, environ=env).settings.providers["local"]
    result = OpenAICompatibleProvider("local", cfg, None).probe()
    assert result.problems[0].endswith("Start the server, or fix SWITCHYARD_LOCAL_BASE_URL.")


@pytest.fixture(autouse=True)
def _no_ambient_state(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("SWITCHYARD_STATE", str(tmp_path))
    yield
