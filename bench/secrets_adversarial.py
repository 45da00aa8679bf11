"""What the secret scan costs on lines written to make it slow: one setting or one format's
prefix repeated without end (`password=password=…`, `eyJeyJ…`, `sq0csp-…` with drawn
bodies), tokens joined into one value (`"ghp_…" + "ghp_…" + …`). A pull request's text
is untrusted and every prompt and changed file is scanned, so a shape whose cost grows
with the square of its length would hold a review for minutes.

For each shape, one line of 100 KB and of half that (--size), scanned as a code file
(app.py), a text file (notes.txt) and a prompt (no path); printed: the slowest of the three
at the full size, CPU seconds, and the ratio of full to half (2 where the cost grows with
the length, 4 where it grows with its square). A scan still running after --limit seconds
is stopped and printed as more than that (a tree before this bench's fixes, run with a
copy of this file, takes minutes on some shapes). Beside them, in the same run, an
ordinary prompt of the same size (real source from the installed packages,
bench/secrets_scan.py's corpus) and the ratio of the slowest shape to it. With
--every-keyword, also each keyword of the token patterns and gitleaks' rules repeated
(20 KB and 40 KB, as a code file; the slowest listed).

    .venv/bin/python bench/secrets_adversarial.py [--size 100000] [--limit 60] [--every-keyword]
"""

from __future__ import annotations

import argparse
import random
import signal
import string
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.secrets_scan import build_change, corpus
from bot.secrets.detect import MEMO, find_secrets
from bot.secrets.gitleaks_pass import scanner
from bot.secrets.token_pass import TOKEN_KEYWORDS
from bot.tasks.diff_render import file_header, render_hunk

_PATHS = ("app.py", "notes.txt", None)
_RNG = random.Random(7)
_ALNUM = string.ascii_letters + string.digits


def _drawn(n: int) -> str:
    return "".join(_RNG.choice(_ALNUM) for _ in range(n))


def _repeated(unit: str) -> Callable[[int], str]:
    return lambda size: (unit * (size // len(unit) + 1))[:size]


def _bodies(prefix: str, body: int, after: str = "") -> Callable[[int], str]:
    """`prefix` and a drawn body of `body` characters, again and again."""

    def make(size: int) -> str:
        parts: list[str] = []
        total = 0
        while total < size:
            parts.append(prefix + _drawn(body) + after)
            total += len(parts[-1])
        return "".join(parts)[:size]

    return make


SHAPES: dict[str, Callable[[int], str]] = {
    "password= repeated": _repeated("password="),
    "password = repeated": _repeated("password = "),
    "password=x; repeated": _repeated("password=x;"),
    "password=' repeated": _repeated("password='"),
    '"password":" repeated': _repeated('"password":"'),
    "AccountKey= repeated": _repeated("AccountKey="),
    "eyJ repeated": _repeated("eyJ"),
    "redis repeated": _repeated("redis"),
    "ENV repeated": _repeated("ENV "),
    "password ' repeated": _repeated("password '"),
    "sq0csp- repeated": _repeated("sq0csp-"),
    "fio-u- repeated": _repeated("fio-u-"),
    "github_pat_ repeated": _repeated("github_pat_"),
    "sq0csp- and drawn bodies": _bodies("sq0csp-", 43),
    "eyJ and drawn bodies": _bodies("eyJ", 20),
    "password= and drawn values": _bodies("password=", 12),
    "password= and drawn values;": _bodies("password=", 12, ";"),
    "password: and drawn values,": _bodies("password:", 40, ","),
    "https://u: and drawn passwords": _bodies("https://u:", 12, "@h/"),
    # literals each reported, joined into one value (continued.py walked the chain from
    # each of them: 20 s at 100 KB over lines before it walked each chain once)
    '"ghp_…" + joined on a line': _bodies('"ghp_', 36, '" + '),
    '"ghp_…" adjacent on a line': _bodies('"ghp_', 36, '" '),
    '"ghp_…" + joined over lines': _bodies('"ghp_', 36, '" +\n'),
    # a list's opening bracket at the line's end after one long word or run of spaces
    # (line_contexts' key-as-bytes head read a name from each of the run's characters:
    # 7 s at 16 KB; found by bench/secrets_fuzz.py)
    "base64 run, then `{`": lambda size: 'if ("' + _repeated("AwMD")(size) + '" == key) {',
    "a name, spaces, then `{`": lambda size: "key" + " " * size + "x {",
    # more found by bench/secrets_fuzz.py --grow: runs of spaces split every way among the
    # runs of a pattern (detect-secrets' assignment separator, a diff's line prefix before
    # a YAML item, a Markdown table's delimiter row), curl's continued lines over `\r`s,
    # one high-entropy value repeated on its line
    "ibm_api_key, spaces, a short value": lambda size: (
        "ibm_api_key" + " " * size + '= "832d2129-a84-4e27-99f4-7004b6ad53ef"'
    ),
    "- --token-file, a line of spaces": lambda size: "- --token-file\n" + " " * size + "x",
    "spaces, then `-----`": lambda size: " " * size + "PRIVATE KEY-----B DB_PASSWORD",
    "curl, then `\r/devices` repeated": lambda size: (
        "curl -d x=1 \\\r" + _repeated("/devices\r")(size)
    ),
    'one hex value repeated `"…"`': lambda size: (
        'k: "shpss_7b4b39ab0c003bce81e"' + _repeated('4b39ab0c003bce81e"')(size)
    ),
    # each secret-named operator's window (4 KB past it) was searched whole when no
    # assignment matched, the windows overlapping (long_lines.search_near): 17 s
    '_TOKEN :::= "… repeated': lambda size: "GENERIC" + _repeated('_TOKEN :::= "Zf3DC')(size),
    "names unpacked, spaces, a `[` and no literal": lambda size: (
        "const [user, token] =" + " " * size + "[x, 'y'];"
    ),
    # a key block read up from its END line (a hunk that opens inside it): each END the
    # start of a walk up the lines, each walk stopping at the previous END
    "a drawn line and an END line, repeated": _bodies("", 64, "\n-----END PRIVATE KEY-----\n"),
    "a long base64 line, `!`, an END line": lambda size: (
        _repeated("QmFzZTY0")(size) + "!\n-----END PRIVATE KEY-----\n"
    ),
    # PuTTY's MAC line read up, and an XML key's member opened and never closed
    "a drawn line and a MAC line, repeated": _bodies("", 64, "\nPrivate-MAC: 0a1b2c3d4e5f\n"),
    "<InverseQ> and drawn bodies, no closing tag": _bodies("<InverseQ>", 40),
    "<D> then a long base64 run, RSAKeyValue": lambda size: (
        "<RSAKeyValue><D>" + _repeated("QmFzZTY0")(size) + "</P>"
    ),
    "random printable": lambda size: "".join(_RNG.choice(string.printable) for _ in range(size)),
}


class _Late(Exception):
    pass


def _stop(signum: int, frame: object) -> None:
    raise _Late


def cpu(text: str, path: str | None, limit: float = 0) -> float:
    """CPU seconds of one scan; `limit` (wall seconds, 0 for none) stops it, and inf is
    returned."""
    MEMO.clear()
    t = time.process_time()
    if limit:
        signal.signal(signal.SIGALRM, _stop)
        signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        find_secrets(text, path)
    except _Late:
        return float("inf")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return time.process_time() - t


def ordinary_prompt(size: int = 100_000) -> str:
    change = build_change(corpus(400, 25))
    rendered = "\n\n".join(
        file_header(f) + "\n" + "\n".join(render_hunk(h) for h in f.hunks) for f in change.files
    )
    return rendered[:size]


def shapes(size: int, limit: float) -> float:
    worst = 0.0
    for name, make in SHAPES.items():
        half, whole = make(size // 2) + "\n", make(size) + "\n"
        times = [(cpu(whole, p, limit), cpu(half, p, limit), p or "prompt") for p in _PATHS]
        slowest, at_half, where = max(times)
        worst = max(worst, slowest)
        if slowest == float("inf"):
            print(f"  {name:32s} more than {limit:.0f} s at {size // 1000} KB ({where})")
            continue
        growth = slowest / max(at_half, 1e-4)
        print(
            f"  {name:32s} {slowest:6.2f} s CPU at {size // 1000} KB ({where}), "
            f"full/half x{growth:.1f}"
        )
    return worst


def every_keyword() -> None:
    words = set(TOKEN_KEYWORDS) | {k for r in scanner().ruleset.rules for k in r.keywords}
    rows = []
    for word in sorted(words):
        for variant in {word, word.upper(), word[:1].upper() + word[1:]}:
            small = (variant * (20_000 // len(variant) + 1))[:20_000] + "\n"
            large = (variant * (40_000 // len(variant) + 1))[:40_000] + "\n"
            a, b = cpu(small, "app.py"), cpu(large, "app.py")
            rows.append((b, b / max(a, 1e-4), variant))
    rows.sort(reverse=True)
    print(f"\n{len(words)} keywords, each repeated over one line, as a code file; the slowest:")
    for b, growth, variant in rows[:10]:
        print(f"  {variant!r:40s} {b * 1000:7.1f} ms CPU at 40 KB, 40/20 KB x{growth:.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=100_000, help="characters of each line")
    ap.add_argument("--limit", type=float, default=60, help="seconds a scan may take")
    ap.add_argument("--every-keyword", action="store_true")
    args = ap.parse_args()
    find_secrets("warm = 'up'")
    prompt = ordinary_prompt(args.size)
    base = min(cpu(prompt, None) for _ in range(5))
    print(f"an ordinary {args.size // 1000} KB prompt: {base * 1000:.1f} ms CPU (best of 5)")
    print("one line of each shape:")
    worst = shapes(args.size, args.limit)
    if worst == float("inf"):
        print(f"slowest shape more than {args.limit:.0f} s")
    else:
        print(f"slowest shape {worst:.2f} s CPU, {worst / base:.0f}x the ordinary prompt")
    if args.every_keyword:
        every_keyword()


if __name__ == "__main__":
    main()
