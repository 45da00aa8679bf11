"""Other Pythons on this machine, for code written in a newer Python than bandit's.

Bandit parses with the grammar of the interpreter it runs under: bandit installed for
3.11 cannot read a file using 3.12's nested same-quote f-strings. When such files turn up,
a newer interpreter that has bandit installed can scan them with `pythonX.Y -m bandit`.

Where Pythons live: `pythonX.Y` on PATH, pyenv's versions folder, uv's managed Pythons
(and asdf's). pyenv puts shims on PATH that fail for versions not selected, so every
candidate is run once to learn what it really is.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

Version = tuple[int, int, int]

_PROBE = (
    "import sys, importlib.util; "
    "print('.'.join(map(str, sys.version_info[:3])), "
    "importlib.util.find_spec('bandit') is not None)"
)
_PROBE_TIMEOUT_S = 10.0
_NEWEST_MINOR = 20  # looked for down from python3.20: cheap, and years ahead
_VERSION_DIR = re.compile(r"(?:cpython-)?(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass(frozen=True, slots=True)
class Interpreter:
    path: Path
    version: Version
    has_bandit: bool

    @property
    def label(self) -> str:
        return f"Python {'.'.join(map(str, self.version))}"


# Given the version bandit runs under, the Pythons with a newer grammar, newest first.
InterpreterFinder = Callable[[Version], list[Interpreter]]


def default_finder(version: Version) -> list[Interpreter]:
    return find_interpreters(newer_than=version[:2])


def version_text(version: Version) -> str:
    return ".".join(map(str, version))


def parse_version(text: str) -> Version | None:
    m = re.search(r"(\d+)\.(\d+)\.(\d+)", text)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def candidate_paths(
    env: Mapping[str, str] | None = None,
    home: Path | None = None,
    newer_than: tuple[int, int] | None = None,
) -> list[Path]:
    """Executables that may be Pythons, newest-looking first; not yet checked. With
    `newer_than` (major, minor), those whose name or folder says older are left out."""
    env = os.environ if env is None else env
    home = home or Path(env.get("HOME") or Path.home())
    found: list[tuple[tuple[int, int, int], Path]] = []
    path_var = env.get("PATH", "")
    for minor in range(_NEWEST_MINOR, 7, -1):
        exe = shutil.which(f"python3.{minor}", path=path_var)
        if exe:
            found.append(((3, minor, 99), Path(exe)))
    pyenv_root = Path(env.get("PYENV_ROOT") or home / ".pyenv")
    found += _versions_in(pyenv_root / "versions")
    uv_dir = env.get("UV_PYTHON_INSTALL_DIR")
    uv_root = Path(uv_dir) if uv_dir else _xdg_data(env, home) / "uv" / "python"
    found += _versions_in(uv_root)
    found += _versions_in(home / ".asdf" / "installs" / "python")
    if newer_than is not None:
        found = [(v, p) for v, p in found if v[:2] > newer_than]
    return [p for _, p in sorted(found, key=lambda vp: vp[0], reverse=True)]


def _xdg_data(env: Mapping[str, str], home: Path) -> Path:
    xdg = env.get("XDG_DATA_HOME")
    return Path(xdg) if xdg else home / ".local" / "share"


def _versions_in(folder: Path) -> list[tuple[tuple[int, int, int], Path]]:
    if not folder.is_dir():
        return []
    out: list[tuple[tuple[int, int, int], Path]] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    for entry in entries:
        m = _VERSION_DIR.search(entry.name)
        if m is None:
            continue
        exe = entry / "bin" / "python3"
        if exe.is_file():
            out.append(((int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)), exe))
    return out


def probe(exe: Path, timeout_s: float = _PROBE_TIMEOUT_S) -> Interpreter | None:
    """What `exe` is when run; None when it does not run as a Python (a pyenv shim for a
    version not selected, a broken install)."""
    try:
        run = subprocess.run(
            [str(exe), "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if run.returncode != 0:
        return None
    parts = run.stdout.split()
    if len(parts) != 2:
        return None
    version = parse_version(parts[0])
    if version is None:
        return None
    return Interpreter(path=exe, version=version, has_bandit=parts[1] == "True")


def find_interpreters(
    env: Mapping[str, str] | None = None,
    home: Path | None = None,
    paths: Iterable[Path] | None = None,
    newer_than: tuple[int, int] | None = None,
) -> list[Interpreter]:
    """Working Pythons, newest first, one per version (one with bandit where two are);
    with `newer_than` (major, minor), only newer minors."""
    seen: set[Path] = set()
    found: dict[tuple[Version, bool], Interpreter] = {}
    candidates = paths if paths is not None else candidate_paths(env, home, newer_than)
    for exe in candidates:
        try:
            real = exe.resolve()
        except OSError:
            continue
        if real in seen:
            continue
        seen.add(real)
        interp = probe(exe)
        if interp is None or (newer_than is not None and interp.version[:2] <= newer_than):
            continue
        # Of two installs of one version, keep one that has bandit.
        key = (interp.version, interp.has_bandit)
        found.setdefault(key, interp)
    by_version: dict[Version, Interpreter] = {}
    for (version, has_bandit), interp in found.items():
        if version not in by_version or has_bandit:
            by_version[version] = interp
    return sorted(by_version.values(), key=lambda i: i.version, reverse=True)


def newer_than(interpreters: list[Interpreter], version: Version) -> list[Interpreter]:
    """Interpreters with a newer grammar than `version` (a newer minor), newest first."""
    return [i for i in interpreters if i.version[:2] > version[:2]]


def install_hint(interp: Interpreter) -> str:
    return f"`{interp.path} -m pip install bandit`"


def current_version() -> Version:
    v = sys.version_info
    return (v.major, v.minor, v.micro)
