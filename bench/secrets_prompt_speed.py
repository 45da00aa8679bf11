"""How long redaction takes on 100 KB prompts of real files, as a review renders them.

bench/secrets_scan.py times one prompt: the first 100 KB of a change made of 25-line cuts of
installed packages, the same every run. A review's prompt is whole files (an added file, a
changed file's context), and files differ: a changelog is a line of commit hashes and
names per entry, a schema is one long JSON, a bundle is minified. This draws the installed
files that bench/secrets_real_code.py scans (Python packages, node_modules, Debian's
documentation), renders each as an added file (`### path (added)`, then `    12 + | ` per
line, bot.tasks.diff_render), packs them in order into prompts of 100 KB, and times
`redact` over each prompt, a first scan each time (detect.MEMO emptied): the lowest of
--repeat runs per prompt, CPU time of this process. It prints the distribution over the
prompts and the share over the issue's 10 ms; with --show, the slowest prompts' slowest
files, each scanned alone under its path. With --classify N, instead: a change that adds N
of those files whole (the issue's 2,000-file change, of real files rather than 25-line
cuts), classified as a review classifies it (bot/classify/data_class.classify_change),
against the issue's 2 s.

    .venv/bin/python bench/secrets_prompt_speed.py [--prompts 200] [--repeat 3] [--show 5]
    .venv/bin/python bench/secrets_prompt_speed.py --classify 2000
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.secrets_real_code import files
from bench.secrets_scan import PROMPT_BYTES, build_change
from bot.classify.data_class import classify_change
from bot.config.classes import DataClassConfig
from bot.secrets.detect import MEMO, find_secrets
from bot.secrets.redact import redact
from bot.secrets.sections import parts
from bot.tasks.diff_render import file_header, render_hunk

TARGET_MS = 10.0
_SEED = 1  # the same files in the same prompts on every run


def real_files() -> Iterator[tuple[str, str]]:
    """(path, text) of the installed files, shuffled the same way on every run."""
    paths = files(20_000)
    random.Random(_SEED).shuffle(paths)
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if text.strip() and len(text) <= PROMPT_BYTES:
            yield str(path), text


def prompts(count: int) -> list[str]:
    """`count` prompts of PROMPT_BYTES, each of whole rendered files (the last one cut)."""
    out: list[str] = []
    pending: list[str] = []
    size = 0
    for path, text in real_files():
        f = build_change([(path, text.splitlines())]).files[0]
        rendered = file_header(f) + "\n" + "\n".join(render_hunk(h) for h in f.hunks)
        pending.append(rendered)
        size += len(rendered) + 2
        if size >= PROMPT_BYTES:
            out.append("\n\n".join(pending)[:PROMPT_BYTES])
            pending, size = [], 0
            if len(out) == count:
                break
    return out


def lowest_ms(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        MEMO.clear()
        started = time.process_time()
        fn()
        best = min(best, time.process_time() - started)
    return best * 1000


def classify(count: int, repeat: int) -> None:
    added = list(itertools.islice(real_files(), count))
    change = build_change([(path, text.splitlines()) for path, text in added])
    size = sum(len(text) for _, text in added) / 1e6
    find_secrets("warm up = 'imports and regex caches'")
    config = DataClassConfig()
    took = lowest_ms(lambda: classify_change(change, config, None, "acme/app"), repeat)
    print(f"classify_change, {len(added)} files added whole ({size:.1f} MB), lowest of {repeat}:")
    print(f"  {took / 1000:.2f} s CPU (target 2 s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--prompts", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3, help="runs per prompt; the lowest counts")
    ap.add_argument("--show", type=int, default=0, help="the slowest prompts' slowest files")
    ap.add_argument("--classify", type=int, default=0, metavar="N", help="time classifying N files")
    args = ap.parse_args()
    if args.classify:
        classify(args.classify, args.repeat)
        return
    texts = prompts(args.prompts)
    if not texts:
        sys.exit("no installed files found to build prompts from (see bench/secrets_real_code.py)")
    find_secrets("warm up = 'imports and regex caches'")
    for text in texts:  # each lazily compiled rule compiled once, as a running server has
        redact(text)
    took = sorted((lowest_ms(lambda t=t: redact(t), args.repeat), i) for i, t in enumerate(texts))
    ms = [t for t, _ in took]

    def at(q: float) -> float:
        return ms[round(q * (len(ms) - 1))]

    over = sum(t > TARGET_MS for t in ms)
    size = PROMPT_BYTES // 1000
    print(f"{len(texts)} prompts of {size} KB, redact, lowest of {args.repeat}, CPU:")
    print(
        f"  median {at(0.5):.1f} ms  p75 {at(0.75):.1f}  p90 {at(0.9):.1f}  p99 {at(0.99):.1f}"
        f"  max {ms[-1]:.1f}  over {TARGET_MS:.0f} ms: {over} ({over / len(ms):.0%})"
    )
    for prompt_ms, i in reversed(took[-args.show :] if args.show else []):
        text = texts[i]
        slow = sorted(
            (lowest_ms(lambda part=text[s:e], p=p: find_secrets(part, p), args.repeat), p, e - s)
            for s, e, p in parts(text)
        )
        print(f"  prompt {i}: {prompt_ms:.1f} ms; slowest files:")
        for part_ms, path, length in reversed(slow[-3:]):
            print(f"    {part_ms:6.1f} ms  {length / 1000:5.1f} KB  {path}")


if __name__ == "__main__":
    main()
