"""Requests Switchyard sends to GitHub to review a typical pull request.

Runs `switchyard review --pr ... --publish github` as a real process against a fake GitHub
(tests/fakes/github_server.py, which checks every request against GitHub's OpenAPI
description) and an instant fake model, on the real unidiff 0.7.0 → 0.7.5 change
(13 files, 358 changed lines). Counts reads (GET) and writes (POST, PATCH, PUT, DELETE) for
the first review and for a new push with one more file. The issue cites a leading
open-source peer at 16 reads and 4 writes per review. With `--tasks review,security` both
tasks run in one invocation (the head files are served too, for the scanners).

    .venv/bin/python bench/github_review.py [--tasks review,security]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.github_server import FakeGitHub  # noqa: E402
from tests.fakes.openai_server import FakeOpenAIServer, Reply  # noqa: E402

REPO = "acme/unidiff"
ADDED = re.compile(r"^ {5} +(\d+) \+ \| ")  # an added line: no old number, a new one
TOKEN = "ghs_bench"
EXTRA = (
    "diff --git a/NOTES.md b/NOTES.md\nnew file mode 100644\nindex 0000000..1111111\n"
    "--- /dev/null\n+++ b/NOTES.md\n@@ -0,0 +1,2 @@\n+Release notes.\n+More to come.\n"
)


def answer(req: dict) -> Reply:  # type: ignore[type-arg]
    """Two findings on the first file the prompt shows, as a real review would have."""
    user = req["messages"][-1]["content"]
    path = user.split("### ", 1)[1].split(" (", 1)[0]
    line = next(int(m.group(1)) for ln in user.splitlines() if (m := ADDED.match(ln)))
    return Reply(
        {
            "summary": "Parses more diff flavours.",
            "findings": [
                {
                    "path": path,
                    "line": line,
                    "severity": "minor",
                    "category": "bug",
                    "title": "Check this line",
                    "body": "It may not handle CRLF.",
                },
            ],
        }
    )


def count(fake: FakeGitHub, since: int) -> Counter[str]:
    kinds: Counter[str] = Counter()
    for r in fake.requests[since:]:
        kinds["read" if r.method == "GET" else "write"] += 1
    return kinds


def head_files(root: Path) -> dict[str, bytes]:
    """The PR's files as its head has them, from the same change applied in a repository."""
    from bench.review_overhead import small_pr_repo

    repo = small_pr_repo(root)
    names = subprocess.run(
        ["git", "diff", "--name-only", "main...HEAD"],
        cwd=repo, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    return {n: (repo / n).read_bytes() for n in names if (repo / n).is_file()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", default="review")
    args = ap.parse_args()
    diff = (ROOT / "bench" / "fixtures" / "small_pr.diff").read_bytes().decode("utf-8")
    with FakeGitHub() as github, FakeOpenAIServer(models=["qwen"]) as model:
        model.responder = answer
        github.add_repo(REPO)
        github.add_token(TOKEN, "switchyard-bot", type="Bot")
        github.set_permission(REPO, "switchyard-bot", "write")
        github.add_pr(REPO, 1, base_sha="a" * 40, head_sha="b" * 40, diff=diff)
        with tempfile.TemporaryDirectory() as tmp:
            if "security" in args.tasks:
                for name, data in head_files(Path(tmp) / "git").items():
                    github.set_file(REPO, "b" * 40, name, data)
                    github.set_file(REPO, "c" * 40, name, data)
            env = {
                "PATH": os.environ["PATH"],
                "HOME": tmp,
                "CI": "true",
                "GITHUB_TOKEN": TOKEN,
                "GITHUB_API_URL": github.base_url,
                "SWITCHYARD_LOCAL_BASE_URL": model.base_url,
                "SWITCHYARD_LOCAL_MODEL": "qwen",
            }
            cmd = [
                sys.executable,
                "-m",
                "bot",
                "review",
                "--pr",
                f"{REPO}#1",
                "--publish",
                "github",
                "--tasks",
                args.tasks,
                "--quiet",
            ]
            for label, push in (("first review", False), ("after a push", True)):
                if push:
                    github.push(1, "c" * 40, diff + EXTRA, repo=REPO, since_diff=EXTRA)
                start = len(github.requests)
                done = subprocess.run(cmd, env=env, cwd=tmp, capture_output=True, text=True)
                kinds = count(github, start)
                print(
                    f"{label}: {kinds['read']} reads, {kinds['write']} writes "
                    f"(exit {done.returncode})"
                )
        print(f"tasks: {args.tasks}; OpenAPI violations: {len(github.violations)}")


if __name__ == "__main__":
    main()
