"""The docs task end to end in process: real git repositories, a fake OpenAI-compatible
model that writes docstrings and doc edits from a script, the findings and the patch a
reviewer would commit or apply."""

from __future__ import annotations

import ast
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.change.git_source import change_from_git
from bot.config.loader import load_settings
from bot.docs_task.run import plan_docs, run_docs_task
from bot.execution import Services
from bot.publish.markdown import render_markdown
from bot.report import RunReport
from bot.services import open_providers
from bot.structure.languages import parse
from bot.structure.symbols import symbols_in
from tests.cli import base_env, switchyard
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.gitrepo import GitRepo

CALC = '''"""Calculator."""


def add(a, b):
    """Add two numbers.

    Args:
        a: first.
        b: second.

    Returns:
        The sum.
    """
    return a + b
'''
# The change: `scale` joins add's signature, a new public function comes without a doc, a
# private one too (nobody outside reads it), and the flag --verbose becomes --loud.
CALC_HEAD = CALC.replace("def add(a, b):", "def add(a, b, scale=1):").replace(
    "return a + b", "return (a + b) * scale"
) + ("\n\nclass Box:\n    def area(self, w, h):\n        return w * h\n\n\ndef _hidden(x):\n"
     "    return x\n")  # fmt: skip
CLI = 'import argparse\n\np = argparse.ArgumentParser()\np.add_argument("--verbose")\n'
CLI_HEAD = CLI.replace("--verbose", "--loud")
README = "# Calc\n\nRun `calc --verbose` to see each step.\nSet `CALC_HOME` first.\n"
SETTINGS = 'import os\n\nHOME = os.environ["CALC_HOME"]\n'

ADD_DOC = (
    "Add two numbers, scaled.\n\nArgs:\n    a: first.\n    b: second.\n    scale: a factor."
    "\n\nReturns:\n    The scaled sum."
)


def _responder(req: dict[str, Any]) -> Reply:
    user = req["messages"][-1]["content"]
    if "removed: environment variable CALC_HOME" in user:
        return Reply({"edits": [{"path": "README.md", "start_line": 4, "end_line": 4,
                                 "text": "No setup is needed."}]})  # fmt: skip
    docs = []
    if "definition: add " in user:
        docs.append({"name": "add", "text": ADD_DOC})
    if "definition: Box " in user:
        docs.append({"name": "Box", "text": "A box."})
    if "definition: Box.area " in user:
        docs.append({"name": "Box.area", "text": 'Area.\n\nArgs:\n    w: width "w".'})
    return Reply({"docs": docs})


def _run(
    repo: GitRepo,
    fake: FakeOpenAIServer,
    env: dict[str, str] | None = None,
    config: Path | None = None,
) -> RunReport:
    if env is None:
        env = {"SWITCHYARD_LOCAL_BASE_URL": fake.base_url, "SWITCHYARD_LOCAL_MODEL": "qwen"}
    loaded = load_settings(repo_dir=repo.path, config_path=config, environ=env)
    providers = open_providers(loaded, (), env)
    try:
        change = change_from_git(repo.path, "main")
        return run_docs_task(
            change, loaded.settings, Services(providers=providers), checkout=repo.path
        )
    finally:
        for p in providers.values():
            p.close()


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(models=["qwen"]) as server:
        server.responder = _responder
        yield server


@pytest.fixture(scope="module")
def run(
    tmp_path_factory: pytest.TempPathFactory, fake: FakeOpenAIServer
) -> tuple[GitRepo, RunReport]:
    repo = GitRepo.init(tmp_path_factory.mktemp("calc"))
    repo.feature(
        {"calc.py": CALC_HEAD, "cli.py": CLI_HEAD, "settings.py": "HOME = '~'\n"},
        base={"calc.py": CALC, "cli.py": CLI, "README.md": README, "settings.py": SETTINGS},
    )
    return repo, _run(repo, fake)


def _chat(fake: FakeOpenAIServer) -> list[dict[str, Any]]:
    return [r.json for r in fake.requests if r.path.endswith("/chat/completions")]


def test_a_new_method_gets_a_committable_docstring_that_applies_and_parses(
    run: tuple[GitRepo, RunReport],
) -> None:
    repo, report = run
    by_title = {f.title: f for f in report.findings}
    area = by_title["Box.area has no doc comment"]
    head = (repo.path / "calc.py").read_text()
    lines = head.split("\n")
    # Anchored on the method's header, a line the change added, replaced by itself plus
    # the docstring at the body's indentation.
    assert (area.start_line, area.end_line) == (18, 18) and lines[17].startswith("    def area")
    assert area.suggestion is not None and area.anchored and area.category == "docs"
    applied = "\n".join([*lines[:17], *area.suggestion.split("\n"), *lines[18:]])
    tree = ast.parse(applied)
    box = next(n for n in tree.body if isinstance(n, ast.ClassDef))
    assert ast.get_docstring(box.body[0]) == 'Area.\n\nArgs:\n    w: width "w".'  # type: ignore[arg-type]
    # Read back the way the check reads it: the written doc still misses `h`, and says so.
    assert "still differs from the code: parameters not documented: h" in area.body
    [method] = [s for s in symbols_in("calc.py", applied.encode()) if s.qualname == "Box.area"]
    assert method.doc is not None and method.doc.startswith("Area.")


def test_a_stale_docstring_off_the_diff_is_shown_but_not_committable(
    run: tuple[GitRepo, RunReport],
) -> None:
    _, report = run
    [add] = [f for f in report.findings if "add" in f.title]
    assert add.title == "Doc of add no longer matches its code" and add.severity.value == "minor"
    assert "Parameters not documented: scale" in add.body
    # Its docstring lies between two hunks: a suggestion would have to span both.
    assert add.suggestion is None and "scale: a factor." in add.body
    assert add.anchor_note is not None and "not all in one hunk" in add.anchor_note


def test_private_and_unchanged_definitions_get_nothing(run: tuple[GitRepo, RunReport]) -> None:
    _, report = run
    titles = " ".join(f.title for f in report.findings)
    assert "_hidden" not in titles
    assert "Python docstrings in google style (the repository's docstrings: google 1)" in (
        report.notes
    )


def test_a_renamed_flag_still_in_the_readme_gets_a_patch_that_applies(
    run: tuple[GitRepo, RunReport],
) -> None:
    repo, report = run
    assert report.patch is not None
    patch = report.patch.splitlines()
    assert "-Run `calc --verbose` to see each step." in patch
    assert "+Run `calc --loud` to see each step." in patch
    # The variable settings.py no longer reads: the model rewrote its line.
    assert "-Set `CALC_HOME` first." in patch and "+No setup is needed." in patch
    check = subprocess.run(
        ["git", "apply", "--check", "-"], input=report.patch, cwd=repo.path, text=True,
        capture_output=True, check=False,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr
    assert "README.md: command-line flag --verbose is --loud since this change (cli.py)" in (
        " ".join(report.notes)
    )
    md = render_markdown(report)
    assert "```suggestion\n    def area(self, w, h):\n" in md


def test_the_code_goes_between_boundaries_and_each_item_is_routed_and_metered(
    run: tuple[GitRepo, RunReport], fake: FakeOpenAIServer
) -> None:
    _, report = run
    assert {c.item for c in report.calls} == {"docs-1", "docs-text-1"}
    assert all(c.route_reason.startswith("docs → local/qwen") for c in report.calls)
    assert report.summary.complete and report.summary.work_items == 2
    code = next(r for r in _chat(fake) if "definition: add " in r["messages"][-1]["content"])
    user = code["messages"][-1]["content"]
    [mark] = {ln for ln in user.splitlines() if ln.startswith("=== DOCS-DATA ")}
    assert user.count(mark) == 2 and mark in code["messages"][0]["content"]
    assert user.index(mark) < user.index("def add(a, b, scale=1)") < user.rindex(mark)


def test_right_docs_cost_no_model_call(tmp_path: Path, fake: FakeOpenAIServer) -> None:
    repo = GitRepo.init(tmp_path / "ok")
    body = CALC_HEAD.split("\n\nclass Box")[0]
    right = body.replace("        b: second.\n", "        b: second.\n        scale: a factor.\n")
    # The body changes, the signature and its documented parameters agree.
    moved = right.replace("return (a + b) * scale", "return scale * (a + b)")
    repo.feature({"calc.py": moved}, base={"calc.py": right})
    before = len(_chat(fake))
    report = _run(repo, fake)
    assert len(_chat(fake)) == before and report.calls == []
    assert report.findings == [] and report.patch is None
    assert report.headline == (
        "Docs are up to date: 1 changed public definition checked, nothing to change."
    )


def test_the_cli_dry_run_lists_what_needs_a_doc(
    run: tuple[GitRepo, RunReport], tmp_path: Path
) -> None:
    repo, _ = run
    r = switchyard("docs", "--base", "main", "--dry-run", cwd=repo.path, env=base_env(tmp_path))
    assert r.code == 0, r.both
    assert "Plan: 3 of 3 changed public definitions need a doc; 2 work items" in r.out
    assert "calc.py: Box.area (missing): public method Box.area has no doc comment" in r.out
    assert "docs patch: README.md (1 line renamed)" in r.out
    assert "docs edit by the model: README.md lines 2-4" in r.out


def test_renamed_settings_keys_and_routes_are_patched_without_a_model(
    tmp_path: Path, fake: FakeOpenAIServer
) -> None:
    repo = GitRepo.init(tmp_path / "svc")
    app = '@app.get("/v1/items")\ndef items():\n    """The items."""\n    return []\n'
    new_app = app.replace("/v1/items", "/v2/items")
    conf = "server:\n  max_workers: 4\n"
    guide = "# Guide\n\nSet `server.max_workers` and call `GET /v1/items`.\n"
    new_conf = conf.replace("max_workers", "worker_count")
    repo.feature(
        {"app.py": new_app, "conf.yml": new_conf},
        base={"app.py": app, "conf.yml": conf, "docs/guide.md": guide},
    )
    before = len(_chat(fake))
    report = _run(repo, fake)
    assert len(_chat(fake)) == before  # a plain rename is applied word for word
    assert report.patch is not None
    assert "+Set `server.worker_count` and call `GET /v2/items`." in report.patch.splitlines()
    assert report.headline == "1 documentation file to update (patch)."


def test_restricted_code_never_reaches_a_cloud_model(tmp_path: Path) -> None:
    repo = GitRepo.init(tmp_path / "pay")
    repo.feature({"billing/charge.py": "def charge(card):\n    return card\n"})
    org = tmp_path / "org.yml"
    org.write_text("data_classes:\n  paths:\n    - {glob: 'billing/**', class: restricted}\n")
    with FakeOpenAIServer(flavour="cloud", models=["gpt-4o-mini"]) as cloud:
        env = {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": cloud.base_url}
        report = _run(repo, cloud, env, org)
        assert _chat(cloud) == []
    assert not report.summary.complete and report.findings == []
    [skipped] = [s for s in report.skipped if s.path == "billing/charge.py"]
    assert "no docs written" in skipped.reason and "restricted" in skipped.reason


def test_a_missing_jsdoc_is_suggested_above_the_export_and_the_file_still_parses(
    tmp_path: Path, fake: FakeOpenAIServer
) -> None:
    repo = GitRepo.init(tmp_path / "js")
    head = "export function total(items, tax) {\n  return items.length * tax\n}\n"
    repo.feature({"lib/total.js": head})
    saved = fake.responder
    fake.responder = lambda req: Reply(
        {"docs": [{"name": "total", "text": "Sum with tax.\n@param {Array} items x\n"
                   "@param {number} tax y\n@returns {number} z"}]}
    )  # fmt: skip
    try:
        report = _run(repo, fake)
    finally:
        fake.responder = saved
    [finding] = report.findings
    assert (finding.start_line, finding.end_line) == (1, 1) and finding.suggestion is not None
    lines = head.split("\n")
    applied = "\n".join([*finding.suggestion.split("\n"), *lines[1:]])
    assert applied.startswith("/**\n * Sum with tax.\n * @param {Array} items x\n")
    assert not parse("javascript", applied.encode()).root_node.has_error
    [total] = symbols_in("lib/total.js", applied.encode())
    assert total.doc is not None and "@returns {number} z" in total.doc


def test_a_name_still_read_elsewhere_is_not_removed_but_a_changelog_does_not_count(
    tmp_path: Path,
) -> None:
    repo = GitRepo.init(tmp_path / "moved")
    base = {
        "settings.py": SETTINGS + 'ROOT = os.environ["CALC_ROOT"]\n',
        "paths.py": 'import os\n\nROOT = os.environ["CALC_ROOT"]\n',
        "README.md": "Set `CALC_HOME` and `CALC_ROOT`.\n",
        "CHANGELOG.md": "- CALC_HOME is read by settings.py\n",
    }
    # settings.py stops reading both; paths.py, unchanged, still reads CALC_ROOT.
    repo.feature({"settings.py": "HOME = '~'\n"}, base=base)
    settings = load_settings(repo_dir=repo.path, config_path=None, environ={}).settings
    change = change_from_git(repo.path, "main")
    plan = plan_docs(change, settings, Services(providers={}), checkout=repo.path, discover=False)
    [window] = plan.edits.windows
    assert [r.old.text for r in window.names] == ["CALC_HOME"]
