"""Which language a file is in, for choosing a test framework: by its extension only."""

from __future__ import annotations

from pathlib import PurePosixPath

_BY_SUFFIX = {
    ".py": "python",
    ".js": "javascript",
    ".jsx": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".ts": "typescript",
    ".tsx": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".go": "go",
    ".java": "java",
}

LANGUAGES = ("python", "javascript", "typescript", "go", "java")


def language_of(path: str) -> str | None:
    return _BY_SUFFIX.get(PurePosixPath(path).suffix.lower())


def suffixes_of(language: str) -> tuple[str, ...]:
    return tuple(s for s, lang in _BY_SUFFIX.items() if lang == language)
