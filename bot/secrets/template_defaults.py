"""A literal in a template's slot under a secret's name: Helm's and Go templates'
`password: {{ .Values.db.password | default "…" }}` and `{{ default "…" .Values.x }}`,
Jinja's (Ansible, Salt) `db_password: "{{ vault_db_password | default('…') }}"`, a
literal piped through a filter, `password: "{{ '…' | password_hash('sha512') }}"`, and a
fallback's last operand, GitHub Actions' `${{ secrets.DB_PASSWORD || '…' }}`. A slot
is a reference, so the value was let through as one; the literal in it is the secret for
every install that sets nothing, or for every one. contexts.py runs them;
context_values.context_value checks that the name before the slot says secret and judges
the literal as a literal under that name, as an environment variable's default is."""

from __future__ import annotations

import re

from bot.secrets.patterns import QUOTED_ARGUMENT, TokenPattern

TEMPLATE_DEFAULT = "secret as a template's default"

# The name a slot is assigned to (a YAML key, a Jinja variable), then the slot's opening
# (GitHub Actions' expressions open with `${{`).
_NAME_AND_SLOT = r"(?P<name>[A-Za-z_][\w.\-]{0,80})[\"']?[ \t]*[:=][ \t]*[\"']?\$?\{\{-?[ \t]*"
# What may stand in the slot before its default: a value's path, a lookup, other filters.
_BEFORE_DEFAULT = r"[^{}\n|]{0,200}(?:\|[^{}\n|]{0,200}){0,4}?\|[ \t]*"


def _slot(regex: str) -> TokenPattern:
    return TokenPattern(
        TEMPLATE_DEFAULT,
        re.compile(_NAME_AND_SLOT + regex),
        keywords=("{{",),
        # (the name's class opens the pattern, tried at each position: only near a `{{`,
        # far enough for a name before it and a slot's text and default after it)
        on_keyword_lines=True,
        reach=512,
    )


TEMPLATE_DEFAULT_PATTERNS: tuple[TokenPattern, ...] = (
    # `x | default "…"` (Go templates, Helm), `x | default('…')`, `x | d('…')` (Jinja)
    _slot(_BEFORE_DEFAULT + r"(?:default|d)(?:[ \t]*\([ \t]*|[ \t]+)" + QUOTED_ARGUMENT),
    # `default "…" x` (Go templates' call form)
    _slot(r"default[ \t]+" + QUOTED_ARGUMENT),
    # `'…' | password_hash('sha512')`, `"…" | b64enc`: the literal the slot writes
    _slot(QUOTED_ARGUMENT + r"[ \t]*\|"),
    # the last operand of a fallback, closing the slot: GitHub Actions' `${{ secrets.X ||
    # '…' }}` (a fork's run, or any without the secret, gets the literal), Jinja's `x or '…'`
    _slot(r"[^{}\n]{0,200}?(?:\|\||\bor\b)[ \t]*" + QUOTED_ARGUMENT + r"[ \t]*-?\}\}"),
)
