"""Passwords and keys handed to a tool in the way that tool takes them (command_lines.py):
Oracle's `user/password@db`, a secret store's `--value`, a client's own flag, and a
setting set by its name (`aws configure set`, `npm config set`)."""

from __future__ import annotations

import pytest

from bot.secrets.detect import find_secrets
from bot.secrets.redact import redact

PASSWORD = "Vq9#mT2w!Lp4~Zx8"
KEY = "wJ7tKp2Rz9XqL4mN8vB3cY6hD1sF5gA0eU2iO7kQ"

FOUND = [
    ("db/export.sh", "sqlplus system/'{v}'@//db.internal:1521/ORCL @export.sql"),
    ("db/export.sh", "sqlplus -s 'app/{v}@db.internal:1521/ORCL'"),
    ("db/export.sh", "expdp system/{v} directory=dump dumpfile=app.dmp"),
    ("db/backup.sh", "rman target sys/{v}@prod"),
    ("ci/params.sh", "aws ssm put-parameter --name /app/db --type SecureString --value '{v}'"),
    ("ci/params.sh", "az keyvault secret set --vault-name kv --name db --value '{v}'"),
    ("ci/release.sh", "twine upload -u deploy -p '{v}' dist/*"),
    ("ci/setup.sh", "influx setup -u admin -p '{v}' -o corp -b metrics -f"),
    ("ci/notify.sh", "mosquitto_pub -h broker -u dev -P '{v}' -t builds -m done"),
    ("ci/fetch.sh", "lftp -u bot,'{v}' sftp://files.internal"),
    ("ops/rdp.cmd", "xfreerdp /v:jump.internal /u:admin /p:'{v}'"),
    ("ops/creds.cmd", "cmdkey /generic:jump.internal /user:admin /pass:{v}"),
    ("ops/wifi.sh", "wpa_passphrase Office '{v}' > /etc/wpa.conf"),
    ("ci/minio.sh", "mc alias set store http://minio:9000 admin '{v}'"),
    ("ci/aws.sh", "aws configure set aws_secret_access_key {k}"),
    ("ci/aws.sh", "aws configure set profile.deploy.aws_secret_access_key {k}"),
    # after another setting on the line whose name gitleaks' allow-list lets through
    # (`key_id`): the value's own name is the one judged
    (
        "ci/aws.sh",
        "aws configure set aws_access_key_id AKIAQ3EGRTNX5WPK7L2M"
        " && aws configure set aws_secret_access_key {k}",
    ),
    ("ci/npm.sh", "npm config set //registry.npmjs.org/:_authToken {k}"),
    ("ci/yarn.sh", "yarn config set npmAuthToken {k}"),
    # a here-string or a file made on the fly, read by a command that takes its secret so
    ("ci/run.sh", "gh auth login --with-token <<< {k}"),
    ("ci/run.sh", "docker login -u bot --password-stdin registry.internal <<< '{v}'"),
    # a flag's value on the next line after a continuation
    ("ci/run.sh", "deploy-tool push \\\n  --password \\\n  '{v}' \\\n  --verbose"),
    # printed into one: as printf's argument or as its format
    ("ci/run.sh", "printf '%s' '{v}' | docker login -u bot --password-stdin registry.internal"),
    ("ci/run.sh", 'printf "%s\\n" "{v}" | helm registry login r --password-stdin'),
    ("ci/run.sh", "printf '{v}' | podman login -u bot --password-stdin quay.io"),
    ("ci/secrets.sh", "gcloud secrets create db --data-file=- <<< '{v}'"),
    ("ci/sync.sh", "rsync -av --password-file=<(echo '{v}') src/ rsync://bot@files/mod"),
    # an FTP client's script in a here-document
    ("ci/upload.sh", "ftp -n <<EOF\nopen files.internal\nuser bot {v}\nput app.tgz\nEOF"),
    ("ci/upload.sh", "ftp -n $HOST <<END\nquote USER bot\nquote PASS {v}\nquit\nEND"),
    ("ci/upload.sh", "lftp <<'EOF'\nopen sftp://files\nuser deploy '{v}'\nmirror -R dist\nEOF"),
    # commands that create, change or use an account (account_commands.py)
    ("docker/kdc.sh", "kadmin.local -q \"addprinc -pw '{v}' bot@CORP\""),
    ("docker/kdc.sh", "kadmin -p admin/admin -w '{v}' -q listprincs"),
    ("ops/ldap.sh", "ldappasswd -x -D cn=admin,dc=corp -W -s '{v}' uid=bot,dc=corp"),
    ("docker/db.sh", "mysqladmin -u root password '{v}'"),
    ("ops/users.cmd", 'net user "Build Bot" "{v}" /add /domain'),
    ("ops/tasks.cmd", "schtasks /create /tn backup /tr c:\\b.cmd /ru CORP\\bot /rp {v}"),
    ("ops/remote.cmd", "psexec \\\\build01 -u CORP\\bot -p {v} cmd /c deploy.cmd"),
    ("ops/rdp.sh", "rdesktop -u bot -p '{v}' jump.internal"),
    ("ops/wifi.sh", "nmcli dev wifi connect Office password '{v}'"),
    ("ops/wifi.sh", "nmcli con modify Office wifi-sec.psk '{v}'"),
    ("ci/pack.sh", "rar a -hp'{v}' release.rar dist"),
    ("docker/mqtt.sh", "mosquitto_passwd -b /etc/mosquitto/passwd bot '{v}'"),
    ("docker/vnc.sh", "vncpasswd -f <<< '{v}' > ~/.vnc/passwd"),
    ("ops/ipa.sh", "ipa user-add bot --first=Build --last=Bot --password <<< '{v}'"),
    ("docker/users.sh", "echo -e '{v}\\n{v}' | passwd bot"),
    ("docker/samba.sh", "printf '{v}\\n{v}\\n' | smbpasswd -a -s bot"),
    ("docker/samba.sh", "(echo '{v}'; echo '{v}') | smbpasswd -a -s bot"),
    ("ops/users.ps1", "$p = ConvertTo-SecureString {k} -AsPlainText -Force"),
]


@pytest.mark.parametrize(("path", "line"), FOUND)
def test_a_secret_given_to_a_tool_its_own_way_is_masked_whole(path: str, line: str) -> None:
    text = line.format(v=PASSWORD, k=KEY) + "\n"
    value = PASSWORD if "{v}" in line else KEY
    assert value in [text[h.start : h.end] for h in find_secrets(text, path)]
    assert value[:6] not in redact(text, path).text


NOT_FOUND = [
    "sqlplus / as sysdba",
    "sqlplus -s /nolog @install.sql",
    'sqlplus "$DB_USER/$DB_PASSWORD@$DB_HOST"',
    "aws ssm put-parameter --name /app/port --type String --value 8080",
    "twine upload -u __token__ -p $PYPI_TOKEN dist/*",
    "mc alias set store http://minio:9000 $MINIO_ACCESS_KEY $MINIO_SECRET_KEY",
    "aws configure set region eu-west-1",
    "aws configure set default.output json",
    "npm config set registry https://registry.npmjs.org/",
    'gh auth login --with-token <<< "$GH_TOKEN"',
    "docker login -u bot --password-stdin registry.internal <<< ${REGISTRY_PASSWORD}",
    'gcloud secrets create db --data-file=- <<< "$(cat db.txt)"',
    'rsync -av --password-file=<(echo "$RSYNC_PASSWORD") src/ rsync://bot@files/mod',
    "grep -c error <<< 'build log: 3 warnings'",
    "ftp -n $HOST <<END\nquote USER $FTP_USER\nquote PASS $FTP_PASSWORD\nquit\nEND",
    # the here-document has ended: `user` below it is no FTP command
    "ftp -n <<EOF\nopen files.internal\nEOF\nuser bot Vq9#mT2w!Lp4~Zx8",
    "kadmin.local -q 'addprinc -randkey host/web.corp'",
    'kadmin.local -q "addprinc -pw $BOT_PASSWORD bot"',
    "net user bot * /add",
    "net user bot /delete",
    "schtasks /create /tn backup /tr c:\\b.cmd /ru SYSTEM",
    "rdesktop -u bot -p - jump.internal",
    "unrar x -p- release.rar",
    "rar a -p release.rar dist",
    'nmcli dev wifi connect Office password "$WIFI_PSK"',
    'echo -e "$PW\\n$PW" | passwd bot',
    "printf '%s' \"$CI_REGISTRY_PASSWORD\" | docker login -u bot --password-stdin",
    'mosquitto_passwd -b /etc/mosquitto/passwd bot "$MQTT_PASSWORD"',
    "mosquitto_passwd -c /etc/mosquitto/passwd bot",
    # Docker's published ports after a `-p` on a line that names mongo; a flag that ends
    # its line, its prompt's answer below it
    "docker run -v /data/mongo/db:/data/db -p 27017:27017 -d mongo:3.4",
    "docker run -p 127.0.0.1:27017:27017/tcp --name db mongo",
    "$ python users.py --test-password\nUsername: myusername\nPassword:",
    "(echo $PW; echo $PW) | smbpasswd -a -s bot",
    "mysqladmin -u root -p status",
    "$p = ConvertTo-SecureString $plain -AsPlainText -Force",
    "$p = ConvertTo-SecureString (Get-Content pw.txt) -AsPlainText -Force",
    "the library rar -p option asks for a password",
]


@pytest.mark.parametrize("line", NOT_FOUND)
def test_a_tool_s_other_arguments_and_references_are_not_reported(line: str) -> None:
    assert find_secrets(line + "\n", "ci/setup.sh") == []


@pytest.mark.parametrize(
    "line",
    [
        # PowerShell's cmdlet syntax kept as JSON data (PSScriptAnalyzer's settings): each
        # `<` and `>` escaped, a placeholder still
        '"ParameterSets": "[-FilePath] \\u003cstring\\u003e '
        '[-Password \\u003csecurestring\\u003e]"',
        '"ParameterSets": "-RecoveryPassword \\u003cstring\\u003e [-WhatIf] [-Confirm]"',
        '"ParameterSets": "-DomainName \\u003cstring\\u003e '
        '-Credential \\u003cpscredential\\u003e"',
        "const usage = 'login -p \\x3cpassword\\x3e';",
    ],
)
def test_a_placeholder_with_its_angle_brackets_escaped_is_not_reported(line: str) -> None:
    assert find_secrets(line + "\n", "Engine/Settings/desktop-5.1-windows.json") == []


BY_PLACE = [
    ("app/sync.py", "ftp = FTP('files.internal', 'bot', '{v}')"),
    ("app/db.py", "conn = cx_Oracle.connect('system', '{v}', 'db/ORCL')"),
    ("app/queue.py", "creds = pika.PlainCredentials('app', '{v}')"),
    ("src/db.js", "const sequelize = new Sequelize('app', 'app', '{v}', { host: 'db' });"),
    (
        "src/Auth.java",
        'auth.authenticate(new UsernamePasswordAuthenticationToken("admin", "{v}"));',
    ),
    ("src/Cache.java", 'Jedis jedis = new Jedis("cache"); jedis.auth("{v}");'),
    ("mail/send.go", 'auth := smtp.PlainAuth("", "bot@corp.example", "{v}", "smtp.corp.example")'),
    ("lib/mailer.rb", "Net::SMTP.start('smtp.corp', 25, 'corp', 'bot', '{v}', :plain)"),
    ("test/api.js", "await request(app).get('/admin').auth('admin', '{v}');"),
]


@pytest.mark.parametrize(("path", "line"), BY_PLACE)
def test_a_password_known_by_its_place_in_a_login_call_is_masked_whole(
    path: str, line: str
) -> None:
    text = line.replace("{v}", PASSWORD) + "\n"
    assert PASSWORD in [text[h.start : h.end] for h in find_secrets(text, path)]


@pytest.mark.parametrize(
    "line",
    [
        "ftp = FTP('files.internal')",
        "creds = pika.PlainCredentials('app', os.environ['RABBIT_PASSWORD'])",
        "await request(app).get('/me').auth(token, { type: 'bearer' });",
        "await redis.auth(process.env.REDIS_PASSWORD);",
        "conn = cx_Oracle.connect(user, password, dsn)",
    ],
)
def test_a_login_call_given_no_literal_password_is_not_reported(line: str) -> None:
    assert find_secrets(line + "\n", "app/client.py") == []


@pytest.mark.parametrize(
    "line",
    [
        "netlify deploy --prod --auth {k}",
        "snyk auth {k}",
        "cargo login {k}",
        "codecov -f coverage.xml -t {k}",
        "poetry config pypi-token.internal {k}",
        "poetry config http-basic.internal bot '{v}'",
        "dotnet nuget add source https://nuget.internal -u bot -p '{v}' --store-password-in-clear",
    ],
)
def test_a_tool_s_login_with_a_token_or_password_is_masked_whole(line: str) -> None:
    text = line.format(v=PASSWORD, k=KEY) + "\n"
    value = PASSWORD if "{v}" in line else KEY
    assert value in [text[h.start : h.end] for h in find_secrets(text, "ci/publish.sh")]


@pytest.mark.parametrize(
    "line",
    [
        "cargo login",
        "snyk auth",
        "codecov -t ${CODECOV_TOKEN}",
        "poetry config pypi-token.internal $PYPI_TOKEN",
        "proxy --auth basic --port 8080",
        "curl --auth digest https://api.internal",
    ],
)
def test_a_tool_s_login_without_a_literal_is_not_reported(line: str) -> None:
    assert find_secrets(line + "\n", "ci/publish.sh") == []
