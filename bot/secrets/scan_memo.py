"""The answers of the texts scanned lately, so that a text scanned again costs a lookup.

A cloud-bound prompt is scanned several times in one run: routing asks whether it shows a
secret (tasks/routed.py), the gate counts its tokens for its first target on the redacted
text (planning.py, egress.Gate.count), and the gate redacts it once more to send it
(Gate.clear). Redaction cuts a prompt into its files' parts (sections.py), and a file's
part recurs in every prompt that shows it. find_secrets answers from the text, its path
and the allow-list alone, so a part seen before has the answer it had.

A text is its own key: the dictionary compares it whole once its hash matches, so two
texts never share an answer. A digest key alone would not hold that: Python's string hash
can be made to collide, and a colliding text would get another's hits while its own
secrets went out; SHA-256 would, at 0.1 ms more for a 100 KB prompt's first scan. The
texts held are those the run holds anyway, for as long as MAX_CHARACTERS of them fit, the
least recently used dropped first. An answer is kept with the allow-list it was made under
and is not given under another. Thread-safe: the gate counts items in parallel.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

V = TypeVar("V")

MAX_CHARACTERS = 8_000_000


class Memo(Generic[V]):
    """Answers by (text, path), each with the allow-list (any object, compared by
    identity) it holds for; bounded by the characters of the texts it keeps."""

    def __init__(self, max_characters: int = MAX_CHARACTERS) -> None:
        self._entries: OrderedDict[tuple[str, str | None], tuple[object, V]] = OrderedDict()
        self._size = 0
        self._max = max_characters
        self._lock = threading.Lock()

    def get(self, text: str, path: str | None, allow: object) -> V | None:
        key = (text, path)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] is not allow:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, text: str, path: str | None, allow: object, value: V) -> None:
        if len(text) > self._max // 4:
            return  # one text would push out all the others
        key = (text, path)
        with self._lock:
            if self._entries.pop(key, None) is not None:
                self._size -= len(text)
            self._entries[key] = (allow, value)
            self._size += len(text)
            while self._size > self._max:
                (old, _), _ = self._entries.popitem(last=False)
                self._size -= len(old)

    def clear(self) -> None:
        """Forget every answer (a benchmark times a first scan, not a lookup)."""
        with self._lock:
            self._entries.clear()
            self._size = 0
