"""Lines of public repositories' files that Samsung's CredData labels nothing and that were
reported (bench/secrets_creddata_unlabelled.py's tune listing): code around a secret's
name, not a secret. Each line is written here in the shape seen, with its own names and
values; beside each, the same place holding a secret is still reported.
"""

from __future__ import annotations

import pytest

from bot.secrets import find_secrets


def _reported(text: str, path: str) -> list[str]:
    return [text[h.start : h.end] for h in find_secrets(text, path)]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # Ruby's namespace separator after `credentials:`, not a user and a password
        (
            "config/initializers/s3.rb",
            "  credentials: Aws::Credentials.new(conf[Rails.env]['key_id'], conf['secret_key'])\n",
        ),
        # SQL built by closing the string and splicing a request's field in
        (
            "api/Login.php",
            "$q = \"select * from users where name='\" . $_GET['name'] .\"' and "
            "password='\" . $_GET['password'] .\"'\";\n",
        ),
        (
            "routes/login.js",
            'const q = "SELECT * FROM users WHERE password=\'"+req.body.password+"\'";\n',
        ),
        # Ansible's free-form module arguments: a public key's address
        (
            "roles/db/tasks/main.yml",
            "- name: repository key\n  apt_key: url=https://www.pkgrepo.org/media/keys/ACCC4CF8.asc\n",
        ),
        # a statement in a Markdown code block: the value is a variable
        ("docs/middleware.md", "```js\npayload.password = hashedPassword;\n```\n"),
        ("docs/endpoints.md", "await api.update(model, id, {password: hashedPassword}, log)\n"),
        # values nobody picks: a Rails duration, an HTTP grammar's rule, a minified
        # bundle's name in dunders, a mock generator's call
        (".env.example", "RESET_PASSWORD_WITHIN=6.hours\n"),
        ("rfc/http-semantics.md", "     token = 1*tchar\n"),
        ("dist/player.js", 'var pw="__closure_events_fn_"+(1E6*Math.random()>>>0);\n'),
        ("src/mock/users.ts", "  password: '@word(6)',\n"),
        # Go's import alias; WebLogic Deploy Tooling's file token; Markdown's emphasis
        # around a URL's placeholder
        (
            "pkg/api/handler.go",
            'import (\n\tcredential "github.com/acme/cloudkit/credentials"\n)\n',
        ),
        (
            "model/domain.yaml",
            "    AdminPassword: '@@FILE:/u01/oracle/properties/adminpass.properties@@'\n",
        ),
        ("docs/connecting/userpass.md", "> nats://_user_:_password_@server:port\n"),
        # a README's status badge and its read-only token, made to be published with it
        (
            "README.md",
            "[![CircleCI](https://circleci.com/gh/acme/tool.svg?style=svg&circle-token="
            "e48019e09fc3b8bf6e0315a84048501c8c2ab6e2)](https://circleci.com/gh/acme/tool)\n",
        ),
        # a JWE's ciphertext in a doc comment; a DNS-01 challenge's TXT value (a digest)
        ("src/jwe/decrypt.ts", " *   ciphertext: 'Xq4zTn8vPw2mLc7RbK5sYd9HfJ3aUe6GgQ1oVi0Nt',\n"),
        (
            "providers/dns/exec.toml",
            './update-dns.sh "present" "_acme-challenge.my.example.org." '
            '"Ms8jOYZxqyjGnFGwhjrhfgXgbl5r68WPda0J9EgqqI"\n',
        ),
        # a WebLogic MBean path whose segments end in an acronym
        (
            "scripts/config.py",
            "cd('/JdbcSystemResource/app-audit-viewDS/JdbcDriverParams/NO_NAME_0')\n",
        ),
        # a test that checks a key's header, long names on the lines after it; a
        # command line's flag after `-p password`, a `machine` three lines above
        (
            "src/test/java/RegenerateTest.java",
            '    assertTrue(rsa.getPrivateKey().contains("-----BEGIN RSA PRIVATE KEY-----"));\n'
            "    assertThat(originalCredential.getPublicKey(), not(equalTo(rsa.getKey())));\n",
        ),
        (
            "docker/README.md",
            "Log in on machine ci-01, then:\n\n"
            "`credhub login -s https://localhost:9000 -u credhub -p password --ca-cert ca.pem`\n",
        ),
        # A minified bundle's form handler: `user=…;` and `password=` as properties set in
        # code, not a connection string's fields
        (
            "static/js/chunk-4c1e.js",
            "load:function(){var e=this;g().then(function(t){e.form.user=t.data.user});"
            'save:function(){var e=this;e.form.password=null,e.$nextTick(function(){e.$refs["f"]'
            ".clearValidate()})}\n",
        ),
    ],
)
def test_code_around_a_secrets_name_is_not_reported(path: str, text: str) -> None:
    assert find_secrets(text, path) == []


@pytest.mark.parametrize(
    ("path", "text", "value"),
    [
        ("notes.md", "credentials: deploy:Kq8vM2xZ7wTp\n", "Kq8vM2xZ7wTp"),
        (
            "api/Login.php",
            "$q = \"select * from users where password='Kq8vM2xZ7wTp'\";\n",
            "Kq8vM2xZ7wTp",
        ),
        (
            "roles/db/tasks/main.yml",
            "- name: repository key\n  apt_key: Kq8vM2xZ7wTp=Lm4Rv9\n",
            "Kq8vM2xZ7wTp=Lm4Rv9",
        ),
        ("docs/setup.md", "```sh\nDB_PASSWORD=Kq8vM2xZ7wTp;\n```\n", "Kq8vM2xZ7wTp"),
        ("docs/endpoints.md", "api.update(id, {password: Kq8vM2xZ7wTp})\n", "Kq8vM2xZ7wTp"),
        (".env.example", "RESET_PASSWORD=6.hoursKq8vM2x\n", "6.hoursKq8vM2x"),
        ("src/mock/users.ts", "  password: '@Kq8vM2xZ7wTp',\n", "@Kq8vM2xZ7wTp"),
        (
            "README.md",
            "see https://api.acme.io/v1/items?style=svg&api_token=e48019e09fc3b8bf6e0315a84\n",
            "e48019e09fc3b8bf6e0315a84",
        ),
        ("src/Db.cs", 'var cs = "Server=db;User Id=sa;Password=Kq8vM2xZ7wTp;";\n', "Kq8vM2xZ7wTp"),
        (
            "src/jwe/decrypt.ts",
            " *   secret: 'Xq4zTn8vPw2mLc7RbK5sYd9HfJ3aUe6GgQ1oVi0Nt',\n",
            "Xq4z",
        ),
    ],
)
def test_the_same_places_with_a_secret_are_still_reported(path: str, text: str, value: str) -> None:
    assert any(value in found for found in _reported(text, path)), _reported(text, path)
