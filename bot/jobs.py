"""A Job: what a door asks the pipeline to do, as plain data that survives a queue."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Job:
    forge: str  # "github"
    repository: str  # "owner/name"
    number: int  # pull request number
    head_sha: str  # the commit the job is for; a newer push supersedes it
    tasks: tuple[str, ...] = ("review",)
    trigger: str = "pull_request"  # "pull_request" | "comment" | "action" | "cli"
    requester: str = ""  # login of who asked (a slash command's author)
    delivery: str = ""  # the webhook delivery id, for logs and dedupe
    installation_id: int | None = None  # GitHub App installation, when authenticated as one
    api_url: str = "https://api.github.com"
    argument: str = ""  # free text after a slash command, e.g. the question of /ask
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Jobs with the same key supersede each other: one PR, one task set."""
        return f"{self.forge}:{self.repository}#{self.number}:{','.join(self.tasks)}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["tasks"] = list(self.tasks)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Job:
        return cls(**{**data, "tasks": tuple(data.get("tasks", ("review",)))})
