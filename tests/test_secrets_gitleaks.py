"""gitleaks' pinned rule set, run in-process: RE2 conversion, keyword prefilter, allow-lists.

The cases come from gitleaks' own rule tests (tests/fixtures/public/gitleaks-rules), so they
check the port, not the rules' worth (see its ORIGIN.md).
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
import string
import tomllib
from pathlib import Path

import pytest

from bot.secrets import allow, find_secrets
from bot.secrets.gitleaks import PINNED, Scanner, load, scanner
from bot.secrets.gitleaks.re2 import UnsupportedPattern, compile_re2, to_python
from bot.secrets.gitleaks.ruleset import _holds_a_stopword
from bot.secrets.gitleaks.scan import KEYWORD_LED, keyword_led
from bot.secrets.redact import redact
from bot.secrets.word_led import led_matches, occurrences

CASES = Path(__file__).parent / "fixtures" / "public" / "gitleaks-rules" / "cases.jsonl"

# First true positives of gitleaks' tests that Switchyard turns down on purpose: documented
# sample values ("EXAMPLE", "fake"), typed sequences ("abc123", "klmnopqrstuvwx"), a value
# that is mostly one repeated character (age's "AGE-SECRET-KEY-1QQQQ..."), and
# gcp-service-account's `"type": "service_account"` line, which names a key file rather
# than holding a secret (the file's private key block is what gets redacted).
KNOWN_MISSES = {
    "age-secret-key",
    "anthropic-api-key",
    "anthropic-admin-api-key",
    "aws-amazon-bedrock-api-key-long-lived",
    "gcp-service-account",
}


def test_every_rule_of_the_pinned_file_converts() -> None:
    rs = load(PINNED)
    assert len(rs.rules) > 200
    assert [rid for rid, _ in rs.skipped] == ["pkcs12-file"]  # path-only: no text to match
    # Loading translates; Python compiles each regex at its first use. Every one compiles.
    for rule in rs.rules:
        allowlists = (*rule.allowlists, rs.allowlist)
        regexes = [rule.regex, rule.search, rule.path]
        regexes += [r for a in allowlists for r in (*a.regexes, *a.paths, *a.shapes)]
        for regex in regexes:
            if regex is not None:
                assert isinstance(regex.compiled, re.Pattern), rule.id  # type: ignore[union-attr]


def test_rules_compile_when_a_text_wakes_them_not_when_they_load() -> None:
    rs = load(PINNED)
    assert not any(r.regex.compiled_already for r in rs.rules)  # type: ignore[union-attr]
    s = Scanner(rs)
    text = 'id = "LTAI' + '5tQ8fP3Jw9rKzXnB2mYd"\n'
    assert [m.rule.id for m in s.scan(text, text.lower())] == ["alibaba-access-key-id"]
    woken = [r.id for r in rs.rules if (r.search or r.regex).compiled_already]  # type: ignore[union-attr]
    assert woken == ["alibaba-access-key-id"]


@pytest.mark.parametrize(
    ("re2", "python"),
    [
        (r"\b(LTAI(?i)[a-z0-9]{20})", r"\b(LTAI(?i:[a-z0-9]{20}))"),
        (r"a(?i)b|c", r"a(?i:b)|(?i:c)"),
        (r"(?i)abc", r"(?i)abc"),
        (r"(x(?i)y|z)w", r"(x(?i:y)|(?i:z))w"),
        (r"pat[[:alnum:]]{14}", r"pat[a-zA-Z0-9]{14}"),
        (r"a\z", r"a\Z"),
    ],
)
def test_re2_syntax_is_translated(re2: str, python: str) -> None:
    assert to_python(re2) == python


def test_a_mid_pattern_flag_applies_to_the_rest_of_its_group_only() -> None:
    rx = compile_re2(r"\b(LTAI(?i)[a-z0-9]{4})\b")
    assert rx.search("LTAIaB3d") is not None
    assert rx.search("ltaiab3d") is None  # the prefix before the flag stays case-sensitive


def test_an_untranslatable_construct_is_refused_not_guessed() -> None:
    with pytest.raises(UnsupportedPattern):
        compile_re2(r"\p{Greek}+")


def test_a_rule_runs_only_where_its_keyword_occurs() -> None:
    s = scanner()
    value = "LTAI" + "5tQ8fP3Jw9rKzXnB2mYd"
    text = f'id = "{value}"\n'
    assert [m.rule.id for m in s.scan(text, text.lower())] == ["alibaba-access-key-id"]
    # The same characters with the keyword broken by the case-folding-safe lower text: the
    # prefilter reads `lowered`, so a text whose lower form lacks the keyword runs nothing.
    assert s.scan(text, text.lower().replace("ltai", "l-ai")) == []


def test_a_keyword_inside_a_longer_word_still_counts() -> None:
    value = "5c2a8b1e-93d4-4f0b-8a7e-1f2d3c4b5a69"
    text = f'MYHEROKUAPP_API_KEY = "{value}"\n'
    assert "heroku-api-key" in {m.rule.id for m in scanner().scan(text, text.lower())}


def test_gitleaks_allowlists_apply_to_switchyards_own_patterns() -> None:
    # A Google API key that gitleaks' maintainers list as a published sample.
    listed = "AIza" + "SyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs"
    assert find_secrets(f'init("{listed}")\n') == []
    unlisted = "AIza" + "SyAnLA7NfeLquW1tJFpx_eQCxoX-oo6Yy1t"
    assert [h.kind for h in find_secrets(f'init("{unlisted}")\n')] == ["Google API key"]


def test_the_inline_gitleaks_allow_comment_is_not_honoured() -> None:
    value = "LTAI" + "5tQ8fP3Jw9rKzXnB2mYd"
    hits = find_secrets(f'key = "{value}"  # gitleaks:allow\n')
    assert [h.detector for h in hits] == ["gitleaks:alibaba-access-key-id"]


def test_in_a_path_gitleaks_skips_only_its_generic_rule_stays_off() -> None:
    """gitleaks skips lockfiles, vendor/ and node_modules/ to keep repository scans quiet;
    a file there can still be sent to a cloud model, so a service's format is found."""
    value = "LTAI" + "5tQ8fP3Jw9rKzXnB2mYd"
    text = f'"{value}"\n'
    for path in ("web/node_modules/x/index.js", "package-lock.json", "web/src/index.js"):
        assert [m.rule.id for m in scanner().scan(text, text.lower(), path)] == [
            "alibaba-access-key-id"
        ], path
    generic = 'api_secret = "Zq8vM2xK7wTpLm3nB9cD"\n'
    assert scanner().scan(generic, generic.lower(), "web/src/app.js") != []
    assert scanner().scan(generic, generic.lower(), "web/node_modules/x/app.js") == []


def _first_true_positive_per_rule() -> dict[str, str]:
    first: dict[str, str] = {}
    for line in CASES.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        if case["label"] == "tp":
            first.setdefault(case["rule"], case["text"])
    return first


def test_each_gitleaks_rules_first_true_positive_is_found() -> None:
    missed = sorted(
        rule for rule, text in _first_true_positive_per_rule().items() if not find_secrets(text)
    )
    assert missed == sorted(KNOWN_MISSES)


def test_a_value_ends_at_an_xml_tag_as_it_ends_at_a_quote() -> None:
    # gitleaks ends a value at a quote, a space or `;`: `<discordToken>…</discordToken>` on
    # one line was missed where `discordToken = "…"` was found.
    rng = random.Random("xml")
    hf = "hf_" + "".join(rng.choice(string.ascii_letters) for _ in range(34))
    discord = "".join(rng.choice(string.digits) for _ in range(18))
    for text, kind in (
        (f"<default>{hf}</default>", "huggingface access token"),
        (f"<discordToken>{discord}</discordToken>", "discord client id"),
    ):
        assert [h.kind for h in find_secrets(text, "conf/app.xml")] == [kind], text
        assert [h.kind for h in find_secrets(text.replace("<", " <"), "conf/app.xml")] == [kind]


def test_a_name_in_camel_case_after_a_services_name_is_not_its_key() -> None:
    # twitter-api-key takes any 25 letters after "twitter" and a colon: a C# class's base.
    line = "public class TwitterTests : RemoteAuthenticationTests<TwitterOptions>\n"
    assert scanner().scan(line, line.lower(), "test/TwitterTests.cs")  # gitleaks matches it
    assert find_secrets(line, "test/TwitterTests.cs") == []
    key = "Rk8Zq2Lm7Xv4Nc9By3Tw5Hp1D"  # 25 drawn letters and digits
    assert find_secrets(f"twitter_api_key: {key}\n", "conf/app.yml")


def test_rule_ids_become_kinds_and_marker_slugs() -> None:
    value = "ico-" + "mlCr1Mn3SRcRiZMObUZOTHLcgtH2Lpgt"
    hits = find_secrets(f"INFRACOST_API_KEY={value}\n", "ci/.env")
    assert [(h.kind, h.slug) for h in hits] == [("infracost api token", "infracost-api-token")]


def test_a_lone_surrogate_does_not_stop_the_scan() -> None:
    """Bytes decoded with surrogateescape cannot cross into the Rust keyword pass as they
    are; the scan goes on with every offset kept."""
    value = "LTAI" + "5tQ8fP3Jw9rKzXnB2mYd"
    text = f'caf\udce9 = 1\nid = "{value}"\n'
    hits = find_secrets(text)
    assert [text[h.start : h.end] for h in hits] == [value]


def test_a_lone_surrogate_inside_a_value_does_not_stop_the_scan() -> None:
    """The same byte inside a generic value reaches gitleaks' stopword check (another
    Rust automaton): found by a fuzzer, the scan raised UnicodeEncodeError and the file
    was neither classified nor redacted."""
    value = "1234567890abcdef1678" + "\udce9" + "efdef"
    text = f"secret={value}\n"
    hits = find_secrets(text, "notes.md")
    assert [text[h.start : h.end] for h in hits] == [value]
    assert value not in redact(text, "notes.md").text


def test_a_lone_surrogate_in_a_value_with_an_entropy_floor_is_measured() -> None:
    """gitleaks measures a value's entropy over its bytes; a surrogate has none in strict
    UTF-8 (found by the same fuzzer: the scan raised)."""
    text = 'curl --user "deploy:Qx7rTb2m\udce9Kw9pLs4Vn"\n'
    hits = find_secrets(text, "ci/deploy.sh")
    assert [h.kind for h in hits] == ["curl auth user"]
    assert "Qx7rTb2m" not in redact(text, "ci/deploy.sh").text


def test_a_value_holding_a_lone_surrogate_can_be_allowed_by_its_fingerprint() -> None:
    value = "Qx7rTb2m\udce9Kw9pLs4VnZ8c"
    text = f'password = "{value}"\n'
    assert find_secrets(text, "app/settings.py")
    before = allow.current()
    try:
        allow.configure(allow.AllowList.of(fingerprints=[allow.fingerprint(value)]))
        assert find_secrets(text, "app/settings.py") == []
    finally:
        allow.configure(before)


def _curl_rule(rule_id: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The rule as Switchyard runs it, and as the pinned file writes it."""
    rule = next(r for r in load(PINNED).rules if r.id == rule_id)
    raw = next(r for r in tomllib.loads(PINNED.read_text())["rules"] if r["id"] == rule_id)
    return rule.regex.compiled, compile_re2(raw["regex"])


@pytest.mark.parametrize(
    ("rule_id", "flag"),
    [("curl-auth-header", '-H "Authorization: Bearer {}"'), ("curl-auth-user", '-u "deploy:{}"')],
)
def test_curls_rules_read_a_command_over_its_continued_lines_as_written(
    rule_id: str, flag: str
) -> None:
    """curl's rules take a line break as one or two `\\n`s, not `\\r`s, which `.` takes
    (a `\\r` read as either cost time in the fifth power of the `\\r`s:
    ruleset._lines_once): a command continued over LF or CRLF lines is read as the pinned
    rule reads it, up to five lines on, and drawn texts give the pinned rule's matches."""
    ours, pinned = _curl_rule(rule_id)
    token = "Zt8qWm3Rk5Nv2Xp7Lc4Hy9Bd6Fj1"
    rng = random.Random(rule_id)
    pieces = ("curl", " -s", " https://api.corp.io/v1", " -d x=1", " \\", "\n", "\r\n",
              "\n\n", " ", "  ", "#", flag.format(token), " --data @f")  # fmt: skip
    for lines in range(1, 8):
        sep = rng.choice(("\n", "\r\n"))
        text = "curl -X POST https://api.corp.io" + f" \\{sep}  -d x=1" * lines
        text += f" \\{sep}  {flag.format(token)}{sep}"
        m = ours.search(text)
        assert (m is not None and token in m.group()) == (lines < 5), lines
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(3, 30)))
        a, b = ours.search(text), pinned.search(text)
        assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups())), text


def test_a_rule_that_no_longer_opens_with_its_keywords_is_searched_whole() -> None:
    rule = next(r for r in load(PINNED).rules if r.id == "generic-api-key")
    assert keyword_led(rule)
    regex = rule.search or rule.regex
    moved = dataclasses.replace(rule, search=compile_re2(r"[\w.-]{0,5}" + regex.pattern))
    assert not keyword_led(moved)
    fewer = dataclasses.replace(rule, keywords=tuple(k for k in rule.keywords if k != "creds"))
    assert not keyword_led(fewer)


def test_a_keyword_led_rule_tried_at_its_keywords_finds_what_a_full_search_finds() -> None:
    """The generic rule is tried only where one of its keywords stands (scan.KEYWORD_LED):
    over texts dense with its words, look-alike words, operators and values, it finds the
    same matches, in the same order, as a search at every position."""
    rules = {r.id: r for r in load(PINNED).rules}
    # The pinned rule is read that way; were it to open otherwise, it would be searched whole.
    assert all(keyword_led(rules[rid]) for rid in KEYWORD_LED)
    pieces = ["api_key", "API", "aPi", "Auth", "secret", "Token", "passwd", "Password",
              "pass", "creds", "credentials", "accessKey", "keys", "x", "_", ".", "-", " ",
              "\t", "\n", "=", ":", ":=", "=>", "?=", ",", "'", '"', "`", ";", "\\n",
              "Xk9mQvL8pR4tZ2wB", "a1b2c3d4e5f6a7b8c9d0", "AbCd+/EfGh1234==", "value"]  # fmt: skip
    rng = random.Random(7)
    for rid in KEYWORD_LED:
        rule = rules[rid]
        regex = rule.search or rule.regex
        for _ in range(3000):
            text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 40)))
            lowered = text.lower()
            start = rng.randint(0, len(text))
            end = rng.randint(start, len(text))
            full = [(m.span(), m.groups()) for m in regex.finditer(text, start, end)]
            led = led_matches(
                regex, text, occurrences(lowered, rule.keywords, start, end), 0, start, end
            )
            assert [(m.span(), m.groups()) for m in led] == full, text


def test_the_stopword_automaton_lets_through_what_a_word_by_word_check_does() -> None:
    """The generic rule's stopwords, found with one automaton, over drawn values (each
    with a stopword put in or not) and every minimum length the scan asks for."""
    allowlist = next(
        a
        for r in load(PINNED).rules
        if r.id == "generic-api-key"
        for a in r.allowlists
        if a.stopwords
    )
    words = allowlist.stopwords
    rng = random.Random("stopwords")
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
    for _ in range(3000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(8, 40)))
        if rng.random() < 0.3:
            at = rng.randint(0, len(value))
            value = value[:at] + rng.choice(words).upper() + value[at:]
        for minimum in (0, 4, 5, 8):
            naive = any(w in value.lower() for w in words if len(w) >= minimum)
            assert _holds_a_stopword(allowlist, value, minimum) == naive, (value, minimum)
