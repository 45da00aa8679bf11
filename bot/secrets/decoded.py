"""What a secret written encoded reads as once decoded: a model shown
`Authorization: Basic YWRtaW46…` on premises may write "this decodes to admin:r0s3bud!",
and a Kubernetes Secret's `data:` value, a Cisco type 7 one and a Junos `$9$` one decode
to the password itself. Masking an answer (bot/secrets/redact.py KnownValues) must know
those forms too, or a comment on the pull request would carry the password the report
masks encoded."""

from __future__ import annotations

from bot.secrets.detect import find_secrets
from bot.secrets.device_configs import CISCO_TYPE7, JUNOS_SECRET, junos_decoded, type7_decoded
from bot.secrets.wording import decoded_base64, is_text

# Shorter decoded text is too common a string to mask everywhere in an answer ("admin").
_MIN_TEXT = 8
_MIN_PASSWORD = 6
# A network device's reversible encodings (device_configs.py).
_DEVICE_DECODERS = {CISCO_TYPE7: type7_decoded, JUNOS_SECRET: junos_decoded}


def decoded_forms(value: str, kind: str = "") -> set[str]:
    """The printable text base64 `value` decodes to, the password alone of a
    `user:password`, and the secrets the text holds; nothing for a value that is not base64
    of text. A Cisco type 7 or Junos `$9$` value (`kind`): the password it encodes, which
    a model that knows the scheme may well write out."""
    if (decode := _DEVICE_DECODERS.get(kind)) is not None:
        password = decode(value)
        return {password} if password is not None and len(password) >= _MIN_PASSWORD else set()
    if len(value) < 12 or "\n" in value:
        return set()
    raw = decoded_base64(value.strip())
    if raw is None or not is_text(raw):
        return set()
    text = raw.decode("ascii").strip()
    if len(text) < _MIN_TEXT:
        return set()
    # What the text holds in turn: a Secret's `{"auth": "…"}`, a `.env` file's values, a
    # `.dockerconfigjson` over several lines.
    out = {text[h.start : h.end] for h in find_secrets(text)}
    if text.isprintable():  # one line: the text itself, and a `user:password`'s password
        out.add(text)
        _, colon, password = text.partition(":")
        if colon and len(password) >= _MIN_PASSWORD:
            out.add(password)
    return out
