"""A password in the forms build, deploy, firmware and database files write it, none of
which was read before, so each was sent whole or cut at its first `;` or `)`:

- C's and C++'s `#define WIFI_PASSWORD "…"`, a string declared as a character array
  (`static const char mqtt_password[] = "…"`), Arduino's `WiFi.begin(ssid, "…")`, and the
  LDAP daemons' `bindpw` and `rootpw`;
- set by name for later (`setx DB_PASSWORD "…"`, `gh secret set DB_PASSWORD --body "…"`),
  piped to `sudo -S`, written with its user in one quoted argument (`smbclient -U
  'app%…'`), or after `net use`'s user;
- a database account's in MySQL's and SQL Server's SQL, an environment variable or a
  system property set or defaulted in code, a Go raw string.
"""

from __future__ import annotations

import pytest

from bot.secrets import find_secrets, redact

PASSWORD = "c-+S:k0d5u;m_07e)"


@pytest.mark.parametrize(
    ("path", "line"),
    [
        # C and C++ (firmware), LDAP's daemons
        ("src/config.h", f'#define WIFI_PASSWORD "{PASSWORD}"'),
        ("src/config.h", f'#  define MQTT_PASS "{PASSWORD}"'),
        ("src/secrets.h", f'#define DB_PASSWORD F("{PASSWORD}")'),
        ("src/secrets.h", f'#define API_SECRET L"{PASSWORD}"'),
        ("src/main.cpp", f'static const char WIFI_PASS[] = "{PASSWORD}";'),
        ("src/main.cpp", f'constexpr char kDbPassword[] = "{PASSWORD}";'),
        ("src/main.c", f'char ssid_password[32] = "{PASSWORD}";'),
        ("src/main.ino", f'const char mqtt_password[] PROGMEM = "{PASSWORD}";'),
        ("src/main.ino", f'WiFi.begin(ssid, "{PASSWORD}");'),
        ("src/main.ino", f'WiFi.softAP("setup-ap", "{PASSWORD}");'),
        ("etc/ldap.conf", f"bindpw {PASSWORD}"),
        ("etc/openldap/slapd.conf", f"rootpw {PASSWORD}"),
        # handed to a command in a script or a CI job
        ("scripts/env.cmd", f'setx DB_PASSWORD "{PASSWORD}"'),
        ("scripts/env.cmd", f'setx DB_PASSWORD "{PASSWORD}" /M'),
        ("scripts/env.csh", f"setenv DB_PASSWORD '{PASSWORD}'"),
        ("config/fish/config.fish", f"set -gx DB_PASSWORD '{PASSWORD}'"),
        ("ci/secrets.sh", f"gh secret set DB_PASSWORD --body '{PASSWORD}'"),
        ("ci/secrets.sh", f"gh secret set DB_PASSWORD --repo acme/app -b '{PASSWORD}'"),
        ("ci/secrets.sh", f"gh secret set DB_PASSWORD -b'{PASSWORD}'"),  # glued to its flag
        ("ci/setup.sh", f"echo '{PASSWORD}' | sudo -S apt-get update"),
        ("ci/setup.sh", f"echo '{PASSWORD}' | sudo -k -S systemctl restart app"),
        ("ci/backup.sh", f"smbclient //srv/share -U 'app%{PASSWORD}' -c 'ls'"),
        # cmd.exe reads `;` and `)` as the password's own
        ("scripts/map.cmd", f"net use \\\\srv\\share /user:app {PASSWORD} /persistent:no"),
        # SQL's accounts, a variable or a property set or defaulted in code
        ("db/grants.sql", f"GRANT ALL ON app.* TO 'app'@'%' IDENTIFIED BY '{PASSWORD}';"),
        ("db/grants.sql", f"GRANT SELECT ON app.* TO app@localhost IDENTIFIED BY '{PASSWORD}';"),
        ("db/users.sql", f"SET PASSWORD FOR 'app'@'%' = '{PASSWORD}';"),
        ("db/users.sql", f"SET PASSWORD FOR 'app'@'localhost' = PASSWORD('{PASSWORD}');"),
        ("db/users.sql", f"set password = '{PASSWORD}';"),
        ("db/logins.sql", f"EXEC sp_addlogin 'app', '{PASSWORD}'"),
        ("db/logins.sql", f"EXEC sp_addlogin @loginame = 'app', @passwd = '{PASSWORD}'"),
        ("db/links.sql", f"EXEC sp_addlinkedsrvlogin 'erp', 'false', NULL, 'app', '{PASSWORD}'"),
        (
            "db/links.sql",
            "EXEC sp_addlinkedsrvlogin @rmtsrvname = N'erp', @useself = N'False', "
            f"@locallogin = NULL, @rmtuser = N'app', @rmtpassword = N'{PASSWORD}'",
        ),
        # login calls that take the password by its place
        ("app/ldap.py", f'conn = ldap3.Connection(server, "cn=admin,dc=corp", "{PASSWORD}")'),
        ("app/search.py", f'es = Elasticsearch(url, basic_auth=("elastic", "{PASSWORD}"))'),
        ("app/search.py", f'es = Elasticsearch(url, http_auth=("elastic", "{PASSWORD}"))'),
        # a pair kept for such a call, and an XML element named for it
        ("app/client.py", f'creds = ("admin", "{PASSWORD}")'),
        ("app/client.py", f'CREDENTIALS = ["admin", "{PASSWORD}"]'),
        ("conf/agent.xml", f"<credentials>{PASSWORD}</credentials>"),
        ("conf/agent.xml", f"<apiCredential>{PASSWORD}</apiCredential>"),
        ("lib/Db.pm", f'my $dbh = DBI->connect("dbi:Pg:dbname=app", "app", "{PASSWORD}");'),
        ("src/main.rs", f'env::set_var("DB_PASSWORD", "{PASSWORD}");'),
        ("app/boot.php", f'putenv("DB_PASSWORD={PASSWORD}");'),
        ("src/Main.java", f'String pw = System.getProperty("db.password", "{PASSWORD}");'),
        ("cmd/main.go", f"password := `{PASSWORD}$5`"),
    ],
)
def test_a_password_in_these_forms_is_masked_whole(path: str, line: str) -> None:
    text = f"{line}\n"
    value = PASSWORD + ("$5" if "`" in line else "")
    [hit] = find_secrets(text, path)
    assert text[hit.start : hit.end] == value
    assert PASSWORD not in redact(text, path).text


def test_a_password_in_a_notebooks_cell_is_read_past_its_escaped_quotes() -> None:
    """A notebook stores a cell's lines as JSON strings: an escaped quote there closes no
    string of its own, so a password opening with `]` after it is a value, not code after a
    string."""
    password = "]3!s6k6U3AX-KjG>"
    text = f'    "DB_PASSWORD = \\"{password}\\"\\n",\n'
    [hit] = find_secrets(text, "notebooks/explore.ipynb")
    assert text[hit.start : hit.end] == password


@pytest.mark.parametrize(
    ("path", "line"),
    [
        # a macro's or an array's text that is no password, a variable passed along
        ("src/config.h", '#define PASSWORD_PROMPT "Enter your password: "'),
        ("src/config.h", '#define PASSWORD_MIN_LENGTH "12"'),
        ("src/config.h", '#define TOKEN_HEADER "X-Auth-Token"'),
        ("src/main.c", 'char password[64] = "";'),
        ("src/main.ino", "WiFi.begin(ssid, password);"),
        ("etc/ldap.conf", "bindpw ${LDAP_BIND_PASSWORD}"),
        # a variable whose name says no secret, a reference, a file or a variable handed on
        ("scripts/env.cmd", 'setx JAVA_HOME "C:\\Program Files\\Java"'),
        ("scripts/env.cmd", 'setx DB_PASSWORD "%DB_PASSWORD%"'),
        ("ci/secrets.sh", "gh secret set DB_PASSWORD < db_password.txt"),
        ("ci/secrets.sh", 'gh secret set API_TOKEN --body "$API_TOKEN"'),
        ("ci/setup.sh", 'echo "$SUDO_PASSWORD" | sudo -S apt-get update'),
        ("scripts/map.cmd", "net use Z: \\\\srv\\share /user:app * /persistent:no"),
        # a pipe into sudo without -S reads no password
        ("ci/setup.sh", 'echo "Xk9Qv7!mZ2pW" | sudo tee /etc/motd'),
        # prose that says "identified by", a grant without a password, a name, a reference
        ("docs/model.md", "Each row is to be identified by its_primary_key."),
        ("db/grants.sql", "GRANT ALL ON app.* TO 'app'@'%';"),
        ("src/main.rs", 'env::set_var("RUST_LOG", "debug,hyper=info");'),
        ("app/boot.php", 'putenv("DB_PASSWORD=${DB_PASSWORD}");'),
        ("src/Main.java", 'String home = System.getProperty("user.home", "/tmp");'),
        # a pair of names, not a login; an element that says where the credentials are
        ("app/client.py", 'credentials = ("service-account.json", "scope")'),
        ("conf/agent.xml", "<credentials>default</credentials>"),
        # filler typed into a value
        ("config/settings.yml", "hash_secret: f8c07cf79094ec06f77b6024b5d7936c79b5227274fbblaha"),
        ("config/settings.yml", "api_token: blahblahblah"),
        # a pair's own stand-in, as a relay's docs write it
        ("ci/relay.sh", '-e SASL_PASSWD="relay.corp.net username:password" \\'),
        ("ci/relay.sh", 'SASL_PASSWD="smtp.corp.net user:password"'),
        # a hash's or a key derivation's name: how a password is kept
        ("dovecot/conf.d/10-logging.conf", "auth_verbose_passwords = sha1:6"),
        ("config/security.yml", "password_encoder: bcrypt"),
        ("config/security.yml", "password_hash: argon2id"),
        # a shell's command substitution and a template in backticks
        ("ci/run.sh", "DB_PASSWORD=`cat /run/secrets/db`"),
        ("src/app.js", "const password = `${prefix}Xk9Qv7mZ2p`;"),
    ],
)
def test_what_is_no_password_in_these_forms_stays(path: str, line: str) -> None:
    assert find_secrets(f"{line}\n", path) == []


@pytest.mark.parametrize(
    "path",
    ["app/views/devise/mailer/reset_password_instructions.html.erb", "app/views/users/new.haml"],
)
def test_a_views_template_reads_its_ruby_as_code(path: str) -> None:
    """`reset_password_token: @token` in a view is Ruby's hash argument, an instance
    variable handed on; a password literal there is still one."""
    line = "<%= link_to 'Change', edit_password_url(@resource, reset_password_token: @token) %>"
    assert find_secrets(f"{line}\n", path) == []
    text = f"<%= render 'session', password: '{PASSWORD}' %>\n"
    assert [text[h.start : h.end] for h in find_secrets(text, path)] == [PASSWORD]


def test_a_yaml_files_erb_template_is_still_configuration() -> None:
    text = f"production:\n  password: {PASSWORD}\n"
    assert [text[h.start : h.end] for h in find_secrets(text, "config/database.yml.erb")] == [
        PASSWORD
    ]
