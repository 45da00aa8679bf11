"""A secret's value written on the lines after its name.

Formatters wrap a long assignment after its operator (Prettier's `'x-amz-security-token':`
then the token on the next line, google-java-format's `String password =`, Black's
`API_TOKEN = (` … `)`), and some syntaxes put a value below its name on purpose: an HCL or
Ruby heredoc (`password = <<EOF`), a TOML or Python triple-quoted string. Read line by line,
the name's line has no value and the value's line no name, so neither was a secret. (A
YAML block scalar, `password: |`, is contexts.py's.)

Here the name's part of the first line and the value are joined into one line and read by
the assignment finder (line_finders.assignments): a value written below its name meets
exactly the rules it would meet beside it. Only a value alone on its line (or the one line
of a block) is joined, or a literal written in pieces, each alone on its line (Python's
adjacent literals, `"abc" +`): the pieces joined are the value, and each is masked. A
piece followed by code (`"abc" + suffix`) is left: the value is not all written there.
Run on the lines that name a secret."""

from __future__ import annotations

import dataclasses
import re

from bot.secrets import paths
from bot.secrets.continued import JOIN
from bot.secrets.line_finders import Candidate, assignments
from bot.secrets.patterns import (
    ASSIGN_KEY,
    IN_QUOTES,
    LINE_PREFIX,
    MAX_VALUE,
    VALUE_LENGTH,
    WRAPPER,
)
from bot.secrets.text_lines import Lines

# The name and its operator closing a line, then what opens the value: nothing (the value
# is on the next line), `(`, a heredoc's tag or triple quotes; or a line continuation.
_NAME_AND_OP = (
    ASSIGN_KEY  # then perhaps a type annotation: `password: str =`
    + r"(?:[ \t]*:[ \t]*[A-Za-z_][\w.\[\]<>?|, ]{0,40}?(?=[ \t]*=))?"
    r"[ \t]*(?P<op>:=|=>|\|\|=|\?\?=|=|:)[ \t]*"
)
_NAME_OPENS = re.compile(
    _NAME_AND_OP + r"(?:(?P<paren>\()|<<[-~]?[ \t]*(?P<hq>[\"']?)(?P<tag>[A-Za-z_]\w{0,30})(?P=hq)"
    r"|(?P<triple>\"\"\"|'''))?"
    r"[ \t]*(?:\\[ \t]*)?\r?$"  # (or a line continuation: Python's, a shell's, C's)
)
# What a line that opens a value ends with (a heredoc has `<<` in it): most keyword lines end
# otherwise, and this check skips them before the pattern above is tried at each position.
_OPENER_ENDS = ("=", ">", ":", "(", '"""', "'''", "\\")

# The value alone on its line: a quoted literal, perhaps inside a converting call, then at
# most a closing bracket, a comma or a semicolon and a comment.
_LONE_LITERAL = re.compile(
    r"[ \t]*(?:" + WRAPPER + r")?[rbuRBUf]{0,2}(?P<q>[\"'`])(?P<v>" + IN_QUOTES + VALUE_LENGTH + ")"
    r"(?P=q)[ \t]*[,;)\]]*[ \t]*(?:(?://|#).*)?\r?$"
)
# A triple-quoted string on its name's line (`password = """…"""`): the line pass reads its
# first two quotes as an empty string.
_TRIPLE_ON_LINE = re.compile(
    _NAME_AND_OP
    + r"[rbuRBUf]{0,2}(?P<t>\"\"\"|''')(?P<v>(?:(?!(?P=t))[^\n])"
    + VALUE_LENGTH
    + r")(?P=t)"
)
_BLOCK_LINE = re.compile(rf"(?P<v>\S(?:[^\n]{{0,{MAX_VALUE - 2}}}\S)?)[ \t]*\r?$")
_PREFIX = re.compile(LINE_PREFIX)
_MAX_BLOCK_LINES = 4
_MAX_PIECES = 40


def wrapped_values(
    text: str, lines: Lines, i: int, path: str | None, config: bool, test: bool
) -> list[Candidate]:
    """The secret whose name closes line `i` of `text` and whose value follows it."""
    base, end = lines.bounds(i)
    line = text[base:end].rstrip("\r")
    if '"""' in line or "'''" in line:
        one = _TRIPLE_ON_LINE.search(line)
        if one is not None:
            return _block_value(
                line[: one.end("op")],
                (base + one.start("v"), base + one.end("v")),
                text,
                path,
                config,
                test,
            )
    opens = line.rstrip(" \t").endswith(_OPENER_ENDS) or "<<" in line
    if not opens or i + 1 >= len(lines.starts):
        return []
    m = _NAME_OPENS.search(line)
    if m is None:
        return []
    head = line[: m.start("paren")] if m.group("paren") else line[: m.end("op")]
    if m.group("tag") or m.group("triple"):
        body = _closed_block(text, lines, i, m.group("tag") or m.group("triple"))
    else:
        s, e = lines.bounds(i + 1)
        prefix = _PREFIX.match(text, s, e)
        lone = _LONE_LITERAL.match(text, prefix.end() if prefix else s, e)
        if lone is None and m.group("op") == ":" and paths.line_value_kind(path) == "item":
            scalar = _next_line_scalar(text, lines, i)
            if scalar is not None:
                return _judged(head, "", *scalar, text, path, config, test)
        if lone is None or _continues(text, lines, i + 2):
            return _pieces_value(head, text, lines, i, path, config, test)
        return _judged(head, "", lone.start(), lone.end(), text, path, config, test)
    return [] if body is None else _block_value(head, body, text, path, config, test)


# A YAML plain scalar alone on its line, from its first character: no indicator opening it
# (a sequence's `- `, a flow collection, an anchor, a tag, a block scalar's `|` or `>`, a
# quote, a comment), no `: ` in it (a mapping's key), perhaps a comment after a space.
_PLAIN_SCALAR_LINE = re.compile(
    r"(?P<v>[^\s\-?:,\[\]{}#&*!|>'\"%@`](?:(?!:\s|\s#)[^\n])*?)[ \t]*(?:[ \t]#[^\n]*)?\r?$"
)


def _next_line_scalar(text: str, lines: Lines, i: int) -> tuple[int, int] | None:
    """The span of a YAML plain scalar written alone on the line after its key's (`password:`
    closing line `i`), indented deeper, when the scalar ends there (the line after it is
    indented no deeper than the key); None otherwise."""
    marker = _marker(text, lines, i)
    s, _, cs = _content(text, lines, i, marker)
    key_indent = cs - s
    s, e, cs = _content(text, lines, i + 1, marker)
    m = _PLAIN_SCALAR_LINE.match(text, cs, e)
    if m is None or cs - s <= key_indent:
        return None
    if i + 2 < len(lines.starts):
        s, e, cs = _content(text, lines, i + 2, marker)
        if text[cs:e].strip() and cs - s > key_indent:
            return None  # more of the scalar (folded over lines) or a nested key
    return m.span("v")


def _block_value(
    head: str, body: tuple[int, int], text: str, path: str | None, config: bool, test: bool
) -> list[Candidate]:
    """A block's line judged as a literal: quoted with a quote it does not hold."""
    quote = _free_quote(text[body[0] : body[1]])
    return [] if quote is None else _judged(head, quote, *body, text, path, config, test)


def _free_quote(value: str) -> str | None:
    """A quote `value` does not hold, to write it as a literal; None when it holds both."""
    return next((q for q in "\"'" if q not in value), None)


def _content(text: str, lines: Lines, j: int, marker: str) -> tuple[int, int, int]:
    """Line `j`'s bounds and where its content starts: past the diff's `marker` (`+`, `-`
    when the name's line has one: elsewhere a leading `-` is the value's own) and the
    indentation."""
    s, e = lines.bounds(j)
    cs = s + 1 if marker and text[s : s + 1] == marker else s
    while cs < e and text[cs] in " \t":
        cs += 1
    return s, e, cs


def _marker(text: str, lines: Lines, i: int) -> str:
    """The diff marker line `i` opens with, if any."""
    first = text[lines.starts[i] : lines.starts[i] + 1]
    return first if first in ("+", "-") else ""


def _closed_block(text: str, lines: Lines, i: int, closing: str) -> tuple[int, int] | None:
    """The span of the one line of a heredoc or a triple-quoted string opened at the end
    of line `i` and closed by `closing` (the tag, the quotes); None when it holds several
    lines (a certificate, a script, a document) or does not close soon."""
    body: tuple[int, int] | None = None
    marker = _marker(text, lines, i)
    for j in range(i + 1, min(i + 2 + _MAX_BLOCK_LINES, len(lines.starts))):
        _, e, cs = _content(text, lines, j, marker)
        content = text[cs:e].strip()
        if content == closing:
            return body
        if not content:
            continue
        if body is not None:
            return None  # a second line: not a one-line secret
        close_at = text.rfind(closing, cs, e) if closing in ('"""', "'''") else -1
        vm = _BLOCK_LINE.match(text, cs, close_at if close_at != -1 else e)
        if vm is None:
            return None
        if close_at != -1:
            return vm.span("v")  # `value"""`: closed on the value's line
        body = vm.span("v")
    return None


def _continues(text: str, lines: Lines, j: int) -> bool:
    """Whether line `j` carries the literal on: another literal (Python's adjacent ones) or
    an operator opening the line (`+ "…"`, `. "…"`)."""
    if j >= len(lines.starts):
        return False
    _, e, cs = _content(text, lines, j, _marker(text, lines, j - 2))
    return text[cs:e].startswith(('"', "'", "`", "+", ". ", ".."))


# A piece of a literal written over several lines: alone on its line but for the operator
# that joins it to the line before or after (continued.JOIN) or a line continuation.
_PIECE_LINE = re.compile(
    rf"[ \t]*{JOIN}?[ \t]*(?P<q>[\"'])(?P<v>" + IN_QUOTES + VALUE_LENGTH + rf")(?P=q)"
    rf"[ \t]*(?:{JOIN}|\\)?[ \t]*(?P<end>[,;)\]]*)[ \t]*(?:(?://|#).*)?\r?$"
)


def _pieces_value(
    head: str, text: str, lines: Lines, i: int, path: str | None, config: bool, test: bool
) -> list[Candidate]:
    """A literal written in pieces on the lines after its name (Black's `API_KEY = (` then
    adjacent literals, `"…" +` lines): judged joined, each piece masked (its parts). One
    piece alone is not the secret, and was not judged as one."""
    pieces: list[tuple[int, int]] = []
    for j in range(i + 1, min(i + 1 + _MAX_PIECES, len(lines.starts))):
        s, e = lines.bounds(j)
        prefix = _PREFIX.match(text, s, e)
        m = _PIECE_LINE.match(text, prefix.end() if prefix else s, e)
        if m is None:
            break
        pieces.append(m.span("v"))
        if m.group("end"):
            break  # the literal ends (on its first piece: a list's item, a value of its own)
    if len(pieces) < 2:
        return []
    value = "".join(text[ps:pe] for ps, pe in pieces)
    quote = _free_quote(value)
    if quote is None:
        return []
    joined = f"{head} {quote}{value}{quote}"
    found = [c for c in assignments(joined, 0, path, config, test) if c.start > len(head)]
    if not found:
        return []
    return [
        dataclasses.replace(found[0], start=pieces[0][0], end=pieces[-1][1], parts=tuple(pieces))
    ]


def _judged(
    head: str, quote: str, vs: int, ve: int, text: str, path: str | None, config: bool, test: bool
) -> list[Candidate]:
    """The assignment finder's verdict on `head` joined with the value at `vs`..`ve`
    (wrapped in `quote` when it is a block's bare line), mapped back to `text`."""
    joined = f"{head} {quote}{text[vs:ve]}{quote}"
    offset = len(head) + 1 + len(quote)  # where text[vs] sits in `joined`
    shift = vs - offset
    return [
        dataclasses.replace(c, start=c.start + shift, end=c.end + shift)
        for c in assignments(joined, 0, path, config, test)
        if c.start >= len(head)  # a value on the name's own line was found by the line pass
    ]
