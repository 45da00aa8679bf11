"""A command written as the list of its arguments, read as the command line it runs.

Code and exec-form configuration hand a command its arguments one string each:
`subprocess.run(["sshpass", "-p", "…", "ssh", host])`, Go's `exec.Command("mysql",
"-p…")`, Rust's `.arg("-p").arg("…")`, a Compose health check's `["CMD", "mysqladmin",
"ping", "-p…"]`, a Kubernetes container's `command:`. command_lines.py's patterns read a
shell's command line, where a space parts the arguments; here a quote, a comma and a quote
do. Each line that holds such separators and a command pattern's keyword is read again
with the separators blanked to spaces, the same length, so a value's offsets are the
text's own. Only those lines: most code holds `", "` somewhere, and a second pass of the
command patterns over a whole prompt cost 8 % of its scan.

A YAML sequence gives them one item a line (a Kubernetes container's `args:`, Compose's
`command:`): a flag's item and the item after it are read as one line, the line break, the
dash and the quotes between them blanked (sequence_candidates)."""

from __future__ import annotations

import dataclasses
import re

from bot.secrets.account_commands import ACCOUNT_COMMAND_PATTERNS
from bot.secrets.command_lines import COMMAND_PASSWORD, COMMAND_PATTERNS, TOKEN_ARGUMENT
from bot.secrets.gitleaks.scan import Found
from bot.secrets.line_contexts import flag_values
from bot.secrets.line_finders import Candidate
from bot.secrets.patterns import LINE_PREFIX, TokenPattern
from bot.secrets.text_lines import Lines
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
            out.extend(_view_candidates(*seen, ls, [pattern], here, test))
    return out


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group())


# `- --token` or `- "-p"` alone on its line, and what joins it to the next item: its closing
# quote, the line break, the next line's indentation and dash, and the next item's opening
# quote (the same as the flag's, or none for both).
_FLAG_ITEM = re.compile(
    LINE_PREFIX + r"-[ \t]+(?P<q>[\"']?)--?[A-Za-z][\w-]{0,40}(?=(?P=q)[ \t]*\r?$)"
)
_ITEM_GAP = re.compile(r"(?P<q>[\"']?)[ \t]*\r?\n" + LINE_PREFIX + r"-[ \t]+(?P=q)(?=[^\s#])")


def sequence_candidates(
    text: str, lines: Lines, i: int, patterns: list[TokenPattern], test: bool
) -> list[Candidate]:
    """What a flag given as YAML sequence item `i` of `text` (`- --token`) and the next item
    (its value) hold, read as one command line: the command patterns among `patterns`, and
    a secret-named flag's machine-made value (line_contexts.flag_values)."""
    ls, le = lines.bounds(i)
    flag = _FLAG_ITEM.match(text, ls, le)
    if flag is None or i + 1 >= len(lines.starts):
        return []
    end = lines.bounds(i + 1)[1]
    gap = _ITEM_GAP.match(text, flag.end(), end)
    if gap is None:
        return []
    view = text[ls : gap.start()] + " " * (gap.end() - gap.start()) + text[gap.end() : end]
    out = flag_values(view, ls, test)
    commands = [p for p in patterns if id(p) in _ARGV_PATTERNS]
    lowered = view.lower()
    here = {w: {0} for p in commands for w in p.keywords if w in lowered}
    commands = [p for p in commands if any(w in here for w in p.keywords)]
    out.extend(_view_candidates(view, lowered, ls, commands, here, test))
    return out


def _view_candidates(
    view: str, lowered: str, ls: int, patterns: list[TokenPattern], here: Found, test: bool
) -> list[Candidate]:
    """What `patterns` find in `view`, a line's same-length reading starting at `ls` of the
    text, at the text's offsets."""
    return [
        dataclasses.replace(c, start=c.start + ls, end=c.end + ls)
        for c in token_candidates(view, lowered, patterns, here, test)
    ]
