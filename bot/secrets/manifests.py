"""A Kubernetes Secret's `data`: every value there is base64 of a secret, whatever its key
is called (`.dockerconfigjson`, `config.yaml`, `credentials`), so the name rules that find
`password: …` miss most of them. Each value is decoded and reported unless it is public
(a certificate), a short non-secret beside the password (`username`, `host`) or a
stand-in (empty, a placeholder word). A SealedSecret (ciphertext) and a ConfigMap are
other kinds; a Helm template's `{{ … | b64enc }}` is not base64 and is left alone.
"""

from __future__ import annotations

import re

from bot.secrets import names, references, rules, wording
from bot.secrets.line_finders import RANK_ASSIGNED, SWITCHYARD, Candidate
from bot.secrets.prompt_view import View

KUBERNETES_SECRET = "value of a Kubernetes Secret"

# Bitnami Sealed Secrets are encrypted for one cluster's controller and made to be
# committed: their values (version byte 2, then RSA-wrapped AES, base64) are ciphertext.
SEALED_KIND = "kind: SealedSecret"
_SEALED_MIN = 100


def sealed_value(value: str) -> bool:
    """Whether a hit in a text holding a SealedSecret is one of its encrypted values."""
    return value.startswith("Ag") and len(value) >= _SEALED_MIN


_KIND = r"kind:[ \t]*[\"']?Secret[\"']?[ \t]*"
_SECRET_KIND = re.compile(_KIND)
_ANY_SECRET = re.compile(_KIND + r"\r?$", re.MULTILINE)
_DATA = re.compile(r"data:[ \t]*")
# `  key: value` one level in; a value is one base64 run, quoted or not.
_ENTRY = re.compile(
    r"[ \t]+[\"']?(?P<key>[\w.\-]{1,253})[\"']?:[ \t]*"
    r"(?P<q>[\"']?)(?P<v>[A-Za-z0-9+/]{4,}={0,2})(?P=q)[ \t]*"
)
_PUBLIC = (b"-----BEGIN CERTIFICATE-----", b"-----BEGIN PUBLIC KEY-----")
# Longer than this, or over several lines, a value is a file (a config, a credentials JSON).
_SHORT = 64


def secret_data(text: str, test: bool) -> list[Candidate]:
    """The values of the `data` maps of the Kubernetes Secrets in `text` (a file, a diff, or
    a prompt's rendered diff)."""
    if _ANY_SECRET.search(text) is None:
        return []  # (a literal-led search: most texts hold no Secret manifest)
    out: list[Candidate] = []
    document: list[tuple[int, str]] = []
    # (a diff's or a prompt's rows are read as the manifest's lines: prompt_view.py)
    for offset, line in View(text).lines():
        if line.rstrip() == "---":
            out.extend(_document(document, test))
            document = []
        else:
            document.append((offset, line))
    out.extend(_document(document, test))
    return out


def _document(lines: list[tuple[int, str]], test: bool) -> list[Candidate]:
    """The secret values of one YAML document, when it is a Secret."""
    if not any(_SECRET_KIND.fullmatch(line.rstrip("\r")) for _, line in lines):
        return []
    out: list[Candidate] = []
    in_data = False
    for offset, line in lines:
        if line.strip() and not line[0].isspace():
            in_data = _DATA.fullmatch(line.rstrip("\r")) is not None  # a top-level key
            continue
        m = _ENTRY.fullmatch(line.rstrip("\r")) if in_data else None
        if m is not None and _is_secret(m.group("key"), m.group("v"), test):
            out.append(
                Candidate(
                    offset + m.start("v"), offset + m.end("v"), KUBERNETES_SECRET,
                    RANK_ASSIGNED, SWITCHYARD,
                )
            )  # fmt: skip
    return out


def _is_secret(key: str, value: str, test: bool) -> bool:
    raw = wording.decoded_base64(value)
    if raw is None or not raw.strip():
        return False
    if raw.lstrip().startswith(_PUBLIC):
        return False  # `ca.crt`, `tls.crt`: public
    if not wording.is_text(raw):
        return True  # key material, a keystore: binary
    decoded = raw.decode("ascii").strip()
    if "\n" in decoded or len(decoded) > _SHORT or decoded[:1] in "{[":
        return True  # a file: a config, a JSON of credentials
    if rules.is_placeholder(decoded, min_len=4) or references.is_reference(decoded):
        return False
    # One short value: a secret by its key's name (`api-token`, `key`), or by its look; a
    # `username`, `host` or `database` beside the password is not one.
    named = names.key_is_secretish(key) or names.key_is_bare_key(key)
    return (named or rules.generated(decoded)) and rules.weak_value_ok(decoded, test=test)
