"""Each changed file's data class, with a reason a person can read.

Order, per file:
1. The repository's class from the org policy (an exact `owner/name`, else the highest
   matching glob such as 'acme/*'), or the org default.
2. Raised by the highest org path glob matching the file's path (or, for a rename, the path
   it had: code moved out of billing/ is still billing code).
3. Raised by the repository's own `data_class` (its `.switchyard.yml`, read from the base
   branch). Every step only raises: the highest class wins, and on a tie the earlier reason
   stands, since it is the one that already put the file there.
4. With `secrets_make_restricted`, a file in which a secret is detected is restricted.

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

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from bot.change.filters import glob_match
from bot.change.model import Change, FileChange, LineKind, Side
from bot.config.classes import DataClass, DataClassConfig
from bot.secrets.detect import SecretHit, find_secrets
from bot.secrets.paths import is_lock_path
from bot.secrets.redact import hit_values
from bot.secrets.unjudged import holds_an_unjudged_value, opens_with_a_bare_value


@dataclass(frozen=True, slots=True)
class FileClass:
    data_class: DataClass
    detail: str  # "path matches 'billing/**' (org policy)"
    # True when the detail is about this file (a path glob, a secret) rather than the
    # repository, so a reason over many files names the file.
    file_specific: bool = False

    @property
    def reason(self) -> str:
        return f"{self.data_class.value}: {self.detail}"


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


@dataclass(frozen=True, eq=False)
class Classification(Mapping[str, tuple[DataClass, str]]):
    """path -> (class, reason) for every file of the change."""

    files: dict[str, FileClass]
    repository: FileClass  # what applies to the repository as a whole (no file named)
    secrets: dict[str, tuple[FileSecret, ...]] = field(default_factory=dict)
    # path -> {value: kind's slug} of those secrets: the values themselves, for the gate and
    # the answer's mask only (never shown, hence out of repr).
    values: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    _policy: Callable[[str], FileClass] | None = field(default=None, repr=False)

    def __getitem__(self, path: str) -> tuple[DataClass, str]:
        fc = self.file(path)
        return fc.data_class, fc.reason

    def __iter__(self) -> Iterator[str]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)

    def file(self, path: str) -> FileClass:
        """The class of `path`; a path outside the change gets the policy's class for it."""
        fc = self.files.get(path)
        if fc is not None:
            return fc
        return self._policy(path) if self._policy is not None else self.repository

    def of(self, paths: Iterable[str]) -> tuple[DataClass, str]:
        """The highest class over `paths` and the reason that decided it (the first file
        to reach it). No paths: the repository's class."""
        best: tuple[FileClass, str] | None = None
        for path in paths:
            fc = self.file(path)
            if best is None or fc.data_class.rank > best[0].data_class.rank:
                best = (fc, path)
        if best is None:
            return self.repository.data_class, self.repository.reason
        fc, path = best
        if fc.file_specific:
            return fc.data_class, f"{fc.data_class.value}: {path}: {fc.detail}"
        return fc.data_class, fc.reason

    def withheld(self, paths: Iterable[str]) -> dict[str, str]:
        """{value: kind's slug} of the secrets found in `paths`: what the gate takes out of
        a cloud-bound prompt besides what it detects there itself. A hunk can show a piece
        of a value whose context only the file had (a key's body lines without its armour),
        and a secret found anywhere is hidden everywhere."""
        out: dict[str, str] = {}
        for path in paths:
            out.update(self.values.get(path, {}))
        return out

    @property
    def highest(self) -> tuple[DataClass, str]:
        return self.of(self.files)


def classify_change(
    change: Change,
    dc: DataClassConfig,
    repo_floor: DataClass | None,
    repository: str | None,
    *,
    extra_context: int = 0,
) -> Classification:
    """Classify every file of `change`. `repo_floor` is the repository file's own class
    (Settings.data_class); `repository` is 'owner/name' when known; `extra_context` is
    the number of head-file lines the prompt shows around each hunk."""

    def policy(path: str) -> FileClass:
        return classify_path(path, dc, repo_floor, repository)

    files: dict[str, FileClass] = {}
    secrets: dict[str, tuple[FileSecret, ...]] = {}
    values: dict[str, dict[str, str]] = {}
    for f in change.files:
        fc = classify_path(f.path, dc, repo_floor, repository, old_path=f.old_path)
        found, found_values = file_secrets(f, change, extra_context)
        if found:
            secrets[f.path] = found
            values[f.path] = found_values
            if dc.secrets_make_restricted and fc.data_class is not DataClass.RESTRICTED:
                more = f"; {len(found) - 1} more" if len(found) > 1 else ""
                fc = FileClass(
                    DataClass.RESTRICTED, f"secret detected ({found[0].where}{more})", True
                )
        files[f.path] = fc
    repo = _repository_class(dc, repository)
    if repo_floor is not None and repo_floor.rank > repo.data_class.rank:
        repo = _floor(repo_floor)
    return Classification(
        files=files, repository=repo, secrets=secrets, values=values, _policy=policy
    )


def classify_path(
    path: str,
    dc: DataClassConfig,
    repo_floor: DataClass | None,
    repository: str | None,
    *,
    old_path: str | None = None,
) -> FileClass:
    """The policy class of one path (steps 1-3; no secret scan)."""
    best = _repository_class(dc, repository)
    glob = _path_class(dc, path, old_path)
    if glob is not None and glob.data_class.rank > best.data_class.rank:
        best = glob
    if repo_floor is not None and repo_floor.rank > best.data_class.rank:
        best = _floor(repo_floor)
    return best


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


def _repository_class(dc: DataClassConfig, repository: str | None) -> FileClass:
    if repository:
        wanted = repository.lower()
        for pattern, cls in dc.repositories.items():
            if pattern.lower() == wanted:
                return FileClass(cls, f"repository {repository} (org policy)")
        best: FileClass | None = None
        for pattern, cls in dc.repositories.items():
            if glob_match(pattern.lower(), wanted) and (
                best is None or cls.rank > best.data_class.rank
            ):
                best = FileClass(cls, f"repository {repository} matches '{pattern}' (org policy)")
        if best is not None:
            return best
    return FileClass(dc.default, "org default")


def _path_class(dc: DataClassConfig, path: str, old_path: str | None) -> FileClass | None:
    best: FileClass | None = None
    for rule in dc.paths:
        if glob_match(rule.glob, path):
            detail = f"path matches '{rule.glob}' (org policy)"
        elif old_path and old_path != path and glob_match(rule.glob, old_path):
            detail = f"old path {old_path} matches '{rule.glob}' (org policy)"
        else:
            continue
        if best is None or rule.data_class.rank > best.data_class.rank:
            best = FileClass(rule.data_class, detail, file_specific=True)
    return best


def _floor(cls: DataClass) -> FileClass:
    return FileClass(cls, "raised by the repository's .switchyard.yml")
