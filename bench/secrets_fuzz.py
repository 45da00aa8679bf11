"""Random splices of secret-shaped texts through the detector: does any scan raise, report a
span outside its text, leave a reported value in the redacted text, or take long?

The seeds are the tune split of every public suite (bench/secrets_eval.py; never the
holdout's lines) and the string literals of this project's secret tests. Each case is a
seed cut, spliced with another, repeated, upper-cased, its line breaks flattened or
escaped, or salted with quotes, brackets, escapes, secret-ish words and characters the
scanner must survive (a lone surrogate from bytes decoded with surrogateescape, `İ`, whose
lower case is longer, U+2028, NUL), under one of the paths the scanner reads differently.
Each is given to find_secrets, redact and mask; a failure prints its case (as repr), the
first of each kind of failure only. The slowest cases per kilobyte are printed at the end:
a shape that grows with its own repetition is a cost a pull request's author controls
(bench/secrets_adversarial.py times such shapes at 100 KB). With --grow, instead: one
short slice of each case repeated to 2-4 KB and to twice that, and the cases whose scan
took more than three times as long at twice the size (quadratic growth shows x4).

    .venv/bin/python bench/secrets_fuzz.py [--seed 1] [--seconds 300] [--slowest 5] [--save FILE]
    .venv/bin/python bench/secrets_fuzz.py --grow [--seed 1] [--seconds 300] [--limit 10]
"""

from __future__ import annotations

import argparse
import ast
import random
import re
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.secrets_adversarial import cpu
from bench.secrets_eval import SUITES, load
from bot.secrets.detect import find_secrets
from bot.secrets.redact import MIN_REUSE, mask, redact, uses_of

ROOT = Path(__file__).resolve().parent.parent

PATHS = (None, "app.py", "web/x.js", "ci.yml", "data.json", ".env", "README.md", "main.go",
         "app.properties", "main.tf", "run.sh", "pom.xml", "config.ini", "Dockerfile",
         "nb.ipynb", "m.c", "task.rb", "index.php", "App.cs", "Main.java", "pyproject.toml",
         ".npmrc", "id_rsa", "cert.pem", "session.har", "schema.sql", "nginx.conf",
         "tests/test_x.py")  # fmt: skip
SALT = ('"', "'", "`", "\\", "\n", "\r\n", "\t", " ", "=", ":", "${", "}", "{", "[", "]",
        "(", ")", ",", ";", "#", "//", "/*", "*/", "<!--", "-->", "İ", "\u2028", "\x00",
        "\udce9", "😀", "ß", "%", "&", "?", "@", "+", "\\n", '\\"', '"""', "'''", "<<EOF\n",
        "-----BEGIN ", "-----END ", "PRIVATE KEY-----", "===", "password", "token", "key",
        "Bearer ", "https://", "://u:p@", "AKIA", "eyJ", "ghp_", "xox", "sk-")  # fmt: skip


def seeds() -> list[str]:
    out: list[str] = []
    for suite in SUITES:
        if suite == "semgrep-rules-secrets":
            continue  # (read from a mirror, which a fresh machine may lack)
        for case in load(suite):
            if case.split == "tune":
                whole = case.file_text
                out.append(whole if whole and len(whole) < 20_000 else case.text)
    for test in sorted((ROOT / "tests").glob("test_secrets_*.py")):
        for node in ast.walk(ast.parse(test.read_text(encoding="utf-8"))):
            literal = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if literal and 8 < len(node.value) < 3000:
                out.append(node.value)
    return out


def mutate(rng: random.Random, texts: list[str]) -> str:
    t = rng.choice(texts)
    for _ in range(rng.randint(1, 6)):
        i = rng.randint(0, len(t))
        j = rng.randint(i, min(len(t), i + rng.randint(0, 50)))
        r = rng.random()
        if r < 0.3:
            t = t[:i] + rng.choice(SALT) + t[i:]
        elif r < 0.45:
            t = t[:i] + t[j:]
        elif r < 0.65:
            other = rng.choice(texts)
            a = rng.randint(0, len(other))
            t = t[:i] + other[a : rng.randint(a, len(other))] + t[j:]
        elif r < 0.75:
            t = t[:i] + t[i:j] * rng.randint(2, 40) + t[j:]
        elif r < 0.85:
            t = t.replace("\n", rng.choice((" ", "\\n", "\r", "")), rng.randint(1, 5))
        elif r < 0.92:
            t = t[:i] + t[i:j].upper() + t[j:]
        else:
            t = t[:i] or rng.choice(texts)
    return t


_MARKER = re.compile(r"\[REDACTED:[\w.-]+#\d+\]")


def problems(text: str, path: str | None) -> str | None:
    """What is wrong with the scan of `text`, or None."""
    hits = find_secrets(text, path)
    for h in hits:
        if not 0 <= h.start < h.end <= len(text):
            return f"span {h.start}-{h.end} outside a text of {len(text)}"
    # (a marker stands for masked characters: a value glued to one was glued to them, and
    # `name:master/Password:` before a masked password is no standalone use)
    redacted = _MARKER.sub("x", redact(text, path).text)
    for h in hits:
        # (a value in pieces, a key's armour and body, is masked where it stands; each
        # piece alone is no secret elsewhere)
        for s, e in h.parts if len(h.parts) == 1 else ():
            value = text[s:e]
            # (a use glued to a word is another word: `mastexIhq…` is not `IhqSb…`)
            if len(value) >= MIN_REUSE and value.strip() and uses_of(value).search(redacted):
                return f"reported value left in the redacted text: {value!r}"
    mask(text, path)
    return None


def grown(rng: random.Random, text: str, size: int) -> tuple[str, str]:
    """`text` with one short slice of it repeated to about `size` characters, and to
    twice that: a shape whose scan takes four times as long at twice the size grows with
    its square."""
    i = rng.randint(0, max(0, len(text) - 1))
    piece = text[i : i + rng.randint(1, 24)] or "a"
    k = max(1, size // len(piece))
    return text[:i] + piece * k + text[i:], text[:i] + piece * (2 * k) + text[i:]


def grow(rng: random.Random, texts: list[str], seconds: float, top: int, limit: float) -> list[str]:
    """Cases whose scan grows faster than their length, worst first (at least 20 ms at
    the larger size, so that a scan's fixed cost is not read as growth); a scan past
    `limit` seconds is stopped and its case printed at once."""
    found: list[tuple[float, float, str, str | None]] = []
    n = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        small, big = grown(rng, mutate(rng, texts), rng.choice((2_000, 4_000)))
        path = rng.choice(PATHS)
        n += 1
        t_big = cpu(big, path, limit)
        if t_big == float("inf"):
            print(f"  past {limit:.0f} s at {len(big)} characters ({path!r}): {big!r}", flush=True)
        if t_big < 0.02:
            continue
        ratio = t_big / max(cpu(small, path, limit), 1e-4)
        if ratio > 3:
            found.append((ratio, t_big, big, path))
            found = sorted(found, key=lambda f: -f[0])[:top]
    print(f"{n} grown cases")
    for ratio, took, text, path in found:
        print(f"  x{ratio:.1f} from {len(text) // 2} to {len(text)} characters "
              f"({took * 1000:.0f} ms, {path!r}): {text[:160]!r}")  # fmt: skip
    return [repr((text, path)) for _, _, text, path in found]


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="example: .venv/bin/python bench/secrets_fuzz.py --grow --seconds 480 --seed 21",
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--slowest", type=int, default=5)
    ap.add_argument("--save", help="write the slowest cases here, as a Python literal")
    ap.add_argument("--grow", action="store_true", help="look for superlinear shapes")
    ap.add_argument("--limit", type=float, default=10, help="seconds a scan may take (--grow)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    texts = seeds()
    print(f"{len(texts)} seeds; seed {args.seed}, {args.seconds:.0f} s", flush=True)
    if args.grow:
        worst = grow(rng, texts, args.seconds, args.slowest, args.limit)
        if args.save and worst:
            Path(args.save).write_text("[" + ",\n".join(worst) + "]")
        return
    failures: dict[str, str] = {}
    slow: list[tuple[float, float, str, str | None]] = []
    n = 0
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        text, path = mutate(rng, texts), rng.choice(PATHS)
        n += 1
        started = time.process_time()
        try:
            wrong = problems(text, path)
        except Exception as exc:  # a raise is what this bench looks for
            where = traceback.extract_tb(exc.__traceback__)[-1]
            wrong = f"{type(exc).__name__} at {Path(where.filename).name}:{where.lineno}: {exc}"
        took = time.process_time() - started
        if len(text) >= 2000:  # (below, a scan's fixed cost is most of its time)
            slow.append((took / len(text) * 1000, took, text, path))
            slow = sorted(slow, reverse=True)[: args.slowest]
        kind = wrong.split(":")[0] if wrong else None
        if kind and kind not in failures:
            failures[kind] = wrong or ""
            print(f"FAIL {wrong}\n  path {path!r}, text {text[:400]!r}", flush=True)
    print(f"{n} cases, {len(failures)} kinds of failure")
    if args.save and slow:
        Path(args.save).write_text(repr([(text, path) for _, _, text, path in slow]))
    for per_kb, took, text, path in slow:
        print(f"  slowest: {per_kb * 1000:.1f} ms/KB ({took * 1000:.0f} ms, {len(text)} chars, "
              f"{path!r}): {text[:120]!r}")  # fmt: skip


if __name__ == "__main__":
    main()
