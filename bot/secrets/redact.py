"""Taking secret values out of text before it leaves the premises or reaches a log.

`redact` is for prompts to cloud targets: each value becomes `[REDACTED:<kind>#<n>]`, the
same value the same marker, so the model can still tell that two spots use one key.
`mask` is for logs, reports and ledger rows: the same detection, markers without numbers
(a number would let someone correlate values across rows).

Replacement happens inside lines only: the line count and the rendered diff's line-number
columns never change, so answers still cite the right lines.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from bot.secrets import markers, sections
from bot.secrets.decoded import decoded_forms
from bot.secrets.detect import SecretHit, find_secrets
from bot.secrets.prompt_view import View

MARKER_NOTE = (
    "Text like [REDACTED:github-token#1] marks a secret value that Switchyard removed before "
    "sending this code; treat it as a real secret present in the code at that spot (the same "
    "marker means the same value), and report a hard-coded secret as a finding in itself. "
    "Never write a marker into a suggestion: committed, it would replace the secret in the "
    "code; suggest reading the value from configuration instead."
)


@dataclass(frozen=True, slots=True)
class Redacted:
    text: str
    count: int  # values replaced (occurrences)
    markers: tuple[str, ...] = field(default=())  # distinct markers used, in order of use

    @property
    def changed(self) -> bool:
        return self.count > 0


def redact(text: str, path: str | None = None, known: Mapping[str, str] | None = None) -> Redacted:
    """`text` with every secret value replaced by a numbered marker; with `known` ({value:
    kind's slug}, values found where `text` came from), those values too wherever they
    stand, though `text` alone would not tell them secrets."""
    return _replace(text, path, numbered=True, known=known)


def mask(text: str, path: str | None = None) -> str:
    """`text` safe for logs, reports and the ledger: values replaced by `[REDACTED:<kind>]`."""
    return _replace(text, path, numbered=False).text


KNOWN_MARKER = markers.marker("secret")


def mask_values(text: str, known: Iterable[str] = ()) -> str:
    """`mask(text)`, and every value in `known` replaced wherever it turns up: a model or a
    tool may quote a secret without the context that let detection see it."""
    return KnownValues(known).mask(text)


_PIECE = 16  # a quoted run this long of a known value counts as the value


class KnownValues:
    """Values to mask wherever they turn up, prepared once for every string of an answer:
    a structured answer of 400 findings in a change with 400 secrets rebuilt the pieces'
    set for each of its strings (a tenth of such a review's time)."""

    def __init__(self, known: Iterable[str]) -> None:
        values = {v for v in known if v}
        self._longest_first = sorted(values, key=len, reverse=True)
        # Runs of `_PIECE`+ characters of a known value: a model quoting the start of a long
        # key, or an answer field clipped to its limit (a title's 200 characters), still
        # carries most of the value.
        self._pieces = frozenset(
            v[i : i + _PIECE] for v in values if len(v) > _PIECE for i in range(len(v) - _PIECE + 1)
        )

    def mask(self, text: str) -> str:
        return mask(self.mask_known(text)) if text else text

    def mask_known(self, text: str) -> str:
        """`text` with the known values, and long runs of them, replaced; nothing detected
        anew (text cut from a file whose scan found them: the file is the authority)."""
        for value in self._longest_first:
            if value in text:
                text = text.replace(value, KNOWN_MARKER)
        return self._mask_pieces(text)

    def _mask_pieces(self, text: str) -> str:
        pieces = self._pieces
        if not pieces or len(text) < _PIECE:
            return text
        out: list[str] = []
        pos = i = 0
        last = len(text) - _PIECE
        while i <= last:
            if text[i : i + _PIECE] not in pieces:
                i += 1
                continue
            j = i + 1
            while j <= last and text[j : j + _PIECE] in pieces:
                j += 1
            out.append(text[pos:i])
            out.append(KNOWN_MARKER)
            pos = i = j - 1 + _PIECE
        out.append(text[pos:])
        return "".join(out)


def secret_values(text: str, path: str | None = None) -> set[str]:
    """The values of the secrets detected in `text`: each whole value, each line of a
    multi-line one (a key block) on its own, and what a base64 one decodes to."""
    values: set[str] = set()
    for offset, hit in _hits(text, path):
        values |= hit_values(hit, text, offset)
    return {v for v in values if v.strip()}


def hit_values(hit: SecretHit, text: str, offset: int = 0) -> set[str]:
    """What to mask wherever one hit's value turns up: the value whole (its lines joined
    with and without their breaks), each line of a multi-line one on its own, and what a
    base64 one decodes to (`text` holds the hit at `offset`)."""
    parts = [text[offset + s : offset + e] for s, e in hit.parts]
    values = {"\n".join(parts), "".join(parts), *parts}
    if len(parts) == 1:
        values |= decoded_forms(parts[0], hit.kind)
    return values


def scan(text: str, path: str | None = None) -> list[SecretHit]:
    """Hits over `text`, reading a rendered diff's file headers for each file's path."""
    return [hit for _, hit in _hits(text, path)]


def shown_secrets(text: str) -> Iterator[tuple[str | None, SecretHit]]:
    """(the path of the file the prompt shows it in, hit) for each secret in a prompt; the
    hit's offsets are relative to that file's part."""
    for _, part_path, hit in _found(text, None):
        yield part_path, hit


def _hits(text: str, path: str | None) -> Iterator[tuple[int, SecretHit]]:
    """(offset of the scanned part, hit), the hit's offsets relative to that part."""
    for start, _, hit in _found(text, path):
        yield start, hit


def _found(text: str, path: str | None) -> Iterator[tuple[int, str | None, SecretHit]]:
    # Each file a prompt shows, under its own path (sections.py).
    for start, end, part_path in sections.parts(text, path):
        part = text[start:end]
        view = View(part)
        if not view.changed:
            for hit in find_secrets(part, part_path):
                yield start, part_path, hit
            continue
        # The part as its file has it (prompt_view.py); hits mapped back to the prompt.
        for hit in find_secrets(view.text, part_path):
            yield start, part_path, view.hit(hit)


def _replace(
    text: str, path: str | None, *, numbered: bool, known: Mapping[str, str] | None = None
) -> Redacted:
    spans: list[tuple[int, int, str]] = []  # (start, end, marker) over `text`
    by_value: dict[str, str] = {}
    per_kind: dict[str, int] = {}

    def marker_for(slug: str) -> str:
        if not numbered:
            return markers.marker(slug)
        per_kind[slug] = per_kind.get(slug, 0) + 1
        return markers.marker(slug, per_kind[slug])

    for offset, hit in _hits(text, path):
        parts = [(offset + s, offset + e) for s, e in hit.parts]
        value = "\n".join(text[s:e] for s, e in parts)
        marker = by_value.get(value)
        if marker is None:
            marker = by_value[value] = marker_for(hit.slug)
            if len(parts) > 1:
                # Written in pieces (a key split over lines), used whole elsewhere.
                by_value.setdefault("".join(text[s:e] for s, e in parts), marker)
        spans.extend((s, e, marker) for s, e in parts)
    taken = {(s, e) for s, e, _ in spans}
    for value, slug in (known or {}).items():
        # Found where the text came from, not in it: each use stands on its own. (Not
        # added to by_value: _other_uses would only look for the same uses again.)
        if value not in by_value and len(value) >= MIN_REUSE and value in text:
            uses = [span for span in use_spans(text, value) if span not in taken]
            if uses:
                marker = marker_for(slug)
                spans.extend((s, e, marker) for s, e in uses)
    spans.extend(_other_uses(text, by_value, spans))
    if not spans:
        return Redacted(text=text, count=0)
    spans.sort()
    out: list[str] = []
    pos = 0
    used: dict[str, None] = {}
    count = 0
    for s, e, marker in spans:
        if s < pos:
            # Overlaps the span just replaced: swallow the rest rather than leak a tail.
            pos = max(pos, e)
            continue
        out.append(text[pos:s])
        out.append(marker)
        used[marker] = None
        count += 1
        pos = e
    out.append(text[pos:])
    return Redacted(text="".join(out), count=count, markers=tuple(used))


MIN_REUSE = 8  # shorter values could be ordinary words elsewhere in the text
# A use stands apart from the word before it, or follows an escaped line break or tab
# written in a string (`'pw\npw' | passwd`, a JSON string's `\nTOKEN=…`).
BEFORE_USE = r"(?:(?<![A-Za-z0-9])|(?<=\\[nrt]))"


def uses_of(value: str) -> re.Pattern[str]:
    """Where `value` stands in a text as a use of its own, not inside a longer word."""
    return re.compile(BEFORE_USE + re.escape(value) + r"(?![A-Za-z0-9])")


_WORD = frozenset(string.ascii_letters + string.digits)


def use_spans(text: str, value: str) -> Iterator[tuple[int, int]]:
    """The spans `uses_of(value).finditer(text)` gives, found with str.find: a pattern
    that opens with a look-behind is tried at every position of the text, and 470 values
    known from a file (a fixture full of keys) took 1.8 s over a 136 KB prompt."""
    n = len(value)
    i = text.find(value)
    while i != -1:
        e = i + n
        apart = (
            i == 0
            or text[i - 1] not in _WORD
            or (i >= 2 and text[i - 2] == "\\" and text[i - 1] in "nrt")
        )
        if apart and (e == len(text) or text[e] not in _WORD):
            yield i, e
            i = text.find(value, e)
        else:
            i = text.find(value, i + 1)


def _other_uses(
    text: str, by_value: dict[str, str], spans: list[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """A value found once is a secret wherever it appears: `check(token)` three lines on
    may repeat it without the name that made it detectable."""
    taken = {(s, e) for s, e, _ in spans}
    extra: list[tuple[int, int, str]] = []
    for value, marker in by_value.items():
        if len(value) < MIN_REUSE or "\n" in value:
            continue
        for span in use_spans(text, value):
            if span not in taken:
                extra.append((*span, marker))
    return extra
