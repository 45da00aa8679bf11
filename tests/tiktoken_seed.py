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
    js = source.read_text(encoding="utf-8")
    ranks = json.loads(js[js.index("{") : js.rindex("}") + 1])["bpe_ranks"]
    pairs: list[tuple[int, str]] = []
    for line in ranks.split("\n"):
        if line:
            _, offset, *tokens = line.split(" ")
            pairs.extend((int(offset) + k, t) for k, t in enumerate(tokens))
    data = "".join(f"{t} {r}\n" for r, t in sorted(pairs)).encode()
    target = tiktoken_cache_path("cl100k_base", {"TIKTOKEN_CACHE_DIR": str(cache_dir)})
    assert target is not None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return True
