"""The forking launcher behind tests/cli.py:switchyard (tests/cli_fork.py): a run forked
from it sees what a fresh `python -m` would see, so the CLI tests test the same thing.

A probe module prints what a process can observe of how it was started; it runs once forked
and once as a fresh interpreter, and the two accounts must agree.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.cli import base_env, run_module

PROBE = r"""
import json, locale, os, sys, time

text = sys.stdin.read()
print("to stderr: é", file=sys.stderr)
print(json.dumps({
    "argv": sys.argv[1:],
    "argv0": os.path.basename(sys.argv[0]),
    "main": __name__,
    "cwd": os.getcwd(),
    "path": sys.path,
    "env": dict(os.environ),
    "stdin": text,
    "streams": [[s.encoding, s.errors, s.line_buffering, s.isatty()]
                for s in (sys.stdin, sys.stdout, sys.stderr)],
    "flags": [sys.flags.utf8_mode, sys.flags.dont_write_bytecode, sys.flags.optimize],
    "encodings": [locale.getpreferredencoding(False), sys.getfilesystemencoding()],
    "tz": list(time.tzname),
    "hash": hash("switchyard"),
}, ensure_ascii=False), flush=True)
action = sys.argv[1] if len(sys.argv) > 1 else "0"
if action == "sleep":
    time.sleep(60)
elif action == "raise":
    raise RuntimeError("boom")
elif action == "signal":
    os.kill(os.getpid(), 15)
sys.exit(int(action) if action.isdigit() else 0)
"""


@pytest.fixture
def probe_dir(tmp_path: Path) -> Path:
    (tmp_path / "probe.py").write_text(PROBE, encoding="utf-8")
    return tmp_path


def both(cwd: Path, env: dict[str, str], *args: str, stdin: str | None = None) -> list[Any]:
    runs = [
        run_module("probe", *args, cwd=cwd, env=env, stdin=stdin, fresh=fresh)
        for fresh in (False, True)
    ]
    return [(r.returncode, json.loads(r.stdout.splitlines()[0]), r.stderr) for r in runs]


def test_a_forked_run_sees_what_a_fresh_one_sees(probe_dir: Path) -> None:
    env = {**base_env(probe_dir), "SWITCHYARD_EXTRA": "x y"}
    forked, fresh = both(probe_dir, env, "3", "--flag", stdin="a\r\nb é\n")
    assert forked[0] == fresh[0] == 3
    seen, expected = forked[1], fresh[1]
    del seen["hash"], expected["hash"]
    assert seen == expected
    assert seen["stdin"] == "a\r\nb é\n"  # a CRLF patch on stdin arrives as sent
    assert seen["env"]["SWITCHYARD_EXTRA"] == "x y" and "PYTEST_CURRENT_TEST" not in seen["env"]
    assert forked[2] == fresh[2] == "to stderr: é\n"


def test_interpreter_variables_get_a_launcher_of_their_own(probe_dir: Path) -> None:
    lib = probe_dir / "lib"
    lib.mkdir()
    env = {**base_env(probe_dir), "PYTHONPATH": str(lib), "TZ": "Asia/Tokyo", "LANG": "C.UTF-8"}
    forked, fresh = both(probe_dir, env)
    assert forked[1]["path"] == fresh[1]["path"] and str(lib) in forked[1]["path"]
    assert forked[1]["tz"] == fresh[1]["tz"] == ["JST", "JST"]
    assert forked[1]["env"] == fresh[1]["env"]


def test_two_runs_in_a_row_do_not_share_a_hash_seed(probe_dir: Path) -> None:
    env = base_env(probe_dir)
    seeds = [
        json.loads(run_module("probe", cwd=probe_dir, env=env).stdout.splitlines()[0])["hash"]
        for _ in range(2)
    ]
    assert seeds[0] != seeds[1]


def test_exit_statuses_are_the_processes(probe_dir: Path) -> None:
    env = base_env(probe_dir)
    signalled = both(probe_dir, env, "signal")
    assert signalled[0][0] == signalled[1][0] == -15
    raised = both(probe_dir, env, "raise")
    assert raised[0][0] == raised[1][0] == 1
    for _, _, err in raised:
        assert "Traceback" in err and err.rstrip().endswith("RuntimeError: boom")


def test_a_run_past_its_timeout_is_killed(probe_dir: Path) -> None:
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired) as caught:
        run_module("probe", "sleep", cwd=probe_dir, env=base_env(probe_dir), timeout=2)
    assert time.monotonic() - started < 15
    assert '"argv": ["sleep"]' in str(caught.value.stdout)
