"""Slash commands in pull and merge request comments, the same words on every forge.

A command is the first non-blank line of a comment when it starts with `/`: `/review`,
`/describe`, `/security`, `/tests`, `/docs`, `/ask <question>`, `/analyze`. Whatever follows the
command word (the rest of that line, then the lines below it) is its argument, so a
multi-line `/ask` keeps its whole question. Quoted replies (`> /review`) and commands
buried mid-comment are not commands: a person discussing `/review` must not trigger one.
Who may give one is each forge's own rule (GitHub's: github/permissions.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Command word -> the task it runs (the names bot/tasks uses).
COMMANDS: dict[str, str] = {
    "review": "review",
    "describe": "describe",
    "security": "security",
    "tests": "tests",
    "docs": "docs",
    "ask": "ask",
    "analyze": "analyze",
}
# Commands that make no sense without an argument.
NEEDS_ARGUMENT = frozenset({"ask"})

# A limit on what is carried in the queue; GitHub comments are at most 65,536 characters.
MAX_ARGUMENT_CHARS = 65_536

_COMMAND = re.compile(r"^/([A-Za-z][\w-]*)(?:[ \t]+(.*))?$")


@dataclass(frozen=True, slots=True)
class SlashCommand:
    name: str  # the command word, lower case: "ask"
    task: str  # the task it runs
    argument: str  # free text after the word, stripped; "" when none


@dataclass(frozen=True, slots=True)
class NotACommand:
    reason: str  # why the comment is not a command we run, in words


def parse_command(body: str | None) -> SlashCommand | NotACommand:
    """The slash command a comment gives, or why it gives none."""
    lines = (body or "").replace("\r\n", "\n").split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return NotACommand("empty comment")
    match = _COMMAND.match(lines[first].strip())
    if match is None:
        return NotACommand("not a slash command")
    word = match.group(1).lower()
    task = COMMANDS.get(word)
    if task is None:
        return NotACommand(f"unknown command /{word}")
    rest = [match.group(2) or "", *lines[first + 1 :]]
    argument = "\n".join(rest).strip()[:MAX_ARGUMENT_CHARS]
    if word in NEEDS_ARGUMENT and not argument:
        return NotACommand(f"/{word} needs a question after it")
    return SlashCommand(name=word, task=task, argument=argument)
