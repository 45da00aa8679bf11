"""What the `node` on PATH can do for a test run."""

from __future__ import annotations

import functools
import re
import subprocess


@functools.cache
def node_reporters() -> bool:
    """Whether `node` has the junit and lcov test reporters: 20.11 and 21.3 on; older
    versions refuse the options, and the run with them."""
    try:
        done = subprocess.run(
            ["node", "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    found = re.match(r"v(\d+)\.(\d+)", done.stdout.strip())
    if found is None:
        return False
    major, minor = int(found[1]), int(found[2])
    return major > 21 or (major, minor) >= (21, 3) or (major == 20 and minor >= 11)
