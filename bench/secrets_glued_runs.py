"""Longer runs than a format: how many family samples are redacted only in part when more
characters follow their value.

Many formats' patterns stop at their length (gitleaks' Shopify or Twilio rules), so a
token longer than the pattern, or glued to more token characters, could be redacted up to
the pattern's length and the rest sent. Each sample of tests/test_secret_families.py (every
gitleaks rule's first true positive, Switchyard's own kinds and vendor formats) gets eight
random letters and digits glued to its value's end; a sample counts as `cut` when a hit
covers part of the longer run but not all of it. Values that end in base64 padding, a dot
or a URL's user name (the run ends there whatever follows) are listed apart.

The samples are the project's own test data and gitleaks' rule tests, so this is a
property of the rules (a regression check), not a recall figure.

    .venv/bin/python bench/secrets_glued_runs.py [--glue 8] [--seed 1] [--show 10]
"""

from __future__ import annotations

import argparse
import random
import string
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.secrets import find_secrets
from tests.test_secret_families import FAMILIES


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="example: .venv/bin/python bench/secrets_glued_runs.py --glue 8 --show 10",
    )
    ap.add_argument("--glue", type=int, default=8, help="characters glued to each value")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=10, help="cut samples listed")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    alphabet = string.ascii_letters + string.digits
    cut: list[str] = []
    ends_run: list[str] = []
    single_line = [f for f in FAMILIES if "\n" not in f.value]
    for f in single_line:
        at = f.text.index(f.value) + len(f.value)
        tail = "".join(rng.choice(alphabet) for _ in range(args.glue))
        text = f.text[:at] + tail + f.text[at:]
        start, end = at - len(f.value), at + len(tail)
        covered: set[int] = set()
        for hit in find_secrets(text, f.path):
            covered.update(range(max(hit.start, start), min(hit.end, end)))
        if covered and len(covered) < end - start:
            run_ends = f.value.endswith("=") or "." in f.value or ":" in f.value
            (ends_run if run_ends else cut).append(f.name)
    print(f"samples: {len(single_line)} single-line values, {args.glue} characters glued on")
    print(f"cut short: {len(cut)}; cut where the value's own run ends: {len(ends_run)}")
    for name in (cut + ends_run)[: args.show]:
        print(f"  {name}")


if __name__ == "__main__":
    main()
