"""No network for a generated test, where Linux allows it without privileges.

`unshare` gives the run its own user, network, PID and mount namespaces:

- network: only a loopback of its own (brought up, so tests that serve on 127.0.0.1 to
  themselves still work); the host's loopback and everything else are unreachable;
- PID: the run's processes die with it, even those that left the process group, and
  /proc shows only them, so the bot's own environment cannot be read through
  /proc/<pid>/environ;
- user: root inside only long enough to bring the loopback up; the test itself runs in a
  second user namespace as the bot's own uid and gid, so file permissions mean to it what
  they mean in CI (a root inside would read a file mode 000), where util-linux has
  `--map-user` (2.38 and later).

Elsewhere (no unshare, user namespaces switched off, another OS) the run goes ahead without
and says so: `RunResult.network_isolated` is False.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess

UNSHARE = ("--net", "--map-root-user", "--pid", "--fork", "--kill-child", "--mount-proc")
# `ip` may be missing; the loopback then stays down, which only costs tests that use it.
_LOOPBACK_UP = "ip link set lo up 2>/dev/null"
_AS_USER = 'u=$1 g=$2; shift 2; exec unshare --user --map-user="$u" --map-group="$g" -- "$@"'


@functools.cache
def _mode() -> str | None:
    """ "as user", "as root" (no --map-user), or None where nothing works."""
    if shutil.which("unshare") is None:
        return None
    for mode in ("as user", "as root"):
        if _works(_wrap(["true"], mode)):
            return mode
    return None


def _works(command: list[str]) -> bool:
    try:
        done = subprocess.run(command, capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def available() -> bool:
    return _mode() is not None


def wrap(argv: list[str]) -> list[str]:
    mode = _mode()
    assert mode is not None, "wrap() only where available()"
    return _wrap(argv, mode)


def _wrap(argv: list[str], mode: str) -> list[str]:
    if mode == "as user":
        ids = [str(os.getuid()), str(os.getgid())]
        return ["unshare", *UNSHARE, "--", "sh", "-c", f"{_LOOPBACK_UP}; {_AS_USER}", "sh",
                *ids, *argv]  # fmt: skip
    return ["unshare", *UNSHARE, "--", "sh", "-c", f'{_LOOPBACK_UP}; exec "$@"', "sh", *argv]
