"""`switchyard secrets fingerprint`: what to write in `secrets.allow.fingerprints` to let a
value the detector reports through, without the value ever being typed, shown or logged."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from bot.change.content import decode_text
from bot.cli.options import settings_options
from bot.cli.setup import load
from bot.errors import InputError
from bot.gitcmd import toplevel

# A file this large is data, not what a change holds; the detector would read it whole.
_MAX_BYTES = 5_000_000


@click.group()
def secrets() -> None:
    """Helpers for secret detection's allow-list.

    \b
    Examples:
      switchyard secrets fingerprint config/settings.py:12
      switchyard secrets fingerprint docs/examples/ --config /etc/switchyard/org.yml
    """


@secrets.command()
@click.argument("targets", nargs=-1, required=True, metavar="PATH[:LINE]...")
@settings_options
def fingerprint(targets: tuple[str, ...], config_path: str | None, repo_dir: Path) -> None:
    """Print the fingerprint of each secret the detector finds in PATH (a file or a folder;
    on LINE only, when given), and the lines to add to the server/org file's
    `secrets.allow.fingerprints` so that it is let through everywhere. Values are never
    printed. Fingerprints already allowed by the configuration are marked.

    A fingerprint is the value's SHA-256: one of a guessable password can be guessed back,
    so run this on your machine rather than in a public CI log. Hashing the value by hand
    (`printf %s VALUE | sha256sum`) leaves it in the shell's history.

    \b
    Exit codes: 0 found, 1 nothing found, 2 bad input or configuration.

    \b
    Example:
      $ switchyard secrets fingerprint tests/fixtures/webhook.json:4
      tests/fixtures/webhook.json:4  GitHub token  sha256:3f0a…
    """
    from bot.secrets import allow as allowlist
    from bot.secrets.detect import find_secrets, hit_value

    wanted = [_target(raw) for raw in targets]
    load(repo_dir, config_path)  # sets the configured allow-list
    allowed = allowlist.current()
    # Paths as the repository names them, from its top (globs and path rules match those),
    # wherever in the checkout the command runs.
    root = (toplevel(repo_dir) or repo_dir).resolve()
    new: dict[str, str] = {}
    found = 0
    allowlist.configure(allowlist.AllowList())  # find what the allow-list would drop, too
    try:
        for path, line in wanted:
            for file in _files(path):
                name = _relative(file, root)
                shown = _printable(name)
                if allowed.path_allowed(name):
                    click.echo(f"{shown}: not scanned (secrets.allow.paths)")
                    continue
                text = _text(file)
                if text is None:
                    if file == path:  # named, not met in a folder: say why nothing is listed
                        click.echo(
                            f"{shown}: not scanned (binary, not UTF-8, unreadable or > 5 MB)"
                        )
                    continue
                for hit in find_secrets(text, name):
                    if line is not None and not hit.line <= line <= hit.end_line:
                        continue
                    found += 1
                    value = hit_value(hit, text)
                    fp = allowlist.fingerprint(value)
                    mark = "  (allowed)" if allowed.value_allowed(value) else ""
                    click.echo(f"{shown}:{hit.line}  {hit.kind}  {fp}{mark}")
                    if not mark:
                        new.setdefault(fp, f"{shown}:{hit.line} {hit.kind}")
    finally:
        allowlist.configure(allowed)
    if not found:
        click.echo(f"no secret found in {', '.join(targets)}", err=True)
        sys.exit(1)
    if new:
        click.echo(
            "\n# To let these through everywhere, add them to the server/org file "
            "(--config or $SWITCHYARD_CONFIG; a repository's .switchyard.yml may not):"
        )
        click.echo("secrets:\n  allow:\n    fingerprints:")
        for fp, said in new.items():
            click.echo(f"      - {fp}  # {said}")


def _target(raw: str) -> tuple[Path, int | None]:
    """`PATH` or `PATH:LINE` (a file whose own name ends in `:digits` is taken whole)."""
    head, colon, tail = raw.rpartition(":")
    if colon and tail.isdigit() and not Path(raw).exists():
        if int(tail) < 1:
            raise InputError(f"{raw}: line numbers start at 1")
        path, line = Path(head), int(tail)
        if not path.is_file():
            raise InputError(f"{head}: no such file (a line is given, so a file is meant)")
        return path, line
    path = Path(raw)
    if not path.exists():
        raise InputError(f"{raw}: no such file or folder")
    return path, None


def _printable(name: str) -> str:
    """A file's name as one line of output (git allows a newline in one, and the lines
    printed here are pasted into the server's file)."""
    return "".join(c if c.isprintable() else "?" for c in name)


def _files(path: Path) -> Iterator[Path]:
    if path.is_file():
        yield path
        return
    for folder, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        for name in sorted(files):
            yield Path(folder) / name


def _relative(file: Path, root: Path) -> str:
    """The path as the repository names it (globs and path rules match that), else as given."""
    try:
        return file.resolve().relative_to(root).as_posix()
    except ValueError:
        return file.as_posix()


def _text(file: Path) -> str | None:
    """The file's text as a change's files are read (binary or not UTF-8: None), or None
    for an unreadable or outsized file."""
    try:
        if file.stat().st_size > _MAX_BYTES:
            return None
        return decode_text(file.read_bytes())
    except OSError:
        return None
