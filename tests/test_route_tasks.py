"""`switchyard route --task`: every task's work items are routed, and shown, before any is
sent; here the tests task's, beside the review's."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli import base_env, switchyard
from tests.fakes.openai_server import FakeOpenAIServer
from tests.gitrepo import GitRepo
from tests.test_tests_cli import _python_project


def _route(repo: GitRepo, env: dict[str, str], *args: str) -> dict[str, object]:
    r = switchyard("route", "--base", "main", "--format", "json", *args, cwd=repo.path, env=env)
    assert r.code == 0, r.both
    return json.loads(r.out)


def test_tests_items_go_self_hosted_first_and_restricted_code_stays_local(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    repo = _python_project(git_repo)
    with (
        FakeOpenAIServer(models=["qwen"]) as local,
        FakeOpenAIServer("cloud", models=["gpt"]) as cloud,
    ):
        org = tmp_path / "org.yml"
        org.write_text(
            f"providers:\n  openai:\n    base_url: {cloud.base_url}\n    model: gpt\n"
            "    api_key_file: /dev/null\n"
            "  local:\n"
            f"    base_url: {local.base_url}\n    model: qwen\n    location: local\n"
        )
        env = {**base_env(tmp_path), "SWITCHYARD_CONFIG": str(org)}
        plan = _route(repo, env, "--task", "tests")
        [item] = plan["items"]  # type: ignore[misc]
        assert item["item"] == "tests-1" and item["files"] == ["calc/ops.py"]
        assert item["targets"][0] == "local" and "openai" in item["targets"]
        # The same change marked restricted by the org: its tests item never gets a cloud target.
        org.write_text(
            org.read_text()
            + "data_classes:\n  paths:\n    - glob: 'calc/**'\n      class: restricted\n"
        )
        [item] = _route(repo, env, "--task", "tests")["items"]  # type: ignore[misc]
        assert item["targets"] == ["local"] and item["data_class"] == "restricted"
        assert local.chat_requests() == [] and cloud.chat_requests() == []  # nothing sent


def test_the_review_is_still_the_default(git_repo: GitRepo, tmp_path: Path) -> None:
    repo = _python_project(git_repo)
    plan = _route(repo, base_env(tmp_path))
    assert [i["item"] for i in plan["items"]] == ["review-1"]  # type: ignore[union-attr]


def test_docs_and_describe_items_are_routed_before_anything_is_sent(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    repo = _python_project(git_repo)  # clamp: a new public function with a docstring
    repo.write("calc/ops.py", repo.path.joinpath("calc/ops.py").read_text()
               + "\n\ndef scale(value, factor):\n    return value * factor\n")  # fmt: skip
    repo.commit("scale, undocumented")
    with FakeOpenAIServer(models=["qwen"]) as local:
        env = {**base_env(tmp_path), "SWITCHYARD_LOCAL_BASE_URL": local.base_url,
               "SWITCHYARD_LOCAL_MODEL": "qwen"}  # fmt: skip
        [docs] = _route(repo, env, "--task", "docs")["items"]  # type: ignore[misc]
        [described] = _route(repo, env, "--task", "describe")["items"]  # type: ignore[misc]
        [asked] = _route(repo, env, "--task", "ask", "--question", "why scale?")["items"]  # type: ignore[misc]
        assert local.chat_requests() == []
    assert docs["files"] == ["calc/ops.py"] and docs["targets"] == ["local"]
    assert described["item"].startswith("describe") and described["targets"] == ["local"]
    assert asked["item"].startswith("ask") and asked["targets"] == ["local"]
