"""What every command that looks at a change needs: which change, read with which settings.

`--base/--head` (a local branch) or `--diff FILE|-` (a patch), the configuration layers,
and the repository's identity for data-class policy.
"""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from bot.cli.options import settings_options
from bot.cli.repository import origin_repository
from bot.cli.setup import load
from bot.errors import InputError

if TYPE_CHECKING:
    from bot.change.base_files import BaseFiles
    from bot.change.model import Change
    from bot.config.loader import LoadedSettings
    from bot.config.model import Settings
    from bot.planning import RunContext

F = TypeVar("F", bound=Callable[..., object])

# Tried in order when --base is not given, as most teams name their default branch.
_BASE_GUESSES = ("origin/HEAD", "origin/main", "origin/master", "main", "master")


def change_options(func: F) -> F:
    """--base, --head, --diff, --repository, plus --config and --repo."""
    for option in reversed(
        [
            click.option(
                "--base",
                metavar="REF",
                help="Branch or commit to compare with (merge-base is used). Default: "
                "origin/HEAD, origin/main, origin/master, main or master.",
            ),
            click.option(
                "--head", default="HEAD", show_default=True, metavar="REF", help="Commit to review."
            ),
            click.option(
                "--diff",
                "diff_path",
                metavar="FILE|-",
                help="A unified diff file, or stdin. Run in the checkout of its head (or give "
                "--repo), a file there that matches the patch is read whole.",
            ),
            settings_options,
            click.option(
                "--repository",
                metavar="OWNER/NAME",
                help="The repository, for data-class policy (default: from the origin remote).",
            ),
        ]
    ):
        func = option(func)
    return func


@dataclass(frozen=True, slots=True)
class ChangeInput:
    base: str | None
    head: str
    diff_path: str | None
    repo_dir: Path
    config_path: str | None
    repository: str | None

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> ChangeInput:
        return cls(
            params.pop("base"),
            params.pop("head"),
            params.pop("diff_path"),
            params.pop("repo_dir"),
            params.pop("config_path"),
            params.pop("repository"),
        )


@dataclass(slots=True)
class Prepared:
    loaded: LoadedSettings
    settings: Settings
    change: Change
    ctx: RunContext
    config_dir: Path | None = None  # the folder .switchyard.yml was looked for in
    # A branch: the repository's policy files as on the merge-base (see base_files).
    base_files: BaseFiles | None = None


def prepare(
    ci: ChangeInput,
    overrides: dict[str, Any] | None = None,
    flag_names: dict[str, str] | None = None,
) -> Prepared:
    from bot.planning import RunContext

    ctx = RunContext(
        repository=ci.repository or (None if ci.diff_path else origin_repository(ci.repo_dir)),
        change_ref=ci.head if not ci.diff_path else "",
    )
    if ci.diff_path:
        if ci.base:
            raise click.UsageError("give either --base or --diff, not both")
        config_dir = _config_dir(ci.repo_dir, ci.diff_path)
        loaded = load(config_dir, ci.config_path, overrides, flag_names)
        change = _patch_change(ci.diff_path, loaded.settings, config_dir)
        _say_if_no_file_is_read(change, config_dir)
        return Prepared(loaded, loaded.settings, change, ctx, config_dir)
    # A branch: read unfiltered first, since the filters belong to the settings of the
    # change's base, which only the change (its merge-base) can locate.
    from bot.change.base_files import BaseFiles
    from bot.change.filters import UNFILTERED, apply_filters
    from bot.change.git_source import change_from_git

    change = change_from_git(ci.repo_dir, ci.base or _guess_base(ci.repo_dir), ci.head, UNFILTERED)
    root = Path(change.repo_root or ci.repo_dir)
    base_files = BaseFiles(root, change.base_sha or "")
    loaded = load(base_files.settings_dir(), ci.config_path, overrides, flag_names)
    for name in base_files.settings_edited(change.head_sha or ci.head):
        click.echo(
            f"switchyard: note: {name} is read as on the base ({(change.base_sha or '')[:12]}): "
            "a change cannot alter the policy it is reviewed under; its edits apply once merged",
            err=True,
        )
    kept, filtered = apply_filters(change.files, loaded.settings.filters)
    change = dataclasses.replace(change, files=kept, skipped=[*change.skipped, *filtered])
    return Prepared(loaded, loaded.settings, change, ctx, root, base_files)


def _config_dir(repo_dir: Path, diff_path: str | None) -> Path | None:
    """Where .switchyard.yml is looked for: the checkout's top folder."""
    try:
        top = subprocess.run(
            ["git", "-C", str(repo_dir), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return repo_dir if repo_dir.is_dir() else None
    if top.returncode == 0:
        return Path(top.stdout.strip())
    return repo_dir if diff_path and repo_dir.is_dir() else None


def _say_if_no_file_is_read(change: Change, checkout: Path | None) -> None:
    """A patch run away from its checkout: none of its files is there as it has them, so a
    secret a hunk cuts into is judged from the hunk alone. Said once, on stderr."""
    from bot.change.model import FileStatus, Side

    heads = [f for f in change.files if f.status is not FileStatus.DELETED and not f.binary]
    load = change.load_content
    if not heads or (load is not None and any(load(f.path, Side.RIGHT) is not None for f in heads)):
        return
    where = f"in {checkout}" if checkout is not None else "here"
    click.echo(
        f"switchyard: note: none of the patch's {len(heads)} changed files is {where} as the "
        "patch has them, so each is judged from its hunks alone; run it in the checkout of "
        "its head, or give --repo",
        err=True,
    )


def _patch_change(diff_path: str, settings: Settings, checkout: Path | None) -> Change:
    from bot.change.patch_source import change_from_patch, read_patch

    text, source = read_patch(diff_path)
    return change_from_patch(text, source, settings.filters, checkout)


def _guess_base(repo_dir: Path) -> str:
    for ref in _BASE_GUESSES:
        probe = subprocess.run(
            ["git", "-C", str(repo_dir), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
            capture_output=True,
            check=False,
            timeout=10,
        )
        if probe.returncode == 0:
            return ref
    raise InputError(
        "no --base given and none of origin/HEAD, origin/main, origin/master, main, master "
        "exists here",
        hint="pass --base REF (the branch your change will merge into), or --diff FILE",
    )
