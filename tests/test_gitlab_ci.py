"""The GitLab CI template (gitlab-ci/switchyard-security.yml) and its example.

Validated with GitLab's CI schema (check-jsonschema's vendored copy, offline), then run for
real with gitlab-ci-local (shell executor, no Docker) on a temporary repository whose merge
request adds an SQL injection: the job must pass, fail on the gate, or warn on exit 3, and
leave a gl-sast-report.json that GitLab's SAST schema accepts. The job's script is also run
directly with `sh` against a fake `switchyard`, for the choices it makes (the base, the flags,
the install, the exit codes). A missing tool skips locally and fails under CI (`CI` set).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.gitrepo import ISOLATED_ENV, GitRepo
from tests.test_github_action import _check_jsonschema
from tests.test_gitlab_sast import assert_valid
from tests.test_security_cli import VULNERABLE
from tests.tools import node_bin, require_command

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "gitlab-ci" / "switchyard-security.yml"
EXAMPLE = ROOT / "docs" / "examples" / "gitlab-ci.yml"
DOC = ROOT / "docs" / "gitlab-ci.md"
JOB = "switchyard-security"
HIDDEN = ".switchyard-security"
# Where the template says it is in its include examples; the test repository holds a copy.
LOCAL_TEMPLATE = "ci/switchyard-security.yml"

# What the job reads: documented in the template's header and in docs/gitlab-ci.md.
INPUTS = (
    "SWITCHYARD_PIP_SPEC",
    "SWITCHYARD_INSTALL",
    "SWITCHYARD_FAIL_ON",
    "SWITCHYARD_SECURITY_MODE",
    "SWITCHYARD_CONFIG",
    "SWITCHYARD_BASE",
    "SWITCHYARD_ARGS",
)


def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _script() -> str:
    return "\n".join(_load(TEMPLATE)[HIDDEN]["script"])


# --- schema ----------------------------------------------------------------------------------


def test_files_match_gitlabs_ci_schema() -> None:
    # --builtin-schema uses the copy vendored in check-jsonschema: no network.
    result = subprocess.run(
        [_check_jsonschema(), "--builtin-schema", "vendor.gitlab-ci", str(TEMPLATE), str(EXAMPLE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_is_really_checking(tmp_path: Path) -> None:
    """A wrong allow_failure is reported, so a silent validator cannot pass the test above."""
    bad = tmp_path / "bad.yml"
    bad.write_text("job:\n  script: [echo]\n  allow_failure:\n    exit_codes: three\n")
    result = subprocess.run(
        [_check_jsonschema(), "--builtin-schema", "vendor.gitlab-ci", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "allow_failure" in result.stdout


# --- the template's shape --------------------------------------------------------------------


def test_a_hidden_job_and_a_job_that_extends_it() -> None:
    template = _load(TEMPLATE)
    assert set(template) == {HIDDEN, JOB}  # no global keys: nothing leaks into other jobs
    assert template[JOB] == {"extends": HIDDEN}


def test_runs_on_merge_request_pipelines_only() -> None:
    job = _load(TEMPLATE)[HIDDEN]
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert "only" not in job and "except" not in job


def test_job_settings() -> None:
    job = _load(TEMPLATE)[HIDDEN]
    assert job["image"] == "python:3.11"
    assert job["stage"] == "test"
    assert job["variables"] == {"GIT_DEPTH": "0"}  # the full history, for the merge base
    # Exit 3 (could not complete) is a warning; 1 (gate) and 2 (configuration) fail.
    assert job["allow_failure"] == {"exit_codes": [3]}


def test_no_input_is_declared_in_the_job() -> None:
    """Job-level variables beat a project's global `variables:`: declaring SWITCHYARD_FAIL_ON
    here, even empty, would silently override the user's own setting."""
    job = _load(TEMPLATE)[HIDDEN]
    assert not any(name.startswith("SWITCHYARD_") for name in job["variables"])
    for name in INPUTS:
        assert name in _script(), name


def test_artifacts_hand_gitlab_the_sast_and_secret_detection_reports() -> None:
    artifacts = _load(TEMPLATE)[HIDDEN]["artifacts"]
    assert artifacts["when"] == "always"
    assert artifacts["reports"] == {
        "sast": "gl-sast-report.json",
        "secret_detection": "gl-secret-detection-report.json",
    }
    assert artifacts["paths"] == [
        "gl-sast-report.json",
        "gl-secret-detection-report.json",
        "switchyard.sarif",
    ]
    assert artifacts["expire_in"]
    script = _script()
    assert "--output gl-sast-report.json \\\n" in script
    assert "--output gl-secret-detection-report.json --output switchyard.sarif" in script


def test_example_includes_the_template_and_sets_its_variables() -> None:
    example = _load(EXAMPLE)
    (include,) = example["include"]
    assert include["file"] == "gitlab-ci/switchyard-security.yml"
    assert include["project"] and include["ref"]
    assert "test" in example["stages"]  # the template's stage
    assert example["variables"]["SWITCHYARD_PIP_SPEC"].startswith("git+https://")
    assert example[JOB]["variables"]["SWITCHYARD_FAIL_ON"] == "major"
    # Comments name the other include form and the remaining inputs.
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "- remote: https://" in text
    assert "SWITCHYARD_CONFIG" in text and "SWITCHYARD_ARGS" in text


def test_docs_list_every_input_and_link_the_example() -> None:
    doc = DOC.read_text(encoding="utf-8")
    header = TEMPLATE.read_text(encoding="utf-8").split(f"\n{HIDDEN}:")[0]
    for name in INPUTS:
        assert f"| `{name}` |" in doc, name
        assert name in header, name
    assert "(examples/gitlab-ci.yml)" in doc
    assert "include:" in doc and "remote:" in doc and "project:" in doc
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |"):
        assert code in doc


# --- the script, against a fake switchyard ---------------------------------------------------

FAKE_SWITCHYARD = """#!{python}
import json, os, sys
args = sys.argv[1:]
if args == ["--version"]:
    print("switchyard, version 0.0.fake")
    sys.exit(0)
keys = ("SWITCHYARD_CONFIG", "OPENAI_API_KEY", "GITLAB_TOKEN", "GITLAB_URL",
        "SWITCHYARD_LOCAL_BASE_URL", "SWITCHYARD_LOCAL_MODEL")
with open(os.environ["FAKE_LOG"], "a") as fh:
    fh.write(json.dumps({{"args": args, "env": {{k: os.environ.get(k) for k in keys}}}}) + "\\n")
for i, arg in enumerate(args):
    if arg == "--output":
        with open(args[i + 1], "w") as fh:
            fh.write("{{}}")
sys.exit(int(os.environ.get("FAKE_RC", "0")))
"""

# `python3 -m venv DIR` makes DIR/bin/python (this same fake) and DIR/bin/switchyard (the fake
# switchyard), as installing would; every call is logged.
FAKE_PYTHON = """#!/bin/sh
echo "$*" >> "$FAKE_PY_LOG"
if [ "$1 $2" = "-m venv" ]; then
  mkdir -p "$3/bin" && cp "$0" "$3/bin/python" && cp "$FAKE_SWITCHYARD" "$3/bin/switchyard"
fi
if [ "$1 $2" = "-m pip" ]; then exit "${FAKE_PIP_RC:-0}"; fi
"""


def _system_path() -> str:
    """Folders for git and the shell's tools, without any switchyard in them."""
    folders: list[str] = []
    for tool in ("git", "sh", "mktemp", "cp", "mkdir"):
        found = shutil.which(tool)
        assert found, tool
        folder = str(Path(found).parent)
        if folder not in folders and not (Path(folder) / "switchyard").exists():
            folders.append(folder)
    return os.pathsep.join(folders)


class Job:
    """A template's script (the security template's by default) in a merge request checkout,
    with a fake switchyard."""

    def __init__(self, tmp: Path, repo: GitRepo, script: str | None = None) -> None:
        self.tmp, self.repo = tmp, repo
        self.script = script if script is not None else _script()
        self.fakebin = tmp / "fakebin"
        self.fakebin.mkdir()
        self.switchyard = self.fakebin / "switchyard"
        self.switchyard.write_text(FAKE_SWITCHYARD.format(python=sys.executable))
        self.switchyard.chmod(0o755)
        self.log = tmp / "fake.jsonl"
        self.py_log = tmp / "python.log"

    def run(self, *, path: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
        self.log.unlink(missing_ok=True)
        self.py_log.unlink(missing_ok=True)
        base = {
            "PATH": path if path is not None else f"{self.fakebin}{os.pathsep}{_system_path()}",
            "HOME": str(self.tmp),
            "TMPDIR": str(self.tmp),
            "FAKE_LOG": str(self.log),
            "FAKE_PY_LOG": str(self.py_log),
            "FAKE_SWITCHYARD": str(self.switchyard),
            **ISOLATED_ENV,
            # What GitLab gives a merge request pipeline.
            "CI": "true",
            "CI_PIPELINE_SOURCE": "merge_request_event",
            "CI_MERGE_REQUEST_IID": "7",
            "CI_MERGE_REQUEST_EVENT_TYPE": "detached",
            "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
            "CI_MERGE_REQUEST_DIFF_BASE_SHA": self.repo.sha("main"),
            "CI_MERGE_REQUEST_PROJECT_PATH": "acme/api",
            "CI_PROJECT_PATH": "acme/api",
            "SWITCHYARD_INSTALL": "false",
        }
        merged = {**base, **env}
        merged = {k: v for k, v in merged.items() if v is not None and v != "<unset>"}
        # -e, as GitLab's runner runs scripts (bash with `set -eo pipefail`); plain `sh` here
        # (dash on Debian) keeps the script POSIX.
        return subprocess.run(
            ["sh", "-e", "-c", self.script],
            env=merged,
            cwd=self.repo.path,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def calls(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def args(self) -> list[str]:
        (call,) = self.calls()
        return call["args"]


def _flag(args: list[str], name: str) -> str | None:
    return args[args.index(name) + 1] if name in args else None


@pytest.fixture
def mr_repo(git_repo: GitRepo) -> GitRepo:
    """main, and a feature branch one commit ahead of it, checked out."""
    return git_repo.feature({"app/db.py": VULNERABLE})


@pytest.fixture
def job(tmp_path: Path, mr_repo: GitRepo) -> Job:
    return Job(tmp_path, mr_repo)


def test_script_is_posix_and_never_traces() -> None:
    script = _script()
    assert subprocess.run(["sh", "-n", "-c", script]).returncode == 0
    code = [line for line in script.splitlines() if not line.strip().startswith("#")]
    assert not any(re.search(r"\bset [-+][a-wyz]*x|xtrace", line) for line in code)
    assert "[[" not in script and "local " not in script  # POSIX sh, not bash


def test_a_merge_request_pipeline_compares_with_gitlabs_diff_base(job: Job) -> None:
    result = job.run()
    assert result.returncode == 0, result.stdout + result.stderr
    args = job.args()
    assert args[:3] == ["security", "--base", job.repo.sha("main")]
    assert [args[i + 1] for i, a in enumerate(args) if a == "--output"] == [
        "gl-sast-report.json",
        "gl-secret-detection-report.json",
        "switchyard.sarif",
    ]
    assert _flag(args, "--repository") == "acme/api"
    for flag in ("--fail-on", "--mode", "--config"):
        assert flag not in args  # an unset variable adds nothing
    assert "switchyard, version 0.0.fake" in result.stdout
    assert f"with {job.repo.sha('main')}" in result.stdout


def test_a_merged_results_pipeline_compares_with_the_target_commit(job: Job) -> None:
    repo = job.repo
    fork_point = repo.sha("main")
    repo.switch("main")
    repo.write("other.py", "x = 1\n")
    target = repo.commit("main moved on")
    # What GitLab builds for merged results: the merge request merged onto the target.
    repo.git("switch", "-q", "--detach", target)
    repo.git("merge", "-q", "--no-ff", "-m", "merge", "feature")
    result = job.run(
        CI_MERGE_REQUEST_EVENT_TYPE="merged_result",
        CI_MERGE_REQUEST_TARGET_BRANCH_SHA=target,
        CI_MERGE_REQUEST_DIFF_BASE_SHA=fork_point,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The fork point would count main's own new commit (other.py) as the merge request's.
    assert _flag(job.args(), "--base") == target


def test_without_a_known_sha_the_target_branch_is_fetched(job: Job, tmp_path: Path) -> None:
    repo = job.repo
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True, env=ISOLATED_ENV)
    repo.git("remote", "add", "origin", str(origin))
    repo.git("push", "-q", "origin", "main", "feature")
    repo.git("update-ref", "-d", "refs/remotes/origin/main")  # as in a merge request clone
    result = job.run(CI_MERGE_REQUEST_DIFF_BASE_SHA="<unset>")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _flag(job.args(), "--base") == "origin/main"
    assert repo.sha("refs/remotes/origin/main") == repo.sha("main")


def test_a_diff_base_missing_from_the_clone_falls_back_to_the_target_branch(job: Job) -> None:
    job.repo.git("update-ref", "refs/remotes/origin/main", job.repo.sha("main"))
    result = job.run(CI_MERGE_REQUEST_DIFF_BASE_SHA="0" * 40)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _flag(job.args(), "--base") == "origin/main"


def test_switchyard_base_wins(job: Job) -> None:
    result = job.run(SWITCHYARD_BASE="main~0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _flag(job.args(), "--base") == "main~0"


def test_no_base_is_a_clear_configuration_error(job: Job) -> None:
    result = job.run(
        CI_MERGE_REQUEST_DIFF_BASE_SHA="<unset>", CI_MERGE_REQUEST_TARGET_BRANCH_NAME="<unset>"
    )
    assert result.returncode == 2
    assert "no base to compare with" in result.stderr
    assert "SWITCHYARD_BASE" in result.stderr
    assert job.calls() == []  # switchyard security never ran


def test_variables_become_flags(job: Job) -> None:
    result = job.run(
        SWITCHYARD_FAIL_ON="major",
        SWITCHYARD_SECURITY_MODE="diff_context",
        SWITCHYARD_CONFIG="ci/org.yml",
        SWITCHYARD_ARGS="--no-model  --semgrep-config ci/sem*",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    args = job.args()
    assert _flag(args, "--fail-on") == "major"
    assert _flag(args, "--mode") == "diff_context"
    assert _flag(args, "--config") == "ci/org.yml"
    # Split on spaces, never glob-expanded.
    assert args[-3:] == ["--no-model", "--semgrep-config", "ci/sem*"]


def test_hostile_values_stay_data(job: Job) -> None:
    evil = '$(touch pwned)`touch pwned2`"; touch pwned3'
    result = job.run(
        SWITCHYARD_CONFIG=evil,
        SWITCHYARD_FAIL_ON=evil,
        CI_MERGE_REQUEST_PROJECT_PATH=evil,
        CI_MERGE_REQUEST_TARGET_BRANCH_NAME=evil,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    args = job.args()
    assert _flag(args, "--config") == evil and _flag(args, "--fail-on") == evil
    assert _flag(args, "--repository") == evil
    assert not list(job.repo.path.glob("pwned*")) and not list(job.tmp.glob("pwned*"))


@pytest.mark.parametrize(
    ("rc", "message"),
    [
        (0, None),
        (1, "switchyard: gate failed: findings at or above 'major'"),
        (2, "switchyard: error: bad input or configuration (exit 2)"),
        (3, "switchyard: warning: the scan could not complete (exit 3)"),
        (7, "switchyard: error: switchyard exited with 7"),
    ],
)
def test_the_exit_code_is_the_jobs(job: Job, rc: int, message: str | None) -> None:
    result = job.run(FAKE_RC=str(rc), SWITCHYARD_FAIL_ON="major")
    assert result.returncode == rc
    if message:
        assert message in result.stderr
    else:
        assert "switchyard:" not in result.stderr


def test_install_false_needs_a_switchyard_on_path(job: Job) -> None:
    result = job.run(path=_system_path())
    assert result.returncode == 2
    assert "no switchyard on PATH" in result.stderr


def test_install_needs_a_pip_spec(job: Job) -> None:
    python = job.tmp / "pybin" / "python3"
    python.parent.mkdir()
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    result = job.run(
        path=f"{python.parent}{os.pathsep}{_system_path()}", SWITCHYARD_INSTALL="<unset>"
    )
    assert result.returncode == 2
    assert "set SWITCHYARD_PIP_SPEC" in result.stderr
    assert "unrelated project" in result.stderr
    assert not job.py_log.exists()  # nothing was installed


@pytest.mark.parametrize("pip_rc", [0, 1])
def test_install_into_a_private_virtualenv(job: Job, pip_rc: int) -> None:
    python = job.tmp / "pybin" / "python3"
    python.parent.mkdir()
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    spec = "git+https://gitlab.example.com/tools/switchyard.git@v1.2.0"
    result = job.run(
        # No switchyard on PATH: only the virtualenv's can be used.
        path=f"{python.parent}{os.pathsep}{_system_path()}",
        SWITCHYARD_INSTALL="<unset>",
        SWITCHYARD_PIP_SPEC=spec,
        FAKE_PIP_RC=str(pip_rc),
    )
    calls = job.py_log.read_text().splitlines()
    venv = re.fullmatch(r"-m venv (\S+/switchyard-venv)", calls[0])
    assert venv, calls
    assert Path(venv.group(1)).parent.parent == job.tmp  # under TMPDIR, not the checkout
    assert calls[1] == f"-m pip install --quiet --disable-pip-version-check {spec}"
    if pip_rc:
        assert result.returncode == 2
        assert "could not pip install" in result.stderr
        assert job.calls() == []
    else:
        assert result.returncode == 0, result.stdout + result.stderr
        assert job.args()[0] == "security"


# --- the job, run for real by gitlab-ci-local ------------------------------------------------


def _gitlab_ci_local() -> str:
    # package.json pins gitlab-ci-local (it needs Node 20+); it copies the checkout with rsync.
    found = node_bin("gitlab-ci-local")
    require_command("rsync", "gitlab-ci-local copies the checkout with it: apt-get install rsync")
    return str(found)


def _venv_switchyard() -> Path:
    found = Path(sys.executable).parent / "switchyard"
    if not found.is_file():
        pytest.fail(f"no switchyard next to {sys.executable}: pip install -e '.[test]'")
    return found


def _refused_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"  # nothing listens there once the socket is closed


@dataclass
class Run:
    status: str  # PASS, WARN or FAIL, as gitlab-ci-local judges the job
    exit_code: int
    output: str
    artifacts: Path

    def report(self, name: str = "gl-sast-report.json") -> Any:
        return json.loads((self.artifacts / name).read_text(encoding="utf-8"))


class Project:
    """A git repository with a merge request (feature into main), a copy of a template (the
    security one by default) and a .gitlab-ci.yml; `run` runs its job `job`."""

    def __init__(
        self,
        tmp: Path,
        ci_yaml: str,
        *,
        origin: bool,
        template: Path = TEMPLATE,
        job: str = JOB,
    ) -> None:
        self.tmp, self.job = tmp, job
        self.repo = GitRepo.init(tmp / "project")
        # Read by gitlab-ci-local only (CI_PROJECT_PATH and friends); never fetched.
        self.repo.git("remote", "add", "gcl-origin", "https://gitlab.example.com/acme/api.git")
        self.repo.write("README.md", "demo\n")
        self.repo.write(f"ci/{template.name}", template.read_text(encoding="utf-8"))
        self.repo.write(".gitlab-ci.yml", ci_yaml)
        self.repo.commit("base")
        if origin:
            bare = tmp / "origin.git"
            subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True, env=ISOLATED_ENV)
            self.repo.git("remote", "add", "origin", str(bare))
            self.repo.git("push", "-q", "origin", "main")
            # A merge request pipeline's clone has the merge request's ref, not the target's.
            self.repo.git("update-ref", "-d", "refs/remotes/origin/main")
        self.repo.switch("feature", create=True)
        self.repo.write("app/db.py", VULNERABLE)
        self.repo.commit("feature: look users up")
        self.merge_base = self.repo.git("merge-base", "main", "HEAD")

    def run(self, **variables: str) -> Run:
        home = self.tmp / "home"
        home.mkdir(exist_ok=True)
        values = {
            "CI_PIPELINE_SOURCE": "merge_request_event",
            "CI_MERGE_REQUEST_IID": "7",
            "CI_MERGE_REQUEST_EVENT_TYPE": "detached",
            "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature",
            "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
            # The switchyard of this virtualenv, on PATH below, instead of a pip install.
            "SWITCHYARD_INSTALL": "false",
            **variables,
        }
        command = [
            _gitlab_ci_local(),
            "--force-shell-executor",
            "--shell-isolation",  # the job runs in a copy, as on a runner
            "--no-artifacts-to-source",
            "--no-color",
            "--home",
            str(home),
            "--ignore-predefined-vars",
            "CI_PIPELINE_SOURCE",
        ]
        for key, value in values.items():
            command += ["--variable", f"{key}={value}"]
        env = {
            "PATH": f"{_venv_switchyard().parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": str(home),
            "NO_COLOR": "1",
            "SWITCHYARD_STATE": str(home / "state"),
            **ISOLATED_ENV,
        }
        done = subprocess.run(
            command,
            cwd=self.repo.path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        output = done.stdout + done.stderr
        # gitlab-ci-local 4.73.0 exits 0 when a job with `allow_failure: exit_codes` fails with
        # another code (its getFailed() reads the object as "allowed"); the status it prints
        # is judged correctly, so that is what is read.
        summary = re.search(rf"^\s*(PASS|WARN|FAIL)\s+{re.escape(self.job)}\b", output, re.M)
        assert summary, output
        finished = re.search(
            rf"{re.escape(self.job)} finished in .*?(?:(WARN|FAIL) (\d+))?\s*$", output, re.M
        )
        assert finished, output
        code = int(finished.group(2)) if finished.group(2) else 0
        artifacts = self.repo.path / ".gitlab-ci-local" / "artifacts" / self.job
        return Run(summary.group(1), code, output, artifacts)


def _include_locally(path: Path) -> str:
    """A .gitlab-ci.yml with its `include:` pointed at the test repository's copy."""
    data = _load(path) if path != TEMPLATE else {}
    data["include"] = [{"local": LOCAL_TEMPLATE}]
    return yaml.safe_dump(data, sort_keys=False)


def _assert_sql_injection_reported(report: dict[str, Any]) -> None:
    assert_valid(report)
    cwes = {
        (v["location"]["file"], i["value"])
        for v in report["vulnerabilities"]
        for i in v["identifiers"]
        if i["type"] == "cwe"
    }
    assert ("app/db.py", "89") in cwes, cwes
    # Only the merge request's change was scanned, not the CI files on main.
    assert {v["location"]["file"] for v in report["vulnerabilities"]} == {"app/db.py"}


def test_job_passes_and_hands_gitlab_a_valid_sast_report(tmp_path: Path) -> None:
    project = Project(tmp_path, _include_locally(TEMPLATE), origin=False)
    run = project.run(CI_MERGE_REQUEST_DIFF_BASE_SHA=project.merge_base)
    assert (run.status, run.exit_code) == ("PASS", 0), run.output
    assert f"with {project.merge_base}" in run.output
    assert "scanners only" in run.output  # no model configured, and it says so
    _assert_sql_injection_reported(run.report())
    sarif = json.loads((run.artifacts / "switchyard.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    secrets = run.report("gl-secret-detection-report.json")
    assert secrets["scan"]["type"] == "secret_detection"
    assert secrets["vulnerabilities"] == []  # the change holds no secret


def test_example_gate_fails_the_job_and_keeps_the_report(tmp_path: Path) -> None:
    # The example sets SWITCHYARD_FAIL_ON: major; no diff base SHA, and origin/main not in
    # the clone: the job fetches the target branch.
    project = Project(tmp_path, _include_locally(EXAMPLE), origin=True)
    run = project.run()
    assert (run.status, run.exit_code) == ("FAIL", 1), run.output
    assert "with origin/main" in run.output
    assert "gate failed: findings at or above 'major'" in run.output
    _assert_sql_injection_reported(run.report())  # artifacts: when: always


def test_an_unreachable_model_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    project = Project(tmp_path, _include_locally(TEMPLATE), origin=False)
    run = project.run(
        CI_MERGE_REQUEST_DIFF_BASE_SHA=project.merge_base,
        SWITCHYARD_LOCAL_BASE_URL=_refused_url(),
        SWITCHYARD_LOCAL_MODEL="test-model",
    )
    assert (run.status, run.exit_code) == ("WARN", 3), run.output
    assert "could not complete (exit 3)" in run.output
    _assert_sql_injection_reported(run.report())  # the scanners' findings are still reported
