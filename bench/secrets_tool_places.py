"""How many drawn secrets are found and masked whole where tools, calls, config files and
docs take them (bench/secrets_tool_places_data.py): a CI job's commands, a login call's
arguments, a publish tool's flags, a daemon's password file, a README's table. Each place
gets --draws values (passwords with symbols, or tokens), each redacted as its file would
be; a value counts as masked when no five of its characters in a row are left. Drawn here,
so a regression check of the rules, not evidence (the public suites are that).

    .venv/bin/python bench/secrets_tool_places.py [--set commands] [--draws 100] [--below 0.97]
"""

from __future__ import annotations

import argparse
import base64
import random
import string
import sys
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.secrets_tool_places_data import TOOL_PLACES
from bot.secrets.redact import redact

_SYMBOLS = "!#%^*_-+=.,:~@"
_ALNUM = string.ascii_letters + string.digits


def _values(rng: random.Random) -> dict[str, str]:
    password = "".join(rng.choice(_ALNUM + _SYMBOLS) for _ in range(16))
    return {
        "v": password,
        "k": "".join(rng.choice(_ALNUM) for _ in range(40)),
        "h": "".join(rng.choice("0123456789abcdef") for _ in range(40)),
        "b": base64.b64encode(f"bot:{password}".encode()).decode(),
    }


_KIND_KEY = {"pw": "v", "tok": "k", "hex": "h", "b64": "b"}


def masked_share(path: str | None, template: str, kind: str, draws: int, seed: int) -> float:
    rng = random.Random(seed)
    masked = 0
    for _ in range(draws):
        values = _values(rng)
        value = values[_KIND_KEY[kind]]
        sent = redact(template.format(**values), path).text
        masked += not any(value[i : i + 5] in sent for i in range(len(value) - 4))
    return masked / draws


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="example: .venv/bin/python bench/secrets_tool_places.py --set files --draws 50",
    )
    sets = sorted({s for s, *_ in TOOL_PLACES})
    ap.add_argument("--set", choices=sets, action="append", help="repeatable; default: all")
    ap.add_argument("--draws", type=int, default=100, help="values per place")
    ap.add_argument("--seed", type=int, default=24)
    ap.add_argument("--below", type=float, default=0.97, help="list places below this share")
    args = ap.parse_args()
    shares: dict[str, list[float]] = {}
    for name, path, template, kind in TOOL_PLACES:
        if args.set and name not in args.set:
            continue
        # Seeded by the place itself, not its index: a place added before another leaves
        # the other's draws, and its figure, as they were.
        share = masked_share(
            path, template, kind, args.draws, args.seed + zlib.crc32(template.encode())
        )
        shares.setdefault(name, []).append(share)
        if share < args.below:
            print(f"{share:6.3f}  {name}: {path}: {template[:90]!r}")
    for name, got in shares.items():
        print(f"{sum(got) / len(got):6.3f}  {name}: {len(got)} places")
    every = [s for got in shares.values() for s in got]
    print(f"{sum(every) / len(every):6.3f}  all {len(every)} places, {args.draws} draws each")


if __name__ == "__main__":
    main()
