"""How contexts.py's patterns' matches are read: the span of the credential in a match,
judged by the rules its kind's value meets (a password literal's, a machine-made token's, a
named value's, a crypt hash's), or none; and the name a named kind's match gives its value
(token_pass.py asks both for every context match)."""

from __future__ import annotations

import re

from bot.secrets import names, references, rules, wording
from bot.secrets.command_lines import COMMAND_PASSWORD, TOKEN_ARGUMENT, flag_word
from bot.secrets.contexts import (
    BLOCK_SCALAR,
    CRYPT_HASH,
    NAMED_KINDS,
    NETRC_PASSWORD,
    QUERY_PASSWORD,
    XML_SECRET,
    password_ok,
)
from bot.secrets.env_defaults import ENV_DEFAULT
from bot.secrets.jwk import JWK_PRIVATE, jwk_private_value
from bot.secrets.key_calls import KEY_ARGUMENT
from bot.secrets.name_before import names_a_hash
from bot.secrets.setters import SETTER, setter_value_ok
from bot.secrets.stand_ins import published_crypt_hash
from bot.secrets.template_defaults import TEMPLATE_DEFAULT
from bot.secrets.value_ends import quoted_value
from bot.secrets.xml_keys import XML_KEY_PRIVATE, xml_key_private_value

# A Zoom meeting's link (`https://zoom.us/j/<id>?pwd=…`, a company's `acme.zoom.us`),
# whose `pwd` joins in one click: it is what an invitation is sent to share.
_ZOOM_INVITE = re.compile(r"zoom\.us/(?:j|w|my)/[\w.]+$")
# A word and a dash just before a command's name: the name is another's part
# (`cloud-mongo`), where `--requirepass` is a flag.
_NAME_BEFORE = re.compile(r"[A-Za-z0-9]-")
# A flag's dash glued to the word before it.
_GLUED_FLAG = re.compile(r"[\w-]-[A-Za-z]")
_KEY_BEFORE_COLON = re.compile(r"(?P<key>[A-Za-z_][\w.\-]*)[\"']?[ \t]*$")
_USER_BEFORE = re.compile(r"(?:^|[^\w.$@-])[A-Za-z_][\w.-]{0,31}$", re.MULTILINE)


def context_value(kind: str, m: re.Match[str], test: bool) -> tuple[int, int] | None:
    """The span of the credential in a match of the pattern for `kind`, or None when the
    value is not one: a reference, a placeholder, the next flag or, in tests, a weak
    fixture."""
    s, e = m.span("v")
    text, value = m.string, m.string[s:e]
    quote = text[s - 1 : s]
    if quote in ("'", '"') and (read := quoted_value(text, s, e, quote, None, code=True)):
        value, e = read  # `-p'Xk9'\''Qv7'`, `'Xk9''Qv7'`: past the quotes written inside it
    ls = text.rfind("\n", 0, m.start()) + 1
    if kind == BLOCK_SCALAR:
        key_m = _KEY_BEFORE_COLON.search(text, ls, m.start())
        if key_m is None or not names.key_is_secretish(key_m.group("key")):
            return None
        return (s, e) if rules.literal_ok(key_m.group("key"), value, test=test) else None
    if kind == CRYPT_HASH:
        if _USER_BEFORE.search(text, ls, m.start()) is None:
            return None
        if names_a_hash(text[ls : m.start()].lower()) or rules.token_is_placeholder(value):
            return None
        if published_crypt_hash(value):
            return None
        return s, e
    if kind == JWK_PRIVATE:
        return jwk_private_value(m)
    if kind == XML_KEY_PRIVATE:
        return xml_key_private_value(m)
    word = text[m.start()].isalnum()
    if word and m.start() > ls and (text[m.start() - 1].isalnum() or text[m.start() - 1] == "_"):
        return None  # inside a word: `xmachine`, `no_login`
    glued = m.start() - 2 >= ls and _NAME_BEFORE.match(text, m.start() - 2) is not None
    if word and kind == COMMAND_PASSWORD and glued:
        return None  # a name's part: `docker run --name cloud-mongo -p 27017:27017`
    if m.start() > ls and _GLUED_FLAG.match(text, m.start() - 1) is not None:
        return None  # `Email-and-Password Authentication`: a word's part, not a flag
    if kind in (ENV_DEFAULT, TEMPLATE_DEFAULT) and wording.reads_as_name(value):
        return None  # `process.env.DB_PASSWORD || "not-set"`: a sentinel, not a password
    if kind == SETTER:
        return (s, e) if setter_value_ok(m.group("name"), value, test) else None
    key = context_name(kind, m)
    if key is not None:
        return (s, e) if rules.named_literal_ok(key, value, test=test) else None
    if flag_word(m, value):
        return None
    if kind == TOKEN_ARGUMENT:  # a token is machine-made: `vault login root` is a dev server's
        ok = not references.is_reference(value) and (
            rules.looks_random(value) or rules.generated(value)
        )
        return (s, e) if ok and not rules.token_is_placeholder(value) else None
    if kind == KEY_ARGUMENT and "-----BEGIN" in value:
        return None  # a verifier's public key or certificate (a private key is key_blocks')
    if kind == QUERY_PASSWORD and not names.key_is_password(text[m.start() + 1 : s - 1]):
        return None  # `?bypass=…`: a word that ends in "pass"
    if kind == QUERY_PASSWORD and _ZOOM_INVITE.search(text, ls, m.start()) is not None:
        return None  # a Zoom meeting's invite link: its passcode is made to be shared
    # (a .netrc and a directive have no flags: a password there may open with `-` as a
    # quoted one may)
    groups = m.re.groupindex
    quoted = (
        kind == NETRC_PASSWORD
        or "directive" in groups
        or ("q" in groups and m.group("q") is not None)
    )
    return (s, e) if password_ok(value, test, quoted=quoted) else None


def context_name(kind: str, m: re.Match[str]) -> str | None:
    """The name a match of a named kind gives its value (`define('DB_PASSWORD', …)`, an
    XML element's tag), or None for the other kinds."""
    if kind not in NAMED_KINDS:
        return None
    return m.group("tag").rsplit(":", 1)[-1] if kind == XML_SECRET else m.group("name")
