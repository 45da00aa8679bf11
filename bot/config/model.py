"""The settings model: parsed once, validated by pydantic, passed down as typed values."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from bot.config.base import Strict as _Strict
from bot.config.classes import DataClass, DataClassConfig, RetentionConfig
from bot.config.describe import DescribeConfig
from bot.config.docs import DocsConfig
from bot.config.location import Location, local_declaration_problem
from bot.config.routing import BudgetConfig, RoutingConfig
from bot.config.scanner_values import bandit_skip_problem, semgrep_rule_problem
from bot.config.secret_allow import SecretsConfig
from bot.findings.model import Severity

# A one-slot self-hosted runner writing a 4k-token answer at ~15 tokens/s takes minutes.
LOCAL_TIMEOUT_S = 300.0
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


class ProviderConfig(_Strict):
    """One model endpoint, declared under any name."""

    kind: Literal["openai_compatible", "anthropic"] = "openai_compatible"
    base_url: str | None = Field(
        default=None, description="API root, e.g. http://gpu01:8000/v1; None means the SDK default"
    )
    model: str = Field(description="Model name as the server knows it")
    location: Literal["local", "cloud"] | None = Field(
        default=None,
        description="local = self-hosted: restricted code and unredacted secrets may go "
        "there. Server/org file only; never inferred from base_url: unset means cloud",
    )
    context_tokens: int | None = Field(
        default=None,
        ge=1024,
        description="Context window in tokens; unset: asked of the server (vLLM /v1/models, "
        "llama.cpp /props, Ollama /api/show), else 32768 assumed, with a note. Set, it wins "
        "over what the server says (SWITCHYARD_LOCAL_CONTEXT_TOKENS sets it for the local runner)",
    )
    max_output_tokens: int = Field(default=4096, ge=64, description="Room kept for the answer")
    structured_output: Literal["auto", "json_schema", "json_object", "instructed"] = Field(
        default="auto",
        description="auto tries json_schema, then json_object with a schema (llama.cpp), "
        "then instructed JSON",
    )
    tokenizer: Literal["auto", "server", "tiktoken", "estimate"] = Field(
        default="auto",
        description="How a routed work item is counted: auto asks the server's tokenizer "
        "(vLLM and llama.cpp /tokenize, Anthropic count_tokens; never an OpenAI-compatible "
        "cloud API, which has none), then tiktoken if its encoding is cached, else a bounded "
        "estimate; planning always uses the estimate and sends nothing",
    )
    timeout_s: float = Field(
        default=120.0,
        gt=0,
        description="Per request; default 120 s, 300 s for a local target (a one-slot "
        "self-hosted runner writes a long answer slowly)",
    )
    max_retries: int = Field(
        default=2,
        ge=0,
        le=10,
        description="On 429, 5xx, connection errors and timeouts; a local target's timed-out "
        "generation is never sent to it again (the runner is still busy with it)",
    )
    concurrency: int = Field(default=4, ge=1, le=64, description="Requests in flight at once")
    # Key material is never in a repo file: the name of an environment variable or a
    # secret file (server/org file only), else SWITCHYARD_<NAME>_API_KEY.
    api_key_env: str | None = Field(
        default=None,
        description="Environment variable holding the key (server/org file only; "
        "default SWITCHYARD_<NAME>_API_KEY, then the SDK's own variable)",
    )
    api_key_file: str | None = Field(
        default=None,
        description="File holding the key, e.g. a mounted secret (server/org file only)",
    )

    # Prices in USD per million tokens; unset means the built-in table for the model
    # (bot/providers/prices.py). A self-hosted target has an internal rate instead: set
    # per-token prices, or gpu_cost_per_hour with throughput_tokens_per_s.
    input_per_mtok: float | None = Field(default=None, ge=0)
    output_per_mtok: float | None = Field(default=None, ge=0)
    gpu_cost_per_hour: float | None = Field(
        default=None, ge=0, description="Self-hosted: amortised hardware, power and upkeep"
    )
    throughput_tokens_per_s: float | None = Field(
        default=None, gt=0, description="Self-hosted: tokens per second served on average"
    )
    requests_per_minute: int | None = Field(default=None, ge=1)
    tokens_per_minute: int | None = Field(default=None, ge=1)
    metrics_url: str | None = Field(
        default=None,
        description="Prometheus /metrics of a vLLM server, read for its queue depth; "
        "default for a local openai_compatible target: <server root>/metrics",
    )
    circuit_failures: int = Field(default=3, ge=1, description="Failures that open the breaker")
    circuit_reset_s: float = Field(default=30.0, gt=0, description="Open time before a probe")

    # Which layer declared `location` (a file, SWITCHYARD_LOCAL_BASE_URL), stamped by the
    # loader; empty when nothing did. Shown wherever a target's location is.
    _location_source: str = PrivateAttr(default="")
    # Which layer set each field ("base_url" -> "SWITCHYARD_LOCAL_BASE_URL", a file, a flag),
    # stamped by the loader, so an error names what the user wrote, not a key they never set.
    _origins: dict[str, str] = PrivateAttr(default_factory=dict)

    @field_validator("base_url", "metrics_url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        # A typo such as "htp://" would otherwise surface only at the first call, as
        # "connection failed".
        if url is None:
            return url
        scheme, sep, rest = url.strip().partition("://")
        if not sep or scheme.lower() not in ("http", "https"):
            raise ValueError(f"{url!r} is not an http:// or https:// URL")
        if not rest.split("/", 1)[0]:
            raise ValueError(f"{url!r} names no host")
        return url.strip()

    @model_validator(mode="after")
    def _local_is_plausible(self) -> ProviderConfig:
        if self.location == "local":
            problem = local_declaration_problem(self.kind, self.base_url)
            if problem:
                raise ValueError(problem)
            if "timeout_s" not in self.model_fields_set:
                self.timeout_s = LOCAL_TIMEOUT_S
        return self

    def origin(self, field: str) -> str:
        """Who set `field`: an environment variable, a file, "command line"; "" when unknown."""
        return self._origins.get(field, "")

    def setting_name(self, provider: str, field: str) -> str:
        """What to tell a user to fix: the variable that set `field`, else its dotted key."""
        origin = self.origin(field)
        if _ENV_NAME.fullmatch(origin):
            return origin
        return f"providers.{provider}.{field}"

    def resolved_location(self) -> Location:
        """local only when declared so; anything undeclared is cloud (fail closed)."""
        return "local" if self.location == "local" else "cloud"

    def location_declaration(self) -> str:
        """Where this target runs and who said so, in words: "local (declared by org.yml)"."""
        where = self.resolved_location()
        if self.location is None:
            return f"{where} (location not declared: cloud by default)"
        return f"{where} (declared by {self._location_source or 'settings'})"


class FilterConfig(_Strict):
    include: list[str] = Field(
        default_factory=list, description="Globs; when set, only matching files are reviewed"
    )
    exclude: list[str] = Field(default_factory=list, description="Globs never reviewed")
    default_filters: bool = Field(
        default=True,
        description="Skip lockfiles, generated, vendored, minified and binary files",
    )
    max_file_changed_lines: int = Field(
        default=5000, ge=1, description="Files with more changed lines are listed, not reviewed"
    )


class ReviewConfig(_Strict):
    extra_context_lines: int = Field(
        default=8, ge=0, le=200, description="Lines of the file shown around each hunk"
    )
    min_severity: Severity = Field(
        default=Severity.NIT, description="Findings below this severity are not reported"
    )
    max_findings: int = Field(
        default=50,
        ge=1,
        description="Most findings posted on a pull or merge request per run, most severe "
        "first; report files (SARIF, GitLab SAST, JSON, Markdown) carry every finding",
    )
    packing: Literal["dense", "per_file"] = Field(
        default="dense",
        description="dense: several files per work item (fewer calls, instructions sent once "
        "per item); per_file: one file per item (more, smaller calls in parallel)",
    )
    instructions: str | None = Field(
        default=None, description="Extra guidance for the reviewer (team conventions)"
    )


# bandit tests left out by default. Those that flag an import, an assert, or a process
# started without a shell or by a bare name, not a flaw: the tests that flag the dangerous
# call itself (pickle.loads, subprocess with shell=True, the XML parsers) still run.
_BANDIT_IMPORT_TESTS = ("B403", "B404", "B405", "B406", "B407", "B408", "B410")
# And those whose weakness a sharper detector here covers: B105-B107 flag any string named
# like a password, placeholders included (the secret detector and the credential rules
# judge the value); B311 flags every call into `random` (the weak-randomness rules look at
# what the value is used for). The sink tests below flag every eval, exec, shell call,
# pickle or YAML load, SQL-looking string and stdlib XML parse whatever reaches it; the
# taint rules (bot/security/rules/python.yml, whose sources include a function's own
# parameters) report the same sinks when outside data reaches them. Run together, bandit's
# flagged 76-90 % of the safe cases of those families on the public Python suite
# (docs/benchmarks.md). The stdlib XML parsers resolve no external entities since 3.7.1.
_BANDIT_SINKS = (
    "B102", "B301", "B307", "B506", "B602", "B604", "B605", "B608",
    "B313", "B314", "B315", "B316", "B317", "B318", "B319", "B320",
)  # fmt: skip
_BANDIT_COVERED = ("B105", "B106", "B107", "B311", *_BANDIT_SINKS)
BANDIT_SKIP_DEFAULT = ("B101", *_BANDIT_IMPORT_TESTS, "B603", "B607", *_BANDIT_COVERED)


class SecurityConfig(_Strict):
    mode: Literal["added", "diff_context", "file", "nofilter"] = Field(
        default="added",
        description="Which scanner findings count: on added lines, in the diff's hunks, "
        "anywhere in a changed file, or all",
    )
    semgrep_rules: list[str] = Field(
        default_factory=list,
        description="Extra semgrep rule files or folders, run with the built-in rules: paths "
        "relative to the repository's top folder that stay inside it (no registry names or URLs)",
    )
    bandit_skip: list[str] = Field(
        default_factory=lambda: list(BANDIT_SKIP_DEFAULT),
        description="bandit tests not run (default: those that flag an import, an assert "
        "or a process started without a shell or by a bare name, and those a sharper "
        "detector covers: B105-B107, B311, and the sink tests the taint rules cover: "
        "B102, B301, B307, B506, B602, B604, B605, B608, B313-B320); [] runs them all",
    )
    bandit_args: list[str] = Field(
        default_factory=list,
        description="Extra bandit arguments, e.g. ['--severity-level', 'medium'] "
        "(server/org file only: they reach bandit as written)",
    )
    timeout_s: float = Field(default=120.0, gt=0, description="Per scanner")

    # Both reach a scanner's command line and a repository file may set them: a rule path
    # must not lead out of the repository or to the network, a skip entry must not be a flag.
    @field_validator("semgrep_rules")
    @classmethod
    def _rules_in_repository(cls, rules: list[str]) -> list[str]:
        return _each_valid(rules, semgrep_rule_problem)

    @field_validator("bandit_skip")
    @classmethod
    def _skip_test_ids(cls, skip: list[str]) -> list[str]:
        return _each_valid(skip, bandit_skip_problem)


def _each_valid(values: list[str], problem: Callable[[str], str | None]) -> list[str]:
    """`values` when `problem` finds nothing wrong with any; else every problem at once."""
    problems = [p for p in map(problem, values) if p]
    if problems:
        raise ValueError("; ".join(problems))
    return values


TEST_LANGUAGES = ("python", "javascript", "typescript", "go", "java")
TestLanguage = Literal["python", "javascript", "typescript", "go", "java"]


class TestsConfig(_Strict):
    # Not collected by pytest when imported into a test module.
    __test__ = False

    languages: list[TestLanguage] = Field(
        default_factory=lambda: list(TEST_LANGUAGES),
        description="Languages whose changed functions get generated tests",
    )
    framework: dict[TestLanguage, str] = Field(
        default_factory=dict,
        description="Per language, the test framework when detection from the repository's "
        "files picks the wrong one: pytest, unittest, jest, vitest, mocha, node:test, "
        "go test, junit5, junit4",
    )
    command: dict[TestLanguage, str | list[str]] = Field(
        default_factory=dict,
        description="Per language, the command that runs one test file (split like a shell "
        "would, but run without one; slots {file}, {test_id}, {package}, {python}), e.g. "
        "{python: 'python -m pytest {file}'}; default: the framework's own",
    )
    timeout_s: float = Field(
        default=60.0, gt=0, le=900, description="Per run of one generated test file"
    )
    repair_rounds: int = Field(
        default=1, ge=0, le=3, description="Model rounds to repair a generated test that fails"
    )
    max_symbols: int = Field(
        default=20, ge=1, le=200, description="Most changed functions given tests in one run"
    )
    propose: bool = Field(
        default=False,
        description="On a pull/merge request, also push the kept tests to a new branch "
        "(switchyard/tests/<number>-<head>) and open a request of it into the reviewed "
        "branch; never a push to the reviewed branch. Needs write access to contents "
        "(the job's own checkout credentials, or SWITCHYARD_PUSH_TOKEN)",
    )

    @field_validator("command")
    @classmethod
    def _runs_something(cls, commands: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        empty = [k for k, c in commands.items() if not (c.strip() if isinstance(c, str) else c)]
        if empty:
            raise ValueError(f"tests.command.{empty[0]}: a command needs the program to run")
        return commands

    def overrides(self) -> dict[str, dict[str, object]]:
        """Per language, what bot/testgen/frameworks.py takes over detection."""
        out: dict[str, dict[str, object]] = {}
        for language, name in self.framework.items():
            out.setdefault(language, {})["framework"] = name
        for language, command in self.command.items():
            out.setdefault(language, {})["command"] = command
        return out


class LedgerConfig(_Strict):
    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL, e.g. postgresql://user@db/switchyard; default: a SQLite "
        "file in the state folder (SWITCHYARD_DB_URL overrides)",
    )
    retention_days: RetentionConfig = Field(default_factory=RetentionConfig)


class CacheConfig(_Strict):
    enabled: bool = True
    ttl_days: int = Field(default=30, ge=1)


class Settings(_Strict):
    providers: dict[str, ProviderConfig] = Field(
        default_factory=dict,
        description="Model endpoints by name, e.g. local or openai; the environment can "
        "declare these too (SWITCHYARD_LOCAL_BASE_URL + SWITCHYARD_LOCAL_MODEL, OPENAI_API_KEY, "
        "ANTHROPIC_API_KEY)",
    )
    data_classes: DataClassConfig = Field(
        default_factory=DataClassConfig, description="Org policy: which code may leave premises"
    )
    data_class: DataClass | None = Field(
        default=None,
        description="This repository's class; can raise the org's class, never lower it",
    )
    budgets: BudgetConfig = Field(
        default_factory=BudgetConfig, description="Org policy: monthly cloud spend caps"
    )
    security: SecurityConfig = Field(
        default_factory=SecurityConfig, description="The security task's scanners"
    )
    secrets: SecretsConfig = Field(
        default_factory=SecretsConfig,
        description="Secret detection's allow-list (server/org file only)",
    )
    tests: TestsConfig = Field(
        default_factory=TestsConfig, description="The tests task: generated, run, kept"
    )
    describe: DescribeConfig = Field(
        default_factory=DescribeConfig,
        description="Generated pull/merge request descriptions and commit messages",
    )
    docs: DocsConfig = Field(
        default_factory=DocsConfig, description="The docs task: written doc comments"
    )
    ledger: LedgerConfig = Field(default_factory=LedgerConfig, description="Where calls are kept")
    cache: CacheConfig = Field(default_factory=CacheConfig, description="The response cache")
    state_dir: str | None = Field(
        default=None,
        description="Ledger, cache and queue; default SWITCHYARD_STATE or "
        "~/.local/state/switchyard",
    )
    routing: RoutingConfig = Field(
        default_factory=RoutingConfig, description="Which provider is tried first"
    )
    filters: FilterConfig = Field(
        default_factory=FilterConfig, description="Which changed files are reviewed"
    )
    review: ReviewConfig = Field(default_factory=ReviewConfig, description="What is reported")
    fail_on: Severity | None = Field(
        default=None, description="Exit 1 when a finding has this severity or worse"
    )
    prompts_dir: str | None = Field(
        default=None,
        description="Folder with prompt templates overriding the built-in ones (server/org "
        "file only); a relative path is taken from that file's folder",
    )
