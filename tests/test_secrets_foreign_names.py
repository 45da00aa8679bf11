"""A password named in the language its code is written in (`DB_SENHA`, `passwort`,
`contraseña`, `mot_de_passe`), or a passcode, is a password, as `DB_PASSWORD` is; the
same names over a form's label, a reference or a word that only holds the letters are
not."""

from __future__ import annotations

import pytest

from bot.secrets import find_secrets, redact
from tests.drawn import NAMED_SETTINGS

VALUE = "Xk9Qv7mZ2pW4"


@pytest.mark.parametrize(
    "name",
    [
        "DB_SENHA", "senhaBanco", "passwort", "DB_KENNWORT", "contraseña", "contrasena",
        "mot_de_passe", "motDePasse", "wachtwoord", "lösenord", "salasana", "adgangskode",
        "passord", "heslo", "jelszó", "db_sifre",
        # and English's other word for one
        "passcode", "devicePasscode",
    ],
)  # fmt: skip
@pytest.mark.parametrize(("path", "template"), NAMED_SETTINGS)
def test_a_password_named_in_another_language_is_masked(
    name: str, path: str, template: str
) -> None:
    text = template.format(n=name, v=VALUE)
    assert [h.kind for h in find_secrets(text, path)] == ["password assignment"]
    assert VALUE not in redact(text, path).text


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("config/pt.yml", 'senha: "Digite sua senha"\n'),
        ("src/form.js", 'labelSenha = "Informe a senha"\n'),
        ("app/views.py", 'senha = request.form["senha"]\n'),
        (".env", "DB_SENHA=${DB_SENHA}\n"),
        ("config/nl.yml", "wachtwoord: Wachtwoord vergeten?\n"),
        # the letters inside a longer word are no name
        ("src/consts.py", 'statusEnhancementsPreview = "application/vnd.github.flash+json1"\n'),
    ],
)
def test_labels_references_and_look_alike_names_are_not_passwords(path: str, text: str) -> None:
    assert find_secrets(text, path) == []
