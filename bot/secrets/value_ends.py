"""Where a value found by the assignment pattern really ends on its line. The pattern
stops an unquoted value at a space, a quote, `#`, a bracket, `,` or `;`, as code's
expressions do, and a quoted one at its first unescaped quote; a config file's value may
run on past them, a quoted one past a quote written inside it, and a value masked only to
where the pattern stopped sends its rest to the model."""

from __future__ import annotations

import bisect
import re

from bot.secrets import rules
from bot.secrets.patterns import MAX_VALUE

# What an unquoted value stopped at, when it is still the value in a config file: a `#`
# not after a space (YAML's comments need one), a closing bracket, a `,` or `;` (a YAML
# plain scalar or a properties value holds both). Then on to a space.
_SCALAR_TAIL = re.compile(r"[#)\]},;]\S*")
NON_SPACE = re.compile(r"\S*")
# A comment after a space, where a file reads one inside a line (YAML, dotenv, .conf).
_INLINE_COMMENT = re.compile(r"[ \t]+#")
# What may come before a setting's name on its line: indentation, a YAML item's dash,
# shell's `export`.
_SETTING_OPENS = re.compile(r"[ \t]*(?:-[ \t]+)?(?:export[ \t]+)?")


class Flow:
    """Whether a key of `line` sits inside a flow mapping or sequence (`{user: a,
    password: b}`), where brackets and commas close a value: more `{` than `}`, or `[` than
    `]`, before it. The brackets are found once per line; counting them before each key
    anew made a long line of repeated settings cost its length squared."""

    def __init__(self, line: str) -> None:
        self.line = line
        self._at: dict[str, list[int]] | None = None

    def __call__(self, key_start: int) -> bool:
        if self._at is None:
            self._at = {b: [] for b in "{}[]"}
            for m in _BRACKET.finditer(self.line):
                self._at[m.group()].append(m.start())
        return any(
            bisect.bisect_left(self._at[o], key_start) > bisect.bisect_left(self._at[c], key_start)
            for o, c in ("{}", "[]")
        )


_BRACKET = re.compile(r"[{}\[\]]")


def reach(line: str, start: int) -> int:
    """How far a value that starts at `start` may run on: MAX_VALUE characters, as far as
    the patterns read one. Each extension below stops there, or a line of one repeated
    setting without a space (`password=password=…`, untrusted text a pull request may
    hold) would have every candidate read to the line's end, a 100 KB line in minutes."""
    return min(len(line), start + MAX_VALUE)


def to_space(line: str, start: int, end: int) -> int:
    """Where the next space after `end` stands, within the value's reach."""
    return NON_SPACE.match(line, end, max(end, reach(line, start))).end()


# Helm's list of settings, `--set a=…,b=…` (and `--set-string`, `--set-file`...): what
# stands before a setting's name in one. Helm splits the list at each `,` (a value's own is
# written `\,`), so there a `,` and a name and `=` open the next setting; elsewhere they may
# be a password's own (`export DB_PASSWORD=Ab3,k=9z`), and the value is read on past them.
_IN_SET_LIST = re.compile(r"(?:--set(?:-[a-z]+)?[ \t=]+(?:[\w.\-]+=[^\s,]*,)*)$")
_NEXT_SETTING = re.compile(r"(?<!\\),[A-Za-z_][\w.\-]{0,80}=")


def in_set_list(line: str, key_start: int) -> bool:
    """Whether the setting whose name opens at `key_start` is one of a `--set` list."""
    return _IN_SET_LIST.search(line, max(0, key_start - 512), key_start) is not None


def before_next_setting(line: str, end: int, space: int) -> int:
    """`space`, or where the next setting of a `--set` list opens between `end` and it: a
    value masked to the next space took `,image.tag=1` after `--set auth.password=…`."""
    m = _NEXT_SETTING.search(line, end, space)
    return space if m is None else m.start()


def plain_scalar(line: str, start: int, end: int, listed: bool = False) -> int:
    """Where an unquoted config value outside a flow mapping that stopped at `end` really
    ends (`listed`: one of a `--set` list, where the next setting ends it)."""
    tail = _SCALAR_TAIL.match(line, end, max(end, reach(line, start)))
    if tail is None or (listed and _NEXT_SETTING.match(line, end) is not None):
        return end
    longer = line[start : tail.end()]
    if rules.opens_call_or_list(longer):
        return end  # code, even in a config-like file: `[System.Convert]::ToBase64(...)`
    return tail.end() if rules.looks_random(longer) else end


class SettingEnds:
    """Where a setting's unquoted value that stopped at `end` ends, in a file that holds
    it to the line's end (paths.line_value_kind `kind`: properties, INI, dotenv, YAML) and
    when its name opens the line: a password with a space in it (`password = Xk9m QvL8
    pR4t`) runs on to the line's end, less trailing space and, but in properties and INI
    files, a comment after a space. `end` elsewhere (`command: API_SECRET=… ./run.sh`).
    The line's end and its comments are found once per line: read to its end from each
    setting, a line of settings repeated cost its length squared."""

    def __init__(self, line: str, kind: str | None) -> None:
        self.line = line
        self.kind = kind
        self._content_end: int | None = None
        self._comments: list[tuple[int, int]] | None = None  # (spaces' start, `#`)

    def __call__(self, key_start: int, end: int) -> int:
        if self.kind is None or _SETTING_OPENS.fullmatch(self.line, 0, key_start) is None:
            return end
        if self._content_end is None:
            self._content_end = len(self.line.rstrip())
            self._comments = [(m.start(), m.end()) for m in _INLINE_COMMENT.finditer(self.line)]
        stop = self._content_end
        if self.kind != "whole" and self._comments:
            # the first comment whose `#` stands after a space at or after `end`
            at = bisect.bisect_right(self._comments, end, key=lambda c: c[1] - 1)
            if at < len(self._comments):
                stop = max(end, self._comments[at][0])
        return max(end, stop)


# A quote written inside a quoted value, after the quote the pattern closed it at: doubled
# (YAML's, SQL's and PowerShell's `''`, VB's and C#'s verbatim `""`; adjacent literals in
# Python and C concatenate), or the shell's `'\''` and `'"'"'` (the string closed, a quote,
# the string opened again). Longest first.
_WRITTEN_QUOTES = {"'": ("'\"'\"'", "'\\''", "''"), '"': ('""',)}


def _quoted_end(line: str, start: int, end: int, quote: str) -> int:
    """Where a value quoted with `quote` that the pattern closed at `end` really ends:
    past each quote written inside it (`'Xk9''Qv'`, `'Xk9'\''Qv'`, YAML's `'''Xk9'` for
    `'Xk9`). Masked only to the first quote, the rest of the password was sent. A
    triple-quoted string (`'''Xk9'''`) is not one: its reader takes it."""
    if end == start and line.startswith(quote * 2, end) and quote * 3 in line[end + 2 :]:
        return end
    writings = _WRITTEN_QUOTES.get(quote, ())
    # (A loop, not a recursion: a dump's line may hold thousands of `''`.)
    while (written := next((w for w in writings if line.startswith(w, end)), None)) is not None:
        close = line.find(quote, end + len(written))
        if close == -1 or "\n" in line[end:close]:
            return end
        end = close
    return end


def _raw_single_end(line: str, start: int) -> int:
    """Where a single-quoted value that opens at `start` closes when a backslash is no
    escape in it (YAML, a shell, SQL, PowerShell, TOML's literal strings): at the first `'`
    that is not a quote written inside it; -1 when it does not close on the line."""
    close = line.find("'", start)
    if close == -1 or "\n" in line[start:close]:
        return -1
    return _quoted_end(line, start, close, "'")


def quoted_value(
    line: str, start: int, end: int, quote: str, hashes: str | None, code: bool
) -> tuple[str, int] | None:
    """(value, end) of a quoted literal the pattern closed short at `end`, as its program
    reads it: to its quote and hashes (Rust's `r#"Xk9"Qv"#`), past quotes written inside
    it, or, outside code, past a backslash that escapes nothing in single quotes (YAML's
    `'wG9t\''74&0'`: the `\'` the pattern read as an escape is a backslash); None when
    the pattern's reading stands."""
    if hashes and (close := line.find(quote + hashes, start)) > end:
        return line[start:close], close
    if (written := _quoted_end(line, start, end, quote)) > end:
        return _unquoted(line[start:written], quote), written
    if quote == "'" and not code and "\\" in line[start:end]:
        raw = _raw_single_end(line, start)
        if raw > end:
            return _unquoted(line[start:raw], quote), raw
    return None


def _unquoted(value: str, quote: str) -> str:
    """A value `_quoted_end` ran past written quotes in, as its program reads it."""
    for written in _WRITTEN_QUOTES.get(quote, ()):
        value = value.replace(written, quote)
    return value


def quote_before(line: str, at: int) -> str | None:
    """The quote that opens a string just before `at`, if one does."""
    return line[at - 1] if at and line[at - 1] in "\"'" else None


def closing_mark(line: str, key_start: int, s: int, e: int) -> int:
    """Where a value read to the next space really ends when the name opened a quote
    (`-var 'db_password=X'`) or sits inside Markdown's inline code (`` `--password=X` ``):
    at the closing mark. Masked with it, a posted comment's code span stayed open to the
    end of its paragraph."""
    opened = quote_before(line, key_start)
    if opened is not None and opened in line[s:e]:
        e = line.index(opened, s)
    if line.count("`", 0, s) % 2 and "`" in line[s:e]:
        e = line.index("`", s)
    return e
