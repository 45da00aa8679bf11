"""Builds tiktoken's cl100k cache file from the npm package js-tiktoken, offline.

tiktoken downloads its encodings on first use, which an air-gapped machine (and this CI)
cannot do. js-tiktoken ships the same ranks inside its npm package; rewritten in tiktoken's
file format they hash to exactly what tiktoken expects, so the cached path can be tested.
"""

from __future__ import annotations

import json
from pathlib import Path

from bot.tokens.counting import tiktoken_cache_path
from tests.tools import NODE_MODULES, node_package

RANKS = NODE_MODULES / "js-tiktoken/dist/ranks"  # package.json pins js-tiktoken


def seed_cl100k(cache_dir: Path) -> bool:
    """Writes the cl100k_base file into `cache_dir`. Without js-tiktoken the calling test is
    skipped (failed under CI) with the shared reason (tests/tools.py)."""
    source = node_package("js-tiktoken", "dist", "ranks", "cl100k_base.js")
    write_encoding("cl100k_base", tiktoken_file(source), cache_dir)
    return True


def tiktoken_file(js_ranks: Path) -> bytes:
    """A js-tiktoken ranks module (dist/ranks/<encoding>.js) in tiktoken's file format."""
    js = js_ranks.read_text(encoding="utf-8")
    ranks = json.loads(js[js.index("{") : js.rindex("}") + 1])["bpe_ranks"]
    pairs: list[tuple[int, str]] = []
    for line in ranks.split("\n"):
        if line:
            _, offset, *tokens = line.split(" ")
            pairs.extend((int(offset) + k, t) for k, t in enumerate(tokens))
    return "".join(f"{t} {r}\n" for r, t in sorted(pairs)).encode()


def write_encoding(encoding: str, data: bytes, cache_dir: Path) -> None:
    """`data` where tiktoken looks for `encoding` with TIKTOKEN_CACHE_DIR=`cache_dir`."""
    target = tiktoken_cache_path(encoding, {"TIKTOKEN_CACHE_DIR": str(cache_dir)})
    assert target is not None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
