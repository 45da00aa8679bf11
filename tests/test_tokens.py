"""Token counting: the estimate's bound, the tiktoken cache rule, and TokenCounter's fallbacks."""

from __future__ import annotations

import base64
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config.model import ProviderConfig
from bot.providers.openai_compat import OpenAICompatibleProvider
from bot.tokens import TokenCounter, cached_tiktoken_encoding, estimate_tokens
from bot.tokens.counting import tiktoken_cache_path
from tests.fakes.openai_server import FakeOpenAIServer, fake_tokenize
from tests.tiktoken_seed import seed_cl100k

PYTHON = '''
class LineMap:
    """Maps new-file line numbers to diff positions."""

    def __init__(self, hunks: list[Hunk]) -> None:
        self._positions: dict[int, int] = {}
        position = 0
        for hunk in hunks:
            position += 1  # the @@ header
            for line in hunk:
                position += 1
                if line.is_added or line.is_context:
                    self._positions[line.target_line_no] = position

    def position(self, line: int) -> int | None:
        return self._positions.get(line)
'''
C_CODE = """
#include <stdio.h>
#include <stdlib.h>

static int parse_header(const char *buf, size_t len, struct header *out) {
    if (len < HEADER_SIZE || buf == NULL) {
        return -EINVAL;
    }
    out->magic = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16;
    out->version = buf[4];
    for (size_t i = 0; i < out->count && i < MAX_ENTRIES; ++i) {
        out->entries[i] = read_u16(buf + 8 + 2 * i);
    }
    return 0;
}
"""
TYPESCRIPT = """
export async function fetchReviews(client: HttpClient, prId: number): Promise<Review[]> {
  const response = await client.get<ReviewResponse>(`/api/v4/merge_requests/${prId}/notes`);
  if (!response.ok) {
    throw new ReviewError(`GitLab answered ${response.status}`, { cause: response.body });
  }
  return response.data.filter((n) => n.type === "DiffNote").map(toReview);
}
"""
MARKDOWN = """
## Configuration

Switchyard reads `.switchyard.yml` from the repository root. Providers are declared by name;
keys come from the environment (`SWITCHYARD_<NAME>_API_KEY`), never from the file itself.

- **local**: a vLLM or llama.cpp server on your own GPUs, so code stays on premises.
- **cloud**: any OpenAI-compatible API, used when the local model is busy or too small.
"""
_rng = random.Random(7)
SNIPPETS: dict[str, str] = {
    "python": PYTHON,
    "c": C_CODE,
    "typescript": TYPESCRIPT,
    "markdown": MARKDOWN,
    "minified_js": "function a(b,c){return b&&c?b.map(function(d){return d*c}):[]}var e=a([1,2]);"
    * 10,
    "json": json.dumps([{"id": i, "name": f"user{i}", "on": i % 2 == 0} for i in range(40)]),
    "base64": base64.b64encode(bytes(_rng.getrandbits(8) for _ in range(1500))).decode(),
    "hex": " ".join(f"{_rng.getrandbits(160):040x}" for _ in range(40)),
    "numbers_table": "\n".join(f"    {i}: {i * 7 % 4},  # 'С'" for i in range(150)),
    "cjk": "这是一个用于测试的中文句子，包含标点符号。" * 20,
    "emoji": "🚀✨🔥👍🎉" * 40,
    "diff": (
        "@@ -10,7 +10,8 @@ def load(path):\n-    with open(path) as f:\n"
        '+    with open(path, encoding="utf-8") as f:\n         data = json.load(f)\n'
        "+    validate(data)\n     return data\n"
    )
    * 15,
}
# Real counts of SNIPPETS with tiktoken 0.14.0: (cl100k_base, o200k_base).
REAL_COUNTS: dict[str, tuple[int, int]] = {
    "python": (127, 128),
    "c": (143, 144),
    "typescript": (94, 95),
    "markdown": (90, 93),
    "minified_js": (280, 290),
    "json": (721, 721),
    "base64": (1461, 1374),
    "hex": (960, 965),
    "numbers_table": (1800, 1800),
    "cjk": (400, 300),
    "emoji": (560, 280),
    "diff": (810, 810),
}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_estimate_is_above_real_bpe_counts(name: str) -> None:
    text = SNIPPETS[name]
    cl100k, o200k = REAL_COUNTS[name]
    estimate = estimate_tokens(text)
    assert estimate >= max(cl100k, o200k)
    assert estimate <= len(text.encode("utf-8"))  # the byte cap
    # Tight enough to be useful on code.
    if name in ("python", "c", "typescript", "diff", "json"):
        assert estimate <= 1.8 * max(cl100k, o200k)


def test_estimate_small_inputs() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("a") == 1
    assert estimate_tokens(" ") == 1
    assert estimate_tokens("\udcff") >= 1  # lone surrogate from a badly decoded file


def test_estimate_at_least_the_fake_servers_word_count() -> None:
    # The fake tokenizer makes a token of every word; real BPE never does fewer.
    for text in (PYTHON, C_CODE, TYPESCRIPT, MARKDOWN):
        words = sum(1 for t in text.split() if t.isalnum())
        assert estimate_tokens(text) >= words
        assert estimate_tokens(text) >= len(fake_tokenize(text)) * 0.5


def _cpu_seconds(text: str) -> float:
    """This process's CPU time for one estimate, best of three: other processes' load does
    not count, as it does against a wall clock."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        estimate_tokens(text)
        best = min(best, time.process_time() - started)
    return best


@pytest.mark.parametrize(
    "unit",
    [
        PYTHON + C_CODE + TYPESCRIPT + MARKDOWN,
        base64.b64encode(random.Random(7).randbytes(30_000)).decode(),  # no whitespace
        "x" * 40_000,  # one endless word
    ],
    ids=["code", "base64", "one-word"],
)
def test_the_estimate_grows_linearly_with_the_text(unit: str) -> None:
    # Planning counts every hunk of a 2,000-file change: the cost must stay proportional to
    # the text on any input. Four times the text takes about four times as long; quadratic
    # work would take sixteen. (Throughput is a figure in bench/token_speed.py, not a floor
    # here: a floor flaked on a loaded machine.)
    small = unit * (250_000 // len(unit) + 1)
    large = small * 4
    ratio = _cpu_seconds(large) / max(_cpu_seconds(small), 1e-4)
    assert ratio < 8, f"4x the text took {ratio:.1f}x as long"


# Building providers and counting with the local estimate load no SDK: planning and
# `--dry-run` stay cheap to start (the SDKs are imported on a provider's first call). A
# fresh interpreter, since this one has imported them already.
LAZY_SDKS = """
import sys
from bot.config.model import Settings
from bot.providers import build_providers
from bot.tokens import estimate_tokens
settings = Settings.model_validate({"providers": {
    "local": {"base_url": "http://127.0.0.1:9/v1", "model": "m", "location": "local"},
    "claude": {"kind": "anthropic", "model": "claude-x"},
}})
providers = build_providers(settings, {"ANTHROPIC_API_KEY": "k", "OPENAI_API_KEY": "k"})
assert set(providers) == {"local", "claude"}, providers
estimate_tokens("def f():\\n    return 1\\n")
print(sorted(m for m in ("openai", "anthropic", "httpx", "tiktoken") if m in sys.modules))
"""


def test_building_providers_and_estimating_load_no_sdk() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LAZY_SDKS],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# -- tiktoken cache rule -----------------------------------------------------------------------


def test_tiktoken_cache_path_follows_tiktokens_rule(tmp_path: Path) -> None:
    url_sha1 = "9b5ad71b2ce5302211f9c61530b329a4922fc6a4"  # sha1 of the cl100k_base blob URL
    env = {"TIKTOKEN_CACHE_DIR": str(tmp_path), "DATA_GYM_CACHE_DIR": "/elsewhere"}
    assert tiktoken_cache_path("cl100k_base", env) == tmp_path / url_sha1
    assert tiktoken_cache_path("cl100k_base", {"DATA_GYM_CACHE_DIR": "/d"}) == Path("/d", url_sha1)
    assert tiktoken_cache_path("cl100k_base", {"TIKTOKEN_CACHE_DIR": ""}) is None
    default = tiktoken_cache_path("cl100k_base", {})
    assert default is not None and default.parent.name == "data-gym-cache"


def test_corrupt_cache_file_is_not_used(tmp_path: Path) -> None:
    # tiktoken would delete it and download again: never on an air-gapped server.
    path = tiktoken_cache_path("cl100k_base", {"TIKTOKEN_CACHE_DIR": str(tmp_path)})
    assert path is not None
    path.write_bytes(b"truncated")
    assert cached_tiktoken_encoding({"TIKTOKEN_CACHE_DIR": str(tmp_path)}) is None


@pytest.fixture
def empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    yield tmp_path


def test_counter_without_server_or_cache_estimates(empty_cache: Path) -> None:
    counter = TokenCounter()
    assert counter.method == "estimate"
    assert counter.count(PYTHON) == estimate_tokens(PYTHON)
    assert counter.count("") == 0


def test_counter_uses_cached_tiktoken_when_present(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not seed_cl100k(tmp_path):
        if os.environ.get("CI"):
            pytest.fail("CI must test the tiktoken path: .ci/run installs js-tiktoken with npm")
        pytest.skip("npm install --no-save js-tiktoken@1.0.21 to test the cached tiktoken path")
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    assert cached_tiktoken_encoding() == "cl100k_base"
    counter = TokenCounter(mode="tiktoken")
    assert counter.method == "tiktoken"
    # cl100k splits "hello world" into exactly two tokens
    assert counter.count("hello world") == 2
    assert counter.count("<|endoftext|> is just text") > 0


# -- TokenCounter with a provider ----------------------------------------------------------------


def _provider(fake: FakeOpenAIServer) -> OpenAICompatibleProvider:
    # A self-hosted server: only a declared one has its tokenizer asked.
    cfg = ProviderConfig(
        base_url=fake.base_url, model="qwen2.5-coder-14b", timeout_s=2, location="local"
    )
    return OpenAICompatibleProvider("local", cfg, None)


def test_counter_prefers_the_servers_tokenizer(empty_cache: Path) -> None:
    with FakeOpenAIServer("vllm") as fake:
        counter = TokenCounter(_provider(fake))
        assert counter.count(PYTHON) == len(fake_tokenize(PYTHON))
        assert counter.method == "server"


def test_counter_falls_back_once_when_server_has_no_tokenizer(empty_cache: Path) -> None:
    with FakeOpenAIServer("plain") as fake:
        counter = TokenCounter(_provider(fake))
        assert counter.count(PYTHON) == estimate_tokens(PYTHON)
        assert counter.count(C_CODE) == estimate_tokens(C_CODE)
        assert counter.method == "estimate"
        assert len([r for r in fake.requests if r.path == "/tokenize"]) == 2  # one probe, 2 shapes


class _Broken:
    calls = 0

    def count_tokens(self, text: str) -> int | None:
        self.calls += 1
        raise RuntimeError("boom")


def test_counter_never_raises(empty_cache: Path) -> None:
    broken = _Broken()
    counter = TokenCounter(broken)
    assert counter.count("abc") == estimate_tokens("abc")
    assert counter.count("abc") == estimate_tokens("abc")
    assert broken.calls == 1


def test_counter_estimate_mode_never_asks_the_server() -> None:
    broken = _Broken()
    counter = TokenCounter(broken, mode="estimate")
    assert counter.method == "estimate" and counter.count("abc") == estimate_tokens("abc")
    assert broken.calls == 0


def test_counter_rejects_unknown_mode() -> None:
    with pytest.raises(ValueError, match="unknown tokenizer mode"):
        TokenCounter(mode="exact")
