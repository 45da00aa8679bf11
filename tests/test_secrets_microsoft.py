"""Microsoft's identifiable key formats (bot/secrets/microsoft, security-utilities' pinned
high-confidence rules), run as part of the one detector.

Values are drawn at random from each rule's own regex (a port check, as the gitleaks
rules' own tests are for gitleaks) and written by hand in the documented shapes; none is
a real key, and none comes from a suite that bench/secrets_eval.py scores.
"""

from __future__ import annotations

import json
import random
import re
import string
from pathlib import Path

import pytest

from bot.secrets import find_secrets
from bot.secrets.microsoft import MICROSOFT_PATTERNS, PINNED, load
from bot.secrets.patterns import TokenPattern
from bot.secrets.redact import redact

try:  # the regex parser: re._parser since 3.11, sre_parse before
    import re._constants as _sc
    import re._parser as _sp
except ImportError:  # pragma: no cover
    import sre_constants as _sc  # type: ignore[no-redef]
    import sre_parse as _sp  # type: ignore[no-redef]

_RNG = random.Random("microsoft-formats")
_B62 = string.ascii_letters + string.digits
_B64 = _B62 + "+/"
_PRINTABLE = [chr(c) for c in range(33, 127)]


def _draw(items: list[tuple[object, object]]) -> str:
    """A random string the parsed regex `items` matches (the subset the rules use)."""
    out: list[str] = []
    for op, av in items:
        if op is _sc.LITERAL:
            out.append(chr(av))  # type: ignore[arg-type]
        elif op is _sc.IN:
            chars: set[str] = set()
            negate = False
            for o, a in av:  # type: ignore[union-attr]
                if o is _sc.NEGATE:
                    negate = True
                elif o is _sc.LITERAL:
                    chars.add(chr(a))
                elif o is _sc.RANGE:
                    chars.update(chr(c) for c in range(a[0], a[1] + 1))
            pool = sorted(set(_PRINTABLE) - chars if negate else chars)
            out.append(_RNG.choice(pool))
        elif op in (_sc.MAX_REPEAT, _sc.MIN_REPEAT):
            low, high, sub = av  # type: ignore[misc]
            top = low + 2 if high == _sc.MAXREPEAT else min(high, low + 2)
            out.extend(_draw(sub) for _ in range(_RNG.randint(low, top)))
        elif op is _sc.SUBPATTERN:
            out.append(_draw(av[-1]))  # type: ignore[index]
        elif op is _sc.BRANCH:
            out.append(_draw(_RNG.choice(av[1])))  # type: ignore[index]
        elif op is not _sc.AT:
            raise ValueError(f"not drawn: {op}")
    return "".join(out)


def _value_of(pattern: TokenPattern) -> str:
    """A value of the pattern's `refine` group, checked to be what the rule reads back."""
    parsed = _sp.parse(pattern.regex.pattern, pattern.regex.flags)
    number = pattern.regex.groupindex[pattern.group] if isinstance(pattern.group, str) else 0

    def group(items: list[tuple[object, object]]) -> list[tuple[object, object]] | None:
        for op, av in items:
            if op is _sc.SUBPATTERN:
                if av[0] == number:  # type: ignore[index]
                    return av[-1]  # type: ignore[index,no-any-return]
                inner = group(av[-1])  # type: ignore[index]
                if inner is not None:
                    return inner
        return None

    body = group(list(parsed))
    assert body is not None
    for _ in range(50):
        value = _draw(body)
        m = pattern.regex.search(f" {value} ")
        if m and m.group(pattern.group) == value and any(c.isdigit() for c in value):
            return value
    raise AssertionError(f"no value drawn for {pattern.kind}")


VALUES = [(p.kind, _value_of(p)) for p in MICROSOFT_PATTERNS]


def test_every_rule_of_the_pinned_file_loads() -> None:
    rules = json.loads(PINNED.read_text(encoding="utf-8"))
    kept = [r for r in rules if r["Name"] not in ("SecretScanningSampleToken",)]
    kept = [r for r in kept if "Dummy" not in r["Name"]]
    # Rules with the same regex (API Management's four keys, IoT's three, Search's two)
    # are one pattern.
    assert len(MICROSOFT_PATTERNS) == len({r["Pattern"] for r in kept})
    kinds = {p.kind for p in MICROSOFT_PATTERNS}
    assert {"Azure storage account access key", "Azure API Management key", "Azure IoT key"} <= (
        kinds
    )
    assert {"Azure OpenAI key", "Microsoft common annotated security key"} <= kinds


def test_each_rule_compiles_on_demand_and_names_its_value_group() -> None:
    fresh = load()
    assert not any(p.regex.compiled_already for p in fresh)  # type: ignore[union-attr]
    assert all(p.group in p.regex.groupindex for p in fresh)  # type: ignore[operator]


def test_a_newer_file_of_the_same_schema_drops_in(tmp_path: Path) -> None:
    """A rule in .NET's spelling (`(?<refine>…)`) loads; one without a value group fails
    loudly rather than being approximated."""
    rule = {
        "Id": "SEC101/999",
        "Name": "ContosoIdentifiableKey",
        "Label": "a Contoso access key",
        "Pattern": "(^|[^A-Za-z0-9])(?<refine>[A-Za-z0-9]{30}CoNt[A-Za-z0-9]{6})([^A-Za-z0-9]|$)",
        "Signatures": ["CoNt"],
    }
    path = tmp_path / "rules.json"
    path.write_text(json.dumps([rule]), encoding="utf-8")
    (pattern,) = load(path)
    assert pattern.kind == "Contoso access key" and pattern.keywords == ("cont",)
    value = _value_of(pattern)
    assert pattern.regex.search(f"key: {value}\n").group(pattern.group) == value  # type: ignore[union-attr]
    rule["Pattern"] = "[A-Za-z0-9]{30}CoNt[A-Za-z0-9]{6}"
    path.write_text(json.dumps([rule]), encoding="utf-8")
    with pytest.raises(ValueError, match="refine"):
        load(path)


# Where no secret's name helps: bare on a line, a neutral JSON member, a header the
# name-based rules do not read, the middle of a connection-less command.
_CONTEXTS = (
    "{v}\n",
    '{{\n  "primary": "{v}",\n  "region": "westeurope"\n}}\n',
    "curl -H 'Ocp-Apim-Subscription-Key: {v}' https://contoso.azure-api.net/orders\n",
    "az storage blob upload --account-name prod -k {v} -f dump.sql\n",
)


@pytest.mark.parametrize(("kind", "value"), VALUES, ids=[k[:60] for k, _ in VALUES])
def test_a_key_of_each_format_is_found_bare_and_in_context(kind: str, value: str) -> None:
    for context in _CONTEXTS:
        text = context.format(v=value)
        at = text.index(value)
        covering = [h for h in find_secrets(text) if h.start <= at and h.end >= at + len(value)]
        assert covering, (kind, text)
        assert value not in redact(text).text


def _storage_key(signature: str = "+ASt", at: int = 76) -> str:
    body = "".join(_RNG.choice(_B64) for _ in range(86))
    return body[:at] + signature + body[at + 4 : at + 9] + _RNG.choice("AQgw") + "=="


def _cask_key(provider: str = "AAABACOG") -> str:
    """An annotated key's shape: 52 random, JQQJ99, one, a letter A-L, 12 random, the
    provider's signature (Azure OpenAI's here), 4 random."""
    r = lambda n: "".join(_RNG.choice(_B62) for _ in range(n))  # noqa: E731
    return r(52) + "JQQJ99" + r(1) + _RNG.choice("ABCDEFGHIJKL") + r(12) + provider + r(4)


def test_hand_written_shapes_are_named_for_their_service() -> None:
    text = (
        f"AZURE_OPENAI_ENDPOINT=https://contoso.openai.azure.com\n{_cask_key()}\n"
        f"backup: {_storage_key()}\n"
    )
    kinds = [h.kind for h in find_secrets(text)]
    assert kinds == ["Azure OpenAI key", "Azure storage account access key"]


def test_a_value_gitleaks_or_switchyard_names_keeps_that_name() -> None:
    aad = (
        "".join(_RNG.choice(_B62) for _ in range(3))
        + "8Q~"
        + "".join(_RNG.choice(_B62 + "_-.~") for _ in range(34))
    )
    nuget = "oy2" + "".join(_RNG.choice(string.ascii_lowercase + "234567") for _ in range(43))
    kinds = [h.kind for h in find_secrets(f"{aad}\n{nuget}\n")]
    assert kinds == ["azure ad client secret", "NuGet API key"]


@pytest.mark.parametrize(
    "text",
    [
        # The signature one place off, or inside a longer base64 run: not the format.
        _storage_key(at=75) + "\n",
        "blob = " + "".join(_RNG.choice(_B62) for _ in range(40)) + _storage_key() + "\n",
        # Glued to a word, as Databricks' own rule lets it be.
        "mydapi" + "".join(_RNG.choice("0123456789abcdef") for _ in range(32)) + "\n",
        # A typed stand-in in the format, as docs and scanners' tests write them.
        "A" * 52 + "JQQJ99" + "AA" + "A" * 12 + "AAABACOG" + "AAAA\n",
        # GitHub's non-functional sample token for testing secret scanners.
        "secret_scanning_ab85fc6f8d7638cf1c11da812da308d43_" + "Ab3dE\n",
    ],
)
def test_look_alikes_of_the_formats_are_not_reported(text: str) -> None:
    assert find_secrets(text) == []


def test_the_kinds_are_readable_names() -> None:
    """A finding's title names the service's key, not Microsoft's key generations."""
    for pattern in MICROSOFT_PATTERNS:
        assert not re.match(r"(?:a|an)\s", pattern.kind), pattern.kind
        assert not re.search(r"Identifiable|legacy|CASK|Cognitive Services\)", pattern.kind)


def test_keys_in_a_long_line_are_found_around_their_signatures() -> None:
    """The rules run near their signatures, not over the whole line: a minified bundle's
    line holding keys at its start, middle and end still yields each of them."""
    filler = "".join(_RNG.choice(_B62) for _ in range(20_000))
    keys = [_storage_key(), _cask_key(), _storage_key()]
    line = f"{keys[0]},{filler}APIM+ASt{filler},{keys[1]};{filler} {keys[2]}"
    hits = find_secrets(f"{line}\nnext line\n")
    assert [(h.kind, h.line) for h in hits] == [
        ("Azure storage account access key", 1),
        ("Azure OpenAI key", 1),
        ("Azure storage account access key", 1),
    ]
    assert all(k not in redact(line).text for k in keys)
