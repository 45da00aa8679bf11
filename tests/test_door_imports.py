"""Which way imports run between the doors: read from the code, as test_egress reads it.

The CLI is one door among several; the forges and the webhook server must not lean on it
(the worker runs without it, and a forge's code would then reach back up the chain). And
only a forge's own folder names the forge: the neutral package, the server and the CLI
reach it through the registry, so a third forge is one folder and one registry line.
"""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent / "bot"
FORGES = BOT / "forges"
# Forge folders: anything below bot/forges that is a package of its own.
FORGE_DIRS = [p for p in FORGES.iterdir() if p.is_dir() and (p / "__init__.py").exists()]


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(BOT.parent).with_suffix("").parts)


def imported_modules(source: str, module: str) -> list[str]:
    """Every module that `source` (the text of `module`) imports, at any depth: lazy
    imports inside functions too, relative ones resolved."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = module.rsplit(".", node.level)[0] if node.level else ""
            parent = ".".join(p for p in (base, node.module or "") if p)
            if node.module:
                found.append(parent)
            # `from bot import cli` imports bot.cli as well.
            found += [f"{parent}.{alias.name}" for alias in node.names]
    return found


def _is_under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _offending(paths: list[Path], package: str) -> list[str]:
    return [
        f"{path.relative_to(BOT.parent)} imports {module}"
        for path in paths
        for module in imported_modules(path.read_text(encoding="utf-8"), module_name(path))
        if _is_under(module, package)
    ]


def test_no_forge_or_server_module_imports_the_cli() -> None:
    paths = [*FORGES.rglob("*.py"), *(BOT / "server").rglob("*.py")]
    assert paths
    assert _offending(paths, "bot.cli") == []


def test_only_a_forges_own_folder_imports_it() -> None:
    assert FORGE_DIRS, "no forge folder found under bot/forges"
    for folder in FORGE_DIRS:
        package = f"bot.forges.{folder.name}"
        outside = [p for p in BOT.rglob("*.py") if folder not in p.parents]
        assert _offending(outside, package) == [], f"{package} is reached past the registry"


def test_the_scan_sees_imports_at_any_depth_and_relative_ones() -> None:
    text = (
        "import os\n"
        "from bot import cli\n"
        "def f() -> None:\n"
        "    from bot.cli.setup import load\n"
        "    from ...cli import review\n"
        "    from ... import cli as door\n"
    )
    found = set(imported_modules(text, "bot.forges.gitea.door"))
    assert {"os", "bot.cli", "bot.cli.setup", "bot.cli.review"} <= found
    assert not any(_is_under(m, "bot.forges") for m in found)
