"""External tools the tests use: the npm packages pinned in package.json, and the rule for a
tool that is missing.

package.json (with package-lock.json) is the one list of npm tools and their versions.
tests/conftest.py runs `npm install` once per test session, before any test, when
node_modules lacks one of them or holds another version (`ensure_node_modules`). A test
finds a tool with `node_package(...)` or `node_bin(...)`; when the tool is still missing
(no npm, no network) the test is skipped with a reason that says what to install, and
fails instead under CI (`CI` set), so CI cannot go green by skipping.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_JSON = ROOT / "package.json"
NODE_MODULES = ROOT / "node_modules"
NPM_INSTALL = ("npm", "install", "--no-audit", "--no-fund")
NPM_TIMEOUT_S = 600
# Set by the session hook when its `npm install` failed, so that every test process (the
# xdist workers inherit it) can say why a tool is missing.
NPM_ERROR_ENV = "SWITCHYARD_TEST_NPM_ERROR"
# "0" turns the automatic install off (offline machines that do not want to wait for npm).
NPM_AUTO_ENV = "SWITCHYARD_TEST_NPM_INSTALL"
INSTALL_HINT = (
    "run `npm install` at the repository root (package.json pins the versions; "
    "it needs Node.js 20+ and npm: apt-get install nodejs npm)"
)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing_tool(message: str) -> NoReturn:
    """Skips the test with `message`; fails it under CI, which must run every check."""
    if in_ci():
        pytest.fail(f"CI must run this check, but {message}", pytrace=False)
    pytest.skip(message)


# --- npm packages ----------------------------------------------------------------------------


def pinned_packages() -> dict[str, str]:
    """package.json's devDependencies: name -> exact version."""
    data = json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))
    return dict(data.get("devDependencies", {}))


def installed_version(name: str) -> str | None:
    manifest = NODE_MODULES / name / "package.json"
    try:
        return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return None


def stale_packages() -> list[str]:
    """What node_modules lacks or holds at another version, as "name (have X, want Y)"."""
    stale = []
    for name, want in sorted(pinned_packages().items()):
        have = installed_version(name)
        if have != want:
            stale.append(f"{name} (have {have or 'none'}, want {want})")
    return stale


def ensure_node_modules(echo=print) -> str:
    """Installs the npm tools when node_modules is missing or stale; returns one status line.

    Holds a lock while it checks and installs, so concurrent test sessions on one checkout
    install once. Never raises: a failure is recorded in NPM_ERROR_ENV for the tests to quote.
    """
    os.environ.pop(NPM_ERROR_ENV, None)
    if not stale_packages():
        return "npm tools: up to date in node_modules"
    if os.environ.get(NPM_AUTO_ENV, "").strip() == "0":
        return _npm_failed(f"not run: {NPM_AUTO_ENV}=0", ", ".join(stale_packages()))
    npm = shutil.which("npm")
    if npm is None:
        return _npm_failed("not run: npm is not installed", ", ".join(stale_packages()))
    with _install_lock():
        stale = stale_packages()  # another session may have installed them meanwhile
        if not stale:
            return "npm tools: up to date in node_modules"
        echo(f"npm tools: `npm install` ({len(stale)} missing or stale in node_modules) ...")
        try:
            done = subprocess.run(
                [npm, *NPM_INSTALL[1:]],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=NPM_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return _npm_failed(f"failed: it took more than {NPM_TIMEOUT_S} s")
        except OSError as exc:
            return _npm_failed(f"failed: {exc}")
        if done.returncode != 0:
            tail = " ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
            return _npm_failed(f"failed: exit {done.returncode}", tail[-400:])
    stale = stale_packages()
    if stale:
        return _npm_failed("left node_modules incomplete", ", ".join(stale))
    return "npm tools: installed into node_modules by `npm install`"


def _npm_failed(reason: str, detail: str = "") -> str:
    os.environ[NPM_ERROR_ENV] = reason
    return f"npm tools: NOT installed (`npm install` {reason})" + (f": {detail}" if detail else "")


@contextmanager
def _install_lock() -> Iterator[None]:
    key = hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
    path = Path(tempfile.gettempdir()) / f"switchyard-npm-install-{key}.lock"
    with path.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _why_missing(what: str) -> str:
    failed = os.environ.get(NPM_ERROR_ENV)
    because = f" (`npm install` {failed})" if failed else ""
    return f"{what} is missing{because}: {INSTALL_HINT}"


def node_package(name: str, *parts: str) -> Path:
    """A file or folder inside the installed npm package `name`; skips (fails in CI) if absent.

    `name` may be a package that package.json pulls in indirectly
    (@microsoft/sarif-multitool-linux comes with @microsoft/sarif-multitool).
    """
    path = NODE_MODULES.joinpath(name, *parts)
    if not path.exists():
        missing_tool(_why_missing("/".join(("node_modules", name, *parts))))
    return path


def require_node() -> str:
    """The `node` executable; skips (fails in CI) when Node.js is not installed."""
    node = shutil.which("node")
    if node is None:
        missing_tool("Node.js is not installed: apt-get install nodejs npm (Node 20+)")
    return node


def node_bin(name: str) -> Path:
    """node_modules/.bin/`name`, with Node.js on PATH to run it."""
    require_node()
    path = NODE_MODULES / ".bin" / name
    if not path.is_file():
        missing_tool(_why_missing(f"node_modules/.bin/{name}"))
    return path


def require_command(name: str, install: str) -> str:
    """A command on PATH (rsync, ...); `install` says how to get it."""
    found = shutil.which(name)
    if found is None:
        missing_tool(f"`{name}` is not installed: {install}")
    return found
