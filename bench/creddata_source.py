"""Reading Samsung's CredData for bench/secrets_creddata.py: its labels (`meta/*.csv`,
`snapshot.json`, from a mirror of the CredData repository) and the labelled files, read
from mirrors of the labelled repositories at the commits CredData pins, matched to
FileIDs as its `download_data.py` does. Nothing is copied: both are read at run time."""

from __future__ import annotations

import binascii
import csv
import hashlib
import io
import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.public_suites import Split, split_of
from bench.secrets_eval import SecretCase

SUITE = "creddata"
CREDDATA_MIRROR = Path("/work/.mirror/Samsung+CredData/repo")
MIRRORS = Path("/work/.mirror")


@dataclass(frozen=True)
class CredCase(SecretCase):
    repo: str = ""  # CredData's eight-hex repository id
    file_id: str = ""
    last_line: int = 0
    # Where CredData marks the credential's value on a one-line row: the line's offsets.
    value: tuple[int, int] | None = None

    @property
    def split(self) -> Split:
        return split_of(SUITE, self.repo)


@dataclass
class Repo:
    rid: str  # CredData's eight-hex id (crc32 of the snapshot key)
    url: str
    commit: str
    rows: list[dict[str, str]]


# --- CredData's labels -----------------------------------------------------------------


class Source:
    """A CredData checkout or bare mirror."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.bare = not (root / "meta").is_dir()
        if self.bare and not (root / "HEAD").is_file():
            raise SystemExit(
                f"CredData not found at {root}: clone github.com/Samsung/CredData and pass "
                "--creddata PATH"
            )

    def read(self, name: str) -> str:
        if not self.bare:
            return (self.root / name).read_text(encoding="utf-8")
        return git(self.root, "show", f"HEAD:{name}").decode("utf-8")

    def repos(self) -> list[Repo]:
        snapshot: dict[str, str] = json.loads(self.read("snapshot.json"))
        out = []
        for key, url in snapshot.items():
            rid = f"{binascii.crc32(binascii.unhexlify(key)):08x}"
            try:
                text = self.read(f"meta/{rid}.csv")
            except (OSError, subprocess.CalledProcessError):
                continue
            rows = list(csv.DictReader(io.StringIO(text)))
            if rows:
                out.append(Repo(rid, url, key[:40], rows))
        return out


def git(git_dir: Path, *args: str, stdin: bytes | None = None) -> bytes:
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", *args], input=stdin, capture_output=True, check=True
    ).stdout


# --- the repositories' files -----------------------------------------------------------


def mirror_of(url: str, mirrors: Path) -> Path | None:
    owner_name = url.removeprefix("https://github.com/").strip("/").removesuffix(".git")
    base = mirrors / owner_name.replace("/", "+") / "repo"
    for git_dir in (base / ".git", base):
        if (git_dir / "HEAD").is_file():
            return git_dir
    return None


def labelled_files(repo: Repo, git_dir: Path) -> dict[str, tuple[str, bytes]]:
    """FileID -> (path in the repository, content) for the files repo's rows label."""
    wanted = {row["FileID"] for row in repo.rows}
    listing = git(git_dir, "ls-tree", "-r", "-z", repo.commit).split(b"\0")
    blobs: dict[str, tuple[str, str]] = {}
    for entry in listing:
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        path = raw_path.decode("utf-8", errors="surrogateescape")
        file_id = hashlib.sha256(raw_path).hexdigest()[:8]
        wanted_blob = kind == "blob" and mode != "120000" and file_id in wanted
        if wanted_blob and not path.endswith(".xml"):
            blobs[file_id] = (path, sha)
    if not blobs:
        return {}
    batch = git(
        git_dir,
        "cat-file",
        "--batch",
        stdin="".join(f"{sha}\n" for _, sha in blobs.values()).encode(),
    )
    out: dict[str, tuple[str, bytes]] = {}
    pos = 0
    for file_id, (path, _sha) in blobs.items():
        header_end = batch.index(b"\n", pos)
        header = batch[pos:header_end].split()
        pos = header_end + 1
        if header[1] == b"missing":
            continue
        size = int(header[2])
        out[file_id] = (path, batch[pos : pos + size])
        pos += size + 1
    return out


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


# --- cases -----------------------------------------------------------------------------


@dataclass
class Loaded:
    cases: list[CredCase]
    files: dict[tuple[str, str], tuple[str, str]]  # (repo, FileID) -> (path, text)
    left_out: Counter[str]  # why rows were left out -> count


def load(source: Source, mirrors: Path, progress: bool) -> Loaded:
    cases: list[CredCase] = []
    files: dict[tuple[str, str], tuple[str, str]] = {}
    left_out: Counter[str] = Counter()
    repos = source.repos()
    for n, repo in enumerate(repos, 1):
        if progress:
            print(f"\r  reading {n}/{len(repos)} repositories", end="", file=sys.stderr)
        git_dir = mirror_of(repo.url, mirrors)
        if git_dir is None:
            left_out["repository not mirrored"] += len(repo.rows)
            continue
        try:
            found = labelled_files(repo, git_dir)
        except subprocess.CalledProcessError:
            left_out["pinned commit not in the mirror"] += len(repo.rows)
            continue
        for row in repo.rows:
            got = found.get(row["FileID"])
            if got is None:
                left_out["file missing at the commit (or .xml)"] += 1
                continue
            path, data = got
            text = decode(data)
            first, last = int(row["LineStart"]), int(row["LineEnd"])
            lines = text.split("\n")
            if not 1 <= first <= last <= len(lines):
                left_out["labelled line past the file's end"] += 1
                continue
            files[(repo.rid, row["FileID"])] = (path, text)
            cases.append(
                CredCase(
                    SUITE,
                    row["Id"],
                    row["Category"].split(":")[0],
                    row["GroundTruth"] == "T",
                    lines[first - 1],
                    path,
                    line=first,
                    repo=repo.rid,
                    file_id=row["FileID"],
                    last_line=last,
                    value=_value_span(row, first, last),
                )
            )
    if progress:
        print(file=sys.stderr)
    return Loaded(cases, files, left_out)


def _value_span(row: dict[str, str], first: int, last: int) -> tuple[int, int] | None:
    if first != last or not row["ValueStart"] or not row["ValueEnd"]:
        return None
    try:
        start, end = int(float(row["ValueStart"])), int(float(row["ValueEnd"]))
    except ValueError:
        return None
    return (start, end) if 0 <= start < end else None
