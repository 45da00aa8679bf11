"""The Jenkins shared library (jenkins/, issue 18), run outside Jenkins.

tests/jenkins_harness/Harness.groovy compiles every Groovy file of the library with Debian's
`groovy` (2.4, the Groovy line Jenkins runs) and calls switchyardReview/switchyardSecurity
with the pipeline steps stubbed. One harness run serves every scenario here; the tests read
what each scenario did: the commands, the environment and credentials each `sh` saw, the
reports handed to Jenkins and the build result. The scripts the library hands to `sh` are
then run for real by /bin/sh against a stand-in `switchyard`, so quoting and exit codes are
checked by a shell, not by reading strings. npm-groovy-lint checks the library's style.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.tools import missing_tool, node_bin, require_command

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "jenkins"
HARNESS = ROOT / "tests" / "jenkins_harness" / "Harness.groovy"
# The recommended rules, less three that do not fit Pipeline code (docs/jenkins.md says why).
LINT_CONFIG = LIBRARY / ".groovylintrc.json"
EXAMPLES = sorted((ROOT / "docs" / "examples").glob("Jenkinsfile*"))
GROOVY_INSTALL = "apt-get install -y groovy (Debian's package; it needs a JDK 11+)"

PR = {
    "CHANGE_ID": "42",
    "CHANGE_TARGET": "main",
    "CHANGE_URL": "https://github.com/acme/api/pull/42",
    "GIT_COMMIT": "0123456789abcdef0123456789abcdef01234567",
    "WORKSPACE_TMP": "/ws/job@tmp",
}
SECRETS = {"gh-token": "ghs_SECRET_TOKEN_1", "openai": "sk-SECRET_KEY_2", "gl": "glpat-SECRET_3"}
PIP = "git+https://git.example.com/tools/switchyard.git@v1.2.0"
NOT_ON_PATH = {"command -v switchyard": 1}
INCOMPLETE_LOG = (
    "progress\n"
    "switchyard: incomplete: 2 changed files (80 changed lines) were not reviewed: no room\n"
)
# A target branch name that would run `touch` if pasted into a shell unquoted.
EVIL_TARGET = "main'; touch pwned; echo '$(touch pwned2)"

SCENARIOS: list[dict[str, Any]] = [
    {
        "name": "pr-github",
        "config": {
            "tasks": "review,security",
            "failOn": "major",
            "publish": "github",
            "credentialsId": "gh-token",
            "openaiCredentialsId": "openai",
            "modelBaseUrl": "http://gpu.internal:8000/v1",
            "model": "qwen2.5-coder-14b",
            "pipSpec": PIP,
        },
        "env": PR,
        "status": {**NOT_ON_PATH, "'--pr'": 1},
        "plugins": ["warnings-ng"],
    },
    {
        "name": "pr-fork",
        "config": {
            "tasks": "review,security",
            "failOn": "major",
            "publish": "github",
            "credentialsId": "gh-token",
            "openaiCredentialsId": "openai",
            "modelBaseUrl": "http://gpu.internal:8000/v1",
        },
        "env": {**PR, "CHANGE_FORK": "mallory"},
    },
    {
        "name": "pr-fork-trusted",
        "config": {"publish": "github", "credentialsId": "gh-token", "forkSecrets": True},
        "env": {**PR, "CHANGE_FORK": "mallory"},
    },
    {
        "name": "pr-gitlab-app-token-unstable-gate",
        "config": {
            "publish": "gitlab",
            "credentialsId": "gl",
            "credentialsType": "usernamePassword",
            "failOn": "minor",
            "gateResult": "unstable",
            "gitlabUrl": "https://gitlab.example.com",
        },
        "env": {**PR, "CHANGE_URL": "https://gitlab.example.com/acme/api/-/merge_requests/7"},
        "status": {"'--pr'": 1},
    },
    {
        "name": "pr-no-publish",
        "config": {"failOn": "critical", "extraArgs": ["--provider", "local gpu"]},
        "env": {**PR, "CHANGE_TARGET": EVIL_TARGET},
    },
    {
        "name": "branch-incomplete",
        "config": {"base": "origin/develop", "config": "/etc/switchyard/org.yml"},
        "env": {"BRANCH_NAME": "feature/x", "GIT_COMMIT": "abc"},
        "status": {"'review' '--base'": 3},
        "files": {"switchyard-reports/switchyard-review.log": INCOMPLETE_LOG},
    },
    {"name": "branch-no-base", "config": {}, "env": {"BRANCH_NAME": "main"}},
    {
        "name": "branch-tests",
        "config": {"base": "origin/main", "tasks": "review,tests", "failOn": "major"},
        "env": {"BRANCH_NAME": "feature/y", "GIT_COMMIT": "abc"},
    },
    {
        "name": "security-local",
        "step": "switchyardSecurity",
        "config": {"base": "origin/main", "mode": "diff_context", "noModel": True},
        "env": {"BRANCH_NAME": "feature/x"},
        "plugins": ["warnings-ng"],
        "status": {"'security' '--base'": 2},
    },
    {"name": "no-pip-spec", "config": {"base": "origin/main"}, "env": {}, "status": NOT_ON_PATH},
    {"name": "bad-fail-on", "config": {"failOn": "huge"}, "env": PR},
    {"name": "unknown-option", "config": {"fail_on": "major"}, "env": PR},
    {"name": "publish-without-token", "config": {"publish": "github"}, "env": PR},
    {"name": "unknown-task", "config": {"tasks": "review,describe"}, "env": PR},
]


# Short-lived JVMs (CodeNarc over five files, the harness) spent half their CPU in the C2
# compiler: the quick tier alone and the serial collector halve npm-groovy-lint's ~22 s.
# The bytecode run is the same; only how it is compiled changes.
JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


def java_env() -> dict[str, str]:
    """Debian's groovy launcher wants JAVA_HOME (it looks for default-java otherwise)."""
    env = dict(os.environ)
    java = shutil.which("java")
    if not env.get("JAVA_HOME") and java:
        env["JAVA_HOME"] = str(Path(java).resolve().parents[1])
    env["JAVA_TOOL_OPTIONS"] = f"{env.get('JAVA_TOOL_OPTIONS', '')} {JVM_OPTIONS}".strip()
    return env


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    groovy = require_command("groovy", GROOVY_INSTALL)
    folder = tmp_path_factory.mktemp("jenkins")
    scenarios = [
        {"step": "switchyardReview", "credentials": SECRETS, **scenario} for scenario in SCENARIOS
    ]
    path = folder / "scenarios.json"
    path.write_text(json.dumps(scenarios), encoding="utf-8")
    done = subprocess.run(
        [groovy, str(HARNESS), str(LIBRARY), str(path), *map(str, EXAMPLES)],
        capture_output=True,
        text=True,
        timeout=180,
        env=java_env(),
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return dict(json.loads(done.stdout))


@pytest.fixture(scope="module")
def runs(harness: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {run["name"]: run for run in harness["scenarios"]}


def test_the_library_and_the_example_jenkinsfiles_compile(harness: dict[str, Any]) -> None:
    # Compiling the library is the harness's first act; the examples are compiled after it.
    assert harness["compiled"] == [str(p) for p in EXAMPLES]
    assert len(EXAMPLES) == 2


def steps(run: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [call for call in run["calls"] if call["step"] == name]


def reviews(run: dict[str, Any]) -> list[dict[str, Any]]:
    """The `sh` steps that run switchyard itself (not the install, fetch or PATH checks)."""
    return [call for call in steps(run, "sh") if call["script"].startswith("set +x\nset -- ")]


def argv(call: dict[str, Any]) -> str:
    return call["script"].split("\n")[1].removeprefix("set -- ")


def test_no_secret_ever_reaches_a_step_argument_or_the_log(
    runs: dict[str, dict[str, Any]],
) -> None:
    # The harness puts the secrets into env inside withCredentials, as Jenkins does: Groovy
    # that read them (an interpolated "${env.GITHUB_TOKEN}") would leak them into a call.
    text = json.dumps(runs)
    for secret in SECRETS.values():
        assert secret not in text


def test_a_pull_request_is_reviewed_and_published_with_the_token_bound_not_pasted(
    runs: dict[str, dict[str, Any]],
) -> None:
    run = runs["pr-github"]
    [review] = reviews(run)
    assert argv(review) == (
        "'/ws/job@tmp/switchyard-venv/bin/switchyard' 'review' "
        "'--pr' 'https://github.com/acme/api/pull/42' '--publish' 'github' "
        "'--tasks' 'review,security' "
        "'--output' 'switchyard-reports/switchyard-review-security.sarif' "
        "'--output' 'switchyard-reports/switchyard-review-security.md' "
        "'--output' 'switchyard-reports/switchyard-review-security.xml' "
        "'--output' 'switchyard-reports/switchyard-review-security.json' "
        "'--fail-on' 'major'"
    )
    assert review["returnStatus"] is True
    # The token and the cloud key are bound by withCredentials around that step only, under
    # the names the CLI reads; the model endpoint comes by withEnv, not as a secret.
    [creds] = steps(run, "withCredentials")
    assert creds["bindings"] == [
        {"kind": "string", "credentialsId": "gh-token", "variable": "GITHUB_TOKEN"},
        {"kind": "string", "credentialsId": "openai", "variable": "OPENAI_API_KEY"},
    ]
    assert review["env"]["GITHUB_TOKEN"] == review["env"]["OPENAI_API_KEY"] == "****"
    assert review["env"]["SWITCHYARD_LOCAL_BASE_URL"] == "http://gpu.internal:8000/v1"
    assert review["env"]["SWITCHYARD_LOCAL_MODEL"] == "qwen2.5-coder-14b"
    assert all("GITHUB_TOKEN" not in c["env"] for c in steps(run, "sh") if c is not review)
    # Publishing through the API needs no base from the clone.
    assert not any("SY_BASE" in c["env"] for c in steps(run, "sh"))


def test_switchyard_is_installed_into_a_venv_only_when_it_is_not_on_path(
    runs: dict[str, dict[str, Any]],
) -> None:
    first, install = steps(runs["pr-github"], "sh")[:2]
    assert first["script"] == "command -v switchyard >/dev/null 2>&1"
    assert install["env"] == {
        "SY_VENV": "/ws/job@tmp/switchyard-venv",
        "SY_PIP_SPEC": PIP,
        "SY_PYTHON": "python3",
    }
    assert '-m pip install --quiet --disable-pip-version-check "$SY_PIP_SPEC"' in install["script"]
    # On PATH: used as it is, nothing installed.
    on_path = steps(runs["pr-fork"], "sh")
    assert on_path[1]["script"] == "switchyard --version"
    assert not any("SY_PIP_SPEC" in c["env"] for c in on_path)
    assert argv(reviews(runs["pr-fork"])[0]).startswith("'switchyard' 'review'")
    assert "pipSpec" in runs["no-pip-spec"]["error"]


def test_a_branch_build_runs_generated_tests_without_a_findings_gate(
    runs: dict[str, dict[str, Any]],
) -> None:
    review, tests = reviews(runs["branch-tests"])
    assert "'--fail-on' 'major'" in argv(review)
    assert argv(tests).startswith("'switchyard' 'tests' '--base' 'origin/main' '--output'")
    assert "--fail-on" not in argv(tests)  # `switchyard tests` has no findings to gate on


def test_a_fork_gets_no_token_and_no_cloud_key_and_nothing_is_posted(
    runs: dict[str, dict[str, Any]],
) -> None:
    run = runs["pr-fork"]
    assert steps(run, "withCredentials") == []
    assert any("from a fork" in c["message"] for c in steps(run, "echo"))
    # Reviewed from the clone against the target branch, one command per task, each with
    # its own reports; the self-hosted model still serves it.
    review, security = reviews(run)
    assert argv(review).startswith("'switchyard' 'review' '--base' 'origin/main' '--output'")
    assert argv(security).startswith("'switchyard' 'security' '--base' 'origin/main' '--output'")
    assert "'switchyard-reports/switchyard-security.xml'" in argv(security)
    assert "--pr" not in review["script"] and "--publish" not in review["script"]
    assert review["env"]["SWITCHYARD_LOCAL_BASE_URL"] == "http://gpu.internal:8000/v1"
    fetch = [c for c in steps(run, "sh") if c["env"].get("SY_BASE")]
    assert [c["env"]["SY_BASE"] for c in fetch] == ["origin/main"]
    assert run["returned"]["result"] == "SUCCESS"
    # The operator can opt in; then the fork's change is published with the token.
    trusted = runs["pr-fork-trusted"]
    [creds] = steps(trusted, "withCredentials")
    assert creds["bindings"][0]["variable"] == "GITHUB_TOKEN"
    assert "'--publish' 'github'" in argv(reviews(trusted)[0])


def test_gitlab_with_an_app_token_and_a_gate_that_makes_the_build_unstable(
    runs: dict[str, dict[str, Any]],
) -> None:
    run = runs["pr-gitlab-app-token-unstable-gate"]
    [creds] = steps(run, "withCredentials")
    assert creds["bindings"] == [
        {
            "kind": "usernamePassword",
            "credentialsId": "gl",
            "usernameVariable": "SWITCHYARD_TOKEN_USER",
            "passwordVariable": "GITLAB_TOKEN",
        }
    ]
    [review] = reviews(run)
    assert "'--publish' 'gitlab'" in argv(review) and "'--fail-on' 'minor'" in argv(review)
    assert review["env"]["GITLAB_URL"] == "https://gitlab.example.com"
    assert "error" not in run and run["returned"]["result"] == "UNSTABLE"
    [unstable] = steps(run, "unstable")
    assert "gate failed: findings at or above 'minor'" in unstable["message"]
    # Without Warnings NG the SARIF report is archived, and the log says why it is not
    # recorded as issues.
    assert steps(run, "recordIssues") == []
    assert any("Warnings Next Generation" in c["message"] for c in steps(run, "echo"))


def test_reports_go_to_jenkins_before_the_gate_fails_the_build(
    runs: dict[str, dict[str, Any]],
) -> None:
    run = runs["pr-github"]
    order = [c["step"] for c in run["calls"]]
    assert order[-4:] == ["archiveArtifacts", "junit", "recordIssues", "error"]
    assert "gate failed" in run["error"]
    [archive] = steps(run, "archiveArtifacts")
    assert "switchyard-reports/*.md" in archive["args"]["artifacts"]
    assert "switchyard-reports/*.sarif" in archive["args"]["artifacts"]
    [junit] = steps(run, "junit")
    assert junit["args"]["testResults"] == "switchyard-reports/*.xml"
    [issues] = steps(run, "recordIssues")
    assert issues["args"]["tool"] == {
        "tool": "sarif",
        "pattern": "switchyard-reports/switchyard-review-security.sarif",
        "id": "switchyard-review-security",
        "name": "Switchyard review-security",
    }


def test_a_branch_build_reviews_against_the_configured_base_and_exit_3_is_unstable(
    runs: dict[str, dict[str, Any]],
) -> None:
    run = runs["branch-incomplete"]
    [review] = reviews(run)
    assert argv(review).startswith("'switchyard' 'review' '--base' 'origin/develop'")
    assert argv(review).endswith("'--config' '/etc/switchyard/org.yml'")
    assert "error" not in run
    assert run["returned"]["exitCode"] == 3 and run["returned"]["result"] == "UNSTABLE"
    [unstable] = steps(run, "unstable")
    assert unstable["message"] == (
        "switchyard: the review could not complete (exit 3): 2 changed files (80 changed lines) "
        "were not reviewed: no room"
    )
    # Not a change request and no base: nothing runs, the build is left alone.
    idle = runs["branch-no-base"]
    assert idle["returned"]["result"] == "NOT_RUN" and steps(idle, "sh") == []


def test_the_security_step_passes_its_own_options_and_exit_2_fails_the_build(
    runs: dict[str, dict[str, Any]],
) -> None:
    run = runs["security-local"]
    [scan] = reviews(run)
    assert argv(scan).startswith(
        "'switchyard' 'security' '--base' 'origin/main' '--mode' 'diff_context' '--no-model'"
    )
    assert "bad input or configuration (exit 2)" in run["error"]
    assert [c["args"]["tool"]["id"] for c in steps(run, "recordIssues")] == ["switchyard-security"]


def test_bad_options_are_refused_before_anything_runs(runs: dict[str, dict[str, Any]]) -> None:
    assert runs["bad-fail-on"]["error"] == (
        "switchyard: failOn must be one of critical, major, minor, nit, none"
    )
    assert runs["unknown-option"]["error"].startswith("switchyard: unknown option fail_on; known:")
    assert "needs credentialsId" in runs["publish-without-token"]["error"]
    assert (
        runs["unknown-task"]["error"]
        == "switchyard: each of tasks must be one of review, security, tests"
    )
    for name in ("bad-fail-on", "unknown-option", "publish-without-token", "unknown-task"):
        assert steps(runs[name], "sh") == []


FAKE_SWITCHYARD = """#!/bin/sh
for arg in "$@"; do printf '%s\\n' "$arg"; done >"$FAKE_ARGV"
echo "switchyard: progress on stdout"
echo "switchyard: incomplete: 1 changed file was not reviewed" >&2
exit "$FAKE_RC"
"""


@pytest.mark.parametrize("code", [0, 1, 3])
def test_the_run_script_quotes_every_value_and_keeps_the_exit_code(
    runs: dict[str, dict[str, Any]], tmp_path: Path, code: int
) -> None:
    # The target branch's name is hostile; the shell must hand it over as one argument.
    [review] = reviews(runs["pr-no-publish"])
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "switchyard"
    fake.write_text(FAKE_SWITCHYARD, encoding="utf-8")
    fake.chmod(0o755)
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "FAKE_ARGV": str(tmp_path / "argv"),
        "FAKE_RC": str(code),
        **review["env"],
    }
    done = subprocess.run(
        ["/bin/sh", "-e", "-c", review["script"]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == code, done.stderr
    args = (tmp_path / "argv").read_text(encoding="utf-8").splitlines()
    assert args[:3] == ["review", "--base", f"origin/{EVIL_TARGET}"]
    assert args[-4:] == ["--fail-on", "critical", "--provider", "local gpu"]
    assert not list(tmp_path.glob("pwned*"))
    # Both streams reach the build log; stderr is also kept for the UNSTABLE reason.
    assert "progress on stdout" in done.stdout
    assert "switchyard: incomplete:" in done.stderr
    log = tmp_path / "switchyard-reports" / "switchyard-review.log"
    assert log.read_text(encoding="utf-8") == (
        "switchyard: incomplete: 1 changed file was not reviewed\n"
    )


def test_npm_groovy_lint_finds_nothing() -> None:
    lint = node_bin("npm-groovy-lint")
    if shutil.which("java") is None:
        missing_tool("`java` is not installed (npm-groovy-lint runs CodeNarc): " + GROOVY_INSTALL)
    done = subprocess.run(
        [
            str(lint),
            "--noserver",
            "--config",
            str(LINT_CONFIG),
            "--failon",
            "info",
            "--output",
            "txt",
            str(LIBRARY),
            *map(str, EXAMPLES),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=java_env(),
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    # It read them all: the library's three files and the two examples.
    plain = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout)
    assert "npm-groovy-lint results in 5 linted files" in plain, plain[-2000:]


def test_the_fetch_script_brings_a_base_a_shallow_single_branch_clone_lacks(
    runs: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    [fetch] = [c for c in steps(runs["branch-incomplete"], "sh") if c["env"].get("SY_BASE")]
    assert fetch["env"] == {"SY_BASE": "origin/develop"}
    git = require_command("git", "apt-get install git")
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }

    def run(*args: str, cwd: Path = tmp_path) -> str:
        done = subprocess.run(
            [git, *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    origin = tmp_path / "origin"
    origin.mkdir()
    run("init", "-q", "-b", "develop", cwd=origin)
    for n in range(3):
        (origin / "f.txt").write_text(f"{n}\n", encoding="utf-8")
        run("add", "f.txt", cwd=origin)
        run("commit", "-q", "-m", f"c{n}", cwd=origin)
    run("checkout", "-q", "-b", "feature/x", cwd=origin)
    (origin / "g.txt").write_text("x\n", encoding="utf-8")
    run("add", "g.txt", cwd=origin)
    run("commit", "-q", "-m", "feature", cwd=origin)
    # What a multibranch checkout often is: the branch alone, one commit deep.
    run(
        "clone",
        "-q",
        "--depth",
        "1",
        "--single-branch",
        "--branch",
        "feature/x",
        f"file://{origin}",
        "work",
    )
    work = tmp_path / "work"
    assert run("rev-parse", "--is-shallow-repository", cwd=work) == "true"
    done = subprocess.run(
        ["/bin/sh", "-e", "-c", fetch["script"]],
        cwd=work,
        env={**env, **fetch["env"]},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert run("rev-parse", "--is-shallow-repository", cwd=work) == "false"
    assert run("rev-parse", "origin/develop", cwd=work) == run("rev-parse", "develop", cwd=origin)
    assert run("merge-base", "HEAD", "origin/develop", cwd=work) == run(
        "rev-parse", "develop", cwd=origin
    )
