"""Password files in a daemon's own columns, known by their name: nothing on the line
names the password, so only the file's grammar says which column holds it.

- Postfix's `sasl_passwd`: `[smtp.example.com]:587 user:password`;
- Exim's `passwd.client` (Debian's smarthost logins): `host:user:password`, the password
  to the line's end;
- PgBouncer's `userlist.txt`: `"user" "password"` (an `md5…`/`SCRAM-SHA-256$…` verifier
  too: PgBouncer logs in with the md5 one as it is);
- pppd's `chap-secrets` and `pap-secrets`: `client server secret [addresses]`;
- davfs2's `secrets`: `url-or-mountpoint user password`;
- msmtp's `msmtprc` and `.msmtprc`: a `password …` line;
- Nagios' and Icinga's `resource.cfg`: its `$USERn$=…` macros, where the plugins'
  passwords are kept out of the object files (`$USER1$`, by custom the plugins' folder, is
  a path, which is no password).
- rsync daemon's `rsyncd.secrets`: `user:password` (`@group:password`; the password runs
  to the line's end, `:` and all, as rsync splits at the first);
- Mosquitto's password file before `mosquitto_passwd -U` hashes it: `user:password` (a
  `$6$`/`$7$` hash is hashes.py's);
- fetchmail's `.fetchmailrc`: `poll … user NAME password …` (or `pass`);
- NTP's and chrony's key files: `keyid type key` (`1 SHA1 HEX:…`);
- CouchDB's ini files: each `name = password` of its `[admins]` section (CouchDB hashes
  them on start, `-pbkdf2-…`, and rewrites the file; a committed one may not have been).

A value is judged as a daemon's password is (daemon_configs.daemon_value): `*` and
references (`$PASSWORD`) are not passwords."""

from __future__ import annotations

import re

from bot.secrets.daemon_configs import daemon_value
from bot.secrets.line_finders import RANK_TOKEN, SWITCHYARD, Candidate

PASSWORD_FILE = "password in a password file"

# A column, and the password's: quoted (its text in group `q`) or bare (in group `v`).
_FIELD = r"(?:\"[^\"\n]*\"|[^\s\"]+)"
_VALUE = r"(?:\"(?P<q>[^\"\n]+)\"|(?P<v>[^\s\"]+))"
# fetchmail quotes with either quote.
_VALUE_ANY_QUOTE = r"(?:\"(?P<q>[^\"\n]+)\"|'(?P<sq>[^'\n]+)'|(?P<v>[^\s\"']+))"


_SASL_PASSWD = re.compile(r"^[ \t]*[^\s#]\S*[ \t]+[^\s:]+:(?P<v>\S+)[ \t]*\r?$", re.MULTILINE)
_USERLIST = re.compile(r"^[ \t]*\"[^\"\n]*\"[ \t]+\"(?P<v>[^\"\n]+)\"", re.MULTILINE)
_THIRD_COLUMN = re.compile(
    rf"^[ \t]*(?!#|@@ ){_FIELD}[ \t]+{_FIELD}[ \t]+{_VALUE}(?=[ \t]|\r?$)", re.MULTILINE
)
_RESOURCE_MACRO = re.compile(
    r"^[ \t]*\$USER\d{1,3}\$[ \t]*=[ \t]*" + _VALUE + r"[ \t]*\r?$", re.MULTILINE
)
_MSMTP_PASSWORD = re.compile(r"^[ \t]*password[ \t]+" + _VALUE + r"[ \t]*\r?$", re.MULTILINE)
_USER_COLON_PASSWORD = re.compile(
    r"^[ \t]*@?[^\s:#]+:(?P<v>(?!\$\d?[a-z]?\$)\S+)[ \t]*\r?$", re.MULTILINE
)
_HOST_USER_PASSWORD = re.compile(
    r"^[ \t]*[^\s:#][^\s:]*:[^\s:]*:(?P<v>\S+)[ \t]*\r?$", re.MULTILINE
)
_FETCHMAIL_PASSWORD = re.compile(r"(?<!\S)(?:password|pass|passwd)[ \t]+" + _VALUE_ANY_QUOTE)
_KEY_LINE = re.compile(
    r"^[ \t]*\d{1,5}[ \t]+[A-Za-z][\w-]{0,15}[ \t]+(?:HEX:|ASCII:)?(?P<v>[^\s#]+)", re.MULTILINE
)

_BY_NAME: dict[str, re.Pattern[str]] = {
    "sasl_passwd": _SASL_PASSWD,
    "passwd.client": _HOST_USER_PASSWORD,
    "userlist.txt": _USERLIST,
    "chap-secrets": _THIRD_COLUMN,
    "pap-secrets": _THIRD_COLUMN,
    "msmtprc": _MSMTP_PASSWORD,
    ".msmtprc": _MSMTP_PASSWORD,
    "resource.cfg": _RESOURCE_MACRO,
    "rsyncd.secrets": _USER_COLON_PASSWORD,
    "mosquitto.passwd": _USER_COLON_PASSWORD,
    ".fetchmailrc": _FETCHMAIL_PASSWORD,
    "fetchmailrc": _FETCHMAIL_PASSWORD,
    "ntp.keys": _KEY_LINE,
    "chrony.keys": _KEY_LINE,
}
# Mosquitto's password file has no fixed name: one of these in a `mosquitto` folder.
_MOSQUITTO_NAMES = frozenset({"passwd", "pwfile", "passwordfile", "password_file", "passwords"})
# davfs2's file is named `secrets` alone: only in its own folders.
_DAVFS2 = re.compile(r"(?:^|/)\.?davfs2/secrets$")


def _pattern(path: str) -> re.Pattern[str] | None:
    # (asked for each file of every prompt: the name first, then the rest)
    name = path[max(path.rfind("/"), path.rfind("\\")) + 1 :]
    if name == "secrets":
        return _THIRD_COLUMN if _DAVFS2.search(path.replace("\\", "/")) else None
    if name in _MOSQUITTO_NAMES:
        return _USER_COLON_PASSWORD if "mosquitto" in path.lower() else None
    return _BY_NAME.get(name)


def password_file_secrets(text: str, path: str | None, test: bool) -> list[Candidate]:
    """The passwords in `text` when `path` names one of these files."""
    pattern = _pattern(path) if path is not None else None
    if pattern is None:
        return []
    return [c for m in pattern.finditer(text) if (c := _candidate(m, test)) is not None]


_ADMINS = re.compile(r"^\[admins\][ \t]*\r?$", re.MULTILINE)
_ADMIN = re.compile(r"^[ \t]*[^\s=;#\[][^=\n]*?[ \t]*=[ \t]*(?P<v>[^\s;]+)[ \t]*\r?$", re.MULTILINE)


def couchdb_admins(text: str, test: bool) -> list[Candidate]:
    """The passwords of CouchDB's `[admins]` sections: each `name = password` up to the
    next section."""
    out: list[Candidate] = []
    for header in _ADMINS.finditer(text):
        end = text.find("\n[", header.end())
        end = len(text) if end == -1 else end
        out.extend(
            c
            for m in _ADMIN.finditer(text, header.end(), end)
            if (c := _candidate(m, test)) is not None
        )
    return out


def _candidate(m: re.Match[str], test: bool) -> Candidate | None:
    # Judged as a daemon's password is (a leading `-` is the password's own: no flag
    # follows a column).
    span = daemon_value(PASSWORD_FILE, m, test)
    return None if span is None else Candidate(*span, PASSWORD_FILE, RANK_TOKEN, SWITCHYARD)
