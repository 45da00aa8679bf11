"""Which files enter a map: the review's path filters, then the data classes' limit.

A map bound for a cloud target leaves restricted files out entirely — their definitions,
their names, their part in the ranking — and only counts them. The class of a file is
the review's (bot/classify: org policy, repository floor), raised to restricted when what
the map would show of it (signatures, doc lines) holds a detected secret.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.change.filters import apply_filters
from bot.change.model import DiffLine, FileChange, FileStatus, Hunk, LineKind
from bot.classify import FileClass, classify_path
from bot.config.classes import DataClass, DataClassConfig
from bot.config.model import FilterConfig
from bot.repomap.model import FileFacts

if TYPE_CHECKING:
    from bot.config.model import Settings

ALL_CLASSES = frozenset(DataClass)
# What a cloud target may be sent (bot/routing/policy.py: restricted stays on premises).
CLOUD_CLASSES = frozenset({DataClass.PUBLIC, DataClass.INTERNAL})
RESTRICTED_LEFT_OUT = "data class not allowed for this target"

# Whole files are mapped, so no file is "too large" the way a diff is; the map's own size
# is the budget's business.
_NO_SIZE_LIMIT = 10**12


@dataclass(frozen=True, slots=True)
class MapScope:
    """The settings a map honours: the review's filters and data classes, and the classes
    the map's target may receive."""

    filters: FilterConfig = field(default_factory=FilterConfig)
    data_classes: DataClassConfig = field(default_factory=DataClassConfig)
    repo_floor: DataClass | None = None  # the repository's own `data_class`
    repository: str | None = None  # "owner/name" when known
    allowed: frozenset[DataClass] = ALL_CLASSES

    @classmethod
    def from_settings(
        cls, settings: Settings, repository: str | None, *, for_cloud: bool
    ) -> MapScope:
        return cls(
            filters=settings.filters,
            data_classes=settings.data_classes,
            repo_floor=settings.data_class,
            repository=repository,
            allowed=CLOUD_CLASSES if for_cloud else ALL_CLASSES,
        )

    def for_cloud(self) -> MapScope:
        return MapScope(
            self.filters, self.data_classes, self.repo_floor, self.repository, CLOUD_CLASSES
        )


def file_class(path: str, facts: FileFacts, scope: MapScope) -> FileClass:
    """The data class of the file at `path` for this map."""
    dc = scope.data_classes
    found = classify_path(path, dc, scope.repo_floor, scope.repository)
    if facts.secrets and dc.secrets_make_restricted:
        return FileClass(DataClass.RESTRICTED, f"secret detected ({facts.secrets[0]})", True)
    return found


def map_filters(filters: FilterConfig) -> FilterConfig:
    """The review's filters as the map applies them (made once per build)."""
    return filters.model_copy(update={"max_file_changed_lines": _NO_SIZE_LIMIT})


def filter_reason(path: str, facts: FileFacts, filters: FilterConfig) -> str | None:
    """Why a review's filters (as map_filters gives them) would set the file aside, or
    None when it is kept."""
    # The review's own decision, asked about a one-line added file carrying the flags the
    # content gave at extraction: include/exclude, binary, then the default filters.
    line = DiffLine(LineKind.ADDED, None, 1, "")
    # No language: it only tells how to read hunk lines, and this one line is empty.
    probe = FileChange(
        path, None, FileStatus.ADDED, [Hunk(0, 0, 1, 1, "", [line])],
        binary=facts.binary, flags=set(facts.content_flags),
    )  # fmt: skip
    _, skipped = apply_filters([probe], filters)
    return skipped[0].reason if skipped else None
