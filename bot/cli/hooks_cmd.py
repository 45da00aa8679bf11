"""`switchyard hooks install`: the prepare-commit-msg hook that writes commit messages."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import click


@click.group()
def hooks() -> None:
    """Git hooks that call Switchyard.

    \b
    Examples:
      switchyard hooks install          # prepare-commit-msg: commit messages from the diff
    """


@hooks.command("install")
@click.option(
    "--repo",
    "repo_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The repository to install into.",
)
@click.option("--force", is_flag=True, help="Replace another hook there (it is kept as .bak).")
def install(repo_dir: Path, force: bool) -> None:
    """Install a prepare-commit-msg hook: a plain `git commit` (no -m, no template, not a
    merge, squash or amend) opens with a Conventional Commits message written for the
    staged diff by the configured model (self-hosted first). It never blocks a commit:
    without a model, or past SWITCHYARD_HOOK_TIMEOUT_S (default 30), the message stays
    empty and one line says why.

    The hook goes where git looks for hooks (core.hooksPath when set). A hook already
    there that is not Switchyard's is left alone unless --force, which keeps it as
    prepare-commit-msg.bak.

    \b
    Examples:
      switchyard hooks install
      switchyard hooks install --repo ../api --force
    """
    from bot.describe.hook import HOOK_MARK, HOOK_NAME, current_python, hook_script, hooks_dir
    from bot.errors import InputError

    folder = hooks_dir(repo_dir)
    if folder is None:
        raise InputError(f"{repo_dir} is not inside a git repository", hint="pass --repo PATH")
    target = folder / HOOK_NAME
    text = hook_script(current_python())
    if target.exists() or target.is_symlink():
        old = target.read_text(encoding="utf-8", errors="replace") if target.is_file() else ""
        if HOOK_MARK not in old:
            if not force:
                raise InputError(
                    f"{target} is another hook, not Switchyard's: left as it is",
                    hint="run with --force to replace it (it is kept as "
                    f"{HOOK_NAME}.bak), or call `switchyard describe --commit-message "
                    '--message-file "$1"` from it',
                )
            backup = target.with_name(HOOK_NAME + ".bak")
            os.replace(target, backup)
            click.echo(f"kept the previous hook as {backup}")
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    click.echo(f"installed {target}")
