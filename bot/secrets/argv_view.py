"""A command written as the list of its arguments, read as the command line it runs.

Code and exec-form configuration hand a command its arguments one string each:
`subprocess.run(["sshpass", "-p", "…", "ssh", host])`, Go's `exec.Command("mysql",
"-p…")`, Rust's `.arg("-p").arg("…")`, a Compose health check's `["CMD", "mysqladmin",
"ping", "-p…"]`, a Kubernetes container's `command:`. command_lines.py's patterns read a
shell's command line, where a space parts the arguments; here a quote, a comma and a quote
do. Each line that holds such separators and a command pattern's keyword is read again
with the separators blanked to spaces, the same length, so a value's offsets are the
text's own. Only those lines: most code holds `", "` somewhere, and a second pass of the
command patterns over a whole prompt cost 8 % of its scan."""

from __future__ import annotations

import dataclasses
import re

from bot.secrets.account_commands import ACCOUNT_COMMAND_PATTERNS
from bot.secrets.command_lines import COMMAND_PASSWORD, COMMAND_PATTERNS, TOKEN_ARGUMENT
from bot.secrets.gitleaks.scan import Found
from bot.secrets.line_finders import Candidate
from bot.secrets.patterns import TokenPattern
from bot.secrets.token_pass import lines_holding, token_candidates

# Between two quoted arguments: `", "`, `', '`, JS's `", ["` (spawn's list after the
# command), Rust's `").arg("` and `").args(["`.
_SEPARATOR = re.compile(r"([\"'])[ \t]*(?:,[ \t]*\[?|\)[ \t]*\.args?\([ \t]*\[?)[ \t]*\1")

# The command-line patterns, by identity: the lines are read again by these alone.
_ARGV_PATTERNS: frozenset[int] = frozenset(
    id(p)
    for p in (*COMMAND_PATTERNS, *ACCOUNT_COMMAND_PATTERNS)
    if p.kind in (COMMAND_PASSWORD, TOKEN_ARGUMENT)
)


def argv_candidates(
    text: str, lowered: str, patterns: list[TokenPattern], found_words: Found, test: bool
) -> list[Candidate]:
    """What the command patterns among `patterns` find on the lines of `text` that give a
    command its arguments as a list (`lowered`: the text lower-cased, the same length)."""
    commands = [p for p in patterns if id(p) in _ARGV_PATTERNS]
    if not commands or ('", ' not in text and "', " not in text and ").arg" not in text):
        return []
    # line start -> the line and its lower case with the separators blanked, or None
    views: dict[int, tuple[str, str] | None] = {}
    out: list[Candidate] = []
    for pattern in commands:
        for ls, le in lines_holding(text, found_words, pattern.keywords):
            if ls not in views:
                line = text[ls:le]
                view = _SEPARATOR.sub(_blank, line)
                views[ls] = (view, _SEPARATOR.sub(_blank, lowered[ls:le])) if view != line else None
            if (seen := views[ls]) is None:
                continue
            here = {w: {0} for w in pattern.keywords if ls in found_words.get(w, ())}
            out.extend(
                dataclasses.replace(c, start=c.start + ls, end=c.end + ls)
                for c in token_candidates(*seen, [pattern], here, test)
            )
    return out


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group())
