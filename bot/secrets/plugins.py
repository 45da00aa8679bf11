"""detect-secrets' plugins, called directly on single lines.

We instantiate the plugin classes and call `analyze_string` rather than going through
`detect_secrets.settings.transient_settings` + `scan_line`: the settings object is a
process-wide singleton (unsafe with concurrent workers), `analyze_line` may verify a token
over the network when a baseline enables it, and the scan path re-runs its filter
machinery for every line, which is most of its cost. `analyze_string` is a pure regex pass.

Plugins left out: PrivateKeyDetector, GitHubTokenDetector and GitLabTokenDetector report
only the "BEGIN ... PRIVATE KEY" words or the token's prefix (their patterns have a capture
group, and `findall` returns the group), so our own patterns with exact value spans replace
them; IPPublicDetector finds addresses, which are not credentials and would restrict every
infrastructure file; KeywordDetector's `name = value` lines are found by gitleaks' generic
rule and our own assignment pattern (detect.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from bot.secrets.caseless import CaselessWords
from bot.secrets.long_lines import secretish_parts
from bot.secrets.word_led import led_matches, occurrences

if TYPE_CHECKING:
    from detect_secrets.plugins.base import BasePlugin


@dataclass(frozen=True, slots=True)
class _Plugins:
    tokens: tuple[Any, ...]
    entropy: tuple[Any, ...]


@cache
def _plugins() -> _Plugins:
    """detect-secrets costs ~120 ms to import (it pulls in requests); most diffs never
    have a line that passes the prefilters, so it is loaded on the first one that does."""
    from detect_secrets.plugins.artifactory import ArtifactoryDetector
    from detect_secrets.plugins.azure_storage_key import AzureStorageKeyDetector
    from detect_secrets.plugins.cloudant import CloudantDetector
    from detect_secrets.plugins.discord import DiscordBotTokenDetector
    from detect_secrets.plugins.high_entropy_strings import (
        Base64HighEntropyString,
        HexHighEntropyString,
    )
    from detect_secrets.plugins.ibm_cloud_iam import IbmCloudIamDetector
    from detect_secrets.plugins.ibm_cos_hmac import IbmCosHmacDetector
    from detect_secrets.plugins.mailchimp import MailchimpDetector
    from detect_secrets.plugins.npm import NpmDetector
    from detect_secrets.plugins.pypi_token import PypiTokenDetector
    from detect_secrets.plugins.sendgrid import SendGridDetector
    from detect_secrets.plugins.softlayer import SoftlayerDetector
    from detect_secrets.plugins.square_oauth import SquareOAuthDetector
    from detect_secrets.plugins.twilio import TwilioKeyDetector

    # TelegramBotTokenDetector is left out: it flags any `digits:A...` run with no context
    # (gitleaks' rule tests list such look-alikes); gitleaks' telegram rule, which wants
    # the service named nearby, and our assignment rules find real bot tokens.
    # Vendor-format detectors: every one of them needs a run of 20+ token characters, so they
    # only see lines that have one (the long-token prefilter). AWSKeyDetector, SlackDetector,
    # StripeDetector, JwtTokenDetector, BasicAuthDetector and OpenAIDetector find what our
    # own patterns find (AWS keys, xox*- tokens, sk_live_, JWTs, user:password@ URLs, sk-...);
    # ours give exact value spans, so running theirs as well would only add per-line cost.
    token_plugins: tuple[BasePlugin, ...] = (
        ArtifactoryDetector(),
        AzureStorageKeyDetector(),
        CloudantDetector(),
        DiscordBotTokenDetector(),
        IbmCloudIamDetector(),
        IbmCosHmacDetector(),
        MailchimpDetector(),
        NpmDetector(),
        PypiTokenDetector(),
        SendGridDetector(),
        SoftlayerDetector(),
        SquareOAuthDetector(),
        TwilioKeyDetector(),
    )
    entropy_plugins: tuple[Any, ...] = (
        Base64HighEntropyString(limit=4.5),
        HexHighEntropyString(limit=3.0),
    )
    for plugin in token_plugins:
        plugin.denylist = [_linear(regex) for regex in plugin.denylist]  # (on the instance)
    return _Plugins(token_plugins, entropy_plugins)


# detect-secrets' build_assignment_regex puts this between a name and its value: three runs
# of spaces (the middle one an alternative) that split a run every way when no value
# follows (a name, 8,000 spaces, then no value: minutes, cubic; found by
# bench/secrets_fuzz.py). Read once instead, with the same matches: an operator and the
# spaces after it, or spaces alone (one or more; what stands before them is a name, a
# quote or a bracket, never a space).
_SEPARATOR = r"(?: *)(?:=|:|:=|=>| +|::)(?: *)"
_SEPARATOR_ONCE = r" *+(?:(?::=|=>|::|=|:) *+|(?<= ))"


def _linear(regex: re.Pattern[str]) -> re.Pattern[str]:
    if _SEPARATOR not in regex.pattern:
        return regex
    return re.compile(regex.pattern.replace(_SEPARATOR, _SEPARATOR_ONCE), regex.flags)


@dataclass(frozen=True, slots=True)
class PluginHit:
    kind: str
    value: str
    plugin: str
    entropy: bool = False  # needs the entropy rules before it counts


# A word every match of a plugin's patterns holds: a line without any is not read by them
# (twenty findall calls on each token line, the most of a changelog's scan: commit hashes
# make a token line of every entry), nor by npm's `//.+/:_authToken=`, which reads the rest
# of a line from each `//` (base64 holds one every 4,096 characters: 5.7 s for a 0.9 MB
# line of it). Written as the patterns spell the words, so a plain `in` is exact; the
# case-folded patterns' words are asked as re.IGNORECASE reads them.
_HELD_WORDS: dict[str, tuple[str, ...]] = {
    "ArtifactoryDetector": ("AKC", "AP"),
    "AzureStorageKeyDetector": ("AccountKey=",),
    "DiscordBotTokenDetector": (".",),
    "MailchimpDetector": ("-us",),
    "NpmDetector": (":_authToken=",),
    "PypiTokenDetector": ("pypi-AgE",),
    "SendGridDetector": ("SG.",),
    "SquareOAuthDetector": ("sq0csp-",),
    "TwilioKeyDetector": ("AC", "SK"),
}
_HELD_CASELESS: dict[str, CaselessWords] = {
    "CloudantDetector": CaselessWords(("cl",)),
    "IbmCloudIamDetector": CaselessWords(("key", "pwd", "pass", "token")),
    "IbmCosHmacDetector": CaselessWords(("secret",)),
    "SoftlayerDetector": CaselessWords(("sl", "softlayer")),
}


def token_hits(line: str) -> Iterator[PluginHit]:
    parts = secretish_parts(line)
    ascii_lower = line.lower() if line.isascii() else None
    for plugin, name, words, caseless in _gated():
        if words and not any(w in line for w in words):
            continue
        if caseless is not None and not caseless.found_in(line, ascii_lower):
            continue
        values = plugin.analyze_string(line) if parts is None else _values(plugin, line, parts)
        for value in values:
            yield PluginHit(plugin.secret_type, value, name)


@cache
def _gated() -> tuple[tuple[BasePlugin, str, tuple[str, ...], CaselessWords | None], ...]:
    """Each token plugin with its name and the words its matches hold."""
    named = ((p, type(p).__name__) for p in _plugins().tokens)
    return tuple((p, n, _HELD_WORDS.get(n, ()), _HELD_CASELESS.get(n)) for p, n in named)


# detect-secrets' build_assignment_regex opens every pattern it builds with this, then
# brackets, quotes and a vendor's prefix (`ibm_cloud_iam_api_`, 20 characters at most)
# before one of `key`, `pwd`, `pw`, `password`, `pass`, `token`, `secret`.
_ASSIGNMENT_BEGIN = r"(?:(?<=\W)|(?<=^))"
_ASSIGNMENT_LEAD = 32


# Formats with a literal at a known distance from the match's start: Artifactory's `AKC`
# and `AP` after one character (a space, `=`, `:`, a quote) or none, Mailchimp's `-us`
# after 32. Tried only there on a long line.
_LITERAL_LED: dict[str, tuple[tuple[str, ...], int]] = {
    "ArtifactoryDetector": (("AKC", "AP"), 1),
    "MailchimpDetector": (("-us",), 32),
}


def _values(plugin: BasePlugin, line: str, parts: list[int]) -> Iterator[str]:
    """plugin.analyze_string(line) on a long line: its assignment patterns tried only
    before a secret-ish part (each such pattern costs ~0.1 s a megabyte tried everywhere,
    and a minified bundle's line is megabytes), the formats _LITERAL_LED knows only
    before their literal, its other patterns as it runs them."""
    literal = _LITERAL_LED.get(type(plugin).__name__)
    for regex in plugin.denylist:
        if regex.pattern.startswith(_ASSIGNMENT_BEGIN):
            matches = led_matches(regex, line, parts, _ASSIGNMENT_LEAD)
        elif literal is not None:
            matches = led_matches(regex, line, occurrences(line, literal[0]), literal[1])
        else:
            matches = regex.finditer(line)
        for m in matches:
            groups = m.groups()
            if len(groups) > 1:  # findall's tuple, of which analyze_string keeps the set ones
                yield from filter(None, groups)
            else:
                yield m.group(1) or "" if groups else m.group()


def entropy_hits(line: str, min_len: int) -> Iterator[PluginHit]:
    for plugin in _plugins().entropy:
        for value in plugin.analyze_string(line):
            # Entropy is the slow part; shorter strings cannot count anyway (rules.py).
            if len(value) < min_len:
                continue
            if plugin.calculate_shannon_entropy(value) > plugin.entropy_limit:
                yield PluginHit("high-entropy string", value, type(plugin).__name__, entropy=True)
