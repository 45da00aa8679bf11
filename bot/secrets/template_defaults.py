"""A literal in a template's slot under a secret's name: Helm's and Go templates'
`password: {{ .Values.db.password | default "…" }}` and `{{ default "…" .Values.x }}`,
Jinja's (Ansible, Salt) `db_password: "{{ vault_db_password | default('…') }}"`, and a
literal piped through a filter, `password: "{{ '…' | password_hash('sha512') }}"`. A slot
is a reference, so the value was let through as one; the literal in it is the secret for
every install that sets nothing, or for every one. contexts.py runs them;
context_values.context_value checks that the name before the slot says secret and judges
the literal as a literal under that name, as an environment variable's default is."""

from __future__ import annotations

import re

from bot.secrets.patterns import QUOTED_ARGUMENT, TokenPattern

TEMPLATE_DEFAULT = "secret as a template's default"

# The name a slot is assigned to (a YAML key, a Jinja variable), then the slot's opening.
_NAME_AND_SLOT = r"(?P<name>[A-Za-z_][\w.\-]{0,80})[\"']?[ \t]*[:=][ \t]*[\"']?\{\{-?[ \t]*"
# What may stand in the slot before its default: a value's path, a lookup, other filters.
_BEFORE_DEFAULT = r"[^{}\n|]{0,200}(?:\|[^{}\n|]{0,200}){0,4}?\|[ \t]*"


def _slot(regex: str) -> TokenPattern:
    return TokenPattern(
        TEMPLATE_DEFAULT,
        re.compile(_NAME_AND_SLOT + regex),
        keywords=("{{",),
        on_keyword_lines=True,  # (the name's class opens the pattern: only where `{{` is)
    )


TEMPLATE_DEFAULT_PATTERNS: tuple[TokenPattern, ...] = (
    # `x | default "…"` (Go templates, Helm), `x | default('…')`, `x | d('…')` (Jinja)
    _slot(_BEFORE_DEFAULT + r"(?:default|d)(?:[ \t]*\([ \t]*|[ \t]+)" + QUOTED_ARGUMENT),
    # `default "…" x` (Go templates' call form)
    _slot(r"default[ \t]+" + QUOTED_ARGUMENT),
    # `'…' | password_hash('sha512')`, `"…" | b64enc`: the literal the slot writes
    _slot(QUOTED_ARGUMENT + r"[ \t]*\|"),
)
