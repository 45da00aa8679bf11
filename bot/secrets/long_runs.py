"""Values longer than the patterns read, found as their first MAX_VALUE characters.

Every pattern reads a value to MAX_VALUE (4,096) characters at most, so that a line
written to be slow stays linear. A pattern that needs what follows the value (an XML
element's closing tag, the space or line end after a flag's or a YAML block scalar's
value, a URL's `@`) found nothing where the value was longer: a PFX certificate's base64
in a .NET config's `<privateKey>`, a key on its own line under `token: |`; a value the
pattern stopped at its reach was masked to there and its tail sent (a kubeconfig's
`client-key-data` for an RSA-4096 key is 4,364 characters). So a text with a token run
(base64, base64url, hex, percent-encoded) longer than the reach is read once more, as a
view of the lines around such runs in which each is cut to its first MAX_VALUE
characters, what followed it kept. A value found there is judged on those characters, as
every value is, and masked to its run's end in the text. The view has the text's lines
(the others are left empty), so a bundle with one long run is not scanned twice.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Protocol, TypeVar

from bot.secrets.patterns import MAX_VALUE

# (base64, base64url, hex; `%` for a value percent-encoded into a URL)
_TOKEN = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_%-"
# A text's UTF-8 bytes mapped to b"t" for a token character, b" " for any other: bytes.find
# looks for a run longer than the reach in C (most texts have none, and pay this only).
_MASK = bytes.maketrans(
    _TOKEN + bytes(c for c in range(256) if c not in _TOKEN),
    b"t" * len(_TOKEN) + b" " * (256 - len(_TOKEN)),
)
_LONG = b"t" * (MAX_VALUE + 1)
# (from a run's start only: tried inside one, the search read each shorter run to its end
# from every position)
_RUN = re.compile(rf"(?<![A-Za-z0-9+/=_%-])[A-Za-z0-9+/=_%-]{{{MAX_VALUE + 1},}}")


class _Hit(Protocol):
    start: int
    end: int
    parts: tuple[tuple[int, int], ...]


H = TypeVar("H", bound=_Hit)


@dataclasses.dataclass(frozen=True)
class CutView:
    text: str  # the view: each long run cut to MAX_VALUE characters
    at: list[int]  # where each run was cut, in the view, in order
    shift: list[int]  # how much of the text lies cut out up to and with each cut

    def to_text(self, pos: int) -> int:
        """A view offset as the text's. At a cut, past what was cut out: a value that
        reached it runs to its run's end, what starts there starts after the run."""
        i = bisect.bisect_right(self.at, pos)
        return pos + (self.shift[i - 1] if i else 0)

    def into(
        self, hits: Sequence[H], allowed: Sequence[H], found: Sequence[H], let: Callable[[H], bool]
    ) -> tuple[list[H], list[H]]:
        """The text's `hits` and `allowed` (each by start, none overlapping) with what the
        view `found` (reported or allowed there): each found value where it overlaps none
        of the text's hits or holds those it overlaps (a value the text's scan cut at its
        reach), allowed when `let` allows it whole (the view judged its first MAX_VALUE
        characters only). By start."""
        spans = sorted(map(self.in_text, found), key=attrgetter("start"))
        starts = [k.start for k in hits]
        ends = [k.end for k in hits]
        dropped: set[int] = set()
        added: list[H] = []
        for h in spans:
            # (by bisection: the hits never overlap, so their ends are in order too)
            over = range(bisect.bisect_right(ends, h.start), bisect.bisect_left(starts, h.end))
            if all(h.start <= hits[i].start and hits[i].end <= h.end for i in over):
                dropped.update(over)
                added.append(h)
        let_through: list[H] = []
        kept = [k for i, k in enumerate(hits) if i not in dropped]
        for h in added:
            (let_through if let(h) else kept).append(h)
        span_starts = [h.start for h in spans]
        held = [a for a in allowed if not _within(a, spans, span_starts)]
        return (
            sorted(kept, key=attrgetter("start")),
            sorted([*held, *let_through], key=attrgetter("start")),
        )

    def in_text(self, hit: H) -> H:
        parts = tuple((self.to_text(s), self.to_text(e)) for s, e in hit.parts)
        return dataclasses.replace(
            hit, start=self.to_text(hit.start), end=self.to_text(hit.end), parts=parts
        )


def _within(hit: _Hit, spans: Sequence[_Hit], starts: list[int]) -> bool:
    """Whether `hit` lies within one of `spans` (by start, none overlapping)."""
    i = bisect.bisect_right(starts, hit.start) - 1
    return i >= 0 and hit.end <= spans[i].end


# Lines around a long run kept in the view: what names a value may stand a few lines before
# it (`token: |`, `<apiKey>` on its own line) or after it. The rest of the text is left
# out, its line ends kept, so that a bundle with one long run is not scanned twice.
_AROUND = 4


def cut_view(text: str) -> CutView | None:
    """The view of `text` with each token run longer than MAX_VALUE cut there, and only the
    lines around such runs; None when the text holds no such run."""
    if (
        len(text) <= MAX_VALUE
        or text.encode("utf-8", "surrogatepass").translate(_MASK).find(_LONG) == -1
    ):
        return None
    runs = list(_RUN.finditer(text))  # (by the text's offsets: the bytes' differ past non-ASCII)
    if not runs:
        return None
    view = _View()
    pos = 0
    left = iter(runs)
    m = next(left, None)
    for start, end in _windows(text, runs):
        view.leave_out(text[pos:start])
        while m is not None and m.start() < end:  # (each run lies in one window)
            cut = m.start() + MAX_VALUE
            view.keep(text[start:cut])
            view.leave_out(text[cut : m.end()], lines=False)
            start = m.end()
            m = next(left, None)
        view.keep(text[start:end])
        pos = end
    view.leave_out(text[pos:])
    return CutView("".join(view.pieces), view.at, view.shift)


class _View:
    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.at: list[int] = []
        self.shift: list[int] = []
        self.length = self.cut_out = 0

    def keep(self, piece: str) -> None:
        self.pieces.append(piece)
        self.length += len(piece)

    def leave_out(self, piece: str, lines: bool = True) -> None:
        """`piece` left out of the view (its line ends kept, where `lines`)."""
        kept = "\n" * piece.count("\n") if lines else ""
        self.keep(kept)
        if len(piece) == len(kept):
            return
        self.cut_out += len(piece) - len(kept)
        self.at.append(self.length)
        self.shift.append(self.cut_out)


def _windows(text: str, runs: list[re.Match[str]]) -> list[tuple[int, int]]:
    """(start, end) of the lines within _AROUND of each run, merged where they meet."""
    out: list[tuple[int, int]] = []
    for m in runs:
        start = text.rfind("\n", 0, m.start()) + 1
        for _ in range(_AROUND):
            if start == 0:
                break
            start = text.rfind("\n", 0, start - 1) + 1
        end = text.find("\n", m.end())
        end = len(text) if end == -1 else end
        for _ in range(_AROUND):
            if end >= len(text):
                break
            nl = text.find("\n", end + 1)
            end = len(text) if nl == -1 else nl
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
