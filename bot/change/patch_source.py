"""A Change from a patch file or stdin (`--diff FILE`, `--diff -`)."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.change.checkout import CheckoutLoader
from bot.change.filters import apply_filters
from bot.change.model import Change
from bot.change.parse import parse_diff
from bot.config.model import FilterConfig
from bot.errors import InputError


def read_patch(path_or_dash: str) -> tuple[str, str]:
    """Read a patch; "-" reads stdin. Returns (text, description for messages).

    Text that is not UTF-8 is read as latin-1 (every byte decodes) and the description
    says so, since non-ASCII characters in it may then be wrong.
    """
    if path_or_dash == "-":
        data = sys.stdin.buffer.read()
        source = "stdin"
    else:
        path = Path(path_or_dash)
        source = f"patch {path_or_dash}"
        if not path.exists():
            raise InputError(f"patch file {path_or_dash} does not exist")
        if path.is_dir():
            raise InputError(f"{path_or_dash} is a directory, not a patch file")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read patch file {path_or_dash}: {exc.strerror}") from None
    if not data.strip():
        raise InputError(
            f"{source} is empty: no diff to review",
            hint="check the command that produced it, e.g. `git diff origin/main...HEAD`",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        source += " (not UTF-8, read as latin-1)"
    # A BOM would hide the first header from the parser.
    return text.removeprefix("\ufeff"), source


def change_from_patch(
    text: str, source: str, filters: FilterConfig | None = None, checkout: Path | None = None
) -> Change:
    """Parse and filter a patch. File contents are read from `checkout`, the checkout the
    patch was made in, where it holds them (bot/change/checkout.py); without one they are
    unknown, and load_content is None.

    Raises InputError when the text is empty or not a diff. A diff whose every file is
    filtered is not an error here; Change.files is then empty.
    """
    if not text.strip():
        raise InputError(f"{source} is empty: no diff to review")
    files = parse_diff(text, source)
    kept, skipped = apply_filters(files, filters or FilterConfig())
    loader = CheckoutLoader(checkout, kept) if checkout is not None else None
    return Change(files=kept, skipped=skipped, source=source, load_content=loader)
