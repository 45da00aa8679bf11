"""The secrets a prompt shows of a changed file, for classification (data_class.py).

What is scanned for secrets is what a prompt would carry: every line of the file's hunks —
added, context and removed lines, since the rendered diff shows all three (removing a
hard-coded key still sends the key) — plus, when `extra_context` is given and contents can
be loaded, the head-file lines the renderer shows around each hunk. The rest of the file is
not scanned: it is not sent, and a key elsewhere in the file should not take the review of an
unrelated change away from the cloud. One exception, where contents can be loaded: when a
shown line holds a drawn-looking value that no secret found in the hunk covers, or a hunk
opens with a name/value pair's value or a list's item (bot/secrets/unjudged.py), the file
is scanned (whole, or around the shown lines when large), at the head and the base, and a
secret counts if a shown line is one of its lines: a hunk shows a key's body without its
armour, a `Value:` without the `Name:` a line above it, a cookie list without its
`Set-Cookie:` key, and only the file tells those secrets. The values found, in the hunk or
in the file, are kept for the gate (`Classification.withheld`), which sees only the
prompt: with `secrets_make_restricted` off such a file goes to the cloud, those values
taken out. A task that shows more (ask's whole head files, testgen's functions and the
test file it copies, docs' definitions) is classified by the text its prompt shows too
(bot/tasks/routed.routed_item).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.change.model import Change, FileChange, LineKind, Side
from bot.secrets.detect import SecretHit, find_secrets
from bot.secrets.paths import is_lock_path
from bot.secrets.redact import hit_values
from bot.secrets.unjudged import holds_an_unjudged_value, opens_with_a_bare_value


@dataclass(frozen=True, slots=True)
class FileSecret:
    """A secret found in a changed file: where, and what kind — never the value."""

    kind: str
    line: int  # new line number for added/context lines, old line number for removed ones
    side: Side

    @property
    def where(self) -> str:
        removed = "removed line" if self.side is Side.LEFT else "line"
        return f"{self.kind}, {removed} {self.line}"


def file_secrets(
    f: FileChange, change: Change, extra_context: int = 0
) -> tuple[tuple[FileSecret, ...], dict[str, str]]:
    """Secrets on the lines a prompt would show for `f` (see the module docstring), and
    their values ({value: kind's slug})."""
    rows, texts = _shown_lines(f, change, extra_context)
    if not texts:
        return (), {}
    seen: set[tuple[str, int, Side]] = set()
    out: list[FileSecret] = []
    values: dict[str, str] = {}

    def add(found: FileSecret) -> None:
        key = (found.kind, found.line, found.side)
        if key not in seen:
            seen.add(key)
            out.append(found)

    shown = "\n".join(texts)
    hits = find_secrets(shown, f.path)
    for hit in hits:
        row = rows[hit.line - 1]
        if row is not None:
            _keep(values, hit, shown)
            add(FileSecret(hit.kind, row[1], row[0]))
    # A piece the hunk cannot judge, its name or armour outside it: the file can. Read
    # even when the hunk showed a secret, so the gate gets every shown value (a key written
    # as a list of strings: its full lines are each a high-entropy string, its short last
    # line none).
    openings = [t for i, t in enumerate(texts) if i == 0 or rows[i - 1] is None]
    if holds_an_unjudged_value(_unjudged(shown, hits)) or opens_with_a_bare_value(openings):
        for found in _pieces_shown(f, change, rows, values):
            add(found)
    return tuple(out), values


def _unjudged(shown: str, hits: list[SecretHit]) -> str:
    """`shown` with the values its hits cover blanked: what is left for the file to judge."""
    if not hits:
        return shown
    chars = list(shown)
    for hit in hits:
        for s, e in hit.parts:
            chars[s:e] = " " * (e - s)
    return "".join(chars)


def _keep(values: dict[str, str], hit: SecretHit, text: str) -> None:
    for value in hit_values(hit, text):
        values.setdefault(value, hit.slug)


# What of a file is read to judge a shown piece: all of it up to `_WHOLE` (a source file;
# ~20 ms to scan at most), else from `_ABOVE` characters above its first shown line (a
# 4096-bit key's block is ~3,300 characters, gitleaks' key rule reads 16 KB) to `_BELOW`
# below its last, so that a shown id in a generated 5 MB fixture costs what a source file
# does. Files larger than `_READ_MAX` are not read.
_WHOLE = 262_144
_ABOVE = 65_536
_BELOW = 16_384
_READ_MAX = 20_000_000


def _pieces_shown(
    f: FileChange,
    change: Change,
    rows: list[tuple[Side, int] | None],
    values: dict[str, str],
) -> list[FileSecret]:
    """The secrets of the file around the shown lines, at the head and at the base, that a
    shown line is a line of (their values into `values`). A hunk shows a value without what
    tells it a secret (a key's body without its armour, a value without its name above
    it); the file can tell. Only what is shown counts: a key elsewhere in the file does not
    make an unrelated change restricted. Lockfiles are left out: their integrity hashes are
    such runs, and they can be large."""
    if change.load_content is None or is_lock_path(f.path):
        return []
    out: list[FileSecret] = []
    for side in (Side.RIGHT, Side.LEFT):
        shown = {row[1] for row in rows if row is not None and row[0] is side}
        text = change.load_content(f.path, side) if shown else None
        if not text or len(text) > _READ_MAX:
            continue
        start, end, first = _window(text, min(shown), max(shown))
        part = text[start:end]
        for hit in find_secrets(part, f.path):
            lines = range(hit.line + first - 1, hit.end_line + first)
            at = next((n for n in lines if n in shown), None)
            if at is not None:
                out.append(FileSecret(hit.kind, at, side))
                _keep(values, hit, part)
    return out


def _window(text: str, first_line: int, last_line: int) -> tuple[int, int, int]:
    """(start, end, number of the line at start) of the whole lines of `text` from `_ABOVE`
    characters before line `first_line` to `_BELOW` after line `last_line` (1-based); all
    of a text of `_WHOLE` characters or fewer."""
    if len(text) <= _WHOLE:
        return 0, len(text), 1
    pos = 0
    for _ in range(first_line - 1):
        pos = text.find("\n", pos) + 1
        if pos == 0:
            return 0, len(text), 1  # fewer lines than the hunk says: read it all
    shown_start = pos
    for _ in range(last_line - first_line + 1):
        nl = text.find("\n", pos)
        pos = len(text) if nl == -1 else nl + 1
    start = max(0, shown_start - _ABOVE)
    if start:
        start = text.find("\n", start) + 1 or shown_start
    end = min(len(text), pos + _BELOW)
    nl = text.find("\n", end)
    end = len(text) if nl == -1 else nl
    return start, end, text.count("\n", 0, start) + 1


def _shown_lines(
    f: FileChange, change: Change, extra: int
) -> tuple[list[tuple[Side, int] | None], list[str]]:
    head: list[str] | None = None
    if extra > 0 and change.load_content is not None and f.hunks:
        text = change.load_content(f.path, Side.RIGHT)
        head = text.splitlines() if text is not None else None
    rows: list[tuple[Side, int] | None] = []
    texts: list[str] = []

    def add(row: tuple[Side, int] | None, text: str) -> None:
        rows.append(row)
        texts.append(text)

    for hunk in f.hunks:
        if texts:
            add(None, "")  # hunks are not contiguous: keep patterns from spanning the gap
        new_end = hunk.new_start + max(hunk.new_len, 1) - 1
        if head is not None and hunk.new_len > 0:
            for n in range(max(1, hunk.new_start - extra), hunk.new_start):
                if n <= len(head):
                    add((Side.RIGHT, n), head[n - 1])
        for ln in hunk.lines:
            if ln.kind is LineKind.REMOVED and ln.old_no is not None:
                add((Side.LEFT, ln.old_no), ln.text)
            elif ln.new_no is not None:
                add((Side.RIGHT, ln.new_no), ln.text)
            else:
                add(None, ln.text)
        if head is not None and hunk.new_len > 0:
            for n in range(new_end + 1, min(len(head), new_end + extra) + 1):
                add((Side.RIGHT, n), head[n - 1])
    return rows, texts
