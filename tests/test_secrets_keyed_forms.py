"""A secret's name and value in a platform's own key/value form (bot/secrets/keyed_forms.py),
a setting that opens a command, and R's and F#'s `<-`. Values are drawn here; none is a
real credential."""

from __future__ import annotations

import random

import pytest

from bot.secrets import find_secrets
from tests.drawn import drawn_key

_RANDOM = random.Random("keyed-forms")


def _r(n: int) -> str:
    return drawn_key(_RANDOM, n)


KEY = _r(32)
PASSWORD = _r(11) + "#"

FOUND = [
    # Java's XML properties (Properties.storeToXML)
    ("conf/app.xml", f'  <entry key="db.password">{PASSWORD}</entry>', PASSWORD),
    # an Apple property list, the value on the next line as Xcode writes it
    ("App/Info.plist", f"\t<key>ClientSecret</key>\n\t<string>{KEY}</string>", KEY),
    # Android Gradle's generated fields, Groovy and Kotlin DSL
    ("app/build.gradle", f'buildConfigField "String", "API_KEY", "\\"{KEY}\\""', KEY),
    ("app/build.gradle.kts", f'buildConfigField("String", "API_SECRET", "\\"{KEY}\\"")', KEY),
    ("app/build.gradle", f'resValue "string", "api_secret", "{KEY}"', KEY),
    # .NET's application settings, the value below its setting as Visual Studio writes it
    (
        "App.config",
        f'<setting name="ApiToken" serializeAs="String">\n  <value>{KEY}</value>',
        KEY,
    ),
    # Hadoop's configuration, the value on the line below its name as it is written
    (
        "conf/hive-site.xml",
        "<property>\n  <name>javax.jdo.option.ConnectionPassword</name>\n"
        f"  <value>{PASSWORD}</value>\n</property>",
        PASSWORD,
    ),
    ("conf/core-site.xml", f"<property><name>fs.s3a.secret.key</name><value>{KEY}</value>", KEY),
    # an element named by its `name` attribute
    ("conf/server.xml", f'<property name="password">{PASSWORD}</property>', PASSWORD),
    # Clojure's and EDN's maps
    ("resources/config.edn", f'{{:db {{:user "app" :password "{PASSWORD}"}}}}', PASSWORD),
    # Erlang's sys.config, Elixir's keyword tuples
    ("config/sys.config", f'[{{my_app, [{{db, [{{password, "{PASSWORD}"}}]}}]}}].', PASSWORD),
    ("config/prod.exs", f'config :app, Repo, [{{:password, "{PASSWORD}"}}]', PASSWORD),
    # a setting that opens a Procfile's command, a Compose command's
    ("Procfile", f"web: API_KEY={KEY} node index.js", KEY),
    ("docker-compose.yml", f"    command: API_SECRET={KEY} ./run.sh", KEY),
    # a daemon's directive and its one argument (keepalived, bitcoind)
    ("etc/keepalived/keepalived.conf", f"    auth_pass {PASSWORD}", PASSWORD),
    ("bitcoin.conf", f"rpcpassword {PASSWORD}", PASSWORD),
    # an Azure Resource Manager parameters file, on one line or over three
    ("azuredeploy.parameters.json", f'"adminPassword": {{ "value": "{PASSWORD}" }}', PASSWORD),
    (
        "infra/main.parameters.json",
        f'"parameters": {{\n  "sqlAdminPassword": {{\n    "value": "{PASSWORD}"\n  }}\n}}',
        PASSWORD,
    ),
    # R's and F#'s `<-`
    ("R/db.R", f'password <- "{PASSWORD}"', PASSWORD),
    ("src/Db.fs", f'conn.Password <- "{PASSWORD}"', PASSWORD),
]


@pytest.mark.parametrize(("path", "text", "value"), FOUND)
def test_a_secret_in_a_platforms_key_value_form_is_found(path: str, text: str, value: str) -> None:
    assert [text[h.start : h.end] for h in find_secrets(text, path)] == [value]


NOT_SECRETS = [
    (
        "conf/core-site.xml",
        "<name>fs.s3a.endpoint</name>\n<value>s3.eu-west-1.amazonaws.com</value>",
    ),
    (
        "conf/hive-site.xml",
        "<name>javax.jdo.option.ConnectionPassword</name><value>${DB_PW}</value>",
    ),
    # C#'s documentation comments, and a sentence that a file's name breaks
    ("src/Certs.cs", '/// <param name="password">The password of the .pfx file</param>'),
    ("src/Certs.cs", '/// <param name="apiKey">ak_live_Rk29XmP4qLz8Tn</param>'),
    ("conf/app.xml", "<password>Set a password for the .pfx file.</password>"),
    # an Android app's button: its name holds no secret's word
    (
        "app/src/main/res/values/strings.xml",
        '<string name="save_credential">Save\\nCredential</string>',
    ),
    ("conf/app.xml", '<entry key="db.password">${DB_PASSWORD}</entry>'),
    ("conf/app.xml", '<entry key="db.user">app_service_account</entry>'),
    ("App/Info.plist", "<key>CFBundleName</key>\n<string>MyApp</string>"),
    ("App.config", '<setting name="WindowTitle" serializeAs="String"><value>Main</value>'),
    ("src/app/core.clj", '{:password (System/getenv "DB_PASSWORD") :token-url "https://x/t"}'),
    ("App/Info.plist", "<key>APIKey</key>\n<string>$(API_KEY)</string>"),
    ("app/build.gradle", 'buildConfigField "String", "API_KEY", "\\"${apiKey}\\""'),
    ("app/build.gradle", 'buildConfigField "String", "API_KEY", "\\"" + apiKey + "\\""'),
    ("app/build.gradle", 'buildConfigField "String", "BASE_URL", "\\"https://api.example.org\\""'),
    ("config/sys.config", '{db, [{password, ""}, {user, "app"}]}'),
    ("config/sys.config", '{db, [{password, "changeme"}]}'),
    ("R/db.R", 'password <- Sys.getenv("DB_PASSWORD")'),
    ("etc/keepalived/keepalived.conf", "    auth_type PASS"),
    ("etc/nginx/nginx.conf", "    ssl_password_file /etc/keys/global.pass;"),
    ("etc/app.conf", "password required"),
    ("etc/app.conf", "api_key YOUR_API_KEY"),
    ("cmd/main.go", 'tokens <- "next"'),
    ("azuredeploy.parameters.json", '"location": { "value": "westeurope" }'),
    ("azuredeploy.parameters.json", '"adminPassword": { "reference": { "secretName": "db" } }'),
    ("azuredeploy.parameters.json", '"adminPassword": { "value": "[parameters(\'pw\')]" }'),
    # a template's expression is a reference to a value given elsewhere
    ("azuredeploy.json", '"adminPassword": "[parameters(\'adminPassword\')]"'),
]


@pytest.mark.parametrize(("path", "text"), NOT_SECRETS)
def test_a_reference_or_a_plain_setting_in_those_forms_is_not_a_secret(
    path: str, text: str
) -> None:
    assert find_secrets(text, path) == []


# What WordPress's generator (api.wordpress.org/secret-key/1.1/salt/) writes: 64 printable
# characters, neither quote nor backslash.
_WP_ALPHABET = "".join(chr(c) for c in range(33, 127) if chr(c) not in "'\"\\")
WP_NAMES = [
    "AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
    "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT",
]  # fmt: skip


def test_each_of_wordpress_keys_and_salts_is_found_whole() -> None:
    # Together they sign WordPress's login cookies and nonces; `NONCE_KEY`, `LOGGED_IN_KEY`
    # and the four salts were let through.
    values = {name: "".join(_RANDOM.choice(_WP_ALPHABET) for _ in range(64)) for name in WP_NAMES}
    text = "".join(
        f"define( '{name}',{' ' * (17 - len(name))}'{v}' );\n" for name, v in values.items()
    )
    found = [text[h.start : h.end] for h in find_secrets(text, "wp-config.php")]
    assert found == list(values.values())


def test_wordpress_stand_in_phrase_and_other_salts_are_not_secrets() -> None:
    # wp-config-sample.php's stand-in; a salt elsewhere is stored beside its hash.
    text = "define( 'NONCE_SALT',       'put your unique phrase here' );\n"
    assert find_secrets(text, "wp-config-sample.php") == []
    assert find_secrets('salt = "kq8Hf7dlPw2x"\n', "app/users.py") == []


def test_two_words_that_name_a_platforms_secret_together() -> None:
    # Drupal's hash salt signs one-time login links; the Erlang cookie lets its holder run
    # code on every node of a RabbitMQ cluster (Erlang writes 20 upper-case letters).
    salt = _r(43)
    text = f"$settings['hash_salt'] = '{salt}';\n"
    assert [text[h.start : h.end] for h in find_secrets(text, "sites/default/settings.php")] == [
        salt
    ]
    cookie = "QHXLNQLUEHZKWPMDTRAB"
    for path, line in (
        (".env", f"RABBITMQ_ERLANG_COOKIE={cookie}\n"),
        ("docker-compose.yml", f"      RABBITMQ_ERLANG_COOKIE: {cookie}\n"),
    ):
        assert [line[h.start : h.end] for h in find_secrets(line, path)] == [cookie], path
    # neither word alone: a salt kept beside its hash, a cookie's name
    assert find_secrets(f'salt = "{_r(16)}"\n', "app/users.py") == []
    assert find_secrets("cookie_name: sessionid\n", "config/app.yml") == []


def test_wordpress_keys_and_salts_as_bedrock_sets_them_in_its_env_file() -> None:
    # Roots' Bedrock keeps them in `.env`, quoted; its `.env.example` says `generateme`.
    values = {name: "".join(_RANDOM.choice(_WP_ALPHABET) for _ in range(64)) for name in WP_NAMES}
    text = "".join(f"{name}='{v}'\n" for name, v in values.items())
    assert [text[h.start : h.end] for h in find_secrets(text, ".env")] == list(values.values())
    example = "".join(f"{name}='generateme'\n" for name in WP_NAMES)
    assert find_secrets(example, ".env.example") == []
