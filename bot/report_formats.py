"""The report formats a run renders to, by name (bot/publish/formats.py renders them): apart
from the renderers, so that the command line's `--format` choices cost no renderer import."""

from __future__ import annotations

FORMATS: tuple[str, ...] = (
    "markdown",
    "json",
    "sarif",
    "gitlab-sast",
    "gitlab-secret-detection",
    "gitlab-codequality",
    "junit",
)
ALIASES: dict[str, str] = {"md": "markdown"}
