"""Network devices' configurations as RANCID and Oxidized commit them: Cisco's type 7 and
plain-text passwords, TACACS+ keys and SNMP communities, Cisco's hashed types 8 and 9,
Junos' `$9$` secrets (bot/secrets/device_configs.py)."""

from __future__ import annotations

import base64
import random
import string

import pytest

from bot.secrets import find_secrets
from bot.secrets.device_configs import (
    ASA_HASH,
    CISCO_TYPE7,
    DEVICE_PASSWORD,
    FORTIOS_SECRET,
    JUNOS_SECRET,
    junos_decoded,
    type7_decoded,
)
from bot.secrets.redact import KnownValues, hit_values, redact

_RNG = random.Random("device-configs")
# Cisco's type 7 key: the test encodes with it; the product decodes.
_KEY = "dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87"
_ITOA64 = "./" + string.digits + string.ascii_uppercase + string.ascii_lowercase
# Junos' `$9$` scheme, encoding side (the product decodes): four families of characters, a
# salt whose family says how many random characters follow, then each character as gaps
# between consecutive characters, weighted by a cycle of rows.
_JUNOS_FAMILIES = ("QzF3n6/9CAtpu0O", "B1IREhcSyrleKvMW8LXx", "7N-dVbwsY2g4oaJZGUDj", "iHkq.mPf5T")
JUNOS_ALPHABET = "".join(_JUNOS_FAMILIES)
_WEIGHTS = ((1, 4, 32), (1, 16, 32), (1, 8, 32), (1, 64), (1, 32), (1, 4, 16, 128), (1, 32, 64))


def junos(secret: str, rng: random.Random) -> str:
    salt = rng.choice(JUNOS_ALPHABET)
    extra = 3 - next(i for i, family in enumerate(_JUNOS_FAMILIES) if salt in family)
    out = [salt, *rng.choices(JUNOS_ALPHABET, k=extra)]
    prev = salt
    for n, ch in enumerate(secret):
        code, gaps = ord(ch), []
        for weight in reversed(_WEIGHTS[n % len(_WEIGHTS)]):
            gaps.insert(0, code // weight)
            code %= weight
        for gap in gaps:
            prev = JUNOS_ALPHABET[(JUNOS_ALPHABET.index(prev) + gap + 1) % len(JUNOS_ALPHABET)]
            out.append(prev)
    return "$9$" + "".join(out)


def type7(password: str, offset: int) -> str:
    return f"{offset:02d}" + "".join(
        f"{ord(c) ^ ord(_KEY[(offset + i) % len(_KEY)]):02X}" for i, c in enumerate(password)
    )


def _password() -> str:
    # Letters, digits and a symbol, as an operator's password is.
    return "".join(_RNG.choice(string.ascii_letters) for _ in range(6)) + "4#" + "Qz9"


@pytest.mark.parametrize(
    ("encoded", "password"),
    [
        # Published encodings of "cisco" (passlib's cisco_type7 documentation, Cisco forums)
        ("0822455D0A16", "cisco"),
        ("02050D480809", "cisco"),
        ("060506324F41", "cisco"),
        ("121A0C041104", "cisco"),
        ("0822455D0A16544541", "cisco123"),
    ],
)
def test_type_7_values_decode_to_their_passwords(encoded: str, password: str) -> None:
    assert type7_decoded(encoded) == password
    assert type7_decoded(encoded.lower()) == password


@pytest.mark.parametrize(
    ("encoded", "secret"),
    [
        # junosdecode's test (github.com/jeremmfr/junosdecode), netmeld's and jumation's docs
        ("$9$1HFIyKXxdsgJ-VH.Pfn6lKMXdsZUi5Qnikfz", "testPassWord"),
        ("$9$2GgZjHkPQ39.PhrvLVb.P5Tz6", "password"),
        ("$9$ReqcyKY2aHqf", "foo"),
    ],
)
def test_junos_values_decode_to_their_secrets(encoded: str, secret: str) -> None:
    assert junos_decoded(encoded) == secret
    assert junos_decoded(encoded[:-1]) is None  # a character short: a run cut
    assert junos(secret, _RNG) != encoded  # a salt drawn anew each time...
    assert junos_decoded(junos(secret, _RNG)) == secret  # ...decodes all the same


def test_what_is_no_type_7_value_does_not_decode() -> None:
    assert type7_decoded("9912AB") is None  # no offset into the key past 52
    assert type7_decoded("08224") is None  # half a pair
    assert type7_decoded("08ZZ") is None
    assert type7_decoded("0841") is None  # 0x41 ^ "A", the key's ninth character: NUL


def test_every_credential_of_a_cisco_backup_is_found_and_nothing_else() -> None:
    secrets = {name: _password() for name in ("user", "vty", "tacacs", "ospf", "ntp", "plain")}
    community, quoted = _password(), _password() + " x"
    plain = {name: _password() for name in ("bgp", "isakmp", "keyring", "keystring", "ospf", "ntp")}
    hash9 = (
        "$9$" + "".join(_RNG.choices(_ITOA64, k=14)) + "$" + "".join(_RNG.choices(_ITOA64, k=43))
    )
    config = f"""!RANCID-CONTENT-TYPE: cisco
!
version 15.2
service password-encryption
hostname core-sw1
!
enable secret 9 {hash9}
no enable password
!
username netops privilege 15 password 7 {type7(secrets["user"], 7)}
username backup secret 0 {secrets["plain"]}
!
tacacs-server host 10.20.0.5 key 7 {type7(secrets["tacacs"], 3)}
!
interface Vlan10
 ip ospf message-digest-key 1 md5 7 {type7(secrets["ospf"], 11)}
!
snmp-server community {community} RW 99
snmp-server community "{quoted}" RO 98
snmp-server community public RO
ntp authentication-key 1 md5 {type7(secrets["ntp"], 2)} 7
!
line vty 0 4
 password 7 {type7(secrets["vty"], 14)}
 transport input ssh
!
router bgp 65000
 neighbor 10.9.0.2 password {plain["bgp"]}
!
crypto isakmp key {plain["isakmp"]} address 10.9.0.3
crypto keyring PEERS
  pre-shared-key address 10.9.0.4 key {plain["keyring"]}
key chain HSRP
 key 1
  key-string {plain["keystring"]}
interface Gi0/1
 ip ospf message-digest-key 2 md5 {plain["ospf"]}
 ip ospf authentication-key 3 8e008e8d49648110
ntp authentication-key 5 hmac-sha2-256 {plain["ntp"]}
!
end
"""
    hits = find_secrets(config, "configs/core-sw1")
    found = {config[h.start : h.end]: h.kind for h in hits}
    encoded = {
        type7(secrets["user"], 7),
        type7(secrets["tacacs"], 3),
        type7(secrets["ospf"], 11),
        type7(secrets["ntp"], 2),
        type7(secrets["vty"], 14),
    }
    assert {v for v, k in found.items() if k == CISCO_TYPE7} == encoded
    assert {v for v, k in found.items() if k == DEVICE_PASSWORD} == {
        secrets["plain"],
        community,
        quoted,
        *plain.values(),
    }
    assert found[hash9] == "crypt password hash"
    # not `public`, `password-encryption`, `no enable password`, NX-OS's encrypted type 3
    assert len(found) == 15


def test_a_junos_config_s_secrets_are_found() -> None:
    key, psk, hex_psk = (junos(_password(), _RNG) for _ in range(3))
    plain_psk, set_psk = _password(), _password()
    config = f"""system {{
    root-authentication {{
        encrypted-password "$6$Ur5G3w$xqgm8LzqgnjJ0rR5HqE2oGqzqpPO3Vzu.bq3s3CLJ9Ni1SuI5Nd2sQK3UMrKlGsC1B/9dh5QC6Ay/SZ8iYK3X1"; ## SECRET-DATA
    }}
}}
protocols {{
    ospf {{
        area 0.0.0.0 {{
            interface ge-0/0/0.0 {{
                authentication {{
                    md5 1 key "{key}"; ## SECRET-DATA
                }}
            }}
        }}
    }}
}}
security {{
    ike {{
        policy ike-pol {{
            pre-shared-key ascii-text "{psk}"; ## SECRET-DATA
        }}
        policy ike-hex {{
            pre-shared-key hexadecimal "{hex_psk}"; ## SECRET-DATA
        }}
        policy ike-plain {{
            pre-shared-key ascii-text "{plain_psk}";
        }}
    }}
}}
"""  # noqa: E501 - a Junos hash is one long line
    kinds = {config[h.start : h.end]: h.kind for h in find_secrets(config, "junos/edge1.conf")}
    assert kinds[key] == JUNOS_SECRET
    assert kinds[psk] == JUNOS_SECRET
    assert kinds[hex_psk] == JUNOS_SECRET
    assert kinds[plain_psk] == DEVICE_PASSWORD  # plain until committed
    line = f'set security ike policy p2 pre-shared-key ascii-text "{set_psk}"\n'
    assert [line[h.start : h.end] for h in find_secrets(line, "junos/set.conf")] == [set_psk]
    assert any(v.startswith("$6$Ur5G3w$") for v in kinds)


def test_an_asa_s_tunnel_keys_and_hashes_are_found() -> None:
    ike1, ike2 = _password(), _password()
    pbkdf2 = "$sha512$5000$" + base64.b64encode(_RNG.randbytes(16)).decode()
    pbkdf2 += "$" + base64.b64encode(_RNG.randbytes(16)).decode()
    config = f"""ASA Version 9.16(4)
hostname edge-asa
enable password 8Ry2YjIyt7RRXU24 encrypted
username admin password {pbkdf2} pbkdf2 privilege 15
tunnel-group 203.0.113.5 type ipsec-l2l
tunnel-group 203.0.113.5 ipsec-attributes
 ikev1 pre-shared-key {ike1}
 ikev2 remote-authentication pre-shared-key {ike2}
 ikev2 local-authentication pre-shared-key *****
"""
    kinds = {config[h.start : h.end]: h.kind for h in find_secrets(config, "asa/edge-asa.cfg")}
    # (not the empty password's PIX hash every ASA ships with, nor `show run`'s stars)
    assert kinds == {pbkdf2: ASA_HASH, ike1: DEVICE_PASSWORD, ike2: DEVICE_PASSWORD}


def test_a_fortigate_backup_s_secrets_are_found() -> None:
    admin_hash = "SH2" + base64.b64encode(_RNG.randbytes(45)).decode()
    psk_enc = base64.b64encode(_RNG.randbytes(48)).decode()
    plain = _password()
    config = f"""config system admin
    edit "admin"
        set accprofile "super_admin"
        set vdom "root"
        set password ENC {admin_hash}
    next
end
config vpn ipsec phase1-interface
    edit "to-branch"
        set interface "wan1"
        set psksecret ENC {psk_enc}
    next
    edit "to-lab"
        set psksecret {plain}
    next
end
config system password-policy
    set status enable
end
"""
    kinds = {config[h.start : h.end]: h.kind for h in find_secrets(config, "backups/fgt1.conf")}
    assert kinds == {admin_hash: FORTIOS_SECRET, psk_enc: FORTIOS_SECRET, plain: DEVICE_PASSWORD}


@pytest.mark.parametrize(
    "line",
    [
        # every manual's example: "cisco" encoded
        "username admin privilege 15 password 7 0822455D0A16",
        "enable password cisco",
        "snmp-server community private RW",
        "Use `password 7 <encrypted>` for the line's password.",
        "password = 7",
        "service password-encryption",
        # a shell's ninth argument, not a Junos secret; a stand-in in Junos' form
        'echo "$9$HOME"',
        '    secret "$9$xxxxxxxxxxxx"; ## SECRET-DATA',
        # Batfish's `$9$czBSK87-wgoG` decodes to "psk": a stand-in
        '    secret "$9$czBSK87-wgoG"; ## SECRET-DATA',
        # Python that calls a key 7 things
        "key 7 times",
        # a Tcl script's `set` at the margin; FortiOS without a value
        'set password "$env(PW)"',
        "        set password ENC",
        "        set passwd-policy enable",
        # docstrings' lines that open with `key` (installed packages' own)
        "        key works.",
        "    key ``name``.",
    ],
)
def test_look_alikes_in_and_around_device_configs_are_not_flagged(line: str) -> None:
    assert find_secrets(line + "\n", "configs/edge.cfg") == []


def test_a_model_writing_out_a_type_7_password_has_it_masked() -> None:
    """On premises a model shown `password 7 …` may decode it in its answer; the answer is
    masked with the decoded password as well as the encoded one."""
    password = _password()
    config = f"line vty 0 4\n password 7 {type7(password, 5)}\n"
    (hit,) = find_secrets(config, "configs/sw1")
    values = hit_values(hit, config)
    assert password in values
    answer = f"The vty password 7 {type7(password, 5)} decodes to {password}."
    masked = KnownValues(values).mask(answer)
    assert password not in masked
    assert type7(password, 5) not in masked


def test_a_model_writing_out_a_junos_secret_has_it_masked() -> None:
    secret = _password()
    encoded = junos(secret, _RNG)
    config = f'    authentication-key "{encoded}"; ## SECRET-DATA\n'
    (hit,) = find_secrets(config, "junos/edge2.conf")
    masked = KnownValues(hit_values(hit, config)).mask(f"{encoded} is Junos for {secret}.")
    assert secret not in masked
    assert encoded not in masked


def test_a_prompt_showing_a_device_config_goes_out_redacted() -> None:
    password, community = _password(), _password()
    prompt = (
        "### configs/core-sw1 (modified)\n@@ -1,0 +1,2 @@\n"
        f"          1 + | username netops privilege 15 password 7 {type7(password, 9)}\n"
        f"          2 + | snmp-server community {community} RO\n"
    )
    out = redact(prompt).text
    assert type7(password, 9) not in out
    assert community not in out
    assert "[REDACTED:" in out
