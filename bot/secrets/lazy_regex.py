"""A regex compiled the first time it is used.

gitleaks' pinned rules and Microsoft's formats hold ~700 regexes (rules, their allow-lists,
their paths); compiling them all took ~85 ms of every process that scans a text, while a
text's keywords wake a few dozen. A CLI run (a git hook's commit message, a pipeline's
step) pays for the ones it uses only.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator, Mapping


class LazyRegex:
    """The methods of re.Pattern that the detectors call, on a pattern compiled at first
    use. A pattern that does not compile raises `error` (re.error unless given) then."""

    __slots__ = ("_compiled", "_error", "flags", "pattern")

    def __init__(
        self, pattern: str, flags: int = 0, error: Callable[[str], Exception] | None = None
    ) -> None:
        self.pattern = pattern
        self.flags = flags
        self._error = error
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            try:
                self._compiled = re.compile(self.pattern, self.flags)
            except re.error as e:
                if self._error is None:
                    raise
                raise self._error(str(e)) from e
        return self._compiled

    @property
    def compiled_already(self) -> bool:
        return self._compiled is not None

    @property
    def groupindex(self) -> Mapping[str, int]:
        return self.compiled.groupindex

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.search(text, pos, endpos)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.match(text, pos, endpos)

    def fullmatch(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.fullmatch(text, pos, endpos)

    def finditer(
        self, text: str, pos: int = 0, endpos: int = sys.maxsize
    ) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(text, pos, endpos)

    def __repr__(self) -> str:
        return f"LazyRegex({self.pattern!r})"


Regex = re.Pattern[str] | LazyRegex
