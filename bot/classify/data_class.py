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

What is scanned for secrets, and why the file is sometimes read, is in
bot/classify/shown_secrets.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from bot.change.filters import glob_match
from bot.change.model import Change
from bot.classify.shown_secrets import FileSecret, file_secrets
from bot.config.classes import DataClass, DataClassConfig


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
