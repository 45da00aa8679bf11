"""The rules semgrep's fast command line would not run, said per rule.

The standard command line refuses a whole run for one invalid rule (semgrep_runner runs it
again without the repository's rules); the fast one (`--experimental`) runs every rule it
can read and reports each one it cannot as a "Rule parse error" naming the rule. Such an
error is turned into a note naming the rule, the file that holds it and why, so that a
repository's maintainer can mend it; the rest of the run stands.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from bot.security.scanners.base import relativize, scrub
from bot.security.scanners.rule_choice import rule_files_under, rules_in

_RULE_ERROR = "Rule parse error"
_MESSAGE_CHARS = 300
# The folder the GitHub door fetches a repository's rules into starts with this.
FETCHED_RULES_PREFIX = "switchyard-rules-"


def rule_refusals(
    errors: object, repository_rules: Sequence[Path], known: Iterable[str]
) -> tuple[list[object], list[str]]:
    """semgrep's `errors` without those refusing one rule, and a note for each of those."""
    kept: list[object] = []
    notes: list[str] = []
    for e in errors if isinstance(errors, list) else []:
        rule_id = e.get("rule_id") if isinstance(e, dict) else None
        if not (isinstance(rule_id, str) and rule_id and e.get("type") == _RULE_ERROR):
            kept.append(e)
            continue
        message = " ".join(str(e.get("message") or "").split())
        message = message.removeprefix(f"{_RULE_ERROR} in rule {rule_id}:").strip()
        message = scrub(relativize(message), list(known))
        if len(message) > _MESSAGE_CHARS:
            message = message[: _MESSAGE_CHARS - 3] + "..."
        where = _file_of(rule_id, repository_rules)
        whose = f"the repository's rule {rule_id} ({where})" if where else f"rule {rule_id}"
        notes.append(
            f"semgrep refused {whose}: {message or 'invalid'}; it was not run, the other rules were"
        )
    return kept, notes


def _file_of(rule_id: str, paths: Sequence[Path]) -> str | None:
    """The repository's rule file that defines `rule_id`, as the repository names it."""
    for path in paths:
        for f in rule_files_under(path):
            if any(str(rule.get("id")) == rule_id for rule in rules_in(f)):
                return shown(f)
    return None


def shown(path: Path) -> str:
    """A rule path as the repository names it: under the folder the GitHub door fetched
    the rules into, or under the current folder (a checkout), else as it is."""
    path = Path(path).resolve()
    for parent in path.parents:
        if parent.name.startswith(FETCHED_RULES_PREFIX):
            return str(path.relative_to(parent))
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
