"""C's and C++'s ways of writing a credential, as firmware and embedded projects do: a
macro (`#define WIFI_PASSWORD "…"`), a string declared as a character array (`static
const char mqtt_password[] = "…"`), Arduino's and ESP's `WiFi.begin(ssid, "…")`; and the
LDAP daemons' `bindpw` and `rootpw` directives. None was read: the value went out whole.
"""

from __future__ import annotations

import pytest

from bot.secrets import find_secrets, redact

PASSWORD = "1Cb0N;Z#X{77CSe;"


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("src/config.h", f'#define WIFI_PASSWORD "{PASSWORD}"'),
        ("src/config.h", f'#  define MQTT_PASS "{PASSWORD}"'),
        ("src/secrets.h", f'#define DB_PASSWORD F("{PASSWORD}")'),
        ("src/secrets.h", f'#define API_SECRET L"{PASSWORD}"'),
        ("src/main.cpp", f'static const char WIFI_PASS[] = "{PASSWORD}";'),
        ("src/main.cpp", f'constexpr char kDbPassword[] = "{PASSWORD}";'),
        ("src/main.c", f'char ssid_password[32] = "{PASSWORD}";'),
        ("src/main.ino", f'WiFi.begin(ssid, "{PASSWORD}");'),
        ("src/main.ino", f'WiFi.softAP("setup-ap", "{PASSWORD}");'),
        ("etc/ldap.conf", f"bindpw {PASSWORD}"),
        ("etc/openldap/slapd.conf", f"rootpw {PASSWORD}"),
    ],
)
def test_a_password_in_c_and_in_ldap_directives_is_masked(path: str, line: str) -> None:
    text = f"{line}\n"
    [hit] = find_secrets(text, path)
    assert text[hit.start : hit.end] == PASSWORD
    assert PASSWORD not in redact(text, path).text


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
    ],
)
def test_what_is_no_password_there_stays(path: str, line: str) -> None:
    assert find_secrets(f"{line}\n", path) == []
