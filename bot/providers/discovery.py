"""What each endpoint is, learnt from the endpoint itself and remembered: its context size,
the models it serves, its tokenizer endpoint and the structured-output mode that worked.

Learnt once per endpoint per process (the provider keeps them) and kept in the state folder
(`endpoints.json`, keyed by base URL and model, for an hour), so each work item and each
worker job does not ask again (nor find again that json_schema gets a 500).

Discovery sends no change content: GET /v1/models to any target; /props (llama.cpp),
POST /api/show (Ollama) and a fixed probe text to a tokenizer endpoint only to a target
declared local. A cloud API has none of those paths and is not sent requests for them.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Protocol

from bot.config.model import ProviderConfig, Settings

FACTS_FILE = "endpoints.json"
FACTS_TTL_S = 3600.0
# Assumed when the configuration does not say and the server does not answer: a common
# self-hosted context size (what every target was assumed to have before discovery).
DEFAULT_CONTEXT_TOKENS = 32768
# How facts learnt from a refused request are labelled: it outranks what /models said.
REPORTED_VIA = "a context-length error"
_VERSION = 1


@dataclass(slots=True)
class EndpointFacts:
    """What one endpoint (base URL + model) said about itself."""

    reachable: bool = False
    # True once the endpoint was asked (discover); False for facts only learnt at work
    # (a structured mode, a reported context), which do not spare the asking.
    discovered: bool = False
    served_models: list[str] | None = None  # None: not known (not asked, or no answer)
    context_tokens: int | None = None  # the context the server serves, as it says
    context_via: str = ""  # how: "/v1/models max_model_len", "/props n_ctx", ...
    # "vllm" (/tokenize), "llamacpp" (/tokenize), "llamacpp-python" (/extras/tokenize);
    # "none" when the server has none; None when not known.
    tokenizer: str | None = None
    structured_mode: str | None = None  # the response_format mode that worked
    notes: list[str] = field(default_factory=list)
    checked_at: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EndpointFacts:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def model_served(self, model: str) -> bool | None:
        """Whether `model` is listed; None when the server listed nothing we could read."""
        if not self.served_models:
            return None
        return model in self.served_models


@dataclass(frozen=True, slots=True)
class Context:
    """The context size planning uses for a target, and where it came from, in words."""

    tokens: int
    source: str


def endpoint_key(base_url: str, model: str) -> str:
    return f"{base_url.rstrip('/')} {model}"


class FactsStore:
    """`endpoints.json` in the state folder: facts by endpoint, each for `ttl_s` seconds.

    Written whole to a temporary file and renamed, so a reader (another worker) never sees
    half a file; the last writer wins, which is harmless for facts that agree. A missing,
    unreadable or corrupt file reads as empty: facts are only ever a shortcut.
    """

    def __init__(
        self,
        path: Path | None,
        ttl_s: float = FACTS_TTL_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path
        self.ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()

    def now(self) -> float:
        """The store's clock: what facts are stamped with when asked."""
        return self._clock()

    def get(self, key: str) -> EndpointFacts | None:
        """The facts on `key`, if fresh."""
        with self._lock:
            entry = self._read().get(key)
        if not isinstance(entry, dict):
            return None
        try:
            facts = EndpointFacts.from_json(entry)
        except TypeError:
            return None
        if not isinstance(facts.checked_at, int | float):
            return None
        if self._clock() - facts.checked_at > self.ttl_s:
            return None
        return facts

    def put(self, key: str, facts: EndpointFacts) -> None:
        if self.path is None:
            return
        with self._lock:
            entries = self._read()
            entries[key] = facts.to_json()
            now = self._clock()
            # Expired entries go when the file is written anyway: it stays small.
            entries = {
                k: v
                for k, v in entries.items()
                if isinstance(v, dict)
                and isinstance(v.get("checked_at"), int | float)
                and now - v["checked_at"] <= self.ttl_s
            }
            self._write(entries)

    def _read(self) -> dict[str, Any]:
        if self.path is None:
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != _VERSION:
            return {}
        entries = data.get("endpoints")
        return dict(entries) if isinstance(entries, dict) else {}

    def _write(self, entries: dict[str, Any]) -> None:
        assert self.path is not None
        tmp = ""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".endpoints-", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"version": _VERSION, "endpoints": entries}, out, indent=1)
            os.replace(tmp, self.path)
        except OSError:
            # A read-only state folder costs a re-discovery next run, not the run itself.
            if tmp:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


_stores: dict[Path, FactsStore] = {}
_stores_lock = threading.Lock()


def store_at(state_dir: Path) -> FactsStore:
    """The one store of `state_dir` in this process."""
    path = state_dir / FACTS_FILE
    with _stores_lock:
        if path not in _stores:
            _stores[path] = FactsStore(path)
        return _stores[path]


def store_for(settings: Settings, environ: Mapping[str, str] | None = None) -> FactsStore:
    """The store in the state folder the settings and environment name (as the ledger's)."""
    from bot.ledger.location import resolve_state_dir

    return store_at(resolve_state_dir(settings, os.environ if environ is None else environ))


class Discovers(Protocol):
    """What a provider offers for discovery (both SDK providers do)."""

    name: str
    model: str

    def discover(self, store: FactsStore | None = None, *, refresh: bool = False) -> EndpointFacts:
        """Ask the endpoint (once per process; the store's fresh facts first)."""
        ...

    def remembered(self, store: FactsStore | None = None) -> EndpointFacts | None:
        """What is known without asking: this process's facts, else the store's."""
        ...


def resolve_context(name: str, cfg: ProviderConfig, facts: EndpointFacts | None) -> Context:
    """The context to plan with: the configuration's when set, else the server's, else the
    assumed default. A size the server reported when refusing a request as too long is a
    hard limit, so it wins over a larger configured one."""
    served = facts.context_tokens if facts is not None else None
    if cfg.context_tokens is not None:
        configured = f"config: {cfg.setting_name(name, 'context_tokens')}"
        if (
            served is not None
            and facts is not None
            and facts.context_via == REPORTED_VIA
            and served < cfg.context_tokens
        ):
            return Context(
                served,
                f"server: {REPORTED_VIA} reported {served} ({configured} says "
                f"{cfg.context_tokens})",
            )
        return Context(cfg.context_tokens, configured)
    if served is not None:
        return Context(served, f"server: {facts.context_via}" if facts else "server")
    setting = f"providers.{name}.context_tokens"
    if name == "local":
        setting += " or SWITCHYARD_LOCAL_CONTEXT_TOKENS"
    return Context(
        DEFAULT_CONTEXT_TOKENS,
        f"assumed {DEFAULT_CONTEXT_TOKENS}: the server did not say; set {setting}",
    )


def context_for(
    provider: object,
    settings: Settings,
    *,
    discover: bool = True,
    store: FactsStore | None = None,
) -> Context:
    """The context size to plan `provider`'s work with, and its source.

    With `discover`, the endpoint is asked (once per process, and not while the state
    folder holds fresh facts); without, only what is already known is used: dry runs and
    `route --explain` send nothing at all.
    """
    name = str(getattr(provider, "name", ""))
    cfg = settings.providers[name]
    facts = facts_for(provider, settings, discover=discover, store=store)
    return resolve_context(name, cfg, facts)


def facts_for(
    provider: object,
    settings: Settings,
    *,
    discover: bool = True,
    store: FactsStore | None = None,
) -> EndpointFacts | None:
    """The endpoint facts of `provider` (None for a provider that cannot discover, or when
    nothing is known and `discover` is off)."""
    if not hasattr(provider, "discover") or not hasattr(provider, "remembered"):
        return None  # a test double, or a provider kind that has no discovery
    found: Discovers = provider  # type: ignore[assignment]
    store = store if store is not None else store_for(settings)
    if discover:
        return found.discover(store)
    return found.remembered(store)
