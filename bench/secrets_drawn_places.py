"""The places bench/secrets_drawn.py draws passwords into: a credential's usual place in a
config file, a command, code, SQL or prose, each with the symbols its syntax holds
unescaped (a quote is left out of a literal quoted with it, Make's `$` and `#`, cmd's
`%^&|<>`, a URL's reserved characters)."""

from __future__ import annotations

SYMBOLS = "!#$%&()*+,-./:;<=>?@[]^_{|}~"


def without(chars: str) -> str:
    return "".join(c for c in SYMBOLS if c not in chars)


# (path, line with {v}, the symbols the place holds unescaped)
PLACES: list[tuple[str, str, str]] = [
    ("conf/app.yml", "password: {v}", SYMBOLS),
    ("conf/app.properties", "spring.datasource.password={v}", SYMBOLS),
    ("conf/app.ini", "password = {v}", SYMBOLS),
    ("deploy/.env", "DB_PASSWORD='{v}'", SYMBOLS),
    ("deploy/compose.yml", "      - POSTGRES_PASSWORD={v}", SYMBOLS),
    ("k8s/secret.yml", 'stringData:\n  password: "{v}"', SYMBOLS),
    ("conf/app.toml", 'password = "{v}"', SYMBOLS),
    ("conf/settings.xml", "<password>{v}</password>", without("<&")),
    ("conf/app.json", '"password": "{v}",', SYMBOLS),
    ("ci/restore.sh", "mysql -u root -p'{v}' app", SYMBOLS),
    ("ci/deploy.sh", "sshpass -p '{v}' ssh app@web1", SYMBOLS),
    ("ci/push.sh", "docker login -u app -p '{v}' registry.example.org", SYMBOLS),
    # A command continued over lines: its flag on a later line is still the command's.
    ("ci/restore.sh", "mysql -h db -u root \\\n  -p'{v}' \\\n  app < dump.sql", SYMBOLS),
    ("ci/health.sh", "curl -sS \\\n  -u 'admin:{v}' \\\n  https://api.internal/v1", SYMBOLS),
    ("deploy/db.sh", "sqlcmd -S db -U sa \\\n  -P '{v}' -i init.sql", without("'")),
    # A tool's own way: Oracle's `user/password@db`, a secret store's `--value`.
    ("db/export.sh", "sqlplus system/'{v}'@//db:1521/ORCL @export.sql", without("'")),
    ("ci/params.sh", "aws ssm put-parameter --name /db --value '{v}'", without("'")),
    (
        "ci/params.sh",
        "az keyvault secret set --vault-name kv --name db --value '{v}'",
        without("'"),
    ),
    ("ci/release.sh", "twine upload -u deploy -p '{v}' dist/*", without("'")),
    ("ci/notify.sh", "mosquitto_pub -h broker -u dev -P '{v}' -t builds -m done", without("'")),
    ("ci/fetch.sh", "lftp -u bot,'{v}' sftp://files.internal", without("'")),
    ("ops/rdp.sh", "xfreerdp /v:jump /u:admin /p:'{v}'", without("'")),
    ("ops/wifi.sh", "wpa_passphrase Office '{v}' > wpa.conf", without("'")),
    ("ci/minio.sh", "mc alias set store http://minio:9000 admin '{v}'", without("'")),
    # A password file's column, an installer's answers.
    ("etc/postfix/sasl_passwd", "[smtp.example.org]:587 relay@corp.example:{v}", SYMBOLS),
    ("etc/ppp/chap-secrets", 'vpnuser * "{v}" *', without('"')),
    ("preseed/server.cfg", "d-i passwd/root-password password {v}", SYMBOLS),
    ("deploy/autounattend.xml", "<Password>\n  <Value>{v}</Value>\n</Password>", without("<&")),
    ("vpn/office.ovpn", "<auth-user-pass>\nalice\n{v}\n</auth-user-pass>", SYMBOLS),
    # A login call's password by its place among the arguments.
    ("app/sync.py", "ftp = FTP('files.internal', 'bot', '{v}')", without("'\\")),
    ("app/db.py", "conn = cx_Oracle.connect('system', '{v}', 'db/ORCL')", without("'\\")),
    ("app/queue.py", "creds = pika.PlainCredentials('app', '{v}')", without("'\\")),
    ("src/db.js", "new Sequelize('app', 'app', '{v}', { host: 'db' });", without("'\\")),
    ("src/Cache.java", 'jedis.auth("{v}");', without('"\\')),
    ("mail/send.go", 'smtp.PlainAuth("", "bot@corp.example", "{v}", "smtp.corp")', without('"\\')),
    ("lib/mailer.rb", "Net::SMTP.start('smtp', 25, 'corp', 'bot', '{v}', :plain)", without("'\\")),
    ("db/init.sql", "CREATE USER app IDENTIFIED BY '{v}';", SYMBOLS),
    ("home/ci/.netrc", "machine git.example.org login ci password {v}", SYMBOLS),
    ("conf/redis.conf", "requirepass {v}", SYMBOLS),
    ("home/ci/.pgpass", "db.internal:5432:*:app:{v}", SYMBOLS),
    ("src/wp-config.php", "define('DB_PASSWORD', '{v}');", SYMBOLS),
    ("infra/main.tf", '  password = "{v}"', SYMBOLS),
    ("infra/variables.tf", 'variable "db_password" {\n  default = "{v}"\n}', SYMBOLS),
    ("src/Config.kt", 'val props = mapOf("password" to "{v}")', SYMBOLS),
    ("src/Db.java", 'props.setProperty("password", "{v}");', SYMBOLS),
    ("src/app.js", "const client = new Client({ password: '{v}' });", SYMBOLS),
    ("src/app.go", 'Password: "{v}",', SYMBOLS),
    # C and C++ (firmware): a macro, a string declared as an array, Arduino's Wi-Fi login.
    ("src/config.h", '#define WIFI_PASSWORD "{v}"', SYMBOLS),
    ("src/main.cpp", 'static const char mqtt_password[] = "{v}";', SYMBOLS),
    ("src/main.ino", 'WiFi.begin(ssid, "{v}");', SYMBOLS),
    ("src/App.cs", 'var cs = "Server=db;User Id=sa;Password={v};";', without(";")),
    ("src/app.py", "conn = psycopg2.connect(password='{v}')", SYMBOLS),
    ("src/db.py", 'psycopg2.connect("host=db user=app password={v} dbname=app")', SYMBOLS),
    # In a URL's userinfo only RFC 3986's sub-delimiters and unreserved symbols stand
    # unencoded; the rest (`/?#@[]<>{}|^%`) are percent-encoded.
    ("src/app.py", 'DATABASE_URL = "postgresql://app:{v}@db/app"', "!$&()*+,;=-._~:"),
    # Below its name: a formatter's wrap, an HCL heredoc, a TOML multi-line string.
    ("src/upload.ts", "const db = {\n  password:\n    '{v}',\n};", without("'\\")),
    ("infra/db.tf", "  password = <<-EOT\n    {v}\n  EOT", SYMBOLS),
    ("conf/app.toml", 'password = """\n{v}"""', without('"\\')),
    # Told in a sentence (a pull request's description, a README): a sentence's end after it.
    ("docs/STAGING.md", "The admin password is {v} until Friday.", SYMBOLS),
    ("docs/STAGING.md", "The staging DB password was changed to `{v}` today.", without("`")),
    # Settings of build and deploy files, unquoted: what each file would read as syntax is
    # left out (Make's `#` and `$`, cmd's `%^&|<>`, systemd's `%` specifiers).
    ("Makefile", "DB_PASSWORD = {v}", without("#$")),
    ("scripts/env.cmd", "set DB_PASSWORD={v}", without("%^&|<>")),
    ("Dockerfile", "ARG DB_PASSWORD={v}", without("$")),
    ("Dockerfile", "ENV DB_PASSWORD {v}", without("$")),
    ("inventory/hosts", "web1 ansible_host=10.0.0.5 ansible_password={v}", without("#")),
    ("deploy/app.service", "Environment=DB_PASSWORD={v}", without("%")),
    ("deploy/app.service", 'Environment="DB_PASSWORD={v}"', without("%")),
    # Set by name for later, handed to a command, granted in SQL, set or defaulted in code.
    ("scripts/env.cmd", 'setx DB_PASSWORD "{v}"', without("%^&|<>")),
    ("ci/secrets.sh", "gh secret set DB_PASSWORD --body '{v}'", SYMBOLS),
    ("ci/setup.sh", "echo '{v}' | sudo -S apt-get update", SYMBOLS),
    ("ci/backup.sh", "smbclient //srv/share -U 'app%{v}' -c ls", without("%")),
    ("db/grants.sql", "GRANT ALL ON app.* TO 'app'@'%' IDENTIFIED BY '{v}';", SYMBOLS),
    ("db/users.sql", "SET PASSWORD FOR 'app'@'%' = PASSWORD('{v}');", SYMBOLS),
    ("app/boot.php", 'putenv("DB_PASSWORD={v}");', without("$")),
    ("src/main.rs", 'env::set_var("DB_PASSWORD", "{v}");', SYMBOLS),
    ("src/Main.java", 'String pw = System.getProperty("db.password", "{v}");', SYMBOLS),
    # What a value falls back to where it is unset (bot/secrets/fallbacks.py).
    ("src/db.ts", "const password = opts.password ?? '{v}';", without("'\\")),
    ("deploy/run.ps1", "$password = $env:DB_PASSWORD ?? '{v}'", without("'")),
    ("app/db.py", "password = settings.get('db_password') or '{v}'", without("'\\")),
    ("infra/main.tf", '  password = coalesce(var.db_password, "{v}")', without('"\\')),
    # Tools' own flags, a row inserted under its column, a key in its signing call.
    ("ci/sign.sh", "keytool -importkeystore -srcstorepass '{v}' -v", without("'")),
    ("ci/pack.sh", "openssl pkcs12 -export -passout 'pass:{v}' -out app.p12", without("'")),
    ("ci/backup.sh", "zip -r -P '{v}' backup.zip data/", without("'")),
    (
        "db/seed.sql",
        "INSERT INTO users (email, password) VALUES ('ada@corp.example', '{v}');",
        without("'"),
    ),
    ("src/auth.js", "const t = jwt.sign(payload, '{v}');", without("'\\")),
]
