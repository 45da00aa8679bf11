"""The GitLab CI review template (gitlab-ci/switchyard.yml): a `spec:inputs` header and the
job, each document validated with GitLab's CI schema (check-jsonschema's vendored copy); the
job's script run with `sh` against a fake switchyard for the choices it makes (with a token:
the merge request through the API, posted on; without: the checkout, nothing posted); and
the job run for real by gitlab-ci-local against a fake model server: without a token (the
reports, the gate), and with one against the fake GitLab (posted on the merge request).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.gitlab_samples import PROJECT, TOKEN, gitlab_with_mr
from tests.gitrepo import GitRepo
from tests.test_github_action import _check_jsonschema
from tests.test_gitlab_ci import Job, Project, _flag
from tests.test_gitlab_sast import assert_valid
from tests.test_security_cli import VULNERABLE

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "gitlab-ci" / "switchyard.yml"
DOC = ROOT / "docs" / "gitlab.md"
JOB, HIDDEN = "switchyard-review", ".switchyard-review"
INPUTS = ("stage", "image", "tasks", "fail_on", "model_base_url", "model", "pip_spec", "config")
VARIABLES = (
    "SWITCHYARD_GITLAB_TOKEN",
    "SWITCHYARD_INSTALL",
    "SWITCHYARD_BASE",
    "SWITCHYARD_ARGS",
    "SWITCHYARD_FAIL_ON",
    "SWITCHYARD_PIP_SPEC",
    "SWITCHYARD_CONFIG",
    "SWITCHYARD_LOCAL_BASE_URL",
    "SWITCHYARD_LOCAL_MODEL",
)
MR_URL = "https://gitlab.example.com/acme/api/-/merge_requests/7"
REPORTS = [
    "--output",
    "gl-code-quality-report.json",
    "--output",
    "gl-sast-report.json",
    "--output",
    "gl-secret-detection-report.json",
]


def _documents() -> tuple[str, str]:
    header, job = TEMPLATE.read_text(encoding="utf-8").split("\n---\n")
    return header, job


def _header() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(_documents()[0])
    return loaded


def _jobs() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(_documents()[1])
    return loaded


def _script() -> str:
    return "\n".join(_jobs()[HIDDEN]["script"])


# --- schema and shape -------------------------------------------------------------------------


def test_both_documents_match_gitlabs_ci_schema(tmp_path: Path) -> None:
    """check-jsonschema reads one YAML document a file: the header and the jobs apart."""
    files = []
    for name, text in zip(("header.yml", "jobs.yml"), _documents(), strict=True):
        files.append(tmp_path / name)
        files[-1].write_text(text, encoding="utf-8")
    result = subprocess.run(
        [_check_jsonschema(), "--builtin-schema", "vendor.gitlab-ci", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_input_is_an_optional_string() -> None:
    inputs = _header()["spec"]["inputs"]
    assert tuple(inputs) == INPUTS
    for name, spec in inputs.items():
        # A typed default: the schema GitLab publishes wants the type named with a default.
        assert spec["type"] == "string" and "default" in spec, name
        assert spec["description"], name
    assert inputs["fail_on"]["options"] == ["", "critical", "major", "minor", "nit"]
    assert (inputs["stage"]["default"], inputs["tasks"]["default"]) == ("test", "review")


def test_a_hidden_job_on_merge_request_pipelines_and_a_job_that_extends_it() -> None:
    jobs = _jobs()
    assert set(jobs) == {HIDDEN, JOB}  # no global keys: nothing leaks into other jobs
    assert jobs[JOB] == {"extends": HIDDEN}
    job = jobs[HIDDEN]
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert (job["stage"], job["image"]) == ("$[[ inputs.stage ]]", "$[[ inputs.image ]]")
    assert job["allow_failure"] == {"exit_codes": [3]}


def test_inputs_reach_the_script_under_names_of_their_own() -> None:
    """A job variable named SWITCHYARD_FAIL_ON, even empty, would hide the project's own."""
    variables = _jobs()[HIDDEN]["variables"]
    assert variables.pop("GIT_DEPTH") == "0"
    assert variables == {f"SWITCHYARD_INPUT_{n.upper()}": f"$[[ inputs.{n} ]]" for n in INPUTS[2:]}


def test_artifacts_hand_gitlab_code_quality_sast_and_secret_detection() -> None:
    artifacts = _jobs()[HIDDEN]["artifacts"]
    assert artifacts["when"] == "always"
    assert artifacts["reports"] == {
        "codequality": "gl-code-quality-report.json",
        "sast": "gl-sast-report.json",
        "secret_detection": "gl-secret-detection-report.json",
    }
    assert sorted(artifacts["paths"]) == [
        "gl-code-quality-report.json",
        "gl-sast-report.json",
        "gl-secret-detection-report.json",
    ]


def test_the_header_and_the_docs_name_every_input_and_variable() -> None:
    comments = _documents()[0].split("\nspec:")[0]
    doc = DOC.read_text(encoding="utf-8")
    for name in INPUTS:
        assert f"#   {name} " in comments, name
        assert f"| `{name}` |" in doc, name
    for name in VARIABLES:
        assert name in comments or name in _script(), name
        assert name in doc, name
    for form in ("- project:", "- remote:", "- component:"):
        assert form in comments and form in doc, form


# --- the script, against a fake switchyard ----------------------------------------------------


@pytest.fixture
def job(tmp_path: Path, git_repo: GitRepo) -> Job:
    return Job(tmp_path, git_repo.feature({"app/db.py": VULNERABLE}), _script())


def _env(call: dict[str, Any], name: str) -> str | None:
    value: str | None = call["env"][name]
    return value


def test_with_a_token_the_merge_request_is_reviewed_through_the_api_and_posted_on(
    job: Job,
) -> None:
    result = job.run(
        SWITCHYARD_GITLAB_TOKEN=TOKEN,
        CI_SERVER_URL="https://gitlab.example.com",
        CI_MERGE_REQUEST_PROJECT_URL="https://gitlab.example.com/acme/api",
        SWITCHYARD_INPUT_TASKS="review,security",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    [call] = job.calls()
    assert call["args"] == [
        "review",
        *REPORTS,
        *("--tasks", "review,security", "--publish", "gitlab", "--pr", MR_URL),
    ]
    assert (_env(call, "GITLAB_TOKEN"), _env(call, "GITLAB_URL")) == (
        TOKEN,
        "https://gitlab.example.com",
    )
    assert TOKEN not in result.stdout + result.stderr  # never echoed
    assert "the results are posted on it" in result.stdout


def test_without_a_token_the_checkout_is_reviewed_and_nothing_is_posted(job: Job) -> None:
    result = job.run(SWITCHYARD_INPUT_TASKS="review,security")
    assert result.returncode == 0, result.stdout + result.stderr
    args = job.args()
    assert args[:7] == ["review", *REPORTS]
    assert _flag(args, "--base") == job.repo.sha("main")
    assert _flag(args, "--repository") == "acme/api"
    assert "--publish" not in args and "--pr" not in args and "--tasks" not in args
    assert "nothing is posted on the merge request" in result.stdout
    assert "only the review task runs (not 'review,security')" in result.stdout


def test_an_input_wins_over_its_variable_and_an_empty_one_leaves_it(job: Job) -> None:
    job.run(
        SWITCHYARD_INPUT_FAIL_ON="critical",
        SWITCHYARD_FAIL_ON="nit",
        SWITCHYARD_INPUT_MODEL_BASE_URL="http://gpu.internal:8000/v1",
        SWITCHYARD_INPUT_MODEL="qwen",
        SWITCHYARD_LOCAL_MODEL="other",
    )
    [call] = job.calls()
    assert _flag(call["args"], "--fail-on") == "critical"
    assert _env(call, "SWITCHYARD_LOCAL_BASE_URL") == "http://gpu.internal:8000/v1"
    assert _env(call, "SWITCHYARD_LOCAL_MODEL") == "qwen"
    job.run(SWITCHYARD_INPUT_FAIL_ON="", SWITCHYARD_FAIL_ON="nit", SWITCHYARD_CONFIG="org.yml")
    assert _flag(job.args(), "--fail-on") == "nit" and _flag(job.args(), "--config") == "org.yml"


@pytest.mark.parametrize(
    ("rc", "message"),
    [
        (1, "switchyard: gate failed: findings at or above 'major'"),
        (3, "switchyard: warning: the review could not complete (exit 3)"),
    ],
)
def test_the_exit_code_is_the_jobs(job: Job, rc: int, message: str) -> None:
    result = job.run(FAKE_RC=str(rc), SWITCHYARD_INPUT_FAIL_ON="major")
    assert result.returncode == rc
    assert message in result.stderr


# --- the job, run for real by gitlab-ci-local -------------------------------------------------

# The model's answer on the merge request's one file: a security finding on the query.
DB_ANSWER: dict[str, Any] = {
    "summary": "Looks users up.",
    "findings": [
        {
            "path": "app/db.py",
            "line": 5,
            "side": "RIGHT",
            "severity": "critical",
            "category": "security",
            "title": "SQL built from user input",
            "body": "`name` goes into the query unescaped.",
            "suggestion": None,
        }
    ],
}


@pytest.fixture
def model() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(models=["qwen"]) as fake:
        fake.responder = lambda request: Reply(DB_ANSWER)
        yield fake


def _ci_yaml(**inputs: str) -> str:
    return yaml.safe_dump({"include": [{"local": "ci/switchyard.yml", "inputs": inputs}]})


def test_job_without_a_token_hands_gitlab_code_quality_and_sast(
    tmp_path: Path, model: FakeOpenAIServer
) -> None:
    project = Project(
        tmp_path,
        _ci_yaml(model_base_url=model.base_url, model="qwen"),
        origin=False,
        template=TEMPLATE,
        job=JOB,
    )
    run = project.run(CI_MERGE_REQUEST_DIFF_BASE_SHA=project.merge_base, SWITCHYARD_RUNNER="off")
    assert (run.status, run.exit_code) == ("PASS", 0), run.output
    assert "nothing is posted on the merge request" in run.output
    assert model.chat_requests(), "the model was not asked"
    [issue] = run.report("gl-code-quality-report.json")
    assert (issue["severity"], issue["location"]) == (
        "critical",
        {"path": "app/db.py", "lines": {"begin": 5, "end": 5}},
    )
    sast = run.report("gl-sast-report.json")
    assert_valid(sast)
    assert [v["location"]["file"] for v in sast["vulnerabilities"]] == ["app/db.py"]


def test_job_gate_fails_on_the_fail_on_input(tmp_path: Path, model: FakeOpenAIServer) -> None:
    ci = _ci_yaml(model_base_url=model.base_url, model="qwen", fail_on="major")
    project = Project(tmp_path, ci, origin=True, template=TEMPLATE, job=JOB)
    # No diff base SHA and no origin/main in the clone: the job fetches the target branch.
    run = project.run(SWITCHYARD_RUNNER="off")
    assert (run.status, run.exit_code) == ("FAIL", 1), run.output
    assert "with origin/main" in run.output
    assert "gate failed: findings at or above 'major'" in run.output
    assert json.dumps(run.report("gl-code-quality-report.json"))  # artifacts: when: always


def test_job_with_a_token_posts_on_the_merge_request_in_the_fake_gitlab(
    tmp_path: Path, model: FakeOpenAIServer
) -> None:
    """The job as a merge request pipeline runs it, against the fake GitLab holding the same
    merge request: GITLAB_URL is CI_SERVER_URL, the address CI_MERGE_REQUEST_PROJECT_URL's."""
    ci = _ci_yaml(model_base_url=model.base_url, model="qwen")
    project = Project(tmp_path, ci, origin=False, template=TEMPLATE, job=JOB)
    head = project.repo.sha()
    diff = project.repo.git("diff", project.merge_base, head) + "\n"
    with gitlab_with_mr(base_sha=project.merge_base, head_sha=head, diff=diff) as fake:
        run = project.run(
            CI_SERVER_URL=fake.url,
            CI_MERGE_REQUEST_PROJECT_URL=f"{fake.url}/{PROJECT}",
            SWITCHYARD_GITLAB_TOKEN=TOKEN,
            SWITCHYARD_RUNNER="off",
        )
        assert (run.status, run.exit_code) == ("PASS", 0), run.output
        assert "the results are posted on it" in run.output
        assert TOKEN not in run.output  # masked on GitLab; never echoed by the job either
        diff_note, summary = (d.notes[0] for d in fake.mr(PROJECT, 7).discussions)
        assert (diff_note.position["new_path"], diff_note.position["new_line"]) == (
            "app/db.py",
            5,
        )
        assert "SQL built from user input" in summary.body
        [status] = fake.project(PROJECT).statuses
        assert (status.name, status.status, status.sha) == ("switchyard/review", "success", head)
        fake.assert_no_problems()
    [issue] = run.report("gl-code-quality-report.json")
    assert issue["location"]["path"] == "app/db.py"
