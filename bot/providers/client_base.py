"""What every SDK-backed provider shares: its identity from the configuration, the errors it
raises, and one lazily built SDK client guarded by a lock.

The client is made on first use, not in __init__: building providers must not touch the
network or import an SDK (~0.5 s of CLI start-up each) for a target that is never called.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from bot.config.model import ProviderConfig
from bot.providers.base import Completion, CompletionRequest, ProviderError, Usage
from bot.providers.discovery import (
    DEFAULT_CONTEXT_TOKENS,
    REPORTED_VIA,
    EndpointFacts,
    FactsStore,
    endpoint_key,
)
from bot.providers.retry import EndpointErrors

# Passed when no key is configured, so that an SDK never falls back to ambient credentials
# (OPENAI_API_KEY, ANTHROPIC_API_KEY, profiles on disk) the configuration did not name;
# self-hosted servers without auth ignore it, the cloud APIs answer 401.
NO_KEY = "switchyard-no-key"
AUX_TIMEOUT_S = 10.0  # tokenizer, model list, props: small requests


class _Closeable(Protocol):
    def close(self) -> None: ...


ClientT = TypeVar("ClientT", bound=_Closeable)


class SDKClientProvider(Generic[ClientT]):
    """The part of the Provider protocol that does not depend on the API spoken. Thread-safe.

    Subclasses name their API's defaults in the class attributes, their SDK's client class
    in `_sdk_class`, and read an answer in `_answer`.
    """

    default_base_url: ClassVar[str]
    answer_kind: ClassVar[str]  # what a good answer is, for errors about one that is not
    # Whether chat calls to a target declared local are streamed: closing a stream is how a
    # client that gives up tells a self-hosted runner to stop (bot.providers.streaming).
    streams_when_local: ClassVar[bool] = False

    def __init__(
        self,
        name: str,
        config: ProviderConfig,
        api_key: str | None,
        *,
        backoff_s: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = name
        self.config = config
        self.model = config.model
        # The configured context until discovery says otherwise (see discover()).
        self.context_tokens = config.context_tokens or DEFAULT_CONTEXT_TOKENS
        self.location = config.resolved_location()
        self.base_url = self._api_root((config.base_url or self.default_base_url).rstrip("/"))
        self._api_key = api_key
        self._errors = EndpointErrors(
            name, self.base_url, config, api_key, answer=self.answer_kind, streamed=self.streams
        )
        self._backoff_s = backoff_s
        self._sleep = sleep
        self._lock = threading.Lock()
        self._client: ClientT | None = None
        self._mode: str | None = self._configured_mode(config.structured_output)
        # Structured-output modes this server refused, in this process (under the lock).
        self._refused_modes: set[str] = set()
        # What the endpoint said about itself (bot.providers.discovery), once per process,
        # and where it is remembered between processes.
        self._facts: EndpointFacts | None = None
        self._store: FactsStore | None = None
        self._discover_lock = threading.Lock()

    def _api_root(self, base_url: str) -> str:
        """The base_url the SDK takes, from the configured one (trailing slash stripped)."""
        return base_url

    def _configured_mode(self, structured_output: str) -> str | None:
        """The structured mode `structured_output` forces; None while `auto` negotiates."""
        return None if structured_output == "auto" else structured_output

    def __repr__(self) -> str:  # no key in reprs, logs or tracebacks
        return f"{type(self).__name__}(name={self.name!r}, base_url={self.base_url!r})"

    @property
    def streams(self) -> bool:
        """Whether chat calls are streamed: only to a runner declared local."""
        return self.streams_when_local and self.location == "local"

    @property
    def structured_mode(self) -> str | None:
        """The structured-output mode in use: configured, or learnt; None until known."""
        with self._lock:
            return self._mode

    @property
    def key_env(self) -> str:
        """The environment variable that should hold this endpoint's API key."""
        return self._errors.key_env

    # -- discovery ---------------------------------------------------------------------------

    @property
    def facts_key(self) -> str:
        return endpoint_key(self.base_url, self.model)

    def use_store(self, store: FactsStore | None) -> None:
        """Remember what is learnt in `store` from now on (None: in this process only)."""
        with self._lock:
            self._store = store

    def remembered(self, store: FactsStore | None = None) -> EndpointFacts | None:
        """What is known without asking: this process's facts, else the store's fresh ones."""
        if store is not None:
            self.use_store(store)
        with self._lock:
            facts, store = self._facts, self._store
        if facts is None and store is not None:
            facts = store.get(self.facts_key)
            if facts is not None:
                self._adopt(facts)
        return facts

    def discover(self, store: FactsStore | None = None, *, refresh: bool = False) -> EndpointFacts:
        """What the endpoint says about itself: asked once per process (and not while
        `store` holds fresh facts, unless `refresh`). Never raises: an endpoint that does
        not answer has facts with reachable False, which are not written down."""
        if store is not None:
            self.use_store(store)
        with self._discover_lock:  # one discovery at a time; the others wait for its facts
            if not refresh:
                known = self.remembered()
                if known is not None and known.discovered:
                    return known
            facts = self._discover()
            facts.discovered = True
            with self._lock:
                old, store = self._facts, self._store
            if store is not None:
                facts.checked_at = store.now()
            if old is not None:
                # Learnt at work, and still true: keep it over what asking cannot tell.
                facts.structured_mode = facts.structured_mode or old.structured_mode
                reported = old.context_tokens if old.context_via == REPORTED_VIA else None
                if reported and (facts.context_tokens is None or reported < facts.context_tokens):
                    facts.context_tokens, facts.context_via = reported, REPORTED_VIA
            self._adopt(facts)
            if facts.reachable and store is not None:
                store.put(self.facts_key, facts)
            return facts

    def _discover(self) -> EndpointFacts:
        """Ask the endpoint; the subclass knows its API."""
        return EndpointFacts(checked_at=time.time())

    def _adopt(self, facts: EndpointFacts) -> None:
        """Take `facts` as this process's: the context, and a structured mode for `auto`."""
        with self._lock:
            self._facts = facts
            if self.config.context_tokens is None and facts.context_tokens:
                self.context_tokens = facts.context_tokens
            if self.config.structured_output == "auto" and facts.structured_mode:
                self._mode = facts.structured_mode

    def remember(self, **changes: Any) -> None:
        """Record a fact learnt while working (a structured mode that worked, a context size
        a refusal reported), here and in the store."""
        with self._lock:
            facts = self._facts or EndpointFacts(reachable=True)
            for name, value in changes.items():
                setattr(facts, name, value)
            facts.checked_at = facts.checked_at or time.time()
            self._facts, store = facts, self._store
        if store is not None:
            store.put(self.facts_key, facts)

    def _learn_from(self, error: ProviderError) -> None:
        """A refusal as too long says the context the server serves: planned work must fit
        it from now on."""
        if error.context_tokens is not None:
            self.remember(context_tokens=error.context_tokens, context_via=REPORTED_VIA)
            with self._lock:
                if self.config.context_tokens is None or error.context_tokens < (
                    self.config.context_tokens
                ):
                    self.context_tokens = error.context_tokens

    def prepare(self) -> None:
        """Loads the SDK now, from the calling thread: imports racing in worker threads can
        deadlock and leave a module half-initialised."""
        self.sdk()

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def sdk(self) -> ClientT:
        """The SDK client, made on first use; shared by every thread."""
        with self._lock:
            if self._client is None:
                # Both SDKs are generated from one template and take the same arguments. Their
                # own retries are off: `retry` retries, visibly.
                self._client = self._sdk_class()(
                    api_key=self._api_key or NO_KEY,
                    base_url=self.base_url,
                    timeout=self.config.timeout_s,
                    max_retries=0,
                    **self._client_options(),
                )
            return self._client

    def _sdk_class(self) -> Callable[..., ClientT]:
        """The SDK's client class, imported only when called: importing an SDK costs ~0.5 s
        of CLI start-up."""
        raise NotImplementedError

    def _client_options(self) -> dict[str, Any]:
        """The SDK client's arguments beyond those every provider passes."""
        return {}

    def aux_timeout(self) -> float:
        """The timeout of the small side requests (probe, tokenizer)."""
        return min(self.config.timeout_s, AUX_TIMEOUT_S)

    def _answer(self, request: CompletionRequest, response: Any) -> tuple[str, Any, Usage]:
        """(text, parsed, usage) of one SDK answer; parsed is None when it did not validate."""
        raise NotImplementedError

    def _completion(
        self,
        request: CompletionRequest,
        response: Any,
        mode: str,
        started: float,
        http_requests: int,
    ) -> Completion:
        """The Completion of one answer, timed from `started`."""
        text, parsed, usage = self._answer(request, response)
        return Completion(
            text=text,
            parsed=parsed,
            usage=usage,
            latency_s=time.monotonic() - started,
            target=self.name,
            model=getattr(response, "model", None) or self.model,
            structured_mode=mode,
            http_requests=http_requests,
            finish_reason=_finish_reason(response),
        )


def _finish_reason(response: Any) -> str | None:
    """Why the model stopped: OpenAI's choices[0].finish_reason ("length" when cut off),
    Anthropic's stop_reason ("max_tokens"). A cut-off answer must not pass as a whole one."""
    choices = getattr(response, "choices", None)
    if choices:
        return getattr(choices[0], "finish_reason", None)
    return getattr(response, "stop_reason", None)
