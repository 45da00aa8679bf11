"""Service token formats of bot/secrets/services.py, and the context rules beside them.

Every value here was made up for this file (random characters in the vendor's documented
shape); none comes from a suite that bench/secrets_eval.py scores.
"""

from __future__ import annotations

import base64
import random
import string

import pytest

from bench.secrets_drawn import masked_characters
from bot.secrets import find_secrets, wording

_RANDOM = random.Random(14)
_ALNUM = string.ascii_letters + string.digits
_URL = _ALNUM + "_-"
_LOWER = string.ascii_lowercase + string.digits
_SF = _ALNUM + "._"
_CRYPT = _ALNUM + "./"


def _r(n: int, alphabet: str = _ALNUM) -> str:
    """Random characters of a vendor's alphabet, the same on every run."""
    return "".join(_RANDOM.choice(alphabet) for _ in range(n))


def _uuid() -> str:
    h = _r(32, "0123456789abcdef")
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _b64(n: int) -> str:
    return base64.b64encode(_RANDOM.randbytes(n)).decode()


def _tunnel_token() -> str:
    """What `cloudflared tunnel token` prints: base64 of an account tag, a tunnel id and
    its secret, random here."""
    fields = f'{{"a":"{_r(32, "0123456789abcdef")}","t":"{_uuid()}","s":"{_b64(32)}"}}'
    return base64.b64encode(fields.encode()).decode()


def _jenkins_secret() -> str:
    """hudson.util.Secret's form: version 1, a 16-byte IV's length, the data's, then both."""
    raw = b"\x01" + (16).to_bytes(4, "big") + (32).to_bytes(4, "big") + _RANDOM.randbytes(48)
    return "{" + base64.b64encode(raw).decode() + "}"


# Made-up words of BIP39's shape (3-8 lower-case letters): no real wallet's phrase.
SEED_WORDS = [
    "amber", "bishop", "cobalt", "dune", "ember", "fjord", "gravel", "harbor", "island",
    "jasper", "kettle", "lantern", "meadow", "nectar", "orchid", "pebble", "quartz", "raven",
    "saddle", "timber", "umber", "velvet", "willow", "yonder", "zephyr", "acorn", "birch",
    "canyon", "delta", "falcon",
]  # fmt: skip


def _phrase(n: int) -> str:
    return " ".join(_RANDOM.sample(SEED_WORDS, n))


def _ppk() -> str:
    """A PuTTY private key file (.ppk), unencrypted."""
    return (
        "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy\n"
        f"Public-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAI{_r(40)}\n{_r(20)}\n"
        f"Private-Lines: 1\n{_r(64, _ALNUM + '+/')}\nPrivate-MAC: {_r(64, '0123456789abcdef')}"
    )


CASES = [  # (kind, line)
    ("Adafruit IO key", 'IO_KEY = "aio_hkFsKUHNqZKZ4ZS7wW9Rqa9joHBC"'),
    (
        "Azure DevOps token",
        "pat: av9PxqCrK6HMOMhswJZUuyBJAZ5zqEJCHbptaOJN48YY1Uxbc7smQE6pemITHzs7Dcd6AnLzdfHUAZDOuH7p",
    ),
    (
        "Azure connection key",
        "Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=r;SharedAccessKey=DrL0XV9yi2DPL7jQVmXTbpER6OzvLvMqTwG4AXEjWV91",
    ),
    ("crates.io token", "cargo login cio9SHTbG9KEKcPDcqpM0NfrFSuzKNNFCEr"),
    ("Dependency-Track key", "X-Api-Key: odt_ASZ4y20xmL6iFxXwRuGul8zTG7dzRIRB"),
    ("Docker Hub token", "docker login -u me -p dckr_pat_kBrMN7w7Sk5qG3RUYYhyWOnByrK"),
    ("Vault token", "VAULT_TOKEN=hvs.XhkJbT5eofXUY66ILrRzJwyC"),
    (
        "Jenkins initial admin password",
        "Please use the following password to proceed to installation:\n\n"
        "5e0c81f3a9b24d7e8c6f1a2b3d4e5f60\n\nThis may also be found at: ...",
    ),
    ("Vault unseal key", "Unseal Key 3: n0Qx9b7Kf1VZ3gE8yWcRr5tLmA2jD6hUo4sPiXe+T/kB"),
    ("New Relic key", "license_key: 4de6bc155caa9bafd43a1e934ce45f9ded2fNRAL"),
    ("New Relic key", "<insertKey>NRII-" + _r(32, _ALNUM + "_-") + "</insertKey>"),
    ("New Relic key", "query_key = NRIQ-" + _r(32, _ALNUM + "_-")),
    ("NuGet API key", "nuget push pkg.nupkg oy2bpszqcc56u3u3tsg9ivddz68dibkwx048yiumy3iyq2"),
    ("Okta API token", "Authorization: SSWS 00VwRyKqgzOrjRCgUda1h2Huj2oJvScDIVMuOP40gt"),
    ("Sourcegraph token", "src: sgp_f729b14a9de7c6c5_37660562da197878a32d427ede5d88df6a95eb9c"),
    ("Square token", "sq0atp-Fx2JlZZFZ0uhkBrtj6xJwr"),
    ("Telegram bot token", "bot = Bot('622160452:AAXjLa8Z7eWoz6OM5ersoUGctSTGOldvcvG')"),
    ("Twitch stream key", "stream: live_711421632_53aSg7yJ2RYrlGcLkkTzyfCuxvJufv"),
    (
        "Groq API key",
        "client = Groq(api_key='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')",
    ),
    (
        "Google OAuth client secret",
        '{"web": {"client_secret": "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"}}',
    ),
    ("LangSmith API key", "LANGCHAIN_API_KEY=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"),
    ("Replicate API token", "r8_Go5IWHaEFhYyrhyAjgtkFHwQKWZKtmzwXHnGw"),
    ("Supabase access token", "sbp_f20bb008dbc7b5db469abf303487277216b2f5f0"),
    ("Tavily API key", "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"),
    (
        "xAI API key",
        "xai-d0uSQvuE66c4BhT5MSlwWTSTALzNypTuITn1JPvbGkVGM3sHtry7Ip12yMVoAhLPggpBGHYQdJ6BQoao",
    ),
    ("HTTP basic credentials", "Authorization: Basic YWRtaW46cjBzM2J1ZCE="),
    # the scheme in any case: git's http.extraheader as actions/checkout writes it
    ("HTTP basic credentials", "\textraheader = AUTHORIZATION: basic YWRtaW46cjBzM2J1ZCE="),
    # .NET's header value, a scheme and its parameter as two arguments
    (
        "HTTP basic credentials",
        'new AuthenticationHeaderValue("Basic", "YWRtaW46cjBzM2J1ZCE=")',
    ),
    # without a header's name: a runbook's line, a log's, a test's expected value
    ("HTTP basic credentials", "then send Basic YWRtaW46cjBzM2J1ZCE= with each call"),
    ("HTTP basic credentials", 'header: "Basic YWRtaW46cjBzM2J1ZCE=",'),
    # a registry login as Docker's config.json keeps it, also as JSON escaped in a string
    ("container registry login", '{"auths": {"r.io": {"auth": "Y2ktYm90OldxNXpLOHZNMnhUcA=="}}}'),
    (
        "container registry login",
        'environment = ["DOCKER_AUTH_CONFIG={\\"auths\\":{\\"r.io:8083\\":'
        '{\\"auth\\":\\"Y2ktYm90OldxNXpLOHZNMnhUcA==\\"}}}"]',
    ),
    (
        "token in URL",
        'requests.get("https://api.example.io/v1/get?token=uSd23xn6Od25qKAjmHkGdfS8&pin=1")',
    ),
    # any parameter whose name says secret, as an assignment's name would
    ("token in URL", 'fetch("https://graph.example.com/me?x=1&fbApiKey=0278fc1adf6dc1d82a156f")'),
    ("token in URL", "https://ci.example.com/badge?REPO_TOKEN=d37a8b9e09642cb73cfcf4e1284815fc"),
    # a bare `key` in a query is an API's key, a UUID too (an assignment's may be a map's)
    (
        "token in URL",
        'base_url: "https://api.example.com/v1/user?key=5c1e7a2d-93b4-4f60-a8d1-2e7b9c04f3a6"',
    ),
    (
        "one-time password seed",
        "uri: otpauth://totp/Acme:dev%40acme.io?issuer=Acme&secret=UJZDEGXDNCF32EPF&digits=6",
    ),
    (
        "password in connection string",
        '"Server=db1;Database=app;User Id=svc;Password=sK!g2Ex_=jJ6Gx5v;"',
    ),
    ("Amazon MWS auth token", "mws: amzn.mws.4ea38b7b-f563-7709-4bae-87aeaa39d09a"),
    (
        "Onfido API token",
        "ONFIDO = 'api_live.Kq3vZ0_a9Xw.Rt7YhB2m-cN4pLs8Jd6Fg1QwEz5Ux0Vk'",
    ),
    (
        "Braintree access token",
        "bt = access_token$production$k3m9q2wz7x4r8t1p$0c9e8b7a6f5d4c3b2a1e0f9d8c7b6a5e",
    ),
    (
        "bcrypt password hash",
        "INSERT INTO users VALUES "
        "(7, 'ada', '$2y$10$Qm7kR2vX9pL4sT8wZ1nB3eH6jU0cY5fA.gD/iK3lO7qM2rN8tV4xW');",
    ),
    # Django's hashers and PHC strings, bare in a fixture or a dump as bcrypt's are.
    (
        "PBKDF2 password hash",
        f'{{"model": "auth.user", "fields": {{"password": "pbkdf2_sha256$870000${_r(22)}$'
        f'{_r(43, _ALNUM + "+/")}="}}}}',
    ),
    ("PBKDF2 password hash", f"ci:$pbkdf2-sha256$29000${_r(22, _CRYPT)}${_r(43, _CRYPT)}"),
    (
        "Argon2 password hash",
        f"PASSWORD = 'argon2$argon2id$v=19$m=102400,t=2,p=8${_r(22)}${_r(43, _ALNUM + '+/')}'",
    ),
    (
        "Argon2 password hash",
        f"(3, 'ada', '$argon2id$v=19$m=65536,t=3,p=4${_r(22)}${_r(43, _ALNUM + '+/')}')",
    ),
    (
        "SoftLayer API key",
        "softlayer_api_key: 9f3a7c1e5b2d8f4a6c0e9b3d7f1a5c2e8b4d0f6a3c9e1b7d5f2a8c4e0b6d9f3a",
    ),
    ("Hugging Face organization token", "(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)"),
    ("npm registry credentials", "//npm.corp.example/:_password=Zm9vYmFyYmF6cXV4"),
    ("AWS account ID", 'AccountId: "604172859316"'),
    ("Vault token", 'curl -H "X-Vault-Token: s.Qe7Vb2Lk9XnR4tYw1ZsA8mPd" https://vault:8200'),
    (
        "Azure DevOps token",
        'AZURE_DEVOPS_PAT = "k4m7q2zx5n3w6vbr2t7ycd4hf5jla3pe6ug7sx2nmq4rbw5ty3zk"',
    ),
    ("Kubernetes bootstrap token", "kubeadm join 10.0.0.1:6443 --token r7q2xk.m4p9w2v7c3b8n5zt"),
    ("Kubernetes bootstrap token", "token-id: r7q2xk\ntoken-secret: m4p9w2v7c3b8n5zt"),
    ("Postmark server token", 'POSTMARK_SERVER_TOKEN: "5b3e9d1a-7c4f-4e2b-9a6d-0f8c1e3b5d7a"'),
    ("Postmark server token", 'postmarkToken := "5b3e9d1a-7c4f-4e2b-9a6d-0f8c1e3b5d7a"'),
    ("Postmark server token", "<postmark>5b3e9d1a-7c4f-4e2b-9a6d-0f8c1e3b5d7a</postmark>"),
    (
        "password in connection string",
        'sql.Open("postgres", "host=db user=app password=Tq8mLz2pVx9wRk dbname=app")',
    ),
    (
        "Azure storage account key",
        f"AzCopy.exe -storagename corpbackups -storagekey {_r(86, _ALNUM + '+/')}== -container db",
    ),
    (
        "secret in a call without parentheses",
        'signingConfigs {\n  release {\n    storePassword "Tq8mLz2pVx9wRk"\n  }\n}',
    ),
    ("secret in a call without parentheses", "set :scm_passphrase, 'Wn4kPq7zLx2mVb'"),
    ("secret in a call without parentheses", 'set db_password "Wn4kPq7zLx2mVb"'),
    # Elixir's module attribute, Erlang's macro, Clojure's var
    ("secret in a call without parentheses", '  @db_password "Wn4kPq7zLx2mVb"'),
    ("secret constant", '-define(DB_PASSWORD, "Wn4kPq7zLx2mVb").'),
    ("secret constant", '(def ^:private db-password "Wn4kPq7zLx2mVb")'),
    ("password encoded for a Basic header", 'const auth = "Basic " + btoa("ci:Tq8mLz2pVx9wRk");'),
    ("password encoded for a Basic header", 'token = base64.b64encode(b"ci:Tq8mLz2pVx9wRk")'),
    ("wallet seed phrase", f'    accounts: {{ mnemonic: "{_phrase(12)}" }},'),
    ("wallet seed phrase", f"DEPLOYER_MNEMONIC={_phrase(24)}"),
    ("wallet seed phrase", f"const w = Wallet.fromPhrase('{_phrase(12)}');"),
    (
        "OpenVPN static key",
        "<tls-auth>\n-----BEGIN OpenVPN Static key V1-----\n"
        + "\n".join(_r(32, "0123456789abcdef") for _ in range(16))
        + "\n-----END OpenVPN Static key V1-----\n</tls-auth>",
    ),
    (
        "OpenVPN static key",
        "<tls-crypt-v2>\n-----BEGIN OpenVPN tls-crypt-v2 client key-----\n"
        + "\n".join(_r(64, _ALNUM + "+/") for _ in range(8))
        + "\n-----END OpenVPN tls-crypt-v2 client key-----\n</tls-crypt-v2>",
    ),
    (
        "Telegram bot token",
        f'requests.post(f"https://api.telegram.org/bot5432109876:AAH{_r(32, _URL)}/sendMessage")',
    ),
    (
        "AWS session token",
        f"2026-12-05T01:00:00Z\tIQoJb3JpZ2luX2VjE{_r(300, _ALNUM + '/+')}\tarn:aws:sts::role/ci",
    ),
    ("secret as a reference's default", "      - POSTGRES_PASSWORD=${DB_PASSWORD:-Tq8mLz2pVx9wRk}"),
    ("secret as a reference's default", "spring.datasource.password=${DB_PASSWORD:Wn4kPq7zLx2mVb}"),
    ("IFTTT webhook key", f"curl -X POST https://maker.ifttt.com/trigger/door/with/key/{_r(22)}"),
    ("Zapier webhook", f"ZAP = 'https://hooks.zapier.com/hooks/catch/4819276/{_r(7, _LOWER)}/'"),
    ("Vault AppRole secret ID", "VAULT_SECRET_ID=2f7d1c9e-4b8a-4e36-a1d5-9c0b7e3f6a24"),
    (
        "Vault AppRole secret ID",
        'vault write auth/approle/login role_id="$ROLE"'
        ' secret_id="8e1a4c7d-2b9f-4d05-b6e3-1f7a9c2d8b40"',
    ),
    ("Vault AppRole secret ID", '{"secretId": "c3b8e2a7-5d1f-4a96-8e0c-7b4d2f9a1e63"}'),
    ("ThingsBoard access token", "https://thingsboard.cloud/api/v1/Ab3Kz9Qp2Lm7Xw4Rt8Yn/telemetry"),
    ("Kolide API key", "KOLIDE_API_KEY=k2sk_v1_Hq7Tz2Vw9Kp4Lm8Xr3Nc6By1"),
    # the twenty-eighth session's formats, here so the families' end-to-end test plants them
    ("Cloudflare Tunnel token", f"TUNNEL_TOKEN={_tunnel_token()}"),
    ("Jenkins encrypted secret", f"<password>{_jenkins_secret()}</password>"),
    ("Maven master password", f"<master>{{{_b64(33)}}}</master>"),
    ("token as a URL's user", f"git clone https://{_r(40, '0123456789abcdef')}@github.com/o/a.git"),
    (
        "Django secret key",
        "SECRET_KEY = 'django-insecure-q8#v2k!m7x(z3p-w9r)t=4b+n6c^j1h&y5g@s0d%f*a_e2l7u9'",
    ),
    (
        "Google OAuth client ID",
        '"client_id": "830192746581-k3q9z7x2m5v8b4n1c6p0w3r7t9y2u5h8.apps.googleusercontent.com"',
    ),
    ("Firebase Cloud Messaging server key", f'FCM = "AAAA{_r(7)}:APA91b{_r(134, _URL)}"'),
    ("Salesforce access token", f"Access Token 00D{_r(12)}!{_r(96, _SF)}"),
    (
        "Discord webhook",
        "WEBHOOK=https://discord.com/api/webhooks/304348395486205798/1qtc4xatws8phP9nhFyJfm5di4PzJ59FHz5r1pY4OjE2jBMptUsGr7CmY_uCu3ZR1zTO",
    ),
    ("password in URL", "REDIS_URL = 'redis://:Zq8vK3mW7xPt@cache.internal:6379/0'"),
    ("private key", _ppk()),
    # Credentials known by their context (bot/secrets/contexts.py, line_contexts.py).
    ("password on a command line", "sshpass -p 'Vq9#mT2w' ssh deploy@10.0.4.7 uptime"),
    ("password on a command line", "mysql -h db -u app -pK7vQ2mX9wLp app < dump.sql"),
    ("password on a command line", "docker login -u ci --password Rt5vZ8qW2nKx registry.corp"),
    # a .NET tool's capitalised flag
    ("password on a command line", "dotnet run -- --Username ci --Password Rt5vZ8qW2nKx"),
    ("password on a command line", 'Connect-VIServer vc01 -User admin -Password "Tq4!Lm8zPw"'),
    ("password on a command line", "$pw = ConvertTo-SecureString 'Zx8#Kq2wVm' -AsPlainText -Force"),
    ("password on a command line", "ldapsearch -x -D cn=admin,dc=corp -w Hw3kP9xQ -b dc=corp"),
    (
        "password hash",
        "root:$6$Gk2Vq9Zt$Yq3mW8xK1pL5nR7tB2vC4zH6jD9fS0aE3gU5iO7kM1qN2wX4yT6rP8sL0:19500:0:99999:7:::",
    ),
    ("password hash", "alice:$apr1$Zq7x9mKd$4Hn2bV8cXw1LpQ7rT0sY3/"),
    # htpasswd's unsalted SHA-1: cracked as fast as the password is guessed
    ("password hash", "alice:{SHA}" + base64.b64encode(_r(20).encode()).decode()),
    # written whole outside a passwd line: a cloud-init user, a users table's dump
    ("crypt password hash", f"    passwd: ${'6'}${_r(16, _CRYPT)}${_r(86, _CRYPT)}"),
    (
        "crypt password hash",
        f"VALUES (1, 'ada', '$5$rounds=5000${_r(16, _CRYPT)}${_r(43, _CRYPT)}')",
    ),
    ("crypt password hash", f"ada,$y$j9T${_r(22, _CRYPT)}${_r(43, _CRYPT)},admin"),
    (
        "secret in an XML element",
        "<server><id>nexus</id><password>Mv7qK2zX9wLp</password></server>",
    ),
    ("netrc password", "machine api.corp.example\n  login deploy\n  password Qx7mV2kZ9wTp"),
    ("netrc password", "machine api.corp.example login deploy password -3&0{t7JFpQHi&6R"),
    ("password compared with a literal", 'if creds.Secret != "open-sesame-42" {'),
    ("password on a command line", "requirepass Hv8mQ2zK5wXp"),
    (
        "token on a command line",
        "vault login -address=https://vault:8200 s.Hv8mQ2zK5wXpT4nR7cL2aY9d",
    ),
    # an Authorization header's credentials under a scheme without a pattern of its own
    ("credentials in an Authorization header", f'h = {{"Authorization": "GenieKey {_uuid()}"}}'),
    ("credentials in an Authorization header", f"Authorization: Splunk {_uuid().upper()}"),
    ("credentials in an Authorization header", f"Authorization: DeepL-Auth-Key {_uuid()}:fx"),
    # a scheme's word and its token kept together under a token's name: the token is read
    ("secret assignment", f'api_key = "Key {_r(32)}"'),
    ("secret assignment", f'opsgenie_token: "GenieKey {_r(36)}"'),
    # PowerShell's environment: a scope before the name, a .NET call with a target after
    ("password assignment", '$env:DB_PASSWORD = "Vq9#mT2wKx"'),
    (
        "secret set by its name",
        '[Environment]::SetEnvironmentVariable("DB_PASSWORD", "Vq9#mT2wKx", "User")',
    ),
    # Make's `?=`
    ("secret assignment", f"API_TOKEN ?= {_r(32)}"),
    # the answer an Expect or pexpect script sends to a password prompt
    ("password sent to a prompt", 'expect "Password:"\nsend -- "Vq9#mT2wKx\\r"\ninteract'),
    ("password sent to a prompt", 'expect -re "(P|p)assword: $"\nsend "Vq9#mT2wKx\\r"'),
    # the prompt's `"Password:"` is no name: the quote after it closes it
    ("password sent to a prompt", 'expect "Password:" { send "Vq9#mT2wKx\\r" }'),
    ("password sent to a prompt", 'child.expect("[Pp]assword:")\nchild.sendline("Vq9#mT2wKx")'),
    # curl's unquoted `user:password` with symbols gitleaks' rule does not read
    ("password on a command line", "curl -sS -u deploy:Xk9#mQ2%vL7! https://ci.corp/api"),
    ("password passed to a login call", 'server.login("alerts@corp.example", "Kp7vX2mQ9wLz")'),
    (
        "password passed to a login call",
        'DriverManager.getConnection("jdbc:mysql://db/app", "svc", "Tz4qW8mK2vXp");',
    ),
    ("password passed to a login call", 'new NetworkCredential("svc_ldap", "Rrhh1234", "CORP")'),
    # positional connects (legacy PHP, MySQLdb), Azure's client secret, pysmb, python-ldap
    (
        "password passed to a login call",
        '$db = mysql_connect("localhost", "shop", "Tz4qW8mK2vXp");',
    ),
    (
        "password passed to a login call",
        'db = MySQLdb.connect("db", "shop", "Tz4qW8mK2vXp", "shop")',
    ),
    (
        "password passed to a login call",
        'c = ClientSecretCredential(TENANT, CID, "Tz4q~W8mK2vXp.Lm4")',
    ),
    (
        "password passed to a login call",
        'conn = SMBConnection("svc", "Tz4qW8mK2vXp", "me", "fs01")',
    ),
    ("password passed to a login call", 'l.bind_s("cn=admin,dc=corp,dc=example", "Tz4qW8mK2vXp")'),
    # PHP's ftp_login, ssh2_auth_password, ldap_bind and imap_open; Perl's `->login`;
    # Ruby's Net::FTP; gomail's dialer; JavaMail's transport and store
    ("password passed to a login call", '$ok = ftp_login($conn, "deploy", "Tz4qW8mK2vXp");'),
    ("password passed to a login call", 'ssh2_auth_password($c, "deploy", "Tz4qW8mK2vXp");'),
    ("password passed to a login call", '$r = ldap_bind($ds, "cn=admin", "Tz4qW8mK2vXp");'),
    ("password passed to a login call", '$m = imap_open("{imap}INBOX", "bot", "Tz4qW8mK2vXp");'),
    ("password passed to a login call", '$ftp->login("deploy", "Tz4qW8mK2vXp") or die;'),
    ("password passed to a login call", 'ftp = Net::FTP.new("files", "deploy", "Tz4qW8mK2vXp")'),
    ("password passed to a login call", 'd := gomail.NewDialer("smtp", 25, "bot", "Tz4qW8mK2vX")'),
    ("password passed to a login call", 'transport.connect("smtp.corp", "bot", "Tz4qW8mK2vXp");'),
    ("password passed to a login call", 'Transport.send(message, "bot", "Tz4qW8mK2vXp");'),
    ("password passed to a login call", 'requests.get(url, auth=("api", "Wq5zK8vM2xTp"))'),
    # a Basic header's pair handed to a client: Go, Spring, aiohttp, OkHttp, REST Assured
    ("password passed to a login call", 'req.SetBasicAuth("ci", "Wq5zK8vM2xTp")'),
    ("password passed to a login call", 'headers.setBasicAuth("ci", "Wq5zK8vM2xTp");'),
    ("password passed to a login call", 'aiohttp.BasicAuth("ci", "Wq5zK8vM2xTp")'),
    ("password passed to a login call", '.basicAuthentication("ci", "Wq5zK8vM2xTp")'),
    ("password passed to a login call", 'Credentials.basic("ci", "Wq5zK8vM2xTp")'),
    ("password passed to a login call", 'given().auth().preemptive().basic("ci", "Wq5zK8vM2xTp")'),
    ("password passed to a login call", "$db = new PDO($dsn, 'app', 'Lm3xQ7vK9zWp');"),
    # Ruby's basic_auth with parentheses or without, PHP curl's `user:password`, sbt's
    ("password passed to a login call", "req.basic_auth 'ci', 'Wq5zK8vM2xTp'"),
    ("password passed to a login call", 'conn.basic_auth("ci", "Wq5zK8vM2xTp")'),
    ("password passed to a login call", 'curl_setopt($ch, CURLOPT_USERPWD, "ci:Wq5zK8vM2xTp");'),
    # libcurl's password options (C, PHP): the server's, the proxy's
    (
        "password passed to a login call",
        'curl_easy_setopt(curl, CURLOPT_PASSWORD, "Wq5zK8vM2xTp");',
    ),
    ("password passed to a login call", 'curl_setopt($ch, CURLOPT_PROXYPASSWORD, "Wq5zK8vM2xTp");'),
    (
        "password passed to a login call",
        'credentials += Credentials("Sonatype", "oss.sonatype.org", "ci", "Wq5zK8vM2xTp")',
    ),
    ("secret constant", "define( 'DB_PASSWORD', 'Jv6pR2xK8mQz' );"),
    ("secret constant", "define('mail.smtp-password', 'Jv6pR2xK8mQz');"),  # any string names it
    ("password compared with a literal", 'if (!"Rrhh1234".equals(password)) {'),
    # a request's key checked against one written in the code
    ("key compared with a literal", f'if api_key != "{_r(32)}":'),
    ("key compared with a literal", f'if (req.query.apiKey === "{_r(32)}") {{'),
    ("secret in a name/value pair", "env:\n  - name: POSTGRES_PASSWORD\n    value: Kq8vM2xZ7wTp"),
    ("secret in a name/value pair", '{"name": "STRIPE_SECRET", "value": "Vx3mQ9kZ2wLp"}'),
    # CloudFormation's `Name`/`Value` (an ECS container's Environment), in YAML and JSON
    (
        "secret in a name/value pair",
        "Environment:\n  - Name: POSTGRES_PASSWORD\n    Value: Kq8vM2xZ7wTp",
    ),
    ("secret in a name/value pair", '{"Name": "STRIPE_SECRET", "Value": "Vx3mQ9kZ2wLp"}'),
    ("secret as an environment variable's default", 'os.getenv("API_TOKEN", "Zp4kV8mX2qWt")'),
    # the same fallback in other languages and in the helpers Go code writes for it
    ("secret as an environment variable's default", 'pw := getEnv("DB_PASSWORD", "Zp4kV8mX2qWt")'),
    (
        "secret as an environment variable's default",
        'val pw = sys.env.getOrElse("DB_PASSWORD", "Zp4kV8mX2qWt")',
    ),
    (
        "secret as an environment variable's default",
        'def pw = System.getenv("DB_PASSWORD") ?: "Zp4kV8mX2qWt"',
    ),
    (
        "secret as an environment variable's default",
        'var pw = Environment.GetEnvironmentVariable("DB_PASSWORD") ?? "Zp4kV8mX2qWt";',
    ),
    (
        "secret as an environment variable's default",
        'let pw = env::var("DB_PASSWORD").unwrap_or("Zp4kV8mX2qWt".to_string());',
    ),
    (
        "secret as an environment variable's default",
        'pw = os.environ.get("DB_PASSWORD") or "Zp4kV8mX2qWt"',
    ),
    # Laravel's env(), python-decouple's and django-environ's keyword default, Ruby's
    # block and `||` forms, Elixir's get_env, Rust's closure with an argument
    (
        "secret as an environment variable's default",
        "'password' => env('DB_PASSWORD', 'Zp4kV8mX2qWt'),",
    ),
    (
        "secret as an environment variable's default",
        'KEY = config("SECRET_KEY", cast=str, default="Zp4kV8mX2qWt")',
    ),
    (
        "secret as an environment variable's default",
        'SECRET_KEY = env.str("SECRET_KEY", default="Zp4kV8mX2qWt")',
    ),
    (
        "secret as an environment variable's default",
        'pw = ENV.fetch("DB_PASSWORD") { "Zp4kV8mX2qWt" }',
    ),
    ("secret as an environment variable's default", 'pw = ENV["DB_PASSWORD"] || "Zp4kV8mX2qWt"'),
    (
        "secret as an environment variable's default",
        'pw: System.get_env("DB_PASSWORD", "Zp4kV8mX2qWt"),',
    ),
    (
        "secret as an environment variable's default",
        'let pw = env::var("DB_PASSWORD").unwrap_or_else(|_| "Zp4kV8mX2qWt".into());',
    ),
    # Rust's type annotation between the name and `=`
    ("password assignment", 'static DB_PASSWORD: &\'static str = "Zp4kV8mX2qWt";'),
    (
        "secret as an environment variable's default",
        'const pw = process.env.DB_PASSWORD || "Mq7xK2vZ9wLp";',
    ),
    ("secret in a Dockerfile ENV", "ENV DRONE_TOKEN Wz5qK8mV2xTp"),
    ("password on a command line", "curl --proxy-user ops:Tq6vK9mZ2xWp https://corp.example"),
    # any tool's password flag, not only `--password`
    ("password on a command line", "curl --tlspassword Tq6vK9mZ2xWp https://corp.example"),
    ("password on a command line", "app migrate --db-password Tq6vK9mZ2xWp --db-user app"),
    ("password on a command line", "keytool -list --keystore-password=Tq6vK9mZ2xWp"),
    # tools' own password flags and arguments
    ("password on a command line", "keytool -importkeystore -srcstorepass Tq6vK9mZ2xWp -v"),
    # quoted, a leading `-` is a generated password's symbol, not the next flag
    ("password on a command line", "sshpass -p '-1qs1Y*}qE0jx^S2' ssh app@web1"),
    ("password on a command line", "jarsigner -storepass Tq6vK9mZ2xWp app.apk release"),
    ("password on a command line", "apksigner sign --ks-pass pass:Tq6vK9mZ2xWp app.apk"),
    ("password on a command line", "openssl pkcs12 -export -passout pass:Tq6vK9mZ2xWp -out c.p12"),
    ("password on a command line", "openssl enc -aes-256-cbc -k Tq6vK9mZ2xWp -in backup.tar"),
    ("password on a command line", "openssl pkcs12 -export -passin 'pass:Tq6vK9mZ2xWp' -in a.p12"),
    ("password on a command line", 'ssh-keygen -t ed25519 -N "Tq6vK9mZ2xWp" -f deploy_key'),
    ("password on a command line", "zip -r -P Tq6vK9mZ2xWp backup.zip data/"),
    ("password on a command line", "7z a -pTq6vK9mZ2xWp backup.7z data/"),
    ("password on a command line", r"net use \\fs01\share /user:CORP\svc Tq6vK9mZ2xWp"),
    ("password on a command line", 'sqlcmd -S db -U sa -P Tq6vK9mZ2xWp -Q "select 1"'),
    (
        "password on a command line",
        "mongosh -u admin -p Tq6vK9mZ2xWp --authenticationDatabase admin",
    ),
    ("password on a command line", "smbclient //fs01/share -U svc%Tq6vK9mZ2xWp"),
    ("password on a command line", "rabbitmqctl add_user deploy Tq6vK9mZ2xWp"),
    ("password on a command line", "htpasswd -bc /etc/nginx/.htpasswd admin Tq6vK9mZ2xWp"),
    ("password on a command line", 'echo "deploy:Tq6vK9mZ2xWp" | sudo chpasswd'),
    # capitals that are not the flag's own word: a password, not a help text's metavar
    ("password on a command line", "app --password ZQXWVKRMTP"),
    ("secret after its name", "[DEBUG] Using token Hq2Lm8Xr3Nc6By1Tz5Vw9Kp4"),
    ("secret after its name", "acme SECRET - 'Zr4Kq8Xv2Lm7Nc3By9Tw5Hp1'"),
    # a name glued to a service's, in any case (one word of the name in capitals)
    ("secret after its name", "weatherTOKEN Zr4Kq8Xv2Lm7Nc3By9Tw5Hp1"),
    ("secret in an XML element", "<password>  Mv7qK2zX9wLp  </password>"),
    # alone on its line between its tags, as an indenting writer puts a long value
    ("secret in an XML element", f"<settings>\n  <apiKey>\n    {_r(40)}\n  </apiKey>\n"),
    ("private member of a JSON Web Key", f'{{"kty": "oct", "k": "{_r(22, _URL)}"}}'),
    ("NATS nkey seed", f"nkey seed: SU{_r(56, string.ascii_uppercase + '234567')}"),
    ("bearer token", f"      - Bearer {_r(64, '0123456789abcdef')}"),
    # Behind a short lower-case prefix the random part still makes it a token.
    ("bearer token", f'authHeader := "Bearer bb_pr_{_r(28, "0123456789abcdef")}"'),
    (
        "token authorization",
        f'req.Header.Set("Authorization", "Token {_r(40, "0123456789abcdef")}")',
    ),
    ("password in SQL", f"CREATE USER 'app'@'%' IDENTIFIED BY '{_r(12)}7';"),
    ("password in SQL", f"ALTER ROLE reporter WITH LOGIN PASSWORD '{_r(12)}7';"),
    ("secret in a YAML block scalar", f"stringData:\n  api-token: |\n    {_r(32)}\n"),
    ("secret set by its name", f'props.setProperty("db.password", "{_r(12)}7");'),
    ("password in a URL's query", f"url=jdbc:mysql://db/app?user=app&password={_r(12)}7"),
    # a query parameter whose name says password, not only `password=`
    ("password in a URL's query", f"url=jdbc:mysql://db/app?user=admin&userpass={_r(12)}7"),
    ("password in a URL's query", f"url=jdbc:x://db/app?db_pass={_r(12)}7&ssl=true"),
    ("secret in a list", f"api_keys:\n  - {_r(32)}7\n"),
    ("password in a DSN", f'db, err := sql.Open("mysql", "app:{_r(12)}7@tcp(db:3306)/app")'),
    (
        "secret as a variable's default",
        f'variable "db_password" {{\n  type      = string\n  default   = "{_r(12)}7"\n}}',
    ),
    ("secret in a map literal", f'val props = mapOf("user" to "app", "password" to "{_r(12)}7")'),
    ("secret set by its name", f'os.Setenv("DB_PASSWORD", "{_r(12)}7")'),
    (
        "value of a Kubernetes Secret",
        "kind: Secret\ndata:\n  config.json: "
        + base64.b64encode(f'{{"auth": "{_r(24)}7"}}'.encode()).decode()
        + "\n",
    ),
    ("password on a command line", f"echo '{_r(12)}7' | helm registry login r --password-stdin"),
    ("secret in a list", f'{{"tokens": ["{_r(24)}7"]}}'),
    # a long random value spells `md5` or `YOur` by chance: no hash context, no stand-in
    ("high-entropy string", f'{{"data": "{_r(40, _ALNUM + "+/")}md5{_r(40)}YOur{_r(40)}=="}}'),
    ("secret assignment", f'API_TOKEN = "{_r(120)}mock{_r(60)}xxxx{_r(60)}"'),
    # chance in a drawn value: a camel-case "Todo" among digits, no digit at all in a
    # query's base64, a drawn run between a base64url value's underscores
    ("secret assignment", f'API_TOKEN = "{_r(60)}WhGwTodoD9{_r(60)}"'),
    (
        "token in URL",
        "https://api.example.org/v1/items?access_token=EfiqQ+LvdnMjXriecIcuZKk/vNVuocr",
    ),
    (
        "secret on a command line",
        "gh release create v1 --token poq_XDJRXVweMTsJUdI8oeoXXhPHtjQYVNoFtSvS_NO",
    ),
    # base64's `+` and `/` cut a drawn value into runs with a digit or none
    (
        "secret on a command line",
        "gh release create v1 --token dCwAPISsK95/86/ANh4xItxL+eKoUjNaGhFi==",
    ),
]


@pytest.mark.parametrize(("kind", "text"), CASES, ids=[k for k, _ in CASES])
def test_service_format_is_found_under_its_kind(kind: str, text: str) -> None:
    hits = find_secrets(text)
    assert [h.kind for h in hits] == [kind]
    # A hit masks what it found: an empty or blank span would hide nothing.
    assert all(text[h.start : h.end].strip() for h in hits), hits


LOOK_ALIKES = [
    # an environment variable's default under a name that says no secret, or empty
    "'name' => env('APP_NAME', 'Laravel'),",
    "'password' => env('DB_PASSWORD', ''),",
    'TIMEOUT = config("HTTP_TIMEOUT", cast=int, default="Zp4kV8mX2qWt")',
    "Authorization: Basic dXNlcjpwYXNzd29yZA==",  # user:password
    "Authorization: Basic aGVsbG8gd29ybGQ=",  # "hello world": no user:password pair
    '{"auths": {"r.io": {"auth": "Y2ktYm90Og=="}}}',  # "ci-bot:", no password
    "https://example.com/search?token=correct_horse_battery",  # words, no digit
    # a listing's next page, a form's CSRF token, a URL and punctuation percent-encoded
    "https://www.googleapis.com/drive/v3/files?pageToken=Cj4KHgoMbW9kaWZpZWRUaW1lEg4I9",
    "https://app.example.com/form?csrf_token=8f14e45fceea167a5a36dedd4bea2543",
    "POST url?param-key=https%3A%2F%2Fmalicious.com%2F%3Fq%3D%3Cscript%3E1",
    "POST url?param-key=%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A",
    "Server=db;User Id=app;Password=${DB_PASSWORD};",  # a reference
    "uid=#{opts[:user]};pwd=#{opts[:secret]}",  # Ruby interpolation
    "Data Source=x;User ID=sa;Password=;",  # empty
    '"db_password": "&lt;mysqlrootpw&gt;"',  # an HTML-escaped <placeholder>
    "precious-cioabcdefghijklmnopqrstuvwxyzABCDEF",  # "cio" inside a word, a typed run
    "sq0atp-xxxxxxxxxxxxxxxxxxxxxx",
    "hvs.deprecated_setting_name_in_docs",  # no digits or upper case: a name
    "aws_account_id_fake: 604172859316123",  # 15 digits: no account id
    "vault_token_ttl: s.deprecated_setting_name",  # no random run after `s.`
    "token-secret: ${BOOTSTRAP_SECRET}",  # a reference
    'password_hash = "$2b$12$Qm7kR2vX9pL4sT8wZ1nB3eH6jU0cY5fA.gD/iK3lO7qM2rN8tV4xW"',  # named
    "secretary: 7a9d0c3e1f5b8a2d4c6e0f9b3a7d1c5e",  # not a secret word
    "gh_token: ghp_abababababababababababababababababab",  # two characters, repeated
    "aws_secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYzSAMPLEKEY",  # says SAMPLE
    # A command's password taken from a variable, a prompt, a format's slot.
    'sshpass -p "$SSH_PASS" ssh host',
    'cmd := fmt.Sprintf("sshpass -p %s ssh %s", password, host)',
    "mysql -u root -p -h db app",
    "sshpass -p -f /run/secrets/ssh_pw ssh app@web1",  # the next flag, unquoted
    'docker login -u "$USER" --password-stdin registry.corp',
    "Connect-VIServer $vc -User $user -Password $password",
    'docker login -u ci -p "${{ secrets.REGISTRY_PASSWORD }}" ghcr.io',
    "mysql -u app -p<password> app",
    "curl -u elastic:${ELASTIC_PASSWORD} https://localhost:9200",
    "$env:DB_PASSWORD = $secrets.DbPassword",
    '[Environment]::SetEnvironmentVariable("DB_PASSWORD", $password, "User")',
    # an Authorization header's parameters, a handshake's answer, a reference
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
    "aws4_request, SignedHeaders=host, Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe",
    "Authorization: Negotiate YIIJ6wYGKwYBBQUCoIIJ3zCCCdugJDAiBgkqhkiG9w0BAgIGCSqGSIb3EgEC",
    "Authorization: SSWS ${OKTA_API_TOKEN}",
    'api_key = "Invalid key provided"',  # words under a key's name
    # not a password's flag, a help text's metavar, a file's flag, a reference
    "tool --bypass Tq6vK9mZ2xWp",
    "tool -bypass Tq6vK9mZ2xWp",
    "openssl rsa -in key.pem -passin env:KEY_PASSPHRASE",
    "openssl rsa -in key.pem -passin file:secrets/pass.txt",
    "openssl enc -d -aes-256-cbc -pass file:pw.txt -in backup.enc",
    "openssl enc -d -aes-256-cbc -pass stdin -in backup.enc",
    # minified code compares a password; a query's parameter has no dot and no `==`
    "function w(t){return t.username===this.o.username&&t.password===this.o.password}",
    "7z a -p backup.7z data/",  # asks for it
    "mongosh -u admin -p --authenticationDatabase admin",
    "htpasswd -c /etc/nginx/.htpasswd admin",
    "https://cdn.example/img?bypass=Tq6vK9mZ2xWp&w=640",
    "  --passphrase PHRASE      Passphrase as configured (type: string)",
    "  --db-password STRING   Database password",
    "app --password-file secrets/pw.txt",
    'app --db-password "$DB_PASSWORD"',
    'api_key = "Key ${HASURA_KEY}"',  # a scheme and a reference
    'expect "password:"\nsend -- "$env(DEPLOY_PASSWORD)\\r"',
    'child.expect("Password:")\nchild.sendline(os.environ["PW"])',
    'expect(screen.getByLabelText("Password")).toBeVisible();\nsend("hello world")',
    "curl --user admin:<password> https://ci.corp/api",
    # A locked account, a hash named as one, an element that holds no secret.
    "root:!:19500:0:99999:7:::",
    "<passwordPolicy>strict</passwordPolicy><key>name</key>",
    "<password>${env.NEXUS_PASSWORD}</password>",
    # A login call given a variable, a placeholder, a format's slot; a constant that is
    # not a secret; WordPress' placeholder salt.
    "server.login(user, password)",
    "req.SetBasicAuth(user, password)",
    'conn.basic_auth(ENV["API_USER"], ENV["API_PASSWORD"])',
    'curl_setopt($ch, CURLOPT_USERPWD, "$user:$pass");',
    "curl_easy_setopt(curl, CURLOPT_PASSWORD, cfg->password);",
    'credentials += Credentials(Path.userHome / ".sbt" / ".credentials")',
    'req.SetBasicAuth("ci", "")',
    "Basic authentication is configured per route",  # prose, no base64 pair
    # a list of base64 tokens (a tokenizer's ranks): `PWNvbG9y` is no `pw` name
    'export default {"name": "tokenizer", "bpe_ranks": "IFBhc3Npb24= 5pat PWNvbG9y '
    'b3JpYW5DYWxlbmRhcg== IEtub2Nr IGhhaWxlZA=="}',
    'server.login("me@example.com", os.environ["SMTP_PASSWORD"])',
    'DriverManager.getConnection(url, user, "")',
    "define('WP_DEBUG_DISPLAY', 'false');",
    "define('AUTH_KEY', 'put your unique phrase here');",
    "requirepass foobared",
    # A dev server's root token, another method's pairs, a variable, stdin.
    "vault login root",
    "vault login -method=userpass username=ada",
    "vault login $VAULT_TOKEN",
    "vault login - < token.txt",
    # Seen in real packages' code and docs (redis-py, httpx, pip, dotenv): a URL's
    # template, prose about a flag, a docstring's example comparison.
    "redis://[[username]:[password]]@localhost:6379/0",
    "# The --username and --password options can't be used for",
    'assert url.password == "a secret"',
    'DOTENV_KEY="dotenv://:key_1234@dotenvx.com/vault/.env.vault?environment=prod"',
    # RFC 6749's and RFC 5849's example tokens, copied into library docs and tests.
    '"access_token":"2YotnFZFEjr1zCsicMWpAA", "refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA"',
    'oauth_consumer_key="0685bd9184jfhq22", oauth_token="ad180jjd733klru7"',
    # A setting whose value repeats its own name (an entry point), a password in prose.
    "try_except_pass = bandit.plugins.try_except_pass:try_except_pass",
    '"wallet_password": "top secret",  # password for the PEM file',
    # A type test or an empty check, not a password.
    'if (typeof password === "string") {',
    'if password == "" or secret != "":',
    'if api_key == "test" or access_key != "abc":',
    # what a credential's field is compared with to tell how to send it: a scheme, a
    # forge's token login
    "if ($auth['password'] === 'bearer') {",
    "if ($auth['password'] === 'private-token' || $auth['password'] === 'gitlab-ci-token') {",
    # A name/value pair, a default, an ENV that holds no secret or only a reference.
    "env:\n  - name: LOG_LEVEL\n    value: debug-verbose-42",
    "env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef: {name: db, key: pw}",
    '{"name": "DB_PASSWORD", "value": "${DB_PASSWORD}"}',
    "Environment:\n  - Name: DB_PASSWORD\n    Value: !Ref DbPassword",
    "Tags:\n  - Key: KeyPairName\n    Value: prod-bastion-keypair-2021",
    'const password = process.env.REACT_APP_PASSWORD || "not-set"',
    'os.getenv("API_TOKEN", "")',
    'host := getEnv("DB_HOST", "db.internal.example")',
    "ENV NODE_ENV production",
    'RUN echo "ENV API_TOKEN Wz5qK8mV2xTp" >> notes',  # ENV not the instruction
    # After a secret's name and a space: an id, words, a stand-in, a public key.
    "the key 7c9e2a4f-1b8d-3e6a-0c5f-9b2d7e1a4c8f was rotated",
    "token kind_identifier_string_value",
    "secret xxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "public key Hq2Lm8Xr3Nc6By1Tz5Vw9Kp4",
    # A key block whose body is typed filler, as in docs and scanners' tests.
    "-----BEGIN "
    + "ENCRYPTED PRIVATE KEY-----\n"
    + "ab" * 32
    + "\n-----END ENCRYPTED PRIVATE KEY-----",
    # A format's slot or a framework's reference, not a password.
    'format_password = "prefix_{}".format(value)',
    'format_password = f"prefix_{dynamic_value}"',
    "<Symfony_DB_Key>%env(DB_SECRET_VALUE)%</Symfony_DB_Key>",
    # A token's prefix at the end of a longer identifier (gho_ in Bigho_...).
    "Bigho_RENDERCONTEXTFORMATTINGSTATE2D4D6D8D",
    # A tokenizer's or a lexer's tokens, a Compose service's secrets by name: lists under
    # a token's or a secret's name that hold names, not credentials.
    'special_tokens = ["<|endoftext|>", "<|pad|>"]',
    "tokens = ('LPAREN', 'RPAREN', 'NUMBER', 'IDENTIFIER_2')",
    "    secrets:\n      - db_password\n      - API_TOKEN_FILE\n",
    # A variable's default that is no secret or only a stand-in, a map of names.
    'variable "region" {\n  default = "eu-west-1"\n}',
    'variable "api_token" {\n  sensitive = true\n  default   = "changeme"\n}',
    'val labels = mapOf("name" to "Kx7mQ2vZ9wLp", "team" to "core")',
    # A DSN built from variables, echoing a variable into a login.
    'dsn := fmt.Sprintf("%s:%s@tcp(%s)/%s", user, pass, host, name)',
    'echo "$REGISTRY_TOKEN" | docker login -u ci --password-stdin',
    # The alphabet typed in order, even in a service's format.
    "sk-ant-api03-abc123xyz-456de-klMnopqrstuvwx-3456yza789bcde-1234fghijklmnopAA",
    # An Azure client secret's key id is public (its value is the secret); a role id is
    # AppRole's user name.
    'client_secret_id = "6d2f9b1e-8a4c-4f37-b0e5-3c7a1d9f2b84"',
    'role_id = "6d2f9b1e-8a4c-4f37-b0e5-3c7a1d9f2b84"',
    # a hash named as one is stored on purpose; `$1$2` in a shell line is three arguments
    f"password_hash = '$6${_r(16, _CRYPT)}${_r(86, _CRYPT)}'",
    'echo "$1$2$3"',
    f"password_hash = 'pbkdf2_sha256$870000${_r(22)}${_r(43, _ALNUM + '+/')}='",
    f"hashed_password: $argon2id$v=19$m=65536,t=3,p=4${_r(22)}${_r(43, _ALNUM + '+/')}",
    # the development wallets' phrases every tutorial copies, a sentence, a CPU's mnemonic
    "mnemonic: 'test test test test test test test test test test test junk',",
    "const mnemonic = 'candy maple cake sugar pudding cream honey rich smooth crumble sweet treat'",
    "seed_phrase: the twelve words you wrote down when you created your wallet",
    "mnemonic = 'mov eax ebx'",
    "if '-----BEGIN OpenVPN Static key V1-----' in text:",
    # libpq's keyword/value form with a slot or a variable for the password
    'fmt.Sprintf("host=%s user=%s password=%s dbname=%s", h, u, p, d)',
    'dsn := "host=db user=app password=${PGPASSWORD} dbname=app"',
    # a call without parentheses holding a placeholder, a test's description, a print
    '    storePassword "your password"',
    '    storePassword "***"',
    '  it "rejects a bad password" do',
    'puts "Enter your token"',
    # a Basic pair built from variables
    "const t = Buffer.from(`${user}:${pass}`).toString('base64');",
    'auth = btoa("ci:" + password)',
    # a reference's default that is a stand-in, a nested reference, a required variable
    "      - POSTGRES_PASSWORD=${DB_PASSWORD:-changeme}",
    "  password: ${DB_PASSWORD:${FALLBACK_PASSWORD}}",
    'echo "${API_TOKEN:?set API_TOKEN first}"',
    "const url = `${host}:${port}/${token}`;",
    # keyword arguments are not libpq's fields
    "def build(fragment='', port=None, username=None, password=None):",
    # Azure's storage and Cosmos DB emulators' keys, published by Microsoft, in local set-ups
    "AZURE_STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
    "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBe"
    "ksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;",
    'azurite_key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHB'
    'eksoGMGw=="',
    "AccountEndpoint=https://localhost:8081/;AccountKey=C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE"
    "2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==",
    # GitHub's REST API description's example responses, copied into API clients' tests
    '{"token": "ghs_16C7e42F292c6912E7710c838347Ae178B4a", "expires_at": "2016-07-11T22:14:10Z"}',
    'want := &RegistrationToken{Token: String("LLBF3JGZDX3P5PMEXLND6TS6FCWO6")}',
    '{"key_id": "012345678912345678", "key": "2Sg8iYjAxxmI2LvUXpJjkYrMxURPc8r+dB7TJyvv1234"}',
    '"temp_clone_token": "ABTLWHOULUVAXGTRYU7OC2876QJ2O",',
    # a token's name in an RTF document, its formatting after it (the value runs on below)
    "curl -H 'x-api-token: }{\\loch\\ul\\ulc0\\loch",
    # the Docker Engine API's examples of a swarm's join token and unlock key
    "JoinToken: SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl"
    "-7p73s1dx5in4tatdymyhg9hu2",
    "UnlockKey: SWMKEY-1-7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8",
    '"password": "provide-password-here!"',  # what to put here, in an API's example
    '--data \'{"username":"notarealuser","password":"notarealpassword"}\'',
    # the last characters shown to tell tokens apart
    '"token_last_eight": "Ae178B4a",',
    f'key_last4 = "{_r(4)}"',
    # the SHA-crypt specification's test vectors, copied into every implementation's tests
    f"$5$rounds=5000$toolongsaltstrin${_r(43, _CRYPT)}",
    f"root:$6$saltstring${_r(86, _CRYPT)}:19000:0:99999:7:::",
]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alike_is_not_reported(text: str) -> None:
    assert find_secrets(text) == []


def test_assignment_with_escaped_quotes_inside_a_string_literal() -> None:
    text = r'$sql = "$user = \"mg1021\"; $password = \"g00dSp3c!\";";'
    hits = find_secrets(text)
    assert [text[h.start : h.end] for h in hits] == ["g00dSp3c!"]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # A service's format under its name: digits typed in order do not make it a
        # stand-in (they start many vendors' documented keys).
        ("deploy/heroku.env", "HEROKU_API_KEY=12345678-9ABC-4DEF-8A1B-2C3D4E5F6A7B"),
        ("notes.txt", "SLACK_TOKEN=xoxb-244636495000-244564491300-Wwpw98qcdkfvbnmzuyrtpe"),
        # Outside source code, `name: value` and `name=value` are settings.
        ("docker/README.txt", "      POSTGRES_PASSWORD: eQ7kp2Bb9r3xgL"),
        ("ops/runbook", "jenkins.api.token=Mx9dKRz_NppWpBGAYPDUks7zoc"),
        # A weak password is still a password: the word inside it does not make it a name.
        ("conf/app.ini", "AdminPassword = thisismypassword"),
        # jwt.io's sample token under a name: every maintained detector reports it
        (
            "web/session.js",
            "localStorage.setItem('token', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
            "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c');",
        ),
    ],
)
def test_service_and_setting_values_are_found(path: str, text: str) -> None:
    assert find_secrets(text, path), text


def test_unquoted_value_in_source_code_stays_an_expression() -> None:
    assert find_secrets("password = new_password_value\n", "app/users.py") == []


def test_a_route_or_name_that_mentions_a_password_is_not_one() -> None:
    routes = "put '/forgot-password' => \"cms/sites/passwords#edit\", as: 'reset_password'\n"
    assert find_secrets(routes, "config/routes.rb") == []


def test_unnamed_encoded_strings_in_docs_and_bundles_are_not_keys() -> None:
    encoded = "base64url.fromBase64('qL8R4QIcQ/ZsRqOAbeRfcZhilN/MksRtDaErMA==')\n"
    table = (
        'Cf: () => decode("tFzqBzqBBEBXhGhGyBhMhMBxCxCs5D9-B9-BBDBbEByBEBCJBw03B6H6HBBBimEQQj7IP'
        'BhjiBDBwmFHBn0rYffB+CB")\n'
    )
    assert find_secrets(encoded, "docs/usage.md") == []
    assert find_secrets(table, "dist/index.umd.js") == []
    # The same strings in source code stand out, and a named one counts everywhere.
    assert find_secrets(encoded, "src/codec.js")
    assert find_secrets(table, "src/tables.js")
    assert find_secrets("API_KEY = 'qL8R4QIcQ/ZsRqOAbeRfcZhilN/MksRtDaErMA=='\n", "docs/usage.md")


def test_a_sealed_secret_is_ciphertext_but_a_plain_secret_manifest_is_not() -> None:
    value = "AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq" + _r(300, _ALNUM + "+/") + "=="
    sealed = f"kind: SealedSecret\nspec:\n  encryptedData:\n    password: {value}\n"
    plain = "kind: Secret\nstringData:\n  password: Vq9mT2wKx7Lp\n"
    assert find_secrets(sealed, "deploy/db-sealed.yaml") == []
    assert find_secrets(plain, "deploy/db-secret.yaml")
    assert find_secrets(sealed.replace("SealedSecret", "Secret"), "deploy/db-secret.yaml")


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (None, "[DEBUG] Using Key=qsCG7Hq2Lm8Xr3Nc6By1Tz5V"),
        # Lower-case service keys in a log line (no path): machine-made, not a name.
        (None, "[DEBUG] redhat_api_key=o9ynnj1wfw33a50g9009ti0ne1kqe8ac"),
        (None, "[DEBUG] Using cloudinary_apiSecret=n7diawudh1wdaj9oidjaj4awdeps"),
        (None, "using key = 81a1411a7e276fd88819df3137eb406e0f281f8a8c417947ca4b025890c8541c"),
        ("deploy/app.yml", "app_key: Hq2Lm8Xr3Nc6By1Tz5Vw9Kp4"),
        ("src/client.py", 'key = "Zr4Kq8Xv2Lm7Nc3By9Tw5Hp1"'),
        # The same rule in XML, a setter and a map: `<key>` as `key = "…"`.
        ("conf/app.xml", "<key>Zr4Kq8Xv2Lm7Nc3By9Tw5Hp1</key>"),
        ("conf/app.xml", "  <tomtom_key>Hq2Lm8Xr3Nc6By1Tz5Vw9Kp4</tomtom_key>"),
        ("tests/TestCase.php", "$app['config']->set('app.key', 'Hq2Lm8Xr3Nc6By1Tz5Vw9Kp4');"),
        (
            "src/fetch.go",
            'url := "https://api.example.io/v2/quote?symbol=X&key=Tz5Vw9Kp4Hq2Lm8Xr3Nc6By1"',
        ),
        (
            "ops/blob.txt",
            "https://acct.blob.core.windows.net/c/f?sv=2022-11-02&sig=q7Zr4Kq8Xv2Lm7Nc3By9Tw5Hp1%3D",
        ),
    ],
)
def test_a_generated_value_under_a_bare_key_or_in_a_url_counts(path: str | None, text: str) -> None:
    assert find_secrets(text, path), text


@pytest.mark.parametrize(
    "text",
    [
        'cache_key = "user:1234:profileAbcDef12345"',  # says what kind of key
        'public_key = "Hq2Lm8Xr3Nc6By1Tz5Vw9Kp4"',
        'key = "checkout.button.label.primary"',  # an i18n key: no digits, no mixed case
        "key = 7c9e2a4f-1b8d-3e6a-0c5f-9b2d7e1a4c8f",  # a UUID
        'url = "https://example.org/search?key=category_pages_index"',  # words
        "key = getUserProfileById2",  # a name with a digit at its end
        "deployKey=px-dep-d4c3b2a1-f6e5-h8g7-j1i8-p5o0n5m3l2k1",  # an id's shape
        'key = "IDEDidComputeMac32BitWarning"',  # a name in camel case, digits and all
    ],
)
def test_a_bare_key_that_is_a_name_or_an_id_does_not(text: str) -> None:
    assert find_secrets(text, "src/app.py") == []
    assert find_secrets(text) == []  # nor in text without a path (a log, a comment)


def test_drawn_keys_are_not_read_as_camel_case_names() -> None:
    # Drawn letters switch case too; of 100,000 such values, 8 read as a name.
    values = [_r(random.randint(20, 48)) for _ in range(2000)]
    names = [v for v in values if wording.camel_name(v)]
    assert len(names) <= 2, names
    for name in ("NSAppTransportSecurity", "keychainAccessGroups2", "CFBundleShortVersionString"):
        assert wording.camel_name(name), name


def test_a_property_lists_keys_are_names() -> None:
    # Xcode's IDEWorkspaceChecks.plist: a `<key>` element names the entry after it.
    plist = (
        "<dict>\n\t<key>IDEDidComputeMac32BitWarning</key>\n\t<true/>\n"
        "\t<key>NSLocationWhenInUseUsageDescription</key>\n\t<string>Maps</string>\n</dict>\n"
    )
    assert find_secrets(plist, "App.xcworkspace/xcshareddata/IDEWorkspaceChecks.plist") == []


def test_a_machine_made_value_after_a_secret_flag_counts() -> None:
    deploy = "deployctl deploy --project=o88 main.ts --token Ub7Kq2Zx9Lm4Wp8Tr3Vy6Nc1Hs5\n"
    api = "tool --api-key=Zr4Kq8Xv2Lm7Nc3By9Tw5Hp1 run\n"
    for text in (deploy, api):
        hits = find_secrets(text, "ci/deploy.sh")
        assert [h.kind for h in hits] == ["secret on a command line"], text
    # A file, a word, a name or a stand-in after such a flag is not a secret.
    for text in (
        "tool --token-file /run/secrets/deploy_token_file run\n",
        "gh auth login --with-token < token.txt\n",
        "cmd --cache-key build-release-artifacts-linux\n",
        "tool --api-key xxxxxxxxxxxxxxxxxxxxxxxx run\n",
    ):
        assert find_secrets(text, "ci/deploy.sh") == [], text


def test_a_long_number_under_a_secret_name_is_a_key_and_a_short_one_is_not() -> None:
    # 24 digits and more: longer than a port, a PIN or a 64-bit id (20 digits).
    assert find_secrets('API_KEY="830216749165032847501983"\n', "deploy/app.env")
    assert find_secrets("SECRET: 830216749165032847501983\n", "deploy/app.yml")
    assert find_secrets('api_key = "18446744073709551615"\n', "app/settings.py") == []
    assert find_secrets("secret_port: 8443\n", "deploy/app.yml") == []


def test_a_prompts_text_is_not_a_name_for_the_code_after_its_string() -> None:
    # yarn's bundled CLI (minified, vendored into repositories as .yarn/releases/*.cjs):
    # `"Password:"` then its closing quote and code up to the next string.
    text = (
        '{type:"password",name:"password",message:n?"Token:":"Password:",required:!0,'
        "onCancel:()=>process.exit(130),stdin:o,stdout:a}]);return r.reportSeparator(),u}"
        'var lw=new Set(["npmAuthIdent","npmAuthToken"]),G0=class'
    )
    assert find_secrets(text, ".yarn/releases/yarn-4.1.1.cjs") == []


@pytest.mark.parametrize(
    ("template", "value"),
    [
        # detect-secrets' IBM Cloud IAM plugin takes 44 characters and stops at a `+`: the
        # value's run goes on through `+`, `/` and its padding
        ('API_TOKEN = "{v}"', f"{_r(44)}+{_r(40, _ALNUM + '/')}/{_r(45)}=="),
        # base64 put in a query unencoded keeps its `+`, `/` and `=`
        (
            'requests.get("https://api.example.org/v1/items?access_token={v}")',
            f"{_r(21)}+{_r(9)}/{_r(10)}=",
        ),
        # AWS's pattern took 40 characters of a longer base64url value and stopped at `-`
        ('aws_secret_access_key = "{v}"', f"{_r(44)}-{_r(20)}_{_r(20)}"),
    ],
)
def test_a_base64_value_is_masked_to_its_end(template: str, value: str) -> None:
    assert masked_characters("app/client.py", template, value) == len(value)


def test_an_example_host_makes_a_docs_line_an_illustration_unless_its_key_is_machine_made() -> None:
    """`example.com` names a host, not the key: a token pasted into a curl line for
    `api.example.org` in a README is still a token; `password='thecheat'` beside
    `ssh.example.com` is an illustration (CredData labels it so)."""
    token = f"{_r(8, '0123456789abcdef')}1a2b{_r(28, '0123456789abcdef')}"
    docs = [
        f"curl -H 'Authorization: token {token}' https://api.example.org/user",
        f"curl -H 'PRIVATE-TOKEN: glpat-{_r(20)}' https://gitlab.example.com/api/v4/user",
    ]
    for line in docs:
        assert find_secrets(line, "docs/api.md"), line
    shown = "client.connect('ssh.example.com', username='strongbad', password='thecheat')"
    assert find_secrets(shown, "README.rst") == []


def test_masking_knows_the_secrets_a_base64_value_decodes_to() -> None:
    """A Kubernetes Secret's `app.env` decodes to several lines of settings: a model on
    premises that decodes it and quotes one password has it masked all the same."""
    from bot.secrets import mask_values, secret_values

    password, token = f"Kq8v{_r(12)}7", f"{_r(28)}4Q"
    env = f"DB_HOST=db\nDB_PASSWORD={password}\nAPI_TOKEN={token}\n".encode()
    manifest = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ndata:\n"
        f"  app.env: {base64.b64encode(env).decode()}\n"
    )
    known = secret_values(manifest, "k8s/secret.yml")
    # quoted bare, where the answer's own scan sees no name before them
    answer = f"app.env holds {password} for the database and {token} for the API."
    masked = mask_values(answer, known)
    assert password not in masked and token not in masked
    assert masked.startswith("app.env holds [REDACTED")
