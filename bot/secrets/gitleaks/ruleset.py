"""gitleaks' configuration file read into rules Python can run.

The file's schema (gitleaks v8): `[[rules]]` with id, description, regex, secretGroup,
entropy, keywords, path and `[[rules.allowlists]]`; a global `[allowlist]` (paths, regexes,
stopwords). Each allow-list has a regexTarget (the secret, the whole match or the line)
and a condition (OR: any of its regexes or stopwords; AND: every kind of check it lists).
Rules with only a `path` (a file is a secret by its name) are left out: Switchyard scans
text. A rule whose pattern the converter cannot translate is left out and listed in
`skipped`, never approximated. Patterns are translated on load and compiled at first use
(bot/secrets/lazy_regex.py); one that Python's engine then refuses raises
UnsupportedPattern there, and tests/test_secrets_gitleaks.py compiles every pattern of the
pinned file, so a dropped-in file that would do so fails the tests first.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import ahocorasick_rs

from bot.secrets.gitleaks.re2 import UnsupportedPattern, lazy_re2
from bot.secrets.lazy_regex import Regex
from bot.secrets.word_led import automaton, keyword_hits

PINNED = Path(__file__).with_name("gitleaks.toml")

Target = Literal["secret", "match", "line"]


@dataclass(frozen=True, slots=True)
class Allowlist:
    target: Target = "secret"
    all_of: bool = False  # condition AND
    regexes: tuple[Regex, ...] = ()
    stopwords: tuple[str, ...] = ()
    paths: tuple[Regex, ...] = ()
    # Regexes that judge only the characters a value is made of (`^[a-zA-Z_.-]+$`: letters
    # are a name). A caller that knows the value was drawn at random skips them.
    shapes: tuple[Regex, ...] = ()

    def path_allowed(self, path: str | None) -> bool:
        return path is not None and any(p.search(path) for p in self.paths)

    def allows(
        self,
        secret: str,
        match: str,
        line: str,
        path: str | None,
        *,
        stopwords: bool = True,
        stopword_min: int = 0,
        shapes: bool = True,
    ) -> bool:
        """Whether a finding is let through (gitleaks' checkFindingAllowed); only stopwords
        of `stopword_min` letters or more count, and the shape regexes only with `shapes`."""
        target = _bounded({"secret": secret, "match": match, "line": line}[self.target], secret)
        regexes = self.regexes + self.shapes if shapes else self.regexes
        by_regex = bool(target) and any(r.search(target) for r in regexes)
        by_stopword = stopwords and bool(secret) and _holds_a_stopword(self, secret, stopword_min)
        if not self.all_of:
            return by_regex or by_stopword
        checks: list[bool] = []
        if self.paths:
            checks.append(self.path_allowed(path))
        if self.regexes or self.shapes:
            checks.append(by_regex)
        if self.stopwords:
            checks.append(by_stopword)
        return bool(checks) and all(checks)


# One automaton per allow-list and minimum length: the generic rule's 1,400 stopwords
# checked one `in` at a time were a third of a short file's scan where values were found.
_Finder = tuple[tuple[str, ...], ahocorasick_rs.AhoCorasick | None]
_STOPWORD_FINDERS: dict[tuple[int, int], _Finder] = {}


def _holds_a_stopword(allowlist: Allowlist, secret: str, minimum: int) -> bool:
    words = allowlist.stopwords
    key = (id(words), minimum)
    held = _STOPWORD_FINDERS.get(key)
    if held is None or held[0] is not words:  # (an id is reused only once its tuple is gone)
        kept = tuple(w for w in words if w and len(w) >= minimum)
        held = (words, automaton(kept) if kept else None)
        _STOPWORD_FINDERS[key] = held
    return held[1] is not None and bool(keyword_hits(held[1], secret.lower()))


# gitleaks runs its allow-lists with RE2, in linear time; Python's engine backtracks, and
# some of them (`[a-z0-9-]*?api[a-z0-9-]*?:jar:`, `[^:]+…:`) take time quadratic in the text:
# 157 s for a 100 KB hex line after `token: `. A target longer than this is read in a
# window around the value (a gitleaks match is ~250 characters; a line may be a bundle's).
_TARGET_MAX = 1024


def _bounded(target: str, secret: str) -> str:
    if len(target) <= _TARGET_MAX:
        return target
    at = target.find(secret[:64]) if secret else -1
    start = max(0, at - _TARGET_MAX // 2) if at >= 0 else len(target) - _TARGET_MAX
    return target[start : start + _TARGET_MAX]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    description: str
    regex: Regex
    keywords: tuple[str, ...]  # lower-case; empty: the rule runs on every text
    entropy: float = 0.0  # the secret's Shannon entropy must exceed this (0: no check)
    secret_group: int = 0  # 0: the first non-empty capture group, else the whole match
    path: Regex | None = None
    allowlists: tuple[Allowlist, ...] = ()
    # The regex without a leading lazy name prefix (see _SEMI_GENERIC): what the scanner runs.
    search: Regex | None = None
    prefix: int = 0  # how far before a `search` match the full match may start

    @property
    def generic(self) -> bool:
        """Found by a name and randomness rather than a service's token format."""
        return self.id.startswith("generic")

    @property
    def semi_generic(self) -> bool:
        """Led by its service's name (`<name> = <value>`), the value any run of the format's
        alphabet: what `search` runs without the name's lazy prefix."""
        return self.search is not None

    @property
    def service_led(self) -> bool:
        """Semi-generic and named for a service (`asana… = <16 digits>`), not the generic
        rule: what restated.py's pairs are read with."""
        return self.semi_generic and not self.generic


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[Rule, ...]
    allowlist: Allowlist  # the global one; its paths skip a file altogether
    source: str  # the file the rules came from
    skipped: tuple[tuple[str, str], ...] = field(default=())  # (rule id, why)


def load(path: Path = PINNED) -> RuleSet:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    rules: list[Rule] = []
    skipped: list[tuple[str, str]] = []
    for raw in data.get("rules", []):
        rid = str(raw.get("id", "?"))
        if not raw.get("regex"):
            skipped.append((rid, "path-only rule (a file name, not text)"))
            continue
        try:
            rules.append(_rule(raw))
        except UnsupportedPattern as e:
            skipped.append((rid, str(e)))
    glob = data.get("allowlist") or {}
    allowlist = _allowlist(glob) if glob else Allowlist()
    return RuleSet(tuple(rules), allowlist, str(path), tuple(skipped))


@cache
def pinned() -> RuleSet:
    return load(PINNED)


# gitleaks' semi-generic rules (`<name> = <value>`, ~100 of them) start with a lazy run of
# name characters before the keyword. Python's engine tries that run at every position, up
# to 50 characters each: most of the cost of a scan. It decides only where the match starts,
# not whether there is one nor the value's group, so the scanner runs the pattern without it
# and walks back over the name characters when an allow-list wants the whole match.
_SEMI_GENERIC = re.compile(r"^\(\?i\)\[\\w\.-\]\{0,(\d+)\}\?")
# The same with the keyword's case folded inside a group (`[\w.-]{0,50}?(?i:[\w.-]{0,50}?
# (?:cohere|CO_API_KEY)…`): two lazy runs, fifty by fifty tries at each position (a 20 KB
# line holding "okta" took 0.9 s for one rule).
_SEMI_GENERIC_CASED = re.compile(r"^\[\\w\.-\]\{0,(\d+)\}\?\(\?i:\[\\w\.-\]\{0,(\d+)\}\?")


# gitleaks ends a value at a quote, a space, `;`, an escaped line end or the line's end, so
# that `<apiToken>…</apiToken>` on one line is missed where the same value on its own line
# is found (its rule tests write XML that way). Here an XML or HTML tag's `<` ends it too.
_VALUE_END = r"""(?:[\x60'"\s;]|\\[nr]|$"""
_VALUE_END_TAG = r"""(?:[\x60'"\s;<]|\\[nr]|$"""


# curl's rules read a command over up to five more lines, `.` between the breaks and
# `[\r\n]{1,2}` at each: a `\r` is either's, and RE2 runs that in linear time, Python's
# engine in time that grows with the fifth power of the `\r`s (a line of `\r/devices`
# repeated, 8 KB: minutes; found by bench/secrets_fuzz.py). A break here is one or two
# `\n`s and a `\r` only `.`'s: the same commands, each read one way (a CRLF break is a `\r`
# that `.` takes, then its `\n`).
_ANY_LINES = (r"(?:.*?|.*?(?:[\r\n]{1,2}.*?){1,5})", r"(?:.*|.*(?:[\r\n]{1,2}.*){1,5})")


def _lines_once(pattern: str) -> str:
    for lines in _ANY_LINES:
        pattern = pattern.replace(lines, lines.replace(r"[\r\n]{1,2}", r"\n{1,2}"))
    return pattern


def _rule(raw: dict[str, Any]) -> Rule:
    pattern: str = _lines_once(raw["regex"].replace(_VALUE_END, _VALUE_END_TAG))
    search, prefix = None, 0
    if head := _SEMI_GENERIC.match(pattern):
        search, prefix = lazy_re2("(?i)" + pattern[head.end() :]), int(head.group(1))
    elif head := _SEMI_GENERIC_CASED.match(pattern):
        search = lazy_re2("(?i:" + pattern[head.end() :])
        prefix = int(head.group(1)) + int(head.group(2))
    return Rule(
        id=raw["id"],
        description=raw.get("description", ""),
        regex=lazy_re2(pattern),
        search=search,
        prefix=prefix,
        keywords=tuple(k.lower() for k in raw.get("keywords", [])),
        entropy=float(raw.get("entropy", 0.0)),
        secret_group=int(raw.get("secretGroup", 0)),
        path=lazy_re2(raw["path"]) if raw.get("path") else None,
        allowlists=tuple(_allowlist(a) for a in raw.get("allowlists", [])),
    )


# `^[a-zA-Z_.-]+$`: a whole value of one character class.
_SHAPE = re.compile(r"\^\[[^\]]+\][+*]\$")


def _allowlist(raw: dict[str, Any]) -> Allowlist:
    target = raw.get("regexTarget", "secret")
    sources = raw.get("regexes", [])
    shape = [r for r in sources if target == "secret" and _SHAPE.fullmatch(r)]
    return Allowlist(
        target=target,
        all_of=str(raw.get("condition", "OR")).upper() == "AND",
        regexes=tuple(lazy_re2(r) for r in sources if r not in shape),
        stopwords=tuple(w.lower() for w in raw.get("stopwords", [])),
        paths=tuple(lazy_re2(p) for p in raw.get("paths", [])),
        shapes=tuple(lazy_re2(r) for r in shape),
    )


def shannon_entropy(value: str) -> float:
    """Bits per character, over the value's bytes as gitleaks counts them."""
    data = value.encode("utf-8", "surrogatepass")  # (a byte decoded with surrogateescape)
    if not data:
        return 0.0
    n = len(data)
    return -sum(c / n * math.log2(c / n) for c in Counter(data).values())
