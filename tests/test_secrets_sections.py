"""Each file a prompt shows is scanned under its own path: every task's way of naming the
file it shows is read back by redaction (bot/secrets/sections.py). A YAML file's unquoted
password is a literal only under a config file's path; read under the code file shown
before it, it was sent.

The headers are built by each task's own code, so a task that changes its wording breaks
this test rather than the redaction. Values are drawn at random for this file.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable

import pytest

from bot.ask.task import head_section
from bot.change.model import FileChange, FileStatus
from bot.docs_task.check import Gap
from bot.docs_task.task import gap_block
from bot.secrets import redact
from bot.secrets.sections import parts
from bot.tasks.diff_render import file_header
from bot.testgen.prompt import Shown, failure_block, fenced, header_block, symbol_block

_RANDOM = random.Random(1123)
_PASSWORD = "".join(_RANDOM.choice(string.ascii_letters) for _ in range(9)) + "4"
_CONFIG = "deploy/values.yaml"
_YAML = ["database:", f"  db_password: {_PASSWORD}"]
# A code file's section first: its path must not carry over to the config file after it.
_BEFORE = file_header(FileChange("src/app.py", None, FileStatus.MODIFIED, [])) + (
    "\n@@ -1,1 +1,1 @@\n    1     1 + | x = 1\n"
)


def _diff_section() -> str:
    f = FileChange(_CONFIG, None, FileStatus.ADDED, [])
    rows = [f"{'':>5} {i + 1:>5} + | {line}" for i, line in enumerate(_YAML)]
    return "\n".join([file_header(f), "@@ -0,0 +1,2 @@", *rows])


def _definition() -> str:
    gap = Gap(_CONFIG, "yaml", "database", "module", "missing", ["no description"])
    return gap_block(gap, _YAML)


SECTIONS: dict[str, Callable[[], str]] = {
    "review's rendered diff": _diff_section,
    "ask's head version": lambda: head_section(_CONFIG, "\n".join(_YAML)),
    "docs' definition": _definition,
    "testgen's changed function": lambda: symbol_block(
        _CONFIG, Shown("database", "module", 1, 2, "\n".join(_YAML))
    ),
    "testgen's source file": lambda: (
        header_block(_CONFIG, "yaml", "pytest", "tests/test_values.py", "", [], None, None)
        + "\n"
        + fenced("\n".join(_YAML))
    ),
    "testgen's failing test": lambda: failure_block(_CONFIG, "\n".join(_YAML), "failed", "E"),
}


@pytest.mark.parametrize("name", list(SECTIONS))
def test_a_file_shown_after_another_is_scanned_under_its_own_path(name: str) -> None:
    prompt = _BEFORE + SECTIONS[name]()
    assert _PASSWORD not in redact(prompt).text
    assert _CONFIG in [p for _, _, p in parts(prompt)]


def test_a_header_written_inside_a_fenced_file_does_not_change_the_path() -> None:
    """A lockfile's named values are never secrets (paths.is_lock_path): a pull request's
    author writing a lockfile's header into a file must not make the lines after it one."""
    text = "\n".join([*_YAML, "### yarn.lock (added)", f"  db_password: {_PASSWORD}x"])
    prompt = _BEFORE + head_section(_CONFIG, text)
    out = redact(prompt).text
    assert _PASSWORD not in out
    assert [p for _, _, p in parts(prompt)] == ["src/app.py", _CONFIG]


def test_the_same_file_outside_a_section_is_read_under_the_code_files_path() -> None:
    """The control: without its header the YAML line is read as the code file's (an
    unquoted value in code is an expression), which is what sent it before."""
    prompt = _BEFORE + "\n".join(_YAML) + "\n"
    assert _PASSWORD in redact(prompt).text
