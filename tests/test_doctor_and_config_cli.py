"""`switchyard doctor` and `switchyard config`: what a user sees when setting up."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from bot.security.rules_index import rule_files
from tests.cli import base_env, switchyard
from tests.fakes.openai_server import FakeOpenAIServer, unused_port


def test_doctor_reports_a_ready_vllm_server(tmp_path: Path) -> None:
    with FakeOpenAIServer(flavour="vllm", models=["qwen"], max_model_len=16384) as fake:
        env = {
            **base_env(tmp_path),
            "SWITCHYARD_LOCAL_BASE_URL": fake.base_url,
            "SWITCHYARD_LOCAL_MODEL": "qwen",
            "SWITCHYARD_LOCAL_CONTEXT_TOKENS": "16384",
        }
        r = switchyard("doctor", cwd=tmp_path, env=env)
    assert r.code == 0, r.both
    assert "ok  local: qwen" in r.out
    assert "context: 16384" in r.out
    assert "structured output: json_schema" in r.out
    assert "tokenizer: server" in r.out
    # The security scanners, as a scan would run them (offline semgrep, shipped rules).
    assert "ok  bandit: bandit" in r.out
    shipped = sum(len(yaml.safe_load(f.read_text())["rules"]) for f in rule_files())
    assert "ok  semgrep: semgrep" in r.out and f"offline, {shipped} built-in rules" in r.out
    assert "ok  secrets: detect-secrets" in r.out


def test_doctor_names_a_model_the_server_does_not_serve(tmp_path: Path) -> None:
    with FakeOpenAIServer(flavour="vllm", models=["other-model"]) as fake:
        env = {
            **base_env(tmp_path),
            "SWITCHYARD_LOCAL_BASE_URL": fake.base_url,
            "SWITCHYARD_LOCAL_MODEL": "qwen",
        }
        r = switchyard("doctor", cwd=tmp_path, env=env)
    assert r.code == 3
    assert "FAIL local" in r.out and "other-model" in r.out


def test_doctor_on_a_server_that_is_down(tmp_path: Path) -> None:
    env = {
        **base_env(tmp_path),
        "SWITCHYARD_LOCAL_BASE_URL": f"http://127.0.0.1:{unused_port()}/v1",
        "SWITCHYARD_LOCAL_MODEL": "qwen",
    }
    r = switchyard("doctor", cwd=tmp_path, env=env)
    assert r.code == 3
    assert "FAIL local" in r.out and "problem:" in r.out


def test_doctor_without_any_model_says_what_to_set(tmp_path: Path) -> None:
    r = switchyard("doctor", cwd=tmp_path, env=base_env(tmp_path))
    assert r.code == 3
    assert "SWITCHYARD_LOCAL_BASE_URL" in r.err


def test_doctor_says_which_scanner_is_missing_and_how_to_get_it(tmp_path: Path) -> None:
    from bot.security.readiness import check_scanners

    empty = tmp_path / "bin"
    empty.mkdir()
    by_name = {r.name: r for r in check_scanners(env={"PATH": str(empty)})}
    for name in ("bandit", "semgrep"):
        assert not by_name[name].ok and by_name[name].detail == "not installed"
        assert f"pip install {name}" in (by_name[name].hint or "")
    assert by_name["secrets"].ok  # in-process: needs no program on PATH


def test_doctor_says_when_semgrep_has_only_its_standard_command_line(tmp_path: Path) -> None:
    from bot.security.readiness import check_scanners
    from bot.security.scanners.semgrep_runner import semgrep_command

    # The installed semgrep behind a shim that refuses `--experimental`, as an older one does.
    [real] = semgrep_command() or [""]
    folder = tmp_path / "bin"
    folder.mkdir()
    shim = folder / "semgrep"
    shim.write_text(
        '#!/bin/sh\nfor a in "$@"; do if [ "$a" = --experimental ]; then\n'
        '  echo "Error: No such option: --experimental" >&2; exit 2; fi; done\n'
        f'exec "{real}" "$@"\n',
        encoding="utf-8",
    )
    shim.chmod(0o755)
    by_name = {r.name: r for r in check_scanners(env={"PATH": f"{folder}:/usr/bin:/bin"})}
    assert by_name["semgrep"].ok, by_name["semgrep"].detail
    assert "standard command line only" in by_name["semgrep"].detail
    ready = {r.name: r for r in check_scanners()}["semgrep"]
    assert ready.ok and "standard command line" not in ready.detail


def test_config_validate_names_file_and_key(tmp_path: Path) -> None:
    org = tmp_path / "org.yml"
    org.write_text("providers:\n  local:\n    model: m\n    contxt_tokens: 4096\n")
    r = switchyard("config", "validate", "--config", str(org), cwd=tmp_path, env=base_env(tmp_path))
    assert r.code == 2
    assert "org.yml" in r.err and "providers.local.contxt_tokens" in r.err
    assert "context_tokens" in r.err  # the suggestion


def test_config_validate_refuses_what_a_repository_may_not_set(tmp_path: Path) -> None:
    (tmp_path / ".switchyard.yml").write_text(
        "providers:\n  openai:\n    base_url: https://collector.example/v1\n"
        "security:\n  bandit_args: ['-o', '/tmp/x']\n"
    )
    r = switchyard("config", "validate", cwd=tmp_path, env=base_env(tmp_path))
    assert r.code == 2, r.both
    assert "2 configuration problems" in r.err
    assert (
        ".switchyard.yml: providers.openai.base_url: a repository file may not set providers "
        "(it would choose where code and keys are sent); set it in the server/org config "
        "(--config or SWITCHYARD_CONFIG) or the environment"
    ) in r.err
    assert ".switchyard.yml: security.bandit_args: a repository file may not set" in r.err


def test_config_validate_shows_what_was_read(tmp_path: Path) -> None:
    org = tmp_path / "org.yml"
    org.write_text("providers:\n  local:\n    base_url: http://gpu:8000/v1\n    model: q\n")
    (tmp_path / ".switchyard.yml").write_text("review:\n  min_severity: minor\nfail_on: major\n")
    r = switchyard("config", "validate", "--config", str(org), cwd=tmp_path, env=base_env(tmp_path))
    assert r.code == 0, r.both
    assert f"read {org}\n  read .switchyard.yml\n" in r.out
    assert "provider local:" in r.out


def test_config_validate_lists_providers_without_their_keys(tmp_path: Path) -> None:
    env = {**base_env(tmp_path), "OPENAI_API_KEY": "sk-do-not-print-me"}
    r = switchyard("config", "validate", cwd=tmp_path, env=env)
    assert r.code == 0, r.both
    assert "provider openai" in r.out and "key set" in r.out
    assert "sk-do-not-print-me" not in r.both


def test_review_rejects_an_api_key_in_the_repo_file(tmp_path: Path) -> None:
    (tmp_path / ".switchyard.yml").write_text(
        "providers:\n  openai:\n    model: gpt-4o\n    api_key: sk-leaked\n"
    )
    r = switchyard("config", "validate", cwd=tmp_path, env=base_env(tmp_path))
    assert r.code == 2
    assert "sk-leaked" not in r.both


def test_config_schema_validates_an_example(tmp_path: Path) -> None:
    r = switchyard("config", "schema", cwd=tmp_path, env=base_env(tmp_path))
    assert r.code == 0
    schema = json.loads(r.out)
    good = {
        "providers": {"local": {"base_url": "http://gpu:8000/v1", "model": "q"}},
        "fail_on": "major",
    }
    jsonschema.validate(good, schema)
    try:
        jsonschema.validate({"providrs": {}}, schema)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("the schema accepted an unknown key")
