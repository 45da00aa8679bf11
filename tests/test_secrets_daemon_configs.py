"""Network daemons' own grammars: strongSwan's ipsec.secrets, HAProxy's logins, Mosquitto's
password file, ProFTPD's and Exim's database logins, Net-SNMP's users and communities,
OpenVPN's inline logins (bot/secrets/daemon_configs.py, contexts.py)."""

from __future__ import annotations

import base64
import random
import string

import pytest

from bot.secrets import find_secrets, redact
from bot.secrets.daemon_configs import DATABASE_LOGIN, PROXY_PASSWORD, SNMP_SECRET, VPN_SECRET

_RNG = random.Random("daemon-configs")


def _password(n: int = 14) -> str:
    return "".join(_RNG.choice(string.ascii_letters) for _ in range(n - 3)) + "7#q"


def _found(text: str, path: str) -> dict[str, str]:
    return {text[h.start : h.end]: h.kind for h in find_secrets(text, path)}


def test_every_secret_of_an_ipsec_secrets_file_is_found() -> None:
    psk, eap, xauth = _password(), _password(), _password()
    key = "0s" + base64.b64encode(_RNG.randbytes(24)).decode()
    text = f"""# ipsec.secrets - strongSwan IPsec secrets file
: RSA moonKey.pem
moon.example.org sun.example.org : PSK "{psk}"
192.168.0.0/24 %any : PSK {key}
carol@example.org : EAP "{eap}"
dave : XAUTH "{xauth}"
"""
    found = _found(text, "etc/ipsec.secrets")
    assert found == dict.fromkeys((psk, key, eap, xauth), VPN_SECRET)


def test_haproxy_s_statistics_login_and_a_userlist_s_plain_password_are_found() -> None:
    stats, user = _password(), _password()
    text = f"""listen stats
    bind :8404
    stats enable
    stats uri /stats
    stats auth admin:{stats}

userlist ops
    user alice insecure-password {user} groups admins
    user bob password $5$rounds=5000$saltsalt$Ysk0PMwI3Gd3vKgXGI7NmKlXBSVNYn6M2YEzUf2pO4C
"""
    found = _found(text, "haproxy/haproxy.cfg")
    assert found[stats] == PROXY_PASSWORD
    assert found[user] == PROXY_PASSWORD
    assert "alice" not in "".join(found)


def test_a_mosquitto_password_file_s_hashes_are_found() -> None:
    # base64 as mosquitto_passwd writes it, `+` and `/` among its characters
    salt = base64.b64encode(bytes.fromhex("fbefbe") + _RNG.randbytes(9)).decode()
    digest = base64.b64encode(_RNG.randbytes(64)).decode()
    assert salt.startswith("++++")
    line = f"sensor1:$7$101${salt}${digest}\n"
    (hit,) = find_secrets(line, "mosquitto/passwd")
    assert line[hit.start : hit.end] == f"$7$101${salt}${digest}"


def test_a_daemon_s_database_login_is_found() -> None:
    ftp, mail, backup = _password(), _password(), _password()
    proftpd = (
        f'SQLBackend mysql\nSQLConnectInfo ftpd@db.internal:3306 proftpd "{ftp}" PERCONNECTION\n'
    )
    assert _found(proftpd, "etc/proftpd/sql.conf") == {ftp: DATABASE_LOGIN}
    # Exim's list of servers: each is host/database/user/password, `:` between them
    exim = f"hide mysql_servers = db1.internal/mail/exim/{mail} : db2.internal/mail/exim/{backup}\n"
    assert _found(exim, "etc/exim4/exim4.conf") == {mail: DATABASE_LOGIN, backup: DATABASE_LOGIN}


def test_net_snmp_s_passphrases_and_communities_are_found() -> None:
    auth, priv, community = _password(), _password(), _password()
    text = f"""createUser monitor SHA-256 "{auth}" AES {priv}
rouser monitor priv
rocommunity {community} 10.0.0.0/8
rocommunity public localhost
"""
    assert _found(text, "etc/snmp/snmpd.conf") == {
        auth: SNMP_SECRET,
        priv: SNMP_SECRET,
        community: SNMP_SECRET,
    }  # `public`, every agent's default, is known to all


def test_an_owner_glued_to_pass_names_a_password() -> None:
    """offlineimap's `remotepass`, as `dbpass` and `rootpass` are passwords."""
    password = _password()
    text = f"[Repository corp]\ntype = IMAP\nremotehost = imap.corp\nremotepass = {password}\n"
    assert _found(text, "home/ci/.offlineimaprc") == {password: "password assignment"}


def test_an_openvpn_client_s_inline_logins_are_found_and_masked_whole() -> None:
    """`<auth-user-pass>` holds what the file `auth-user-pass` names would: a user name,
    then the password, read whole, spaces and all."""
    login, proxy = _password(), _password(9) + " " + _password(9)
    text = f"""client
dev tun
remote vpn.corp.example 1194
http-proxy proxy.corp.example 3128 auto
<auth-user-pass>
alice
{login}
</auth-user-pass>
<http-proxy-user-pass>
  proxyuser
  {proxy}
</http-proxy-user-pass>
"""
    assert _found(text, "vpn/office.ovpn") == {login: VPN_SECRET, proxy: VPN_SECRET}
    masked = redact(text, "vpn/office.ovpn").text
    assert login not in masked and proxy not in masked
    assert "alice" in masked  # the user name is no secret


def test_an_openvpn_login_written_as_a_guide_s_stand_ins_is_not_flagged() -> None:
    text = "auth-user-pass\n<auth-user-pass>\nusername\npassword\n</auth-user-pass>\n"
    assert find_secrets(text, "docs/client.ovpn") == []


@pytest.mark.parametrize(
    "line",
    [
        ': PSK "<your pre-shared key>"',
        ": RSA moonKey.pem",
        'x = cheap : PSK "abc"',
        "stats auth admin:admin",
        "    stats auth ${STATS_USER}:${STATS_PASSWORD}",
        "    user alice insecure-password changeme",
        "rwcommunity private 10.0.0.0/8",
        "com2sec readonly default $SNMP_COMMUNITY",
        "SQLConnectInfo ftpd@db proftpd %{env:FTP_DB_PASSWORD}",
        "see https://docs.example/exim/mysql_servers/host/db/user/password",
    ],
)
def test_look_alikes_in_daemon_configs_are_not_flagged(line: str) -> None:
    assert find_secrets(line + "\n", "etc/ipsec.secrets") == []


def test_sssd_s_bind_password_is_found_and_its_type_is_not() -> None:
    """sssd (and PAM) call the password an `authtok`."""
    password = _password()
    text = f"""[domain/corp]
id_provider = ldap
ldap_default_bind_dn = cn=sssd,ou=services,dc=corp,dc=example
ldap_default_authtok_type = password
ldap_default_authtok = {password}
"""
    assert _found(text, "etc/sssd/sssd.conf") == {password: "password assignment"}
