"""A secret's value on the lines after its name (bot/secrets/wrapped.py): formatters wrap
long assignments after the operator, heredocs and triple-quoted strings put the value
below the name. Values are drawn at run time; none is a real credential."""

from __future__ import annotations

import random
import string

import pytest

from bot.secrets import find_secrets, redact

_RNG = random.Random("wrapped-values")


def _drawn(n: int = 24) -> str:
    """A generated password: letters, digits and a few symbols, never a word."""
    while True:
        value = "".join(
            _RNG.choice(string.ascii_letters + string.digits + "!@#%") for _ in range(n)
        )
        if any(c.isdigit() for c in value) and any(c.isupper() for c in value):
            return value


V = _drawn()

# (path, text): each holds V once, below the name it is assigned to.
WRAPPED = [
    ("src/upload.ts", f"const fields = {{\n  'x-api-token':\n    '{V}',\n}};\n"),
    ("src/Db.java", f'    String password =\n        "{V}";\n'),
    ("app/settings.py", f'DB_PASSWORD = (\n    "{V}"\n)\n'),
    ("app/settings.py", f'DB_PASSWORD = (\n    "{V}"  # production\n)\n'),
    ("cmd/main.go", f'\tapiKey :=\n\t\t"{V}"\n'),
    ("config/app.php", f"    'password' =>\n        '{V}',\n"),
    ("lib/client.rb", f"  secret_token:\n    '{V}',\n"),
    ("infra/db.tf", f'resource "x" "y" {{\n  password = <<EOF\n{V}\nEOF\n}}\n'),
    ("infra/db.tf", f"  password = <<-EOT\n    {V}\n  EOT\n"),
    ("lib/seed.rb", f"password = <<~SQL\n  {V}\nSQL\n"),
    ("config.toml", f'password = """{V}"""\n'),
    ("config.toml", f"password = '''{V}'''\n"),
    ("config.toml", f'password = """\n{V}"""\n'),
    ("config.toml", f'password = """\n{V}\n"""\n'),
    # a line continuation after the operator: Python's, a shell's
    ("app/settings.py", f'API_TOKEN = \\\n    "{V}"\n'),
    ("deploy.sh", f"export API_TOKEN=\\\n  '{V}'\n"),
    # a YAML plain scalar alone on the line below its key, indented deeper
    ("deploy/values.yaml", f"db:\n  password:\n    {V}\n  user: app\n"),
    ("deploy/values.yaml", f"db:\n  api_token:\n    {V}  # rotated\n"),
    # a unified diff's added lines, and CRLF line ends
    ("src/Db.java", f'+    String password =\n+        "{V}";\n'),
    ("src/Db.java", f'    String password =\r\n        "{V}";\r\n'),
]


@pytest.mark.parametrize(("path", "text"), WRAPPED)
def test_a_value_below_its_name_is_found_and_redacted(path: str, text: str) -> None:
    hits = find_secrets(text, path)
    assert [text[h.start : h.end] for h in hits] == [V]
    assert hits[0].line == text[: text.index(V)].count("\n") + 1
    out = redact(text, path)
    assert V not in out.text
    assert out.text.count("\n") == text.count("\n")  # every line kept


LOOK_ALIKES = [
    # references and placeholders meet the rules they meet on one line
    ("src/app.js", "const password =\n  `${process.env.DB_PASSWORD}`;\n"),
    ("src/app.js", 'const password =\n  "changeme";\n'),
    ("src/app.js", 'const token =\n  "<your token here>";\n'),
    # weak fixtures in a test
    ("tests/test_login.py", 'password = (\n    "hunter2"\n)\n'),
    # not a literal: a call, a literal joined to code
    ("src/app.py", "password =\n    getpass.getpass()\n"),
    ("src/app.js", f'const token =\n  "{V[:12]}" +\n  suffix;\n'),
    ("src/app.js", f'const token =\n  "{V[:12]}"\n  + suffix;\n'),
    # a heredoc of several lines is a script or a document, not a password
    ("infra/init.tf", "  user_data = <<EOF\n#!/bin/sh\necho hello\nEOF\n"),
    ("infra/db.tf", "  password = <<EOF\n${var.db_password}\nEOF\n"),
    # a name inside a string's text is no assignment
    ("src/doc.py", 'HELP = """\npassword = "x"\n"""\n'),
    ("src/app.py", "API_TOKEN = \\\n    get_token()\n"),
    # YAML: a nested mapping, the next key, a scalar folded over lines, a reference
    ("deploy/values.yaml", "db:\n  password:\n    valueFrom: vault\n"),
    ("deploy/values.yaml", "db:\n  password:\n  user: app\n"),
    ("deploy/values.yaml", f"db:\n  password:\n    {V[:10]}\n    and more words\n"),
    ("deploy/values.yaml", "db:\n  password:\n    ${DB_PASSWORD}\n"),
    # a message under a token's name
    ("src/err.ts", "const token =\n  'Invalid token provided, try again';\n"),
]


@pytest.mark.parametrize(("path", "text"), LOOK_ALIKES)
def test_what_is_not_a_secret_below_a_name_is_not_flagged(path: str, text: str) -> None:
    assert find_secrets(text, path) == []


def test_a_long_value_below_its_name_is_found_whole() -> None:
    """A refresh token as Prettier wraps it: a thousand characters with dots in them, so no
    entropy run sees it whole."""
    urlsafe = string.ascii_letters + string.digits + "-_"
    value = ".".join("".join(_RNG.choice(urlsafe) for _ in range(n)) for n in (60, 900))
    text = f"      tokens: {{\n        refresh_token:\n          '{value}',\n"
    hits = find_secrets(text, "cypress/e2e/upload.cy.js")
    assert [text[h.start : h.end] for h in hits] == [value]


def test_a_value_beside_its_name_is_reported_once() -> None:
    text = f'password = "{V}"\ntoken =\n  "{_drawn(32)}"\n'
    hits = find_secrets(text, "src/app.py")
    assert [h.line for h in hits] == [1, 3]


def test_a_leading_dash_is_the_values_own_outside_a_diff() -> None:
    value = "-" + V
    text = f"password = <<EOF\n{value}\nEOF\n"
    assert [text[h.start : h.end] for h in find_secrets(text, "infra/db.tf")] == [value]
    diff = f"+password = <<EOF\n+{value}\n+EOF\n"
    assert [diff[h.start : h.end] for h in find_secrets(diff, "infra/db.tf")] == [value]
