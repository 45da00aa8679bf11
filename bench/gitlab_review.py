"""Requests Switchyard sends to GitLab to review a typical merge request.

Runs `switchyard review --pr ... --publish gitlab` as a real process against the fake GitLab
(tests/fakes/gitlab_server.py, which places diff notes only where GitLab would) and an
instant fake model, on the real unidiff 0.7.0 → 0.7.5 change (13 files, 358 changed
lines), the one bench/github_review.py reviews on GitHub. Counts reads (GET) and writes
(POST, PUT) for the first review and for a new push with one more file. With
`--tasks review,security` both tasks run in one invocation (the head files are served too,
for the scanners).

    .venv/bin/python bench/gitlab_review.py [--tasks review,security]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.github_review import EXTRA, answer, head_files  # noqa: E402
from tests.fakes.gitlab_server import DEVELOPER, FakeGitLab  # noqa: E402
from tests.fakes.openai_server import FakeOpenAIServer  # noqa: E402

PROJECT = "acme/python/unidiff"
TOKEN = "glpat-bench"
BASE, HEAD, HEAD2 = "a" * 40, "b" * 40, "c" * 40


def count(fake: FakeGitLab, since: int) -> tuple[Counter[str], Counter[str]]:
    kinds: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    for r in fake.gl_requests()[since:]:
        kinds["write" if r.is_write else "read"] += 1
        calls[f"{r.method} {_shape(r.path)}"] += 1
    return kinds, calls


def _shape(path: str) -> str:
    """The endpoint, without the project, iid or file: "/merge_requests/:iid/discussions"."""
    for marker in ("/merge_requests/", "/repository/", "/statuses/"):
        if marker in path:
            tail = path.split(marker, 1)[1].split("/")
            if marker == "/merge_requests/":
                return "/merge_requests/:iid" + "".join(f"/{p}" for p in tail[1:2])
            if marker == "/statuses/":
                return "/statuses/:sha"
            return "/repository/" + ("files/:path/raw" if tail[0] == "files" else tail[0])
    return "/projects/:id" if path.startswith("/projects/") else path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", default="review")
    ap.add_argument("--calls", action="store_true", help="list the requests by endpoint")
    args = ap.parse_args()
    diff = (ROOT / "bench" / "fixtures" / "small_pr.diff").read_bytes().decode("utf-8")
    with FakeGitLab() as gitlab, FakeOpenAIServer(models=["qwen"]) as model:
        model.responder = answer
        gitlab.add_project(PROJECT)
        gitlab.add_token(TOKEN, "switchyard-bot")
        gitlab.set_member(PROJECT, "switchyard-bot", DEVELOPER)
        gitlab.add_mr(PROJECT, 1, base_sha=BASE, head_sha=HEAD, diff=diff)
        with tempfile.TemporaryDirectory() as tmp:
            if "security" in args.tasks:
                for name, data in head_files(Path(tmp) / "git").items():
                    gitlab.set_file(PROJECT, HEAD, name, data)
                    gitlab.set_file(PROJECT, HEAD2, name, data)
            env = {
                "PATH": os.environ["PATH"],
                "HOME": tmp,
                "CI": "true",
                "GITLAB_TOKEN": TOKEN,
                "GITLAB_URL": gitlab.url,
                "SWITCHYARD_LOCAL_BASE_URL": model.base_url,
                "SWITCHYARD_LOCAL_MODEL": "qwen",
            }
            cmd = [
                sys.executable, "-m", "bot", "review", "--pr", f"{PROJECT}!1",
                "--publish", "gitlab", "--tasks", args.tasks, "--quiet",
            ]  # fmt: skip
            for label, push in (("first review", False), ("after a push", True)):
                if push:
                    gitlab.push(PROJECT, 1, HEAD2, diff + EXTRA, since_diff=EXTRA)
                start = len(gitlab.gl_requests())
                done = subprocess.run(cmd, env=env, cwd=tmp, capture_output=True, text=True)
                kinds, calls = count(gitlab, start)
                print(
                    f"{label}: {kinds['read']} reads, {kinds['write']} writes "
                    f"(exit {done.returncode})"
                )
                if args.calls:
                    for call, n in sorted(calls.items()):
                        print(f"  {n:3d}  {call}")
        print(f"tasks: {args.tasks}; requests the fake could not answer: {len(gitlab.problems)}")


if __name__ == "__main__":
    main()
