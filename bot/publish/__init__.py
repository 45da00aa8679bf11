"""Publishing a run: report files (Markdown, JSON, SARIF) and the terminal view."""

from bot.publish.console import print_report
from bot.publish.formats import FORMATS, normalize_format, render
from bot.publish.json_report import parse_json, render_json
from bot.publish.markdown import render_markdown
from bot.publish.sarif import render_sarif

__all__ = [
    "FORMATS",
    "normalize_format",
    "parse_json",
    "print_report",
    "render",
    "render_json",
    "render_markdown",
    "render_sarif",
]
