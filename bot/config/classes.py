"""Data classes: how far a piece of code may travel. Set by the org; a repo may only raise."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from bot.config.base import Strict


class DataClass(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"
    RESTRICTED = "restricted"  # on-premises only: never sent to a cloud target

    @property
    def rank(self) -> int:
        return _RANK[self]

    @staticmethod
    def highest(*classes: DataClass) -> DataClass:
        return max(classes, key=lambda c: c.rank)


_RANK = {DataClass.PUBLIC: 0, DataClass.INTERNAL: 1, DataClass.RESTRICTED: 2}


class PathClass(Strict):
    glob: str = Field(description="gitignore-style glob over repository paths, e.g. 'billing/**'")
    data_class: DataClass = Field(alias="class")


class DataClassConfig(Strict):
    """Org/server policy. A repository file cannot set this section (it can only raise its
    own class with the top-level `data_class` key)."""

    default: DataClass = Field(default=DataClass.INTERNAL, description="Class of unlisted code")
    repositories: dict[str, DataClass] = Field(
        default_factory=dict,
        description="'owner/name' (globs allowed, e.g. 'acme/payments-*') -> class",
    )
    paths: list[PathClass] = Field(
        default_factory=list, description="Path globs with their class; the highest match wins"
    )
    secrets_make_restricted: bool = Field(
        default=True,
        description="A file in which a secret is detected is restricted for the run; off, it "
        "may go to the cloud with every value found in it (in the prompt or the file) redacted",
    )


class RetentionConfig(Strict):
    """Days the ledger keeps rows of each class (the business case's record policy)."""

    restricted: int = Field(default=7 * 365, ge=1)
    internal: int = Field(default=5 * 365, ge=1)
    public: int = Field(default=3 * 365, ge=1)
    temporary: int = Field(default=30, ge=1, description="Response cache entries and dry runs")
