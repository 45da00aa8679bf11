"""Report file formats: each name (bot/report_formats.py) with its renderer and suffix."""

from __future__ import annotations

from collections.abc import Callable

from bot.publish.codequality import render_codequality
from bot.publish.gitlab_sast import render_gitlab_sast
from bot.publish.gitlab_secret_detection import render_gitlab_secret_detection
from bot.publish.json_report import render_json
from bot.publish.junit import render_junit
from bot.publish.markdown import render_markdown
from bot.publish.sarif import render_sarif
from bot.report import RunReport
from bot.report_formats import ALIASES, FORMATS

SUFFIXES: dict[str, str] = {
    "markdown": ".md",
    "json": ".json",
    "sarif": ".sarif",
    "gitlab-sast": ".json",
    "gitlab-secret-detection": ".json",
    "gitlab-codequality": ".json",
    "junit": ".xml",
}

_RENDERERS: dict[str, Callable[[RunReport], str]] = {
    "markdown": render_markdown,
    "json": render_json,
    "sarif": render_sarif,
    "gitlab-sast": render_gitlab_sast,
    "gitlab-secret-detection": render_gitlab_secret_detection,
    "gitlab-codequality": render_codequality,
    "junit": render_junit,
}


def normalize_format(fmt: str) -> str:
    """The canonical name for `fmt` ("MD" -> "markdown"); ValueError listing the choices."""
    name = fmt.strip().lower()
    name = ALIASES.get(name, name)
    if name not in _RENDERERS:
        aliases = ", ".join(f"{a} = {n}" for a, n in ALIASES.items())
        raise ValueError(
            f"unknown report format {fmt!r}; choose one of: {', '.join(FORMATS)} ({aliases})"
        )
    return name


def render(report: RunReport, fmt: str, *, secrets_apart: bool = False) -> str:
    """The report as text in format `fmt` (see FORMATS). `secrets_apart`: a GitLab Secret
    Detection report is written beside it, so the SAST report leaves the secrets to it."""
    name = normalize_format(fmt)
    if name == "gitlab-sast" and secrets_apart:
        return render_gitlab_sast(report, secrets=False)
    return _RENDERERS[name](report)
