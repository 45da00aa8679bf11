"""How fast the planning estimate (bot/tokens/counting.py estimate_tokens) counts: MB/s over
the real diffs in bench/fixtures/prs, repeated to about `--mb` megabytes, and over a
whitespace-free worst case (base64), best of `--runs`. Planning counts every hunk of a
change locally, so this is what a 2,000-file change costs before the first model call.

tests/test_tokens.py checks that the cost grows linearly with the text; the figure lives
here, since a floor in a test flaked on a loaded machine.

    .venv/bin/python bench/token_speed.py [--mb 4] [--runs 5]
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.tokens import estimate_tokens  # noqa: E402

PRS = ROOT / "bench" / "fixtures" / "prs"


def best_mb_per_s(text: str, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        estimate_tokens(text)
        best = min(best, time.perf_counter() - started)
    return len(text.encode()) / best / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=4.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    diffs = "".join(p.read_text(errors="replace") for p in sorted(PRS.glob("*.diff")))
    size = int(args.mb * 1e6)
    cases = {
        "real diffs": (diffs * (size // len(diffs) + 1))[:size],
        "base64 (no whitespace)": base64.b64encode(os.urandom(size * 3 // 4)).decode(),
    }
    print(f"estimate_tokens, best of {args.runs}, {args.mb:g} MB each")
    for name, text in cases.items():
        print(f"  {name:24} {best_mb_per_s(text, args.runs):6.1f} MB/s")


if __name__ == "__main__":
    main()
