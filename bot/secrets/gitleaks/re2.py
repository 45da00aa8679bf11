"""Go (RE2) regular expressions as Python `re` patterns, for gitleaks' rules.

Three differences matter in gitleaks' configuration; everything else it uses means the
same in both engines once the pattern is compiled with re.ASCII (RE2's \\w, \\s, \\d and \\b
are ASCII-only):

- A flag group in the middle of a pattern, `\\b(LTAI(?i)[a-z0-9]{20})`: RE2 applies it to
  the rest of the enclosing group, across its alternatives; Python accepts global flags only
  at the very start. It becomes a scoped group `(?i:...)` closed at each `|` and at the end
  of the enclosing group, reopened after each `|`.
- POSIX classes inside brackets, `[[:alnum:]]`: spelled out as ranges.
- `\\z` (end of text) is Python's `\\Z`.
"""

from __future__ import annotations

import re

from bot.secrets.lazy_regex import LazyRegex

_POSIX = {
    "alnum": "a-zA-Z0-9",
    "alpha": "a-zA-Z",
    "digit": "0-9",
    "lower": "a-z",
    "upper": "A-Z",
    "xdigit": "0-9A-Fa-f",
    "space": r" \t\n\r\f\v",
    "word": r"\w",
    "punct": r"!-/:-@\[-`{-~",
}
_INLINE_FLAGS = re.compile(r"\(\?([a-zA-Z]+)\)")


class UnsupportedPattern(ValueError):
    """A construct this converter does not translate; the rule is left out, never guessed."""


def to_python(pattern: str) -> str:
    """`pattern` (RE2 syntax) rewritten so Python's `re` gives the same matches."""
    out: list[str] = []
    # One entry per open group: whether a scoped flag group was opened inside it (and so
    # must be closed before the group's `)` and reopened after each `|`), and its flags.
    stack: list[list[str]] = [[]]
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise UnsupportedPattern("trailing backslash")
            nxt = pattern[i + 1]
            if nxt in "pPQE":
                raise UnsupportedPattern(f"\\{nxt} is not translated")
            out.append(r"\Z" if nxt == "z" else pattern[i : i + 2])
            i += 2
            continue
        if c == "[":
            end = _class_end(pattern, i)
            out.append(_posix_classes(pattern[i:end]))
            i = end
            continue
        if c == "(":
            m = _INLINE_FLAGS.match(pattern, i)
            if m is not None and not (i == 0 and not out):
                out.append(f"(?{m.group(1)}:")
                stack[-1].append(m.group(1))
                i = m.end()
                continue
            stack.append([])
            out.append(c)
            i += 1
            continue
        if c == "|":
            opened = stack[-1]
            out.append(")" * len(opened) + "|" + "".join(f"(?{f}:" for f in opened))
            i += 1
            continue
        if c == ")":
            if len(stack) == 1:
                raise UnsupportedPattern("unbalanced ')'")
            out.append(")" * len(stack.pop()) + ")")
            i += 1
            continue
        out.append(c)
        i += 1
    if len(stack) != 1:
        raise UnsupportedPattern("unbalanced '('")
    out.append(")" * len(stack[0]))
    return "".join(out)


def compile_re2(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(to_python(pattern), re.ASCII)
    except re.error as e:
        raise UnsupportedPattern(str(e)) from e


def lazy_re2(pattern: str) -> LazyRegex:
    """The pattern translated now (a construct with no Python spelling is refused here)
    and compiled at its first use."""
    return LazyRegex(to_python(pattern), re.ASCII, UnsupportedPattern)


def _class_end(pattern: str, start: int) -> int:
    """Index just past the bracket expression opening at `start`."""
    i = start + 1
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1  # a leading ']' is a literal
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if pattern.startswith("[:", i):
            close = pattern.find(":]", i + 2)
            if close != -1:
                i = close + 2
                continue
        if c == "]":
            return i + 1
        i += 1
    raise UnsupportedPattern("unterminated '['")


def _posix_classes(bracket: str) -> str:
    def spell(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in _POSIX:
            raise UnsupportedPattern(f"[:{name}:] is not translated")
        return _POSIX[name]

    return re.sub(r"\[:(\w+):\]", spell, bracket)
