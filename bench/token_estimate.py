"""How far the planning estimate (bot/tokens/counting.py estimate_tokens) is from a real
tokenizer on real diffs: the ratio estimate / real per file section of each diff in
bench/fixtures/prs, against tiktoken's cl100k_base and o200k_base.

Offline: the encodings are rebuilt from the npm package js-tiktoken (node_modules, as the
tests seed them: tests/tiktoken_seed.py) into a temporary tiktoken cache; an encoding whose
rebuilt file does not hash to what tiktoken expects is left out rather than downloaded.

    .venv/bin/python bench/token_estimate.py            # all diffs under bench/fixtures/prs
    .venv/bin/python bench/token_estimate.py a.diff ... # others
"""

from __future__ import annotations

import hashlib
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.tokens.counting import _TIKTOKEN_FILES, estimate_tokens  # noqa: E402
from tests.tiktoken_seed import tiktoken_file, write_encoding  # noqa: E402

RANKS = ROOT / "node_modules" / "js-tiktoken" / "dist" / "ranks"


def seed(encoding: str, cache_dir: Path) -> bool:
    """tiktoken's cache file for `encoding`, rebuilt from js-tiktoken; False if unavailable."""
    source = RANKS / f"{encoding}.js"
    if not source.is_file():
        return False
    data = tiktoken_file(source)
    if hashlib.sha256(data).hexdigest() != _TIKTOKEN_FILES[encoding][1]:
        return False  # tiktoken would re-download it: leave this encoding out
    write_encoding(encoding, data, cache_dir)
    return True


def sections(diff: str) -> list[str]:
    """One text per file of a unified diff (from its `diff --git` line)."""
    out: list[str] = []
    for line in diff.splitlines(keepends=True):
        if line.startswith("diff --git ") or not out:
            out.append("")
        out[-1] += line
    return [s for s in out if s.strip()]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or sorted((ROOT / "bench/fixtures/prs").glob("*.diff"))
    texts = [s for f in files for s in sections(f.read_text(encoding="utf-8", errors="replace"))]
    with tempfile.TemporaryDirectory() as cache:
        os.environ["TIKTOKEN_CACHE_DIR"] = cache
        import tiktoken

        encodings = [e for e in ("cl100k_base", "o200k_base") if seed(e, Path(cache))]
        if not encodings:
            print("no tiktoken encoding available (npm install js-tiktoken)", file=sys.stderr)
            return 1
        print(f"{len(files)} diffs, {len(texts)} file sections, {sum(map(len, texts))} bytes")
        print("encoding      tokens  estimate  whole  median     p1    p99    min    max")
        for name in encodings:
            enc = tiktoken.get_encoding(name)
            real = [len(enc.encode(t, disallowed_special=())) for t in texts]
            est = [estimate_tokens(t) for t in texts]
            ratios = [e / r for e, r in zip(est, real, strict=True) if r]
            print(
                f"{name:12} {sum(real):7} {sum(est):9} {sum(est) / sum(real):6.2f} "
                f"{statistics.median(ratios):7.2f} {percentile(ratios, 0.01):6.2f} "
                f"{percentile(ratios, 0.99):6.2f} {min(ratios):6.2f} {max(ratios):6.2f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
