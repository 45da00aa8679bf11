"""No network for a generated test, where Linux allows it without privileges.

`unshare` gives the run its own user, network, PID and mount namespaces:

- network: only a loopback of its own (brought up, so tests that serve on 127.0.0.1 to
  themselves still work); the host's loopback and everything else are unreachable;
- PID: the run's processes die with it, even those that left the process group, and
  /proc shows only them, so the bot's own environment cannot be read through
  /proc/<pid>/environ.

Elsewhere (no unshare, user namespaces switched off, another OS) the run goes ahead without
and says so: `RunResult.network_isolated` is False.
"""

from __future__ import annotations

import functools
import shutil
import subprocess

UNSHARE = ("--net", "--map-root-user", "--pid", "--fork", "--kill-child", "--mount-proc")
# `ip` may be missing; the loopback then stays down, which only costs tests that use it.
_LOOPBACK_UP = 'ip link set lo up 2>/dev/null; exec "$@"'


@functools.cache
def available() -> bool:
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    try:
        done = subprocess.run(
            [unshare, *UNSHARE, "true"], capture_output=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def wrap(argv: list[str]) -> list[str]:
    return ["unshare", *UNSHARE, "--", "sh", "-c", _LOOPBACK_UP, "sh", *argv]
