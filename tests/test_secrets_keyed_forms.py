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
