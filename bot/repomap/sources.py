"""The files a map is built from: a checkout (its work tree, or a commit) or plain bytes.

Every file is named by its git blob hash, whatever the source, so the cache a checkout
filled serves a forge door that hands over the same bytes, and listing a checkout costs
no reading: `git ls-files -s` already knows each blob's hash.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.change.repo_paths import resolve_inside

_SUBMODULE = "160000"
_SYMLINK = "120000"
_BATCH = 256


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str  # repository-relative, "/"-separated
    digest: str  # the git blob sha1 of its content


Reader = Callable[[Sequence[SourceFile]], Iterator[tuple[SourceFile, bytes]]]


@dataclass(slots=True)
class Sources:
    """Files to map, and a way to read those the cache does not know."""

    files: list[SourceFile]
    read: Reader
    # Entries that are no file to read: submodules, symbolic links (a link may lead out of
    # the checkout, so it is never followed), files gone from the work tree.
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    description: str = ""


def blob_digest(data: bytes) -> str:
    """git's blob hash of `data` (what `git hash-object` prints)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def from_blobs(items: Iterable[tuple[str, bytes]], description: str = "files") -> Sources:
    """Sources over (path, content) pairs, such as a forge door fetched."""
    contents: dict[str, bytes] = {}
    files: list[SourceFile] = []
    for path, data in items:
        files.append(SourceFile(path, blob_digest(data)))
        contents[path] = data

    def read(wanted: Sequence[SourceFile]) -> Iterator[tuple[SourceFile, bytes]]:
        for f in wanted:
            yield f, contents[f.path]

    return Sources(sorted(files, key=lambda f: f.path), read, description=description)


def from_checkout(root: Path, ref: str | None = None) -> Sources:
    """The tracked files of the git checkout at `root`: as in its work tree when `ref` is
    None (edited files hashed from disk), else as committed at `ref`."""
    if ref is not None:
        return _at_ref(root, ref)
    listing = _git(root, "ls-files", "-s", "-z")
    edited = set(_split(_git(root, "diff", "--name-only", "-z", "--no-renames")))
    files: list[SourceFile] = []
    unreadable: list[tuple[str, str]] = []
    for entry in _split(listing):
        meta, path = entry.split("\t", 1)
        mode, digest, stage = meta.split(" ")
        if stage not in ("0", "2"):
            continue  # an unmerged path is listed once per stage; "ours" stands for it
        if (reason := _unreadable(mode)) is not None:
            unreadable.append((path, reason))
            continue
        if path in edited:
            on_disk = _inside(root, path)
            if on_disk is None:
                unreadable.append((path, "not a regular file in the work tree"))
                continue
            digest = blob_digest(on_disk.read_bytes())
        files.append(SourceFile(path, digest))

    def read(wanted: Sequence[SourceFile]) -> Iterator[tuple[SourceFile, bytes]]:
        for f in wanted:
            on_disk = _inside(root, f.path)
            if on_disk is not None:
                yield f, on_disk.read_bytes()

    return Sources(files, read, unreadable, f"work tree of {root}")


def _inside(root: Path, path: str) -> Path | None:
    # The work tree may have changed since checkout (a build step can put a link where a
    # folder was): a file is read only when it is a regular file and, every link on the
    # way resolved, still inside the checkout.
    target = root / path
    if target.is_symlink() or not target.is_file():
        return None
    return target if resolve_inside(root, path) is not None else None


def _at_ref(root: Path, ref: str) -> Sources:
    files: list[SourceFile] = []
    unreadable: list[tuple[str, str]] = []
    for entry in _split(_git(root, "ls-tree", "-r", "-z", "--full-tree", ref)):
        meta, path = entry.split("\t", 1)
        mode, _kind, digest = meta.split(" ")
        if (reason := _unreadable(mode)) is not None:
            unreadable.append((path, reason))
        else:
            files.append(SourceFile(path, digest))

    def read(wanted: Sequence[SourceFile]) -> Iterator[tuple[SourceFile, bytes]]:
        # In batches, so a cold build holds a few MB of blobs at a time, not the repository.
        for start in range(0, len(wanted), _BATCH):
            yield from _cat_blobs(root, wanted[start : start + _BATCH])

    return Sources(files, read, unreadable, f"{root} at {ref}")


def _cat_blobs(root: Path, wanted: Sequence[SourceFile]) -> Iterator[tuple[SourceFile, bytes]]:
    # One `git cat-file --batch` for all misses: a process per blob would cost more than
    # parsing the blob.
    if not wanted:
        return
    request = "".join(f"{f.digest}\n" for f in wanted).encode()
    done = subprocess.run(
        ["git", "-C", str(root), "cat-file", "--batch"],
        input=request, capture_output=True, check=True,
    )  # fmt: skip
    out = done.stdout
    at = 0
    for f in wanted:
        eol = out.index(b"\n", at)
        header = out[at:eol].split(b" ")
        at = eol + 1
        if len(header) < 3 or header[1] != b"blob":
            continue  # "<sha> missing"
        size = int(header[2])
        yield f, out[at : at + size]
        at += size + 1


def _unreadable(mode: str) -> str | None:
    if mode == _SUBMODULE:
        return "submodule: noted, not followed"
    if mode == _SYMLINK:
        return "symbolic link: not followed"
    return None


def _git(root: Path, *args: str) -> bytes:
    return subprocess.run(
        ["git", "-C", str(root), "-c", "core.quotepath=off", *args],
        capture_output=True, check=True,
    ).stdout  # fmt: skip


def _split(out: bytes) -> list[str]:
    return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]
