"""Exit 0 when the installed llama-cpp-python can produce a token with the bundled model.

A wheel pip took from its cache (built on another machine) or built with -march=native
can crash on the first token on a VM whose CPU reports AMX tiles the kernel does not
grant: SIGSEGV, seen here on 2026-12-04 with llama-cpp-python 0.3.36. .ci/run then
rebuilds it portable. The completion runs in a child process, so a crash is an exit code.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.runner import resolve_model

# Where tests/real_runner.py keeps the assembled weights (it needs pytest, not installed yet).
CACHE = Path(os.environ.get("SWITCHYARD_TEST_CACHE") or Path.home() / ".cache/switchyard-tests")

_CHILD = (
    "import sys\n"
    "from llama_cpp import Llama\n"
    "m = Llama(model_path=sys.argv[1], n_ctx=256, verbose=False)\n"
    "m.create_completion('Hello', max_tokens=2)\n"
)

if __name__ == "__main__":
    CACHE.mkdir(parents=True, exist_ok=True)
    model = resolve_model(None, CACHE, environ={}).path
    done = subprocess.run([sys.executable, "-c", _CHILD, str(model)], timeout=300)
    if done.returncode != 0:
        print(f"llama-cpp-python crashed on a completion (exit {done.returncode})", file=sys.stderr)
    sys.exit(done.returncode != 0)
