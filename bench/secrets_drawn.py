"""Generated passwords drawn into the places credentials are written, and how many the one
detector reports, and reports whole.

A password manager's password mixes letters, digits and symbols; the symbols are what
reference syntax, placeholders, quoting and value boundaries are made of, so a rule that
reads `${`, `{`, `(`, a leading `$` or `/` as syntax lets such a password through whole,
and a value boundary at `#`, `,` or `)` lets part of it through. This prints, per place,
the share of drawn passwords reported (`found`) and how many were reported only in part
(`cut`: the rest reaches a cloud model).

The draws are made here, so these figures are a property of the rules (a regression
check), not a measurement of recall on real credentials: that is bench/secrets_eval.py's
and bench/secrets_creddata.py's. A password is 8 letters, 4 digits and 4 symbols from the
set the place can hold unescaped (a quote is left out of a literal quoted with it).

    .venv/bin/python bench/secrets_drawn.py [--draws 200] [--seed 9] [--show 3]
    .venv/bin/python bench/secrets_drawn.py --tokens [--draws 50]
    .venv/bin/python bench/secrets_drawn.py --written [--draws 200]

`--written` draws passwords with quotes, a backtick, a backslash and a space among their
symbols, and writes each as its place escapes it (a quote doubled in YAML's single quotes,
SQL, PowerShell, C#'s verbatim and VB's strings; a shell's `'\''`; `\"` in Python,
JavaScript and JSON; XML's references; nothing in a properties or INI line): `cut` counts
those masked only in part.

`--tokens` draws machine-made tokens instead (hex, base64, base64url, letters and digits,
20 to 5,000 characters) under secrets' names: a long random value spells `mock`, `md5` or
`your` by chance, which a rule that reads such words anywhere in a value lets through.
"""

from __future__ import annotations

import argparse
import json
import random
import string
import sys
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.secrets_drawn_places import PLACES, SYMBOLS
from bot.secrets import find_secrets

# Passwords whose symbols include quotes, a backslash and a space, written as each place
# writes them (`--written`): a quote doubled, backslashed, closed and reopened by a shell,
# or as an XML reference; or the rest of a settings line, where nothing is escaped.
QUOTING = SYMBOLS + "'\"` \\"


def xml_escape(value: str) -> str:
    return escape(value, {'"': "&quot;", "'": "&apos;"})


def _doubled(quote: str) -> Callable[[str], str]:
    return lambda v: v.replace(quote, quote + quote)


def _backslashed(quote: str) -> Callable[[str], str]:
    return lambda v: v.replace("\\", "\\\\").replace(quote, "\\" + quote)


def _shell_single(value: str) -> str:
    return value.replace("'", "'\\''")


def _json(value: str) -> str:
    return json.dumps(value)[1:-1]


def _as_is(value: str) -> str:
    return value


def _without_quoting(chars: str) -> str:
    return "".join(c for c in QUOTING if c not in chars)


# (path, line with {v}, how the place writes the password, the characters drawn from)
WRITTEN_PLACES: list[tuple[str, str, Callable[[str], str], str]] = [
    ("conf/app.yml", "password: '{v}'", _doubled("'"), QUOTING),
    (
        "deploy/compose.yml",
        "    environment:\n      POSTGRES_PASSWORD: '{v}'",
        _doubled("'"),
        QUOTING,
    ),
    ("k8s/app.yml", "env:\n  - name: DB_PASSWORD\n    value: '{v}'", _doubled("'"), QUOTING),
    ("conf/app.yml", 'password: "{v}"', _backslashed('"'), QUOTING),
    ("ci/env.sh", "export DB_PASSWORD='{v}'", _shell_single, QUOTING),
    ("ci/restore.sh", "mysql -u root -p'{v}' app", _shell_single, QUOTING),
    ("ci/push.sh", "docker login -u app -p '{v}' registry.example.org", _shell_single, QUOTING),
    (
        "ci/setup.ps1",
        "$pw = ConvertTo-SecureString '{v}' -AsPlainText -Force",
        _doubled("'"),
        QUOTING,
    ),
    ("db/init.sql", "CREATE USER app IDENTIFIED BY '{v}';", _doubled("'"), QUOTING),
    ("src/Db.cs", 'var password = @"{v}";', _doubled('"'), QUOTING),
    ("src/Db.vb", 'Dim password As String = "{v}"', _doubled('"'), QUOTING),
    ("app/settings.py", 'DB_PASSWORD = "{v}"', _backslashed('"'), QUOTING),
    ("src/app.js", "const dbPassword = '{v}';", _backslashed("'"), QUOTING),
    # what a value falls back to where it is unset
    ("src/app.js", "const dbPassword = opts.password || '{v}';", _backslashed("'"), QUOTING),
    ("deploy/run.ps1", "$password = $env:DB_PASSWORD ?? '{v}'", _doubled("'"), QUOTING),
    ("conf/app.json", '"password": "{v}",', _json, QUOTING),
    ("conf/web.xml", '<datasource user="app" password="{v}" />', xml_escape, QUOTING),
    ("conf/settings.xml", "<password>{v}</password>", xml_escape, QUOTING),
    # an ADO.NET string in JSON: to its `;` (a quote there opens a quoted value)
    (
        "conf/appsettings.json",
        '{"Db": "Server=db;User Id=app;Password={v};"}',
        _json,
        _without_quoting(";'\"\\"),
    ),
    # the rest of the line, nothing escaped (a backslash escapes in a properties file)
    ("conf/app.properties", "spring.datasource.password={v}", _as_is, _without_quoting("\\")),
    ("conf/app.ini", "password = {v}", _as_is, QUOTING),
]


def written_masked(path: str, template: str, written: str) -> int:
    """How many of the written password's characters the detector masks."""
    line = template.replace("{v}", written)
    start = line.index(written)
    masked: set[int] = set()
    for hit in find_secrets(line, path):
        masked.update(range(max(hit.start, start), min(hit.end, start + len(written))))
    return len(masked)


def draw_inner_spaced(rng: random.Random, symbols: str) -> str:
    """A password drawn from `symbols`, a space never at either end (a settings file
    trims it, and a person does not type one there)."""
    while True:
        value = draw_password(rng, symbols)
        if value == value.strip():
            return value


# Machine-made tokens: (alphabet's name, characters, lengths). Under a secret's name each is
# a secret whatever it spells; a long one may spell `mock`, `md5` or `your` by chance.
HEX = "0123456789abcdef"
B64 = string.ascii_letters + string.digits + "+/"
B64URL = string.ascii_letters + string.digits + "-_"
ALNUM = string.ascii_letters + string.digits
UPPER_DIGITS = string.ascii_uppercase + string.digits
# (name, prefix, alphabet of the random body, body lengths): a service's prefix, or none.
TOKEN_KINDS: list[tuple[str, str, str, tuple[int, ...]]] = [
    ("hex", "", HEX, (32, 40, 64)),
    ("base64", "", B64, (44, 88, 344, 1600, 5000)),  # (5,000: past the patterns' reach)
    ("base64url", "", B64URL, (43, 86, 256)),
    ("alnum", "", ALNUM, (20, 32, 40, 64, 128)),
    ("github", "ghp_", ALNUM, (36,)),
    ("gitlab", "glpat-", B64URL, (20,)),
    ("aws", "AKIA", UPPER_DIGITS, (16,)),
    ("anthropic", "sk-ant-api03-", B64URL, (95,)),
]
TOKEN_PLACES: list[tuple[str, str]] = [
    ("app/settings.py", 'API_TOKEN = "{v}"'),
    ("conf/app.toml", "token = '{v}'"),
    ("conf/settings.xml", "<apiKey>{v}</apiKey>"),
    ("conf/app.xml", "<settings>\n  <clientSecret>\n    {v}\n  </clientSecret>\n</settings>"),
    ("conf/app.properties", "app.secret={v}"),
    ("ci/env.sh", "export GITHUB_TOKEN={v}"),
    ("Dockerfile", "ENV API_KEY={v}"),
    ("ci/release.sh", "gh release create v1 --token {v}"),
    ("src/Config.java", 'private static final String API_KEY = "{v}";'),
    ("config/initializers/app.rb", "config.secret_key_base = '{v}'"),
    ("src/config.php", "'api_key' => '{v}',"),
    ("home/ci/.npmrc", "//registry.npmjs.org/:_authToken={v}"),
    ("home/ci/.pypirc", "[pypi]\nusername = __token__\npassword = {v}"),
    ("ci/clone.sh", "git clone https://ci:{v}@git.example.org/app.git"),
    ("docs/api.md", "curl -H 'Authorization: token {v}' https://api.example.org/user"),
    ("src/api.py", 'headers = {{"X-Auth-Token": "{v}"}}'),
    ("home/ci/.aws/credentials", "[default]\naws_secret_access_key = {v}"),
    ("k8s/app.yml", "env:\n  - name: API_TOKEN\n    value: {v}"),
    ("conf/app.yml", "auth:\n  token: |\n    {v}"),
    ("conf/app.json", '"api_key": "{v}",'),
    ("conf/app.yml", "client_secret: {v}"),
    ("deploy/.env", "SECRET_KEY={v}"),
    ("docs/api.http", "Authorization: Bearer {v}"),
    ("ci/call.sh", 'curl -H "X-Api-Key: {v}" https://api.example.org/v1/items'),
    ("infra/main.tf", '  access_key = "{v}"'),
    ("src/app.js", "const apiKey = '{v}';"),
    ("src/app.go", 'req.Header.Set("Authorization", "Bearer {v}")'),
    ("src/client.py", 'requests.get("https://api.example.org/v1/items?access_token={v}")'),
]


def draw_token(rng: random.Random, alphabet: str, length: int, prefix: str = "") -> str:
    token = prefix + "".join(rng.choice(alphabet) for _ in range(length))
    # base64 of whole bytes ends in its padding as often as not
    return (
        token[:-2] + "==" if alphabet is B64 and length % 4 == 0 and rng.random() < 0.5 else token
    )


def masked_characters(path: str, template: str, value: str) -> int:
    """How many of `value`'s characters the detector masks where `template` places it in
    a file at `path`: none is a miss, fewer than all a value cut short."""
    line = template.replace("{v}", value)
    start = line.index(value)
    masked: set[int] = set()
    for hit in find_secrets(line, path):
        masked.update(range(max(hit.start, start), min(hit.end, start + len(value))))
    return len(masked)


def as_placed(template: str, value: str) -> str:
    """`value` as the place writes it: a URL's userinfo holds `/` and `+` percent-encoded."""
    return value.replace("/", "%2F").replace("+", "%2B") if "{v}@" in template else value


def draw_password(
    rng: random.Random, symbols: str = SYMBOLS, letters: int = 8, digits: int = 4, marks: int = 4
) -> str:
    """A password as a password manager makes one: letters, digits and symbols, shuffled."""
    chars = [rng.choice(string.ascii_letters) for _ in range(letters)]
    chars += [rng.choice(string.digits) for _ in range(digits)]
    chars += [rng.choice(symbols) for _ in range(marks)]
    rng.shuffle(chars)
    return "".join(chars)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="example: .venv/bin/python bench/secrets_drawn.py --draws 200 --show 3",
    )
    ap.add_argument("--draws", type=int, default=200, help="passwords per place")
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--show", type=int, default=3, help="missed passwords listed per place")
    ap.add_argument(
        "--tokens",
        action="store_true",
        help="machine-made tokens (hex, base64, base64url, letters and digits; 20 to 5,000 "
        "characters) under secrets' names instead of passwords",
    )
    ap.add_argument(
        "--written",
        action="store_true",
        help="passwords with quotes, a backslash and a space, written as each place escapes them",
    )
    args = ap.parse_args()
    rng = random.Random(args.seed)
    if args.tokens:
        _tokens(rng, args.draws, args.show)
        return
    if args.written:
        _written(rng, args.draws, args.show)
        return
    total_found = total = total_cut = 0
    print(f"{'found':>6} {'cut':>4}  place")
    for path, template, symbols in PLACES:
        found, cut, shown = _tally(
            args.draws,
            args.show,
            lambda s=symbols: draw_password(rng, s),
            lambda v, p=path, t=template: masked_characters(p, t, v),
        )
        total_found, total, total_cut = total_found + found, total + args.draws, total_cut + cut
        print(f"{found / args.draws:6.3f} {cut:4d}  {path}: {template!r}{shown}")
    print(f"{total_found / total:6.3f} {total_cut:4d}  all {len(PLACES)} places, {total} draws")


def _tally(
    draws: int, show: int, draw: Callable[[], str], masked_of: Callable[[str], int]
) -> tuple[int, int, str]:
    """(found, cut short, the misses and cuts to show) over `draws` values of one place."""
    found = cut = 0
    missed: list[str] = []
    cut_short: list[str] = []
    for _ in range(draws):
        value = draw()
        masked = masked_of(value)
        found += bool(masked)
        if masked and masked < len(value):
            cut += 1
            cut_short.append(value)
        if not masked:
            missed.append(value)
    shown = f"  missed e.g. {missed[:show]}" if missed and show else ""
    shown += f"  cut: {cut_short[:show]}" if cut_short and show else ""
    return found, cut, shown


def _written(rng: random.Random, draws: int, show: int) -> None:
    """Each written place: found, cut, misses (as written)."""
    total_found = total = total_cut = 0
    print(f"{'found':>6} {'cut':>4}  place (passwords written with their escapes)")
    for path, template, write, symbols in WRITTEN_PLACES:
        found, cut, shown = _tally(
            draws,
            show,
            lambda w=write, s=symbols: w(draw_inner_spaced(rng, s)),
            lambda v, p=path, t=template: written_masked(p, t, v),
        )
        total_found, total, total_cut = total_found + found, total + draws, total_cut + cut
        print(f"{found / draws:6.3f} {cut:4d}  {path}: {template!r}{shown}")
    places = len(WRITTEN_PLACES)
    print(f"{total_found / total:6.3f} {total_cut:4d}  all {places} places, {total} draws")


def _tokens(rng: random.Random, draws: int, show: int) -> None:
    """Each place with draws of every alphabet and length: found, cut, misses per place."""
    total_found = total = total_cut = 0
    print(f"{'found':>6} {'cut':>4}  place (tokens: {draws} per alphabet and length)")
    for path, template in TOKEN_PLACES:
        found = cut = n = 0
        missed: list[str] = []
        cut_short: list[str] = []
        for name, prefix, alphabet, lengths in TOKEN_KINDS:
            for length in lengths:
                for _ in range(draws):
                    value = as_placed(template, draw_token(rng, alphabet, length, prefix))
                    masked = masked_characters(path, template, value)
                    n += 1
                    found += bool(masked)
                    if masked and masked < len(value):
                        cut += 1
                        cut_short.append(f"{name}{length}:{value}")
                    if not masked:
                        missed.append(f"{name}{length}:{value[:24]}…")
        total_found, total, total_cut = total_found + found, total + n, total_cut + cut
        shown = f"  missed e.g. {missed[:show]}" if missed and show else ""
        shown += f"  cut: {cut_short[:show]}" if cut_short and show else ""
        print(f"{found / n:6.3f} {cut:4d}  {path}: {template!r}{shown}")
    print(
        f"{total_found / total:6.3f} {total_cut:4d}  all {len(TOKEN_PLACES)} places, {total} draws"
    )


if __name__ == "__main__":
    main()
