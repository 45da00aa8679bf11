"""Secrets reported on the lines Samsung's CredData labels nothing, in its repositories' files.

CredData's reviewers labelled the lines their scanners raised, credentials or not; a line
none of them raised carries no label. Switchyard's reports there are either credentials
every one of those scanners missed or false alarms nobody counted. Real repositories'
code, configuration and docs at the commits CredData pins, nobody on this project wrote a
line of them; so the rate per thousand files, and the listing of what was reported, is
where false alarms the labelled suites cannot show (CI ciphertext, invite links, version
ranges, nginx's directives) turn up.

Repositories fall into `tune` and `holdout` as in bench/secrets_creddata.py (by
repository): `--show` lists the tune half's reports only; the holdout prints counts.

With `--peer kingfisher` (or another detector of bench/secrets_peers.py), the same files
are also scanned by it, and the unlabelled lines it reports where Switchyard reports nothing
are counted per split, and listed for the tune half with --show: where a peer with few
false alarms (Kingfisher's rate on CredData's look-alikes is 0.2 %) finds what Switchyard
does not, a format or a context Switchyard misses is likely.

    .venv/bin/python bench/secrets_creddata_unlabelled.py [--show 40] [--files 150]
        [--creddata PATH] [--mirrors DIR] [--peer kingfisher]
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.creddata_source import (  # noqa: E402
    CREDDATA_MIRROR,
    MIRRORS,
    Repo,
    Source,
    decode,
    git,
    mirror_of,
)
from bench.public_suites import split_of  # noqa: E402
from bench.secrets_peers import PEERS, peer_hits, safe_path  # noqa: E402
from bench.secrets_real_code import print_rates  # noqa: E402
from bot.secrets import find_secrets  # noqa: E402

SUFFIXES = (".py", ".js", ".ts", ".go", ".java", ".rb", ".php", ".yml", ".yaml", ".json",
            ".sh", ".md", ".env", ".conf", ".properties", ".toml", ".ini", ".cfg",
            ".xml")  # fmt: skip
MAX_BYTES = 300_000


def _labelled_lines(repo: Repo) -> dict[str, set[int]]:
    """FileID -> the lines any of the repository's rows covers."""
    out: dict[str, set[int]] = collections.defaultdict(set)
    for row in repo.rows:
        out[row["FileID"]].update(range(int(row["LineStart"]), int(row["LineEnd"]) + 1))
    return out


def _sample(git_dir: Path, commit: str, per_repo: int, rng: random.Random) -> list[str]:
    listing = git(git_dir, "ls-tree", "-r", "--name-only", "-z", commit).split(b"\0")
    paths = [p.decode("utf-8", "surrogateescape") for p in listing if p]
    paths = sorted(p for p in paths if p.endswith(SUFFIXES))
    rng.shuffle(paths)
    return paths[:per_repo]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--creddata", type=Path, default=CREDDATA_MIRROR)
    ap.add_argument("--mirrors", type=Path, default=MIRRORS)
    ap.add_argument("--files", type=int, default=150, help="files drawn per repository")
    ap.add_argument("--show", type=int, default=0, help="list this many tune reports")
    ap.add_argument("--peer", choices=[p for p in PEERS if p != "semgrep-registry"])
    args = ap.parse_args()
    peer_files: dict[Path, tuple[str, str, set[int], set[int]]] = {}  # -> split, text, ...
    scratch = Path(tempfile.mkdtemp(prefix="creddata-unlabelled-"))
    counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    scanned = collections.Counter[str]()
    hit_files = collections.Counter[str]()
    shown: list[str] = []
    started = time.perf_counter()
    for repo in Source(args.creddata).repos():
        git_dir = mirror_of(repo.url, args.mirrors)
        if git_dir is None:
            continue
        split = split_of("creddata", repo.rid)
        labelled = _labelled_lines(repo)
        rng = random.Random(repo.rid)  # the same files on every run
        try:
            paths = _sample(git_dir, repo.commit, args.files, rng)
        except subprocess.CalledProcessError:
            continue  # the pinned commit is not in the mirror
        for path in paths:
            try:
                data = git(git_dir, "show", f"{repo.commit}:{path}")
            except subprocess.CalledProcessError:
                continue
            if len(data) > MAX_BYTES:
                continue
            scanned[split] += 1
            text = decode(data)
            file_id = hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()[:8]
            found = find_secrets(text, path)
            hits = [h for h in found if h.line not in labelled[file_id]]
            if args.peer:
                rel = Path(repo.rid) / safe_path(path)
                (scratch / "files" / rel).parent.mkdir(parents=True, exist_ok=True)
                (scratch / "files" / rel).write_bytes(data)
                ours = {n for h in found for n in range(h.line, h.end_line + 1)}
                peer_files[rel] = (split, text, labelled[file_id], ours)
            hit_files[split] += bool(hits)
            for h in hits:
                counts[split][h.kind] += 1
                if split == "tune" and len(shown) < args.show:
                    ls = text.rfind("\n", 0, h.start) + 1
                    le = text.find("\n", h.end)
                    line = text[ls : len(text) if le == -1 else le].strip()
                    shown.append(f"  {repo.rid} {path[-48:]:48s} {h.kind[:30]:30s} | {line[:120]}")
    took = time.perf_counter() - started
    print_rates(took, scanned, hit_files, counts, "a report on an unlabelled line")
    print("\n".join(shown))
    if args.peer:
        _peer_only(args.peer, scratch, peer_files, args.show)


def _peer_only(
    peer: str,
    scratch: Path,
    files: dict[Path, tuple[str, str, set[int], set[int]]],
    show: int,
) -> None:
    """The unlabelled lines `peer` reports and Switchyard does not, per split, as runs of
    lines (a multi-line finding is one), each listed by its first line."""
    only: collections.Counter[str] = collections.Counter()
    listed: list[str] = []
    previous: tuple[Path, int] | None = None
    for rel, line in sorted(peer_hits(peer, scratch / "files", scratch)):
        split, text, labelled, ours = files[rel]
        if line in labelled or line in ours:
            continue
        run_goes_on = previous == (rel, line - 1)
        previous = (rel, line)
        if run_goes_on:
            continue
        only[split] += 1
        if split == "tune" and len(listed) < show:
            lines = text.splitlines()
            shown = lines[line - 1].strip() if line <= len(lines) else ""
            listed.append(f"  {str(rel)[-60:]:60s}:{line} | {shown[:120]}")
    print(f"\nunlabelled findings {peer} reports and switchyard does not: {dict(only)}")
    print("\n".join(listed))
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
