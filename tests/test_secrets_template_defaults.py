"""A literal in a template's slot under a secret's name (bot/secrets/template_defaults.py):
Helm's and Go templates' `default`, Jinja's (Ansible's) `default(…)`, a literal piped
through a filter, a fallback's last operand (GitHub Actions' `${{ secrets.X || '…' }}`).
A slot reads as a reference, so the literal in it was let through; it is the secret every
install (or every run without the secret) gets. Values are drawn at run time."""

from __future__ import annotations

import random
import string

import pytest

from bot.secrets import find_secrets, mask

_RNG = random.Random("template-defaults")
V = "".join(_RNG.choice(string.ascii_letters) for _ in range(10)) + "4Q9"

FOUND = [
    (
        "charts/app/templates/secret.yaml",
        f'  password: {{{{ .Values.db.password | default "{V}" | b64enc }}}}',
    ),
    (
        "charts/app/templates/secret.yaml",
        f'  password: {{{{ default "{V}" .Values.db.password | b64enc }}}}',
    ),
    ("group_vars/all.yml", f"db_password: \"{{{{ vault_db_password | default('{V}') }}}}\""),
    (
        "roles/db/tasks/main.yml",
        f"    api_token: \"{{{{ lookup('env', 'API_TOKEN') | d('{V}') }}}}\"",
    ),
    ("roles/users/tasks/main.yml", f"    password: \"{{{{ '{V}' | password_hash('sha512') }}}}\""),
    # a fallback's last operand: GitHub Actions' expression, Jinja's `or`
    (".github/workflows/ci.yml", f"      DB_PASSWORD: ${{{{ secrets.DB_PASSWORD || '{V}' }}}}"),
    ("group_vars/all.yml", f"db_password: \"{{{{ vault_db_password or '{V}' }}}}\""),
]


@pytest.mark.parametrize(("path", "line"), FOUND)
def test_a_literal_in_a_slot_under_a_secrets_name_is_found_and_masked(path: str, line: str) -> None:
    text = line + "\n"
    assert [text[h.start : h.end] for h in find_secrets(text, path)] == [V]
    assert V not in mask(text, path)


LOOK_ALIKES = [
    # no literal: a value, a generated one, a filter's argument
    "  password: {{ .Values.db.password | b64enc | quote }}",
    "  password: {{ .Values.password | default (randAlphaNum 16) | b64enc }}",
    'db_password: "{{ vault_db_password | default(omit) }}"',
    # placeholders and sentinels, as an assignment's or an environment default's
    "db_password: \"{{ vault_db_password | default('changeme') }}\"",
    '  password: {{ .Values.db.password | default "not-set" }}',
    "db_password: \"{{ vault_db_password | default('') }}\"",
    # a fallback to a value, to nothing, to a sentinel; a condition's operands
    "      TOKEN: ${{ secrets.GH_TOKEN || github.token }}",
    "      API_KEY: ${{ secrets.API_KEY || '' }}",
    "      token: ${{ secrets.NPM_TOKEN || 'not-set' }}",
    "      SECRET_NAME: ${{ inputs.env == 'prod' && 'PROD_TOKEN' || 'DEV_TOKEN' }}",
    # a name that says no secret
    '  image: {{ .Values.image | default "nginx:1.25" }}',
    f'  username: {{{{ .Values.user | default "{V}" }}}}',
]


@pytest.mark.parametrize("line", LOOK_ALIKES)
def test_what_a_slot_holds_that_is_no_secret_is_not_flagged(line: str) -> None:
    assert find_secrets(line + "\n", "charts/app/templates/secret.yaml") == []
