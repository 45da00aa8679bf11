"""Loading a changed file's text at one side of the change, for a source without a checkout
(a forge's API): each (path, side) read once, from any thread.

A renamed file is asked for by its head path and read at the base by its old one. Text is
None when the file is absent on that side, binary (a NUL in its first 8,000 bytes, git's
own test) or not UTF-8: the tasks show no content rather than mojibake.
"""

from __future__ import annotations

import threading

from bot.change.model import Side

BINARY_SNIFF_BYTES = 8000


def decode_text(data: bytes | None) -> str | None:
    if data is None or b"\0" in data[:BINARY_SNIFF_BYTES]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


class SideLoader:
    """A model.ContentLoader over `read(real_path, side)`, which a forge's source defines."""

    def __init__(self, old_paths: dict[str, str]) -> None:
        self._old_paths = old_paths
        self._cache: dict[tuple[str, Side], str | None] = {}
        self._lock = threading.Lock()

    def read(self, path: str, side: Side) -> bytes | None:
        raise NotImplementedError

    def __call__(self, path: str, side: Side) -> str | None:
        key = (path, side)
        with self._lock:
            if key not in self._cache:
                real = self._old_paths.get(path, path) if side is Side.LEFT else path
                self._cache[key] = decode_text(self.read(real, side))
            return self._cache[key]
