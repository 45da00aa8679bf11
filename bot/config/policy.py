"""What a layer may set: a repository file only review-level keys, no layer key material.

The server/org file and the environment belong to the operator. A repository's
`.switchyard.yml` belongs to anyone who can push to its base branch (on a local branch, to
the change's author), so it may only say how its own change is reviewed: an allow-list,
so a field added to the settings later is the operator's until it is listed here. Anything
that chooses where code and keys are sent, what is spent or kept, or what runs on the
server is refused, naming the key and where it may be set instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.config.classes import DataClass
from bot.config.keys import key_env_name
from bot.config.layers import Layer, Path_, leaves, matches
from bot.config.schema import fields_at

# Dotted patterns ("*" for one segment) a repository file may set. Their values are checked
# by the model wherever they come from (SecurityConfig keeps rule paths inside the
# repository and bandit_skip to test ids); data_class may only raise (_lowered).
REPO_ALLOWED = (
    "filters.include",
    "filters.exclude",
    "filters.default_filters",
    "filters.max_file_changed_lines",
    "review.instructions",
    "review.min_severity",
    "review.max_findings",
    "review.extra_context_lines",
    "review.packing",
    "fail_on",
    "data_class",
    "security.mode",
    "security.semgrep_rules",
    "security.bandit_skip",
    # The command runs the repository's own code in the test sandbox (no secrets, no
    # network, a throwaway worktree, the operator's timeout), as its conftest.py or npm
    # test script already would: it grants a writer nothing running the tests did not.
    "tests.languages",
    "tests.framework",
    "tests.command",
    # Read from the base branch's file: the repository's own labels and title policy. The
    # model picks only among the listed labels (others are dropped), and a label is only
    # ever added; docs/security.md says which labels not to list.
    "describe.labels",
    "describe.apply_labels",
    "describe.title",
    # The repository's own docstring convention: the wording of a suggestion, no more.
    "docs.style",
)

# Why a refused key is the operator's, most specific first: the first pattern covering the
# key is the one the message names.
REFUSED_WHY = (
    ("providers.*.api_key_env", "it would choose which secret the bot reads"),
    ("providers.*.api_key_file", "it would choose which secret the bot reads"),
    ("providers", "it would choose where code and keys are sent"),
    ("routing", "it would choose which target receives the code"),
    ("data_classes", "it is org policy on which code may leave the premises"),
    ("budgets", "it is org policy on what the cloud may cost"),
    ("ledger", "it says where every call is recorded"),
    ("cache", "it says what the server keeps"),
    ("state_dir", "it names a folder on the server"),
    ("prompts_dir", "it names the templates every prompt is built from"),
    ("security.bandit_args", "they are handed to bandit as written"),
    ("security.timeout_s", "it says how long the server's scanners may run"),
    ("tests.timeout_s", "it says how long the server runs generated tests"),
    ("tests.repair_rounds", "it says how many model calls a run may spend"),
    ("tests.max_symbols", "it says how many model calls a run may spend"),
    ("tests.propose", "it lets the bot push branches and open requests with its token"),
    ("docs.max_symbols", "it says how many model calls a run may spend"),
    ("describe.max_diff_tokens", "it says how much code a commit message call sends"),
    ("secrets", "it would keep secrets out of redaction before a cloud call"),
)
_WHY_DEFAULT = "it is the operator's setting"
WHERE = "set it in the server/org config (--config or SWITCHYARD_CONFIG) or the environment"

# Field names that look like key material. `context_tokens` and friends must not match,
# hence the anchors.
_KEYLIKE = re.compile(
    r"^(api[_-]?key|apikey|key|secret|secret[_-]?key|client[_-]?secret|password|passwd|"
    r"(access|auth|bearer|api)?[_-]?token|authorization|credentials?)$",
    re.IGNORECASE,
)


def lock_problems(layers: Sequence[Layer]) -> list[str]:
    """One line per key a repository layer may not set: one off REPO_ALLOWED, one an
    earlier layer locks, or a data_class below the one an earlier layer set."""
    locks: list[tuple[str, str]] = []
    floor: tuple[DataClass, str] | None = None
    problems: list[str] = []
    for layer in layers:
        if not layer.from_repo:
            locks.extend((p, f"locked by {layer.label}") for p in layer.locks)
            floor = _raised_floor(floor, layer)
            continue
        for path, value in leaves(layer.data):
            problem = _repo_problem(path, value, locks, floor)
            if problem:
                problems.append(f"{layer.label}: {'.'.join(path)}: {problem}")
    return problems


def _repo_problem(
    path: Path_, value: Any, locks: Sequence[tuple[str, str]], floor: tuple[DataClass, str] | None
) -> str | None:
    if not any(matches(p, path) for p in REPO_ALLOWED):
        # A key the schema does not know is refused by validation, which can suggest the
        # spelling meant; it cannot take effect either way.
        return _refusal(path) if _known(path) else None
    for pattern, why in locks:
        if matches(pattern, path):
            return why
    if path == ("data_class",) and floor is not None and _rank(value) < floor[0].rank:
        return (
            f"a repository file can only raise its data class, not lower it below "
            f"{floor[0].value} (set by {floor[1]}); change it there"
        )
    return None


def _refusal(path: Path_) -> str:
    name, why = ".".join(path), _WHY_DEFAULT
    for pattern, reason in REFUSED_WHY:
        if matches(pattern, path):
            name, why = ".".join(path[: pattern.count(".") + 1]), reason
            break
    return f"a repository file may not set {name} ({why}); {WHERE}"


def _known(path: Path_) -> bool:
    """Whether every segment of `path` is a field the schema has (or a free key)."""
    for i, part in enumerate(path):
        fields = fields_at(path[:i])
        if fields and part not in fields:
            return False
    return True


def _rank(value: Any) -> int:
    try:
        return DataClass(str(value)).rank
    except ValueError:
        return len(DataClass)  # not a class at all: validation names it


def _raised_floor(
    floor: tuple[DataClass, str] | None, layer: Layer
) -> tuple[DataClass, str] | None:
    try:
        cls = DataClass(str(layer.data["data_class"]))
    except (KeyError, ValueError):
        return floor
    return (cls, layer.label) if floor is None or cls.rank > floor[0].rank else floor


def keylike_problems(layer: Layer) -> list[str]:
    """One line per field of `layer` that looks like key material, saying where keys go."""
    problems = []
    for path, _ in leaves(layer.data):
        for i, part in enumerate(path):
            if not _KEYLIKE.match(part):
                continue
            # Only where the schema has fixed fields: a provider may be *named* "token",
            # and a real settings field is never refused for its name alone.
            fields = fields_at(path[:i])
            if not fields or part in fields:
                continue
            dotted = ".".join(path[: i + 1])
            if len(path) > 2 and path[0] == "providers" and i == 2:
                var = key_env_name(path[1])
                where = f"export {var} (or the SDK's own variable) in the environment"
            else:
                where = "export it in the environment"
            if layer.from_repo:
                where += " and name it with api_key_env / api_key_file in the server config"
            else:
                where += " or name it with a provider's api_key_env / api_key_file"
            problems.append(
                f"{layer.label}: {dotted}: API keys and secrets never go in a settings "
                f"file; {where}"
            )
            break
    return problems
