"""A value's name is read the same whatever syntax writes it: a name that says "not a
secret" lets a random value through in `define('n', …)`, a Kubernetes entry or
`setenv("n", …)` as it does in `n = "…"`; a query parameter or a curl header holding a
dotted name or a typed stand-in is judged as an assignment's value is."""

from __future__ import annotations

import random
import string

import pytest

from bot.secrets import find_secrets, redact

_RANDOM = random.Random("named elsewhere")


def _drawn(n: int) -> str:
    return "".join(_RANDOM.choice(string.ascii_letters + string.digits) for _ in range(n))


def _found(text: str, path: str) -> list[tuple[str, str]]:
    return [(h.kind, text[h.start : h.end]) for h in find_secrets(text, path)]


_SYNTAXES = [
    ("src/config.php", "define('{n}', '{v}');\n"),
    ("src/app.go", '\tos.Setenv("{n}", "{v}")\n'),
    ("deploy/api.yaml", '          env:\n            - name: {n}\n              value: "{v}"\n'),
    ("src/app.py", 'os.environ.setdefault("{n}", "{v}")\n'),
    # a request's header, a settings library's, a test's environment, configparser's option
    ("src/client.go", '\treq.Header.Set("{n}", "{v}")\n'),
    ("src/api.js", "xhr.setRequestHeader('{n}', '{v}');\n"),
    ("src/config.go", '\tviper.SetDefault("{n}", "{v}")\n'),
    ("app/src/main/java/Prefs.java", '        editor.putString("{n}", "{v}");\n'),
    ("src/setup.ts", 'vi.stubEnv("{n}", "{v}")\n'),
    ("lib/boot.rb", "ENV.store('{n}', '{v}')\n"),
    ("src/settings.py", 'cfg.set("database", "{n}", "{v}")\n'),
]


@pytest.mark.parametrize(("path", "template"), _SYNTAXES)
@pytest.mark.parametrize("name", ["public_key", "LOOKUP_TABLE", "ROUTE_NAME"])
def test_a_random_value_under_a_name_that_says_public_or_metadata_is_let_through(
    path: str, template: str, name: str
) -> None:
    value = _drawn(43)
    # The assignment has always let it through: the high-entropy layer reads the name.
    assert _found(f'{name} = "{value}"\n', "src/app.py") == []
    assert _found(template.format(n=name, v=value), path) == []


@pytest.mark.parametrize(("path", "template"), _SYNTAXES)
def test_a_random_value_under_a_neutral_name_is_still_reported(path: str, template: str) -> None:
    value = _drawn(43)
    text = template.format(n="SERVICE_CONFIG", v=value)
    assert [v for _, v in _found(text, path)] == [value]
    assert value not in redact(text, path).text


@pytest.mark.parametrize(("path", "template"), _SYNTAXES)
def test_a_secret_named_value_is_reported_in_every_syntax(path: str, template: str) -> None:
    value = _drawn(40)
    assert [v for _, v in _found(template.format(n="API_TOKEN", v=value), path)] == [value]


def test_a_dotted_name_in_a_query_or_a_curl_header_is_not_a_key() -> None:
    for text in (
        'fetch("https://api.example.com/v1/search?key=jetbrains.mps.v8_elimination")\n',
        'curl -H "Key: jetbrains.mps.v8_elimination" https://api.example.com/v1\n',
    ):
        assert _found(text, "scripts/call.js") == []
    key = _drawn(32)
    for text in (
        f'fetch("https://api.example.com/v1/search?key={key}")\n',
        f'curl -H "X-Api-Key: {key}" https://api.example.com/v1\n',
    ):
        assert [v for _, v in _found(text, "scripts/call.js")] == [key]


def test_a_query_parameter_gets_the_verdict_its_assignment_gets() -> None:
    # A value typed to a key's length and shape is reported under a key's name (semgrep's
    # and Kingfisher's tests label such values secrets); a URL does not change that.
    typed = "abcdefghij1234567890abcdefghij123456"
    assert [v for _, v in _found(f'sslmate_key = "{typed}"\n', "src/app.js")] == [typed]
    url = f'fetch("https://api.sslmate.com/v2/certs?sslmate_key={typed}")\n'
    assert [v for _, v in _found(url, "src/app.js")] == [typed]


def test_a_typed_stand_in_in_a_query_is_turned_down_as_in_an_assignment() -> None:
    stand_in = "1234567890abcdef1234567890abcdef1234567890abcdefextra"
    assert _found(f'secret_access_key = "{stand_in}"\n', "src/app.py") == []
    url = f'fetch("https://s3.example.com/b?secret_access_key={stand_in}")\n'
    assert _found(url, "src/app.js") == []
    drawn = _drawn(40)
    url = f'fetch("https://s3.example.com/b?secret_access_key={drawn}")\n'
    assert [v for _, v in _found(url, "src/app.js")] == [drawn]


@pytest.mark.parametrize(("path", "template"), [*_SYNTAXES, ("conf/app.xml", "<{n}>{v}</{n}>\n")])
@pytest.mark.parametrize(
    ("name", "value"),
    [
        # Code and names under a secret's name, as real repositories write them: gitleaks'
        # generic allow-list turns them down in an assignment, and now wherever they are named.
        ("ACCESS_TOKEN", "Token::ASSIGN"),
        ("credentials", "playerCredentials"),
        ("GITHUB_TOKEN", "YourGitHubTokenWithAccess"),
    ],
)
def test_a_named_value_an_assignment_lets_through_is_let_through_in_every_syntax(
    path: str, template: str, name: str, value: str
) -> None:
    assert _found(f'{name} = "{value}"\n', "src/app.py") == []
    assert _found(template.format(n=name, v=value), path) == []


@pytest.mark.parametrize(("path", "template"), _SYNTAXES)
def test_a_password_is_any_word_whatever_syntax_names_it(path: str, template: str) -> None:
    # A password may be a word the allow-list holds: neither the assignment nor a named
    # construct turns it down for that.
    assert [v for _, v in _found('DB_PASSWORD = "playerCredentials"\n', "src/app.py")] == [
        "playerCredentials"
    ]
    text = template.format(n="DB_PASSWORD", v="playerCredentials")
    assert [v for _, v in _found(text, path)] == ["playerCredentials"]


def test_terraforms_password_field_meets_an_assigned_passwords_rules() -> None:
    # gitleaks' Terraform rule takes any quoted 8-20 characters under a password's name.
    for stand_in in ("my_password", "test-password", "changeme123"):
        assert _found(f'  password = "{stand_in}"\n', "infra/main.tf") == []
        assert _found(f'password = "{stand_in}"\n', "src/app.py") == []
    text = '  administrator_login_password = "Xk9mQvL8pR4t"\n'
    assert [v.strip('"') for _, v in _found(text, "infra/main.tf")] == ["Xk9mQvL8pR4t"]
    assert "Xk9mQvL8pR4t" not in redact(text, "infra/main.tf").text


@pytest.mark.parametrize("value", ["react-apollo", "first-proj", "_rails_app_session", "x-number"])
def test_a_name_in_a_curl_header_is_not_a_key(value: str) -> None:
    # gitleaks' curl rule takes any 8 characters after `Key:` or `Token:`; a key is
    # machine-made, as Switchyard's own header patterns require.
    assert _found(f'curl -H "Key: {value}" https://api.example.com/v1\n', "run.sh") == []


def test_a_machine_made_key_in_a_curl_header_is_still_reported() -> None:
    uuid = "3f2b8c1e-9d4a-4e7b-a1c6-5d8e2f0b7a94"
    token = _drawn(32)
    for value in (uuid, token):
        text = f'curl -H "X-Api-Key: {value}" https://api.example.com/v1\n'
        assert value in [v for _, v in _found(text, "run.sh")]
        assert value not in redact(text, "run.sh").text


@pytest.mark.parametrize(("path", "template"), _SYNTAXES)
@pytest.mark.parametrize("name", ["jsapi_ticket", "oauth_verifier", "nkey"])
def test_a_name_gitleaks_generic_rule_reads_counts_in_every_syntax(
    path: str, template: str, name: str
) -> None:
    # An assignment takes gitleaks' generic rule's names too (a word anywhere in the name:
    # `jsapi_ticket`); a construct that names its value takes the same. (Upper-case base32,
    # as a NATS key is: no mix of cases for the high-entropy layer to take it by; no vowel,
    # so that no word of gitleaks' stopwords is spelled by chance.)
    value = "".join(_RANDOM.choice("BCDFGHJKLMNPQRSTVWXZ234567") for _ in range(56))
    assert [v for _, v in _found(f'{name} = "{value}"\n', "src/app.py")] == [value]
    assert [v for _, v in _found(template.format(n=name, v=value), path)] == [value]


@pytest.mark.parametrize(("path", "template"), _SYNTAXES)
def test_a_low_entropy_value_under_such_a_name_is_not_taken(path: str, template: str) -> None:
    # As gitleaks' rule asks: its value characters and its entropy (`0xC000090A`, an
    # error code under `STATUS_NO_KEY`).
    assert _found('STATUS_NO_KEY = "0xC000090A"\n', "src/app.py") == []
    assert _found(template.format(n="STATUS_NO_KEY", v="0xC000090A"), path) == []


@pytest.mark.parametrize(
    "before",
    [
        "monkeypatch.setenv",  # `monkey` holds `key`: gitleaks allow-lists the word
        "rapidClient.setProperty",  # `rapid` holds `api`
        "author_config.put",
    ],
)
def test_a_word_the_allow_list_holds_before_the_name_does_not_let_the_value_through(
    before: str,
) -> None:
    # gitleaks' match opens at the name (its generic rule takes `,` as an operator), so its
    # allow-list is read over `"API_KEY", "…"`, not over what stands before the call.
    value = _drawn(40)
    text = f'{before}("API_KEY", "{value}")\n'
    assert [v for _, v in _found(text, "tests/test_app.py")] == [value]
    assert value not in redact(text, "tests/test_app.py").text
