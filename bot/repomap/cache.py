"""File facts by content: a SQLite table in the state folder, or a dict for one process.

The key is the blob hash together with the path: the facts depend on the path a little
(its suffix picks the grammar, its name marks a go.mod or a test file for the secret
allow-lists), and keying by both keeps that exact at the price of re-reading a moved file.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.repomap.model import FACTS_VERSION, Definition, FileFacts

CACHE_NAME = "repomap.sqlite3"
_BATCH = 500  # SQLite's default limit on bound parameters is 999 (older builds)


@dataclass(slots=True)
class CacheStats:
    hits: int = 0
    misses: int = 0


class FactsCache:
    """Facts by (blob hash, path). `FactsCache(None)` keeps them in memory only."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.stats = CacheStats()
        self._memory: dict[str, FileFacts] = {}
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self.trouble: str | None = None  # why the file is not used, when it is not
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(path, check_same_thread=False, timeout=30)
                # Several workers may map at once: readers then never wait for a writer.
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(
                    "CREATE TABLE IF NOT EXISTS facts"
                    " (key TEXT PRIMARY KEY, version INTEGER, body TEXT)"
                )
                self._db = db
            except (OSError, sqlite3.Error) as err:
                self._give_up(err)

    @classmethod
    def in_state_dir(cls, state_dir: Path) -> FactsCache:
        """The cache file beside the ledger's (see bot.ledger.location.resolve_state_dir)."""
        return cls(state_dir / CACHE_NAME)

    def get_many(self, keys: Iterable[str]) -> dict[str, FileFacts]:
        """The known facts among `keys`; counts a hit or a miss for each key."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, FileFacts] = {}
        with self._lock:
            if self._db is None:
                found = {k: self._memory[k] for k in wanted if k in self._memory}
            else:
                try:
                    found = self._select(self._db, wanted)
                except sqlite3.Error as err:
                    self._give_up(err)
                    found = {}
            self.stats.hits += len(found)
            self.stats.misses += len(wanted) - len(found)
        return found

    def put_many(self, facts: Mapping[str, FileFacts]) -> None:
        with self._lock:
            if self._db is None:
                self._memory.update(facts)
                return
            rows = [(k, FACTS_VERSION, _encode(f)) for k, f in facts.items()]
            try:
                with self._db:
                    self._db.executemany(
                        "INSERT OR REPLACE INTO facts (key, version, body) VALUES (?, ?, ?)", rows
                    )
            except sqlite3.Error as err:
                self._give_up(err)
                self._memory.update(facts)

    @staticmethod
    def _select(db: sqlite3.Connection, wanted: list[str]) -> dict[str, FileFacts]:
        found: dict[str, FileFacts] = {}
        for start in range(0, len(wanted), _BATCH):
            part = wanted[start : start + _BATCH]
            marks = ",".join("?" * len(part))  # placeholders only: no value in the SQL
            rows = db.execute(
                f"SELECT key, body FROM facts WHERE version = ? AND key IN ({marks})",
                (FACTS_VERSION, *part),
            )
            found.update((key, _decode(body)) for key, body in rows)
        return found

    def _give_up(self, err: Exception) -> None:
        # A read-only, full or broken state folder costs re-reading files next run, never
        # the map itself: the facts stay in memory for this process.
        self.trouble = f"{type(err).__name__}: {err}"
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def cache_key(digest: str, path: str) -> str:
    return f"{digest} {path}"


def _encode(f: FileFacts) -> str:
    defs = [
        [d.name, d.qualname, d.kind, d.line, d.signature, d.doc, d.exported] for d in f.definitions
    ]
    body = [
        f.language,
        defs,
        f.references,
        f.imports,
        f.content_flags,
        f.binary,
        f.secrets,
        f.go_module,
        f.imported_names,
    ]
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def _decode(body: str) -> FileFacts:
    language, defs, references, imports, flags, binary, secrets, go_module, named = json.loads(body)
    return FileFacts(
        language=language,
        definitions=tuple(Definition(*d) for d in defs),
        references=tuple(references),
        imports=tuple(imports),
        content_flags=tuple(flags),
        binary=binary,
        secrets=tuple(secrets),
        go_module=go_module,
        imported_names=tuple((module, name) for module, name in named),
    )
