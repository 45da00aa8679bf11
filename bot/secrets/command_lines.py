"""Passwords known by the command or the call they are given to: a command's password flag
(`sshpass -p`, `docker login -p`, `mysql -pPASSWORD`, `ldapsearch -w`, `redis-cli -a`,
PowerShell's `-Password`, redis.conf's `requirepass`) and a login API's password argument
(`.login(user, "…")`, JDBC's `getConnection`, `NetworkCredential`, `HTTPBasicAuth`, …).
contexts.py runs them first among its patterns and judges each value
(context_values.context_value)."""

from __future__ import annotations

import re

from bot.secrets.patterns import IN_QUOTES, MAX_VALUE, QUOTED_ARGUMENT, TokenPattern

COMMAND_PASSWORD = "password on a command line"
LOGIN_ARGUMENT = "password passed to a login call"
PROMPT_ANSWER = "password sent to a prompt"
TOKEN_ARGUMENT = "token on a command line"


def quoted_or(bare: str, most: int = MAX_VALUE) -> str:
    """A value quoted (group `q`, then the value in group `v`) or, without a quote, `bare`."""
    return rf"(?P<q>[\"'])?(?P<v>(?(q){IN_QUOTES}{{1,{most}}}|{bare}))(?(q)(?P=q))"


def quoted_or_bare(stops: str, most: int) -> str:
    """A value quoted or bare, a bare one ending at whitespace, a quote or one of `stops`."""
    return quoted_or(rf"[^\s\"'{stops}]{{1,{most}}}", most)


# A value on a command line. A bare word stops at a quote, so `-p"$PASS"` in a larger
# string ends where the string does.
ARG = quoted_or_bare("`;|&)", MAX_VALUE)
# A value that is the rest of its line (a Dockerfile's `ENV NAME value`): quoted, or bare
# with any symbol and space in it, to its last character.
LINE_ARG = quoted_or(rf"[^\s\"'][^\n]{{0,{MAX_VALUE - 1}}}?") + r"[ \t\r]*$"
# A directive's argument (redis.conf's): no flag follows a directive, so a leading `-` is
# the password's own (the empty group marks the pattern as one).
DIRECTIVE_ARG = r"(?P<directive>)" + quoted_or_bare("", MAX_VALUE)
# What may follow a directive's or a flag's one argument: the line's end, a comment, the
# next flag, a closing quote or code span, the shell's next command. A word after it is a
# sentence's (`// requirepass server configuration option`).
_ARG_ENDS = r"(?=[ \t]*(?:\r?\n|$|[-#\"'`;|&)\\]))"
# The rest of a command, up to its flag: never past the command's end. A line that ends
# in `\` (a shell's; a Jenkinsfile's `\\`), a backtick (PowerShell's) or `^` (cmd.exe's)
# goes on to the next: `docker login -u bot \` with `-p …` below it is one command.
ARGS = r"(?:[^\n;|&]|(?<=[\\`^])\r?\n){0,240}?\s"
# An argument before the password (a literal, a name, an attribute).
A = r"\s*(?:\"[^\"\n]*\"|'[^'\n]*'|[\w.\[\]$>-]+)\s*,\s*"


def command(regex: str, *keywords: str, arg: str = ARG, lines: bool = False) -> TokenPattern:
    """A password after `regex`; with `lines`, tried on its keywords' lines only (a pattern
    that opens with no literal of its own)."""
    return TokenPattern(
        COMMAND_PASSWORD, re.compile(regex + arg), keywords=keywords, on_keyword_lines=lines
    )


# Expect and pexpect scripts answer a password prompt: on the prompt's line (`expect
# "Password:" { send "…\r" }`) or on one of the next two (`send -- "…\r"`, pexpect's
# `child.sendline("…")`). The `\r` or `\n` that ends the answer is not the password.
_PROMPT_ANSWER = re.compile(
    r"expect\b[^\n]{0,80}?(?i:ass(?:word|phrase))[^\n]{0,120}?(?:\n[^\n]{0,120}?){0,2}?"
    r"\bsend(?:line)?\s*\(?\s*(?:--\s+)?(?P<q>[\"'])"
    rf"(?P<v>[^\"'\\\n]{{1,{MAX_VALUE}}})(?:\\[rn])?(?P=q)"
)


def login(regex: str, *keywords: str, lines: bool = False) -> TokenPattern:
    """A password as a login call's argument after `regex`; with `lines`, tried on its
    keywords' lines only (a pattern that opens with no literal of its own)."""
    return TokenPattern(
        LOGIN_ARGUMENT,
        re.compile(regex + QUOTED_ARGUMENT),
        keywords=keywords,
        on_keyword_lines=lines,
    )


# Every pattern starts with a literal: Python's engine then skips to its occurrences
# instead of trying the pattern at each of a 100 KB prompt's positions.
COMMAND_PATTERNS: tuple[TokenPattern, ...] = (
    command(r"sshpass\b" + ARGS + r"-p\s*", "sshpass"),
    # `docker login -p`, `helm registry login --password`, `az login -p`: any login.
    command(r"login\b" + ARGS + r"(?:-p|--password)(?:\s+|=)", " login", '"login"', "'login'"),
    # `--password X`, and a password flag of any tool: `--db-password`, `--proxy-pass`,
    # curl's `--tlspassword`, `--keystore-password=X` (a glued word only before
    # "password": `--bypass` is no password's flag).
    # (apksigner's `--ks-pass pass:X` writes the password after a `pass:`; .NET's tools
    # capitalise theirs, `--Password X`.)
    # (its value on the same line, or on the next after a continuation's `\`: a flag at a
    # line's end is prose's or a prompt's, `$ users.py --test-password` then `Username:`)
    command(
        r"--(?:[A-Za-z0-9]+[-_])*(?i:pass(?:word|wd|phrase)?|pwd|[a-z]+password)"
        r"(?:[ \t]*\\\r?\n[ \t]*|[ \t]+|=)(?:pass:)?",
        "pass",
        "pwd",
    ),
    # A single-dash password flag: keytool's and jarsigner's `-storepass`, `-keypass`,
    # `-srcstorepass`, influx's and many Java tools' `-password` (an owner glued before
    # "pass" from a list: `-bypass` is none; not the tail of `--ks-pass`). A flag is one
    # line: its lines only.
    TokenPattern(
        COMMAND_PASSWORD,
        re.compile(
            r"(?<![\w-])-(?:store|key|src|dest|srcstore|deststore|srckey|destkey|new|db|admin"
            r"|root|user)?"
            # openssl's pass phrase arguments name where it is: `file:`, `fd:`, `env:`, `stdin`
            r"pass(?:word|wd)?\s+(?:pass:)?(?!(?:file|fd|env):|stdin\b)" + ARG
        ),
        keywords=("pass",),
        on_keyword_lines=True,
    ),
    # openssl's `-k X`, `-pass pass:X`, `-passin pass:X`, `-passout pass:X` (`env:` and
    # `file:` name where the password is, not the password).
    command(r"openssl\b" + ARGS + r"-k\s+", "openssl"),
    TokenPattern(
        COMMAND_PASSWORD,
        re.compile(
            r"openssl\b" + ARGS + r"-pass(?:in|out)?\s+(?P<q>[\"'])?pass:"
            rf"(?P<v>(?(q){IN_QUOTES}{{1,{MAX_VALUE}}}|[^\s\"'`;|&)]{{1,{MAX_VALUE}}}))(?(q)(?P=q))"
        ),
        keywords=("openssl",),
    ),
    # ssh-keygen's new passphrase, zip's and unzip's and 7-Zip's archive password.
    command(r"ssh-keygen\b" + ARGS + r"-N\s+", "ssh-keygen"),
    *(command(rf"{tool}\b" + ARGS + r"-P\s+", tool) for tool in ("zip", "unzip")),
    command(r"7z\b" + ARGS + r"-p(?=[^\s-])", "7z"),
    # Windows' `net use \\server\share /user:NAME PASSWORD`.
    # (cmd.exe reads `&|<>^` as its own; a `;` or `)` is the password's)
    command(
        r"net\s+use\b" + ARGS + r"/user:\S+\s+", "net use", arg=quoted_or_bare("&|<>^", MAX_VALUE)
    ),
    # SQL Server's sqlcmd, osql and bcp, MongoDB's shells: `-P X`, `-p X`.
    *(command(rf"{tool}\b" + ARGS + r"-P\s*", tool) for tool in ("sqlcmd", "osql", "bcp")),
    command(r"mongo(?:sh)?\b" + ARGS + r"-p\s+", "mongo"),
    # Samba's `-U user%password`; RabbitMQ's `add_user NAME PASSWORD`; htpasswd's and
    # Mosquitto's mosquitto_passwd's batch mode, `-b FILE USER PASSWORD`.
    *(
        command(rf"{tool}\b" + ARGS + r"-U\s*[^\s%'\"]+%", tool)
        for tool in ("smbclient", "rpcclient")
    ),
    # (quoted whole, `-U 'app%…'`: the password runs to the closing quote)
    TokenPattern(
        COMMAND_PASSWORD,
        re.compile(
            r"(?:smb|rpc)client\b" + ARGS + r"-U\s*(?P<q>[\"'])[^\s%'\"]+%"
            rf"(?P<v>{IN_QUOTES}{{1,{MAX_VALUE}}})(?P=q)"
        ),
        keywords=("smbclient", "rpcclient"),
    ),
    command(r"rabbitmqctl\s+(?:add_user|change_password)\s+\S+\s+", "rabbitmqctl"),
    *(
        command(rf"{tool}\s+(?:-\w+\s+)*?-\w*b\w*\s+(?:-\w+\s+)*\S+\s+\S+\s+", tool)
        for tool in ("htpasswd", "mosquitto_passwd")
    ),
    # `echo "user:password" | chpasswd`.
    TokenPattern(
        COMMAND_PASSWORD,
        re.compile(
            r"echo\s+(?P<q>[\"'])?[\w.@-]{1,64}:"
            rf"(?P<v>[^\s\"':]{{1,{MAX_VALUE}}})(?(q)(?P=q))\s*\|\s*(?:sudo\s+)?chpasswd"
        ),
        keywords=("chpasswd",),
    ),
    command(r"ldap" + ARGS + r"-w\s+", "ldap"),
    # `vault login [-flag=x …] TOKEN`: the token method's one argument (the other methods
    # take `name=value` pairs; a token in Vault's own format is found anyway).
    TokenPattern(
        TOKEN_ARGUMENT,
        re.compile(r"vault\s+login(?:\s+-[\w-]+(?:=\S*)?)*\s+(?![^\s=]*=)(?!-)" + ARG),
        keywords=("vault",),
    ),
    # A tool's login with a token: `snyk auth …`, `cargo login …`, codecov's `-t`, Poetry's
    # `config pypi-token.NAME …` (its `http-basic.NAME USER PASSWORD` below).
    TokenPattern(
        TOKEN_ARGUMENT,
        re.compile(
            r"(?:snyk\s+auth|cargo\s+login|codecov\b" + ARGS + r"-t|poetry\s+config\s+"
            r"pypi-token\.\S+)\s+(?!-)" + ARG
        ),
        keywords=("snyk auth", "cargo login", "codecov", "pypi-token"),
    ),
    command(r"poetry\s+config\s+http-basic\.\S+\s+\S+\s+", "http-basic"),
    command(r"nuget\b" + ARGS + r"-p\s+", "nuget"),
    # curl's `-u user:password` unquoted: the password runs to the next space (`#`, `%`, `!`
    # are a generated password's; gitleaks' rule reads letters, digits and `$@.-` only).
    command(r"curl\b" + ARGS + r"(?:-u|--user)(?:\s+|=)[^\s:\"'`]{1,64}:", "curl"),
    # (quoted whole, `-u 'admin:…'`: the password runs to the closing quote)
    TokenPattern(
        COMMAND_PASSWORD,
        re.compile(
            r"curl\b" + ARGS + r"(?:-u|--user)(?:\s+|=)(?P<q>[\"'])[^\s:'\"]{1,64}:"
            rf"(?P<v>{IN_QUOTES}{{1,{MAX_VALUE}}})(?P=q)"
        ),
        keywords=("curl",),
    ),
    command(r"redis-cli\b" + ARGS + r"-a\s+", "redis-cli"),
    # Tools whose password flag is their own: twine's and influx's `-p`, Mosquitto's `-P`,
    # lftp's `-u user,password`, FreeRDP's `/p:`, cmdkey's `/pass:`, wpa_passphrase's
    # second argument, MinIO's client's secret key after its access key.
    *(command(rf"{tool}\b" + ARGS + r"-p\s+", tool) for tool in ("twine", "influx")),
    command(r"mosquitto_(?:pub|sub|rr)\b" + ARGS + r"-P\s+", "mosquitto_"),
    command(r"lftp\b" + ARGS + r"-u\s+[^\s,'\"]+,", "lftp"),
    command(r"(?:xfreerdp|wlfreerdp|sdl-freerdp)\b" + ARGS + r"/p:", "freerdp"),
    command(r"cmdkey\b" + ARGS + r"/pass:", "cmdkey"),
    command(r"wpa_passphrase\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\S+)\s+", "wpa_passphrase"),
    command(
        r"mc\s+(?:alias\s+set|config\s+host\s+add)\s+\S+\s+\S+\s+\S+\s+", "mc alias", "mc config"
    ),
    # A secret store's value: `aws ssm put-parameter … --value`, `az keyvault secret set …
    # --value`.
    command(
        r"(?:ssm\s+put-parameter|keyvault\s+secret\s+set)\b" + ARGS + r"--value(?:\s+|=)",
        "put-parameter",
        "keyvault secret",
    ),
    # Oracle's tools log in with `user/password@db` (sqlplus, SQL*Loader, Data Pump, RMAN):
    # the password runs to its `@`, a space or a quote.
    command(
        r"(?:sqlplus|sqlldr|expdp|impdp|rman|dgmgrl)\b(?:\s+-\w+)*\s+(?:target\s*=?\s*|userid=)?"
        r"[\"']?[A-Za-z_][\w$#]{0,63}/",
        "sqlplus",
        "sqlldr",
        "expdp",
        "impdp",
        "rman",
        "dgmgrl",
        arg=quoted_or_bare("@`;|&)", MAX_VALUE),
    ),
    # PowerShell: `-Password "..."`, and `ConvertTo-SecureString "..." -AsPlainText` (a
    # quote written in the string doubled: `'Xk9''Qv7'`).
    command(r"-Password\s+", "-password"),
    command(
        r"ConvertTo-SecureString\s+(?:-String\s+)?"
        r"(?=(?:\"(?:[^\"\n]|\"\")+\"|'(?:[^'\n]|'')+')\s+-AsPlainText)",
        "securestring",
    ),
    # `mysql -pPASSWORD`, `-p'PASSWORD'`: attached; a bare `-p` prompts for it.
    command(r"mysql(?:dump|admin|import|show|check)?\b" + ARGS + r"-p(?=[^\s-])", "mysql"),
    # redis.conf's `requirepass` and `masterauth` take the password as their argument, a
    # directive's: up to the next space (`;`, `|`, `)` are a generated password's).
    command(r"requirepass\s+", "requirepass", arg=DIRECTIVE_ARG + _ARG_ENDS),
    command(r"masterauth\s+", "masterauth", arg=DIRECTIVE_ARG + _ARG_ENDS),
    TokenPattern(PROMPT_ANSWER, _PROMPT_ANSWER, keywords=("expect",)),
    # A password literal as a login API's password argument: smtplib/ftplib/imaplib and
    # most clients' `.login(user, "...")`, JDBC's getConnection(url, user, "..."), .NET's
    # NetworkCredential and DirectoryEntry, Azure's ClientSecretCredential, requests' auth
    # tuple (elasticsearch-py's and the JIRA client's `basic_auth=(…)`) and HTTPBasicAuth,
    # Apache HttpClient's UsernamePasswordCredentials, java.net's PasswordAuthentication,
    # LDAP's simple_bind and ldap3's Connection, Perl's DBI, PHP's mysqli and PDO; a Basic
    # header's pair: Go's and Spring's `SetBasicAuth`/`setBasicAuth`, aiohttp's `BasicAuth`,
    # Spring's `basicAuthentication`, OkHttp's `Credentials.basic`, REST Assured's
    # `auth().basic` and `preemptive().basic`.
    login(r"\.login\(" + A, ".login("),
    login(r"getConnection\(" + A + A, "getconnection("),
    login(r"NetworkCredential\(" + A, "networkcredential("),
    # Azure Identity's ClientSecretCredential(tenant, client, secret): Python, .NET, JS.
    login(r"ClientSecretCredential\(" + A + A, "clientsecretcredential("),
    login(r"DirectoryEntry\(" + A + A, "directoryentry("),
    login(r"HTTP(?:Basic|Digest|Proxy)Auth\(" + A, "basicauth(", "digestauth(", "proxyauth("),
    # (each spelling opens with its own literal: a choice of first letters costs the engine
    # a try at each position of a call spread over lines, which the literal skips to)
    *(
        login(name + r"(?:entication)?\(" + A, "basicauth")
        for name in ("SetBasicAuth", "setBasicAuth", "BasicAuth", "basicAuth")
    ),
    login(r"(?:Credentials|\(\))\.basic\(" + A, ".basic("),
    login(r"(?:basic_auth|http_auth|proxy_auth|auth)\s*=\s*\(" + A, "auth"),
    # a pair kept for such a call: `creds = ("admin", "…")`, `CREDENTIALS = ["admin", "…"]`
    login(r"(?i:creds|credentials?)\s*=\s*[(\[]" + A, "creds", "credential", lines=True),
    login(r"UsernamePasswordCredentials\(" + A, "usernamepasswordcredentials("),
    login(r"PasswordAuthentication\(" + A, "passwordauthentication("),
    login(r"simple_bind(?:_s)?\(" + A, "simple_bind"),
    login(r"ldap3\.Connection\(" + A + A, "ldap3.connection("),
    login(r"DBI->connect(?:_cached)?\(" + A + A, "dbi->connect"),
    login(r"mysqli(?:_connect|_real_connect)?\(" + A + A, "mysqli"),
    # and the older positional connects: PHP's mysql_connect(host, user, password),
    # MySQLdb's and PyMySQL's connect(host, user, passwd, db)
    login(r"mysql_p?connect\(" + A + A, "mysql_connect(", "mysql_pconnect("),
    login(r"MySQLdb\.connect\(" + A + A, "mysqldb.connect("),
    login(r"pymysql\.connect\(" + A + A, "pymysql.connect("),
    # pysmb's SMBConnection(user, password, …); python-ldap's bind_s(who, cred)
    login(r"SMBConnection\(" + A, "smbconnection("),
    login(r"\.bind_s\(" + A, ".bind_s("),
    # PHP's ftp_login, ssh2_auth_password, ldap_bind (a handle, a user, the password) and
    # imap_open (a mailbox, a user, the password); Perl's and PHP's `->login(user, …)`
    login(r"ftp_login\(" + A + A, "ftp_login("),
    login(r"ssh2_auth_password\(" + A + A, "ssh2_auth_password("),
    login(r"ldap_bind\(" + A + A, "ldap_bind("),
    login(r"imap_open\(" + A + A, "imap_open("),
    login(r"->login\(" + A, "->login("),
    # Ruby's Net::FTP.new/open(host, user, password); gomail's NewDialer(host, port, user,
    # password); JavaMail's Transport and Store `connect(host, user, password)` and
    # `Transport.send(message, user, password)`
    login(r"Net::FTP\.(?:new|open)\(" + A + A, "net::ftp."),
    login(r"NewDialer\(" + A + A + A, "newdialer("),
    login(r"(?:[Tt]ransport|[Ss]tore)\.connect\(" + A + A, "transport.", "store.", lines=True),
    login(r"Transport\.send\(" + A + A, "transport.send("),
    login(r"PDO\(" + A + A, "pdo("),
    # Arduino's and ESP's Wi-Fi: `WiFi.begin(ssid, "…")`, an access point's `softAP`.
    login(r"WiFi\.(?:begin|softAP)\(" + A, "wifi.begin(", "wifi.softap("),
    # The password by its place in the call: ftplib's `FTP(host, user, passwd)`, cx_Oracle's
    # and python-oracledb's `connect(user, password, dsn)`, pika's `PlainCredentials`,
    # Sequelize's `new Sequelize(db, user, password)`, Spring Security's
    # `UsernamePasswordAuthenticationToken(user, password)`, Go's `smtp.PlainAuth(identity,
    # user, password, host)`, Ruby's `Net::SMTP.start(host, port, helo, user, secret)`,
    # superagent's and Jedis' `.auth(user, password)`, and a Redis client's `auth(password)`.
    login(r"FTP(?:_TLS)?\(" + A + A, "ftp("),
    login(r"(?:cx_Oracle|oracledb)\.connect\(" + A, "cx_oracle.connect(", "oracledb.connect("),
    login(r"PlainCredentials\(" + A, "plaincredentials("),
    login(r"new\s+Sequelize\(" + A + A, "sequelize("),
    login(r"UsernamePasswordAuthenticationToken\(" + A, "usernamepasswordauthenticationtoken("),
    login(r"smtp\.PlainAuth\(" + A + A, "smtp.plainauth("),
    login(r"Net::SMTP\.start\(" + A + A + A + A, "net::smtp.start("),
    login(r"\.auth\(" + A, ".auth("),
    # (a client's name, not a word run: `\w*` read a line of `redis` repeated to its end
    # from each one)
    login(r"(?:[Rr]|[Jj])edis\w{0,64}\.auth\(\s*", "redis", "jedis"),
    # Ruby's `basic_auth` without parentheses or with (Net::HTTP's request, HTTParty,
    # Faraday's `conn.basic_auth`), sbt's `Credentials(realm, host, user, password)`.
    login(r"basic_auth(?:[ \t]*\(|[ \t]+)" + A, "basic_auth"),
    login(r"Credentials\(" + A + A + A, "credentials("),
    # libcurl's options that take a password alone (C's `curl_easy_setopt(h, CURLOPT_PASSWORD,
    # "…")`, PHP's `curl_setopt`): the server's, the proxy's, a client key's.
    login(
        r"CURLOPT_(?:PROXY_)?(?:PASSWORD|PROXYPASSWORD|KEYPASSWD|SSLKEYPASSWD|SSLCERTPASSWD"
        r"|TLSAUTH_PASSWORD)\s*,\s*",
        "curlopt_",
    ),
    # PHP's curl: `curl_setopt($ch, CURLOPT_USERPWD, "user:password")`.
    TokenPattern(
        LOGIN_ARGUMENT,
        re.compile(
            r"CURLOPT_(?:PROXY)?USERPWD\s*,\s*(?P<q>[\"'])[^\"'\s:]{1,64}:"
            rf"(?P<v>{IN_QUOTES}{{1,{MAX_VALUE}}})(?P=q)"
        ),
        keywords=("curlopt_userpwd", "curlopt_proxyuserpwd"),
    ),
)


SET_BY_COMMAND = "secret set by a command"


def set_by(regex: str, *keywords: str) -> TokenPattern:
    """A command that sets a value by its name (group `name`), then the value."""
    return TokenPattern(SET_BY_COMMAND, re.compile(regex + ARG), keywords=keywords)


# A variable or a secret set by its name on a command line, judged by that name
# (context_values.context_name): Windows' `setx DB_PASSWORD "…"`, csh's `setenv`, fish's `set
# -x`, the GitHub CLI's `gh secret set DB_PASSWORD --body "…"`, `aws configure set
# aws_secret_access_key …`, npm's, pnpm's and yarn's `config set //registry/:_authToken …`
# and `config set npmAuthToken …`.
SET_COMMAND_PATTERNS: tuple[TokenPattern, ...] = (
    set_by(r"setx\s+(?P<name>[A-Za-z_]\w*)\s+", "setx"),
    # csh's `setenv NAME value`, fish's `set -gx NAME value` (an export flag: a bare `set`
    # is too common a word to read)
    set_by(r"setenv\s+(?P<name>[A-Za-z_]\w*)\s+", "setenv"),
    set_by(r"set\s+(?:-[a-zA-Z]*x[a-zA-Z]*\s+)+(?P<name>[A-Za-z_]\w*)\s+", "set -"),
    set_by(r"aws\s+configure\s+set\s+(?:[\w-]+\.)*(?P<name>[A-Za-z_]\w*)\s+", "aws configure"),
    set_by(
        r"(?:npm|pnpm|yarn)\s+config\s+set\s+(?:\S*:)?(?P<name>[A-Za-z_]\w*)(?:\s+|=)",
        "config set",
    ),
    set_by(
        # (a shorthand flag takes its value glued too: `-b"…"`, `-b…`)
        r"gh\s+secret\s+set\s+(?P<name>[A-Za-z_]\w*)[^\n;|&]{0,120}?\s"
        r"(?:--body(?:\s+|=)|-b(?:\s+|=)?)",
        "gh secret",
    ),
)


# Flags matched without knowing the command: their value must not read as a word.
_BARE_FLAGS = ("--", "-Password")
_METAVAR_TYPES = frozenset({"STRING", "STR", "TEXT", "VALUE", "VAL", "ARG"})


def flag_word(m: re.Match[str], value: str) -> bool:
    """A bare flag's value that is a word, not a password: `--password yourpassword` (prose
    about a flag of any tool), `--passphrase PHRASE` (a help text's metavar, which argparse
    and click spell as the flag's own word in capitals, or a type's name)."""
    if not (m.group(0).startswith(_BARE_FLAGS) and value.isalpha()):
        return False
    if value.islower():
        return True
    flag = m.group(0)[: m.start("v") - m.start()].lower()
    return value.isupper() and (value.lower() in flag or value in _METAVAR_TYPES)
