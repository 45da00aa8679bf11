"""Secrets listed under a secret's name: an array on the name's line (`"api_keys": ["…",
"…"]`, `TOKENS = ('…', '…')`, TOML's `tokens = [...]`) and a YAML sequence on the lines
after it (`api_keys:` then `- …`). The name is often plural, so its last word is read
singular (`api_keys` names API keys). Run on the lines that name a secret (detect.py's
keyword lines).

A list under a token's or key's name holds the vocabulary of a tokenizer or a lexer as
often as credentials, so there an item must look machine-made; under a password's name
an item meets an assigned password's rules."""

from __future__ import annotations

import re

from bot.secrets import names, rules
from bot.secrets.line_finders import RANK_ASSIGNED, SWITCHYARD, Candidate
from bot.secrets.patterns import IN_QUOTES, LINE_PREFIX, MAX_VALUE, VALUE_LENGTH
from bot.secrets.text_lines import Lines

LISTED_SECRET = "secret in a list"

_NAME = r"[\"']?(?P<name>[A-Za-z_$@][\w.-]{0,80})[\"']?"
# `name: [`, `name = (`, `"name" => [`, `name := []string{`: a literal list opens.
_INLINE = re.compile(r"(?<![\w$@.-])" + _NAME + r"\s*(?::=|=>|[:=])\s*(?:\[\]\w+\{|[\[(])")
# Where a list opens after an assignment: most keyword lines have none, and this literal-led
# pattern skips them faster than _INLINE, which would try a name at every position.
_OPENS = re.compile(r"[:=>]\s*(?:\[\]\w+\{|[\[(])")
_ITEM = re.compile(r"\s*(?P<q>[\"'])(?P<v>" + IN_QUOTES + VALUE_LENGTH + r")(?P=q)\s*,?")
# `api_keys:` alone on its line (a comment may follow), then `- item` lines; a diff's or a
# prompt's prefix (patterns.LINE_PREFIX) may come first.
_SEQUENCE_NAME = re.compile(
    r"^" + LINE_PREFIX + r"(?:-[ \t]+)?" + _NAME + r"[ \t]*:[ \t]*(?:#.*)?$"
)
_SEQUENCE_ITEM = re.compile(
    r"^" + LINE_PREFIX + r"-[ \t]+(?:(?P<q>[\"'])(?P<v>" + IN_QUOTES + VALUE_LENGTH + r")(?P=q)"
    rf"|(?P<bare>[^\s\"'#][^\n]{{0,{MAX_VALUE - 1}}}?))[ \t]*(?:[ \t]#.*)?$",
    re.MULTILINE,  # matched from a line's start inside the text
)


def listed_values(text: str, lines: Lines, i: int, test: bool) -> list[Candidate]:
    """The secrets listed under a secret's name on line `i` of `text`."""
    base, end = lines.bounds(i)
    line = text[base:end]
    out: list[Candidate] = []
    for m in _INLINE.finditer(line) if _OPENS.search(line) else ():
        key = _singular(m.group("name"))
        if key is None:
            continue
        pos = m.end()
        # Every item: each is read once, so a list of any length costs its length.
        while (item := _ITEM.match(line, pos)) is not None:
            if _item_ok(key, item.group("v"), test):
                out.append(_candidate(base, item.span("v")))
            pos = item.end()
    m = _SEQUENCE_NAME.match(line) if line.rstrip().endswith(":") or "#" in line else None
    key = _singular(m.group("name")) if m else None
    if key is None:
        return out
    for j in range(i + 1, len(lines.starts)):
        s, e = lines.bounds(j)
        item = _SEQUENCE_ITEM.match(text, s, e)
        if item is None:
            break
        group = "v" if item.group("v") is not None else "bare"
        if ": " not in item.group(group) and _item_ok(key, item.group(group), test):
            out.append(_candidate(0, item.span(group)))
    return out


def _singular(name: str) -> str | None:
    """The secret a plural name lists (`api_keys` -> `api_key`, `passwords` ->
    `password`), or None when it does not name one."""
    key = name[:-1] if name.endswith(("s", "S")) else name
    return key if names.key_is_secretish(key) and not names.key_is_excluded(key) else None


# 16+ hex digits: a device or session token, machine-made even when a short draw repeats
# its few letters more than `rules.generated` allows.
_HEX = re.compile(r"(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{16,}", re.IGNORECASE)


def _item_ok(key: str, value: str, test: bool) -> bool:
    machine_made = rules.generated(value) or _HEX.fullmatch(value) is not None
    if not names.key_is_password(key) and (
        not machine_made or rules.token_is_placeholder(value) or rules.is_uuid(value)
    ):
        return False
    return rules.literal_ok(key, value, test=test)


def _candidate(base: int, span: tuple[int, int]) -> Candidate:
    return Candidate(base + span[0], base + span[1], LISTED_SECRET, RANK_ASSIGNED, SWITCHYARD)
