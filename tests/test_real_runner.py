"""Smoke test against a real llama.cpp server (tests/real_runner.py): `switchyard doctor`,
run as a real process, reaches it and finds the model it serves. Needs the `local` extra;
skipped without it, failed under CI."""

from __future__ import annotations

from pathlib import Path

from tests.cli import base_env, switchyard
from tests.real_runner import MODEL


def test_doctor_reaches_the_real_runner(real_runner: str, tmp_path: Path) -> None:
    env = {
        **base_env(tmp_path),
        "SWITCHYARD_LOCAL_BASE_URL": real_runner,
        "SWITCHYARD_LOCAL_MODEL": MODEL,
    }
    r = switchyard("doctor", "--provider", "local", cwd=tmp_path, env=env, timeout=300)
    assert r.code == 0, r.both
    assert f"ok  local: {MODEL} at {real_runner}" in r.out, r.both
    assert "model: served" in r.out, r.both  # printed only when the endpoint was reachable
    assert "structured output:" in r.out, r.both
