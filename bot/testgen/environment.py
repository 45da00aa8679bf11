"""The environment a generated test runs with: built from an allow-list, never inherited.

A generated test is code a model wrote from a change someone else wrote; it must not see
the bot's model keys, forge tokens or anything else the job holds. Only the names below
pass, and a name that reads like a credential is dropped even if it is on the list. HOME
is a fresh folder, so nothing under the real home (~/.netrc, ~/.ssh, ~/.config) is found
through it; the tool caches a run needs (Go's module cache, Maven's repository, Gradle's
home, Python's user site) are named by their own variables instead.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

ALLOWED = frozenset(
    {
        "PATH", "LANG", "LANGUAGE", "TZ", "TERM",
        "GOPATH", "GOROOT", "GOCACHE", "GOMODCACHE", "GOFLAGS", "GOTOOLCHAIN",
        "JAVA_HOME", "MAVEN_OPTS", "MAVEN_HOME", "M2_HOME", "GRADLE_USER_HOME", "GRADLE_OPTS",
        "NODE_PATH", "PYTHONUSERBASE", "VIRTUAL_ENV",
    }
)  # fmt: skip
ALLOWED_PREFIXES = ("LC_",)
# Checked after the allow-list, so that widening the list can never let these through.
DENIED = re.compile(
    r"TOKEN|KEY|SECRET|PASSW|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE"
    r"|^(SWITCHYARD|OPENAI|ANTHROPIC|GITHUB|GITLAB|CI_JOB|AWS|AZURE|GOOGLE|GCP|NPM|PYPI)_",
    re.IGNORECASE,
)


def allowed(name: str) -> bool:
    if DENIED.search(name):
        return False
    return name in ALLOWED or name.startswith(ALLOWED_PREFIXES)


def build(
    parent: Mapping[str, str], *, home: Path, tmp: Path, real_home: Path | None = None
) -> dict[str, str]:
    """The run's environment from the parent's: the allowed names, a fresh HOME and TMPDIR,
    and the real home's tool caches where they exist and no variable names them."""
    env = {k: v for k, v in parent.items() if allowed(k)}
    env.setdefault("PATH", os.defpath)
    env.setdefault("LANG", "C.UTF-8")
    env["HOME"] = str(home)
    env["TMPDIR"] = str(tmp)
    env["GOPROXY"] = "off"  # no module downloads: the run has no network anyway
    if real_home is not None:
        _tool_homes(env, real_home)
    return env


def _tool_homes(env: dict[str, str], real: Path) -> None:
    caches = {
        "GOPATH": real / "go",
        "GOCACHE": real / ".cache" / "go-build",
        "GRADLE_USER_HOME": real / ".gradle",
        "PYTHONUSERBASE": real / ".local",
    }
    for name, path in caches.items():
        if name not in env and path.is_dir():
            env[name] = str(path)
    m2 = real / ".m2" / "repository"
    if m2.is_dir() and "maven.repo.local" not in env.get("MAVEN_OPTS", ""):
        env["MAVEN_OPTS"] = f"{env.get('MAVEN_OPTS', '')} -Dmaven.repo.local={m2}".strip()
