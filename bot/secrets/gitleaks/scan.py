"""Running gitleaks' rules over a text: keyword prefilter first, then the regexes.

Hundreds of regexes over a 100 KB prompt would cost a second in Python; almost all of them
cannot match because their keyword (a service's name or a token prefix) is absent. So:

1. One Aho-Corasick pass (ahocorasick-rs, Rust) over the lower-cased text finds every
   occurrence of every rule's keyword, overlapping ones included, as gitleaks does. Over a
   100 KB prompt with ~250 keywords it takes ~0.8 ms of CPU; pyahocorasick (C) ~2.3 ms,
   the same keywords as one regex folded into a trie ~4.5 ms, a `k in text` per keyword
   ~14 ms (measured on this project's 2-core machine, see docs/benchmarks.md).
2. Each rule whose keyword occurs runs only over the lines around those occurrences (the
   line before to the line after: a value may sit on the line after its name, a name on
   the line before a value holding the keyword), merged into spans; semi-generic rules
   run without their leading lazy name prefix (ruleset._SEMI_GENERIC).
3. A match then meets gitleaks' own checks: the secret's entropy, the global allow-list
   and the rule's allow-lists (regexes, stopwords, paths).

The inline `gitleaks:allow` comment is not honoured: a repository must not be able to keep
a secret out of redaction by writing a comment next to it (see docs/security.md).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from bot.secrets.gitleaks.ruleset import Allowlist, Rule, RuleSet, shannon_entropy
from bot.secrets.word_led import automaton, keyword_hits, led_matches, occurrences

# Rules that match any value under a secret-ish name rather than a service's format.
GENERIC_RULES = frozenset({"generic-api-key"})


@dataclass(frozen=True, slots=True)
class Match:
    rule: Rule
    start: int  # the secret's span in the text
    end: int


Found = dict[str, set[int]]  # keyword -> start offsets of the lines it occurs on


class Scanner:
    """gitleaks' rules behind one Aho-Corasick pass. `extra` keywords ride along in the
    same pass for the caller's own prefilters (bot/secrets/detect.py): one pass over the
    text serves every layer."""

    def __init__(self, ruleset: RuleSet, extra: tuple[str, ...] = ()) -> None:
        self.ruleset = ruleset
        self._by_keyword: dict[str, list[int]] = defaultdict(list)
        self._always: list[int] = []
        for i, rule in enumerate(ruleset.rules):
            if not rule.keywords:
                self._always.append(i)
            for k in rule.keywords:
                self._by_keyword[k].append(i)
        self._words = sorted({*self._by_keyword, *extra})
        self._led = frozenset(rule.id for rule in ruleset.rules if keyword_led(rule))
        self._named_words = frozenset(
            k for rule in ruleset.rules if rule.service_led for k in rule.keywords
        )
        self._keywords = automaton(tuple(self._words)) if self._words else None

    # The same few paths come back for every use of a file (classification, redaction,
    # masking, the scan); 25 global path patterns and the rules' own are matched once each.
    @lru_cache(maxsize=4096)  # noqa: B019 - one Scanner per process (gitleaks.scanner)
    def _path_skipped(self, path: str | None) -> bool:
        return self.ruleset.allowlist.path_allowed(path)

    @lru_cache(maxsize=16384)  # noqa: B019
    def _rule_path_skipped(self, rule_id: str, path: str) -> bool:
        rule = next(r for r in self.ruleset.rules if r.id == rule_id)
        return any(
            a.paths and not (a.regexes or a.shapes or a.stopwords) and a.path_allowed(path)
            for a in rule.allowlists
        )

    def allowed(
        self,
        rule_prefix: tuple[str, ...],
        secret: str,
        match: str,
        line: str,
        path: str | None,
        *,
        stopwords: bool = True,
        stopword_min: int = 0,
        shapes: bool = True,
    ) -> bool:
        """Whether gitleaks' allow-lists let a value through: the global one, and those of
        the rules whose id starts with one of `rule_prefix`. Switchyard's own detectors ask
        this for the formats gitleaks also knows, so a value gitleaks' maintainers list as
        published or fake (a documented sample key) is let through by every detector.
        `stopwords=False` skips the stopword lists (1,400 common words for the generic rule:
        "easy" sits by chance inside a random 24-character value often enough to matter);
        `stopword_min` counts only the stopwords that long or longer; `shapes=False` skips
        the regexes that judge a value by its characters alone (`^[a-zA-Z_.-]+$`)."""

        def allows(a: Allowlist) -> bool:
            return a.allows(
                secret, match, line, path,
                stopwords=stopwords, stopword_min=stopword_min, shapes=shapes,
            )  # fmt: skip

        if allows(self.ruleset.allowlist):
            return True
        if not rule_prefix:
            return False
        return any(
            allows(a)
            for rule in self.ruleset.rules
            if rule.id.startswith(rule_prefix)
            for a in rule.allowlists
        )

    def keywords(self, text: str, lowered: str) -> Found:
        """Every keyword (the rules' and `extra`) in `lowered`, with its lines."""
        found: Found = defaultdict(set)
        if self._keywords is None:
            return found
        words = self._words
        ls = le = -1
        hits = keyword_hits(self._keywords, lowered)
        size = len(text)
        for k, p, _ in hits:
            if p > le or p < ls:  # (inlined: a prompt's parts hold hundreds of hits)
                ls = text.rfind("\n", 0, p) + 1
                le = text.find("\n", p)
                if le == -1:
                    le = size
            found[words[k]].add(ls)
        return found

    def named_lines(self, found: Found) -> set[int]:
        """The starts of the lines holding a keyword of a rule led by its service's name
        (`<name> = <value>`, Rule.service_led), of those `found`."""
        return set().union(*(lines for word, lines in found.items() if word in self._named_words))

    def scan(
        self, text: str, lowered: str, path: str | None = None, found: Found | None = None
    ) -> list[Match]:
        """Matches in `text`; `lowered` is text.lower() with the same length; `found` is
        what `keywords` returned for it, if the caller already asked."""
        # gitleaks skips its global allow-list's paths (lockfiles, vendor/, node_modules/,
        # virtualenvs) to keep repository scans quiet. Here a skipped file could still go
        # to a cloud model, so a token in a service's format is found there too; only the
        # generic rule, whose noise those paths are listed for, stays off.
        quiet_path = self._path_skipped(path)
        if found is None:
            found = self.keywords(text, lowered)
        line_starts: dict[int, set[int]] = defaultdict(set)  # rule index -> line starts
        for keyword, starts in found.items():
            for i in self._by_keyword.get(keyword, ()):
                line_starts[i] |= starts
        out: list[Match] = []
        for i in self._always:
            rule = self.ruleset.rules[i]
            if not (quiet_path and rule.id in GENERIC_RULES):
                out.extend(self._run(rule, text, lowered, [(0, len(text))], path))
        for i, starts in line_starts.items():
            rule = self.ruleset.rules[i]
            if not (quiet_path and rule.id in GENERIC_RULES):
                spans = _windows(text, sorted(starts))
                out.extend(self._run(rule, text, lowered, spans, path))
        return out

    def _run(
        self,
        rule: Rule,
        text: str,
        lowered: str,
        spans: list[tuple[int, int]],
        path: str | None,
    ) -> list[Match]:
        if rule.path is not None and (path is None or rule.path.search(path) is None):
            return []
        if path is not None and self._rule_path_skipped(rule.id, path):
            return []
        out: list[Match] = []
        regex = rule.search or rule.regex
        led = rule.id in self._led
        for s, e in spans:
            at_words = occurrences(lowered, rule.keywords, s, e) if led else None
            matches = led_matches(regex, text, at_words, 0, s, e)
            for m in matches:
                found = self._check(rule, text, m, path)
                if found is not None:
                    out.append(found)
        return out

    def _check(self, rule: Rule, text: str, m: re.Match[str], path: str | None) -> Match | None:
        start, end = _secret_span(rule, m)
        secret = text[start:end].strip("\n")
        if not secret:
            return None
        if rule.entropy and shannon_entropy(secret) <= rule.entropy:
            return None
        ls = text.rfind("\n", 0, m.start()) + 1
        match = text[_name_start(text, m.start(), max(ls, m.start() - rule.prefix)) : m.end()]
        match = match.strip("\n")
        line = text[ls : _line_end(text, max(m.start(), m.end() - 1))]
        if self.ruleset.allowlist.allows(secret, match, line, path):
            return None
        if any(a.allows(secret, match, line, path) for a in rule.allowlists):
            return None
        return Match(rule, start, start + len(secret))


# Characters a pattern without a capture group consumes after the value to mark its end
# (`(?:[^a-zA-Z0-9+/]|\z)`): not part of the secret, and redaction must keep them.
_TERMINATORS = "\"'`;,)]}> \t\r\n"


def _secret_span(rule: Rule, m: re.Match[str]) -> tuple[int, int]:
    if m.re.groups == 0:
        return m.start(), m.start() + len(m.group().rstrip(_TERMINATORS))
    if rule.secret_group:
        return m.span(rule.secret_group)
    for g in range(1, m.re.groups + 1):
        s, e = m.span(g)
        if e > s:
            return s, e
    return m.span()


def _name_start(text: str, start: int, floor: int) -> int:
    """Where the full pattern's lazy name prefix (`[\\w.-]{0,50}?`) would have started the
    match: back from `start` over name characters, not past `floor`."""
    i = start
    while i > floor and (text[i - 1].isalnum() or text[i - 1] in "_.-") and text[i - 1].isascii():
        i -= 1
    return i


def _line_end(text: str, p: int) -> int:
    e = text.find("\n", p)
    return len(text) if e == -1 else e


# Rules whose pattern (without its lazy name prefix) opens with words its keywords hold:
# gitleaks' generic rule. A match can start only where one of them stands, so the pattern
# is tried there alone: Python's engine finds no literal to skip to in a case-folded
# alternation and tried it at every position of every window (0.72 ms of a 100 KB prompt's
# 1.29 ms of gitleaks' rules). tests/test_secrets_gitleaks.py checks that both find the
# same. Rule id -> (the opening, the keywords that spell each of its words): a newer
# gitleaks.toml whose rule opens otherwise, or lacks a keyword, is searched in full.
KEYWORD_LED: dict[str, tuple[str, frozenset[str]]] = {
    "generic-api-key": (
        "(?i)(?:access|auth|(?-i:[Aa]pi|API)|credential|creds|key|passw(?:or)?d|secret|token)",
        frozenset(
            {"access", "auth", "api", "credential", "creds", "key", "passwd", "password"}
            | {"secret", "token"}
        ),
    )
}


def keyword_led(rule: Rule) -> bool:
    """Whether `rule`'s pattern may be tried at its keywords alone (KEYWORD_LED)."""
    led = KEYWORD_LED.get(rule.id)
    if led is None:
        return False
    opening, words = led
    return (rule.search or rule.regex).pattern.startswith(opening) and words <= set(rule.keywords)


def _windows(text: str, starts: list[int]) -> list[tuple[int, int]]:
    """Each line with a keyword, with the line before and the line after it, merged: a
    value may sit on the line after its name (an XML element), and a keyword may be part
    of the value, its name on the line before."""
    out: list[tuple[int, int]] = []
    size = len(text)
    for ls in starts:
        s = text.rfind("\n", 0, ls - 1) + 1 if ls > 0 else 0
        le = text.find("\n", ls)
        if le == -1:
            le = e = size
        else:
            e = text.find("\n", le + 1)
            if e == -1:
                e = size
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out
