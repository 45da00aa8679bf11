"""Microsoft's high-confidence secret formats (MIT), pinned as package data.

`HighConfidenceSecurityModels.json` is `GeneratedRegexPatterns/HighConfidenceSecurityModels.json`
of github.com/microsoft/security-utilities, copied unchanged at commit
638ad20eb4d446319a31e9c0ed293d087b4ffa55 (2025-11-12, version 1.21.0); `LICENSE` is its
licence. Those are the identifiable keys Azure issues (a fixed signature at a fixed place:
`+ASt` in a storage account key, `JQQJ99` in the common annotated keys of Azure OpenAI and
the other AI services, `AzFu`, `APIM`, ...), which gitleaks' rule set does not know by
shape: bare, outside a connection string or a named setting, they were not found at all.

Each rule becomes a token pattern (bot.secrets.patterns.TokenPattern): its `Signatures`
are the keyword pass's words, its regex runs near each signature on the lines that hold
one (every rule opens with a character class, which Python's engine would try at each
position of a text), and its `refine` group is the value. To update, drop in a newer file
of the same schema: `tests/test_secrets_microsoft.py` checks that every rule loads and
finds a value of its own shape.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.secrets.lazy_regex import LazyRegex
from bot.secrets.patterns import TokenPattern

PINNED = Path(__file__).with_name("HighConfidenceSecurityModels.json")
SECURITY_UTILITIES_COMMIT = "638ad20eb4d446319a31e9c0ed293d087b4ffa55"
SECURITY_UTILITIES_VERSION = "1.21.0"

# Keys that open nothing, by the file's own labels: GitHub's secret-scanning sample token
# ("non-functional") and the "Dummy" service's annotated key, which exist for scanners'
# tests. Reporting them would be noise in every scanner's test data.
_NON_FUNCTIONAL = frozenset({"SEC101/565", "SEC101/233"})
_ARTICLE = re.compile(r"^(?:a|an)\s+")
# Microsoft's names for its catch-all rules (a format with no service known): run after
# the rules that name the service of the same value, so that the service's name is kept.
_UNCLASSIFIED = "Unclassified"
# How Microsoft tells its key generations and families apart, which says nothing to the
# reader of a finding: "legacy common annotated security key" is the service's key.
_SHORTER = {
    " (Cognitive Services)": "",
    " legacy common annotated security key": " key",
    " legacy CASK ": " ",
    " legacy identifiable ": " ",
    "general ": "",
}
_WORDING = re.compile("|".join(re.escape(w) for w in _SHORTER))
_VALUE_NAME = "refine"
_VALUE = f"(?P<{_VALUE_NAME}>"
# .NET's named group (the library is C#; its generated files use Python's spelling today).
_DOTNET_GROUP = re.compile(r"\(\?<(?![=!])(\w+)>")
_WORD_START = r"(?<![A-Za-z0-9_\-])"
# How far from its signature a rule's value may reach: the longest of today's keys is 88
# characters with its signature 76 in; a rule's own boundary characters come on top.
_REACH = 256


def load(path: Path = PINNED) -> tuple[TokenPattern, ...]:
    """The file's rules as token patterns, a service's before the catch-alls; rules with
    the same regex (the four API Management keys, told apart only by a checksum seed) are
    one pattern under the words their labels share."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    rules = [r for r in raw if r["Id"] not in _NON_FUNCTIONAL]
    rules.sort(key=lambda r: r["Name"].startswith(_UNCLASSIFIED))
    labels: dict[str, list[str]] = {}
    signatures: dict[str, set[str]] = {}
    for rule in rules:
        labels.setdefault(rule["Pattern"], []).append(_kind(rule))
        signatures.setdefault(rule["Pattern"], set()).update(rule.get("Signatures") or ())
    return tuple(
        _pattern(pattern, _shared(names), signatures[pattern]) for pattern, names in labels.items()
    )


def _kind(rule: dict[str, str]) -> str:
    """The rule's label as a finding's title says it: "Azure OpenAI key" for "an Azure
    OpenAI (Cognitive Services) legacy common annotated security key"."""
    label = _ARTICLE.sub("", rule.get("Label") or rule["Name"])
    if rule["Name"].startswith(_UNCLASSIFIED):
        return "Microsoft " + label.removeprefix("unclassified ").removeprefix("legacy ")
    return _WORDING.sub(lambda m: _SHORTER[m.group(0)], label)


def _shared(names: list[str]) -> str:
    """The words every label starts and ends with: "Azure API Management direct management
    key" and "... gateway key" are an "Azure API Management key"."""
    if len(names) == 1:
        return names[0]
    words = [n.split() for n in names]
    head: list[str] = []
    for column in zip(*words, strict=False):
        if len(set(column)) > 1:
            break
        head.append(column[0])
    tail: list[str] = []
    for column in zip(*(list(reversed(w)) for w in words), strict=False):
        if len(set(column)) > 1 or len(head) + len(tail) >= min(map(len, words)):
            break
        tail.insert(0, column[0])
    return " ".join(head + tail)


def _pattern(source: str, kind: str, signatures: set[str]) -> TokenPattern:
    # MULTILINE: a rule opens with `(^|[^…])`, and it runs from a line's start. Its value
    # must also start a word, as gitleaks' `\b` and TokenPattern.before ask: Databricks'
    # rule lets a letter glue on (`mydapi1234…`).
    source = _DOTNET_GROUP.sub(r"(?P<\1>", source)
    keywords = tuple(sorted({s.lower() for s in signatures}))
    if _VALUE not in source or not keywords:
        raise ValueError(f"{kind}: a rule needs a `refine` group and signatures")
    # Compiled when a signature first occurs: most texts hold none of them.
    regex = LazyRegex(source.replace(_VALUE, _WORD_START + _VALUE, 1), re.MULTILINE)
    return TokenPattern(
        kind, regex, group=_VALUE_NAME, keywords=keywords, on_keyword_lines=True, reach=_REACH
    )


MICROSOFT_PATTERNS: tuple[TokenPattern, ...] = load()

__all__ = [
    "MICROSOFT_PATTERNS",
    "PINNED",
    "SECURITY_UTILITIES_COMMIT",
    "SECURITY_UTILITIES_VERSION",
    "load",
]
