"""Passwords in files whose grammar alone says where they are: daemons' password files
(password_files.py), installers' answers (installers.py), a plain-text scheme's `{PLAIN}`
(daemon_configs.py)."""

from __future__ import annotations

import pytest

from bot.secrets.detect import find_secrets
from bot.secrets.redact import redact

PASSWORD = "Vq9#mT2w!Lp4~Zx8"

FOUND = [
    ("etc/postfix/sasl_passwd", "[smtp.gmail.com]:587 relay@corp.example:{v}\n"),
    ("etc/exim4/passwd.client", "# host:login:password\n*.corp.example:bot:{v}\n"),
    ("etc/pgbouncer/userlist.txt", '"app" "{v}"\n"stats" "md5{h}"\n'),
    ("etc/ppp/chap-secrets", '# client server secret IP\nvpnuser * "{v}" *\n'),
    ("etc/ppp/pap-secrets", "vpnuser pptpd {v} 10.0.0.2\n"),
    ("home/ci/.davfs2/secrets", "https://dav.corp.example/files bot {v}\n"),
    ("home/ci/.msmtprc", "account corp\nhost smtp.corp.example\nuser bot\npassword {v}\n"),
    ("ks/server.cfg", "lang en_US.UTF-8\nrootpw --plaintext {v}\n"),
    ("preseed/server.cfg", "d-i passwd/root-password password {v}\n"),
    ("preseed/server.cfg", "d-i passwd/user-password-again password {v}\n"),
    (
        "deploy/autounattend.xml",
        "<AdministratorPassword>\n  <Value>{v}</Value>\n  <PlainText>true</PlainText>\n"
        "</AdministratorPassword>\n",
    ),
    ("etc/dovecot/users", "bot:{{PLAIN}}{v}::::::\n"),
    ("etc/nagios/resource.cfg", "$USER1$=/usr/lib/nagios/plugins\n$USER3$={v}\n"),
    ("etc/icinga/resource.cfg", '$USER7$="{v}"\n'),
    ("etc/rsyncd.secrets", "# user:password\nbackup:{v}\n"),
    ("etc/rsyncd.secrets", "@operators:{v}\n"),
    ("docker/mosquitto/config/passwd", "sensor:{v}\n"),
    ("etc/mosquitto.passwd", "bridge:{v}\n"),
    ("home/ci/.fetchmailrc", "poll imap.corp.example protocol imap user bot password '{v}'\n"),
    ("home/ci/.fetchmailrc", 'poll pop.corp.example\n  user bot pass "{v}" is ci here\n'),
    (
        "couchdb/etc/local.ini",
        "[couchdb]\nsingle_node = true\n\n[admins]\n; set here\nadmin = {v}\n",
    ),
]


@pytest.mark.parametrize(("path", "template"), FOUND, ids=[p for p, _ in FOUND])
def test_a_password_in_its_file_s_own_column_is_masked_whole(path: str, template: str) -> None:
    text = template.format(v=PASSWORD, h="9f86d081884c7d659a2feaa0c55ad015")
    assert PASSWORD in [text[h.start : h.end] for h in find_secrets(text, path)]
    assert "Vq9#" not in redact(text, path).text


def test_a_verifier_in_pgbouncer_s_userlist_is_masked_too() -> None:
    """PgBouncer logs in with an `md5…` verifier as it is: it is as good as the password."""
    verifier = "md5" + "9f86d081884c7d659a2feaa0c55ad015"
    text = f'"app" "{verifier}"\n'
    assert [text[h.start : h.end] for h in find_secrets(text, "pgbouncer/userlist.txt")] == [
        verifier
    ]


def test_a_windows_answer_file_s_encoded_password_is_a_password() -> None:
    """With `<PlainText>false</PlainText>` the value is base64 of the password and a
    suffix: anyone decodes it."""
    encoded = "VgBxADkAIwBtAFQAMgB3AFAAYQBzAHMAdwBvAHIAZAA="
    text = f"<Password>\n  <Value>{encoded}</Value>\n  <PlainText>false</PlainText>\n</Password>\n"
    assert [text[h.start : h.end] for h in find_secrets(text, "unattend.xml")] == [encoded]


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("etc/ntp.keys", "1 M {k}  # the key after its id and type"),
        ("chrony.keys", "10 SHA1 HEX:{h}"),
    ],
)
def test_a_time_server_s_symmetric_key_is_masked_whole(path: str, line: str) -> None:
    """NTP's and chrony's key files: `keyid type key`, where `#` opens a comment."""
    key, hexkey = "Vq9mT2w!Lp4~Zx8", "4d5a1c0f9b7e2a3c6d8f0e1b2a4c6e8f0a1b3c5d"
    text = "# keyid type key\n" + line.format(k=key, h=hexkey) + "\n"
    assert [text[h.start : h.end] for h in find_secrets(text, path)] == [
        key if "{k}" in line else hexkey
    ]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # what Windows Setup writes over a password once used
        (
            "unattend.xml",
            "<AdministratorPassword>\n  <Value>*SENSITIVE*DATA*DELETED*</Value>\n"
            "</AdministratorPassword>\n",
        ),
        ("etc/ppp/chap-secrets", "# client server secret IP addresses\n"),
        ("etc/postfix/sasl_passwd", "[smtp.gmail.com]:587 relay@corp.example:$RELAY_PASSWORD\n"),
        ("ks/server.cfg", "rootpw --iscrypted $6$rounds=4096$saltsalt$hash\n"),
        ("preseed/server.cfg", "d-i passwd/root-login boolean false\n"),
        # the plugins' folder, a macro that names another, one commented out
        (
            "etc/nagios/resource.cfg",
            "$USER1$=/usr/lib/nagios/plugins\n$USER5$=$HOSTADDRESS$\n#$USER3$=Vq9#mT2w!Lp4\n",
        ),
        # a file named `secrets` anywhere else has no such columns
        ("docs/secrets", "How we rotate the database password every month\n"),
        ("etc/rsyncd.secrets", "# backup:Vq9#mT2w!Lp4 (old)\n"),
        ("etc/exim4/passwd.client", "# *.corp.example:bot:Vq9#mT2w!Lp4\n"),
        ("etc/exim4/passwd.client", "smtp.corp.example:bot:$SMARTHOST_PASSWORD\n"),
        # /etc/passwd has no passwords
        ("etc/passwd", "backup:x:34:34:backup:/var/backups:/usr/sbin/nologin\n"),
        ("home/ci/.fetchmailrc", "poll imap.corp.example protocol imap user bot password $PW\n"),
        ("etc/ntp.keys", "# 1 M Vq9#mT2w!Lp4\n"),
        # the other sections of CouchDB's file are settings, not logins
        ("couchdb/etc/local.ini", "[admins]\n\n[chttpd]\nbind_address = any\nport = 5984\n"),
    ],
)
def test_such_files_other_lines_are_not_reported(path: str, text: str) -> None:
    assert find_secrets(text, path) == []
