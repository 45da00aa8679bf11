"""What a model answers for the tests task: whole test files, each naming what it covers.

Validated by pydantic; an answer that does not validate gets the one repair round every
structured call has (bot/providers/structured.py). A file's path is checked here too: a
model writes it, and a path that leads out of the repository is never written anywhere.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from bot.tasks.review import Said

# A generated test file longer than this is not a unit test of a few functions; enforced
# here, never in the schema sent (length limits become grammar rules a runner may refuse).
CONTENT_CHARS = 60_000


def _relative_path(text: str) -> str:
    path = text.strip().replace("\\", "/").removeprefix("./")
    parts = PurePosixPath(path).parts
    if not parts or path.startswith("/") or ".." in parts or ":" in parts[0]:
        raise ValueError(f"{text!r} is not a path inside the repository")
    if parts[0] == ".git":
        raise ValueError(f"{text!r} is inside .git")
    return str(PurePosixPath(*parts))


def _sized(text: str) -> str:
    if len(text) > CONTENT_CHARS:
        raise ValueError(f"a test file of {len(text)} characters is longer than {CONTENT_CHARS}")
    return text if text.endswith("\n") else text + "\n"


# One generated test file (no docstring: it would travel in the schema). Required: path,
# content, covers.
class GeneratedFile(BaseModel):
    path: Annotated[Said, AfterValidator(_relative_path)] = Field(
        description="Where the test file goes, relative to the repository's top folder"
    )
    content: Annotated[Said, AfterValidator(_sized)] = Field(
        description="The whole test file, ready to run"
    )
    covers: list[str] = Field(
        description="The changed functions this file tests, by their names as shown"
    )


# Required: files; [] when nothing shown can be tested.
class GenerationAnswer(BaseModel):
    files: list[GeneratedFile] = Field(description="Test files; [] when nothing can be tested")
