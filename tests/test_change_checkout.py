"""A patch's files read from the checkout it was made in: the head when every line the
patch shows is where it puts it, the base rebuilt from that head, nothing otherwise; and,
through `switchyard review --diff`, the file a hunk cuts into judged whole."""

from __future__ import annotations

import os
import random
import string
import subprocess
from pathlib import Path

from bot.change.checkout import CheckoutLoader
from bot.change.model import Side
from bot.change.patch_source import change_from_patch
from tests.cli import base_env, switchyard
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.gitrepo import GitRepo
from tests.test_hunk_secrets_e2e import _BODY, _inside_the_body, _review_in_the_cloud, _values_file

_LINES = [f"line {i}" for i in range(1, 41)]


def _text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def _repo(tmp: Path) -> tuple[GitRepo, str]:
    """A change of every kind a patch holds, and its patch."""
    repo = GitRepo.init(tmp / "repo")
    base = {
        "app/many.py": _text(_LINES),
        "app/gone.py": "old = 1\nolder = 2\n",
        "app/moved.py": _text(_LINES[:12]),
        "app/tail.py": _text(_LINES[:10]),
        "app/windows.bat": "@echo off\r\nset A=1\r\nset B=2\r\nset C=3\r\n",
    }
    head = _LINES[:]
    head[2] = "line 3 changed"  # a change near the top
    del head[14:17]  # lines taken out, none put in
    head.insert(25, "a new line")  # a line put in, none taken out
    head[-1] = "the last line"
    for rel, text in base.items():
        repo.write(rel, text)
    repo.commit("base")
    repo.switch("feature", create=True)
    for rel in ("app/gone.py", "app/moved.py"):
        (repo.path / rel).unlink()
    heads = {
        "app/many.py": _text(head),
        "app/new.py": "added = True\n",
        "app/renamed.py": _text([*_LINES[:11], "line 12, moved"]),
        "app/tail.py": _text(_LINES[:10]) + "line 11\n",
        "app/windows.bat": "@echo off\r\nset A=1\r\nset B=two\r\nset C=3\r\n",
    }
    for rel, text in heads.items():
        repo.write(rel, text)
    repo.commit("feature")
    return repo, _git(repo, "diff", "-M", "main...HEAD")


def _git(repo: GitRepo, *args: str) -> str:
    """git's output as it is (GitRepo.git strips the last newline)."""
    done = subprocess.run(["git", *args], cwd=repo.path, capture_output=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.decode()  # (line ends as they are: a CRLF file keeps its)


def test_each_side_is_the_file_as_git_has_it(tmp_path: Path) -> None:
    repo, patch = _repo(tmp_path)
    change = change_from_patch(patch, "test", checkout=repo.path)
    load = change.load_content
    assert load is not None
    seen = 0
    for f in change.files:
        head = None if f.status.value == "deleted" else f.path
        for side, rev, path in ((Side.RIGHT, "HEAD", head), (Side.LEFT, "main", f.old_path)):
            want = _git(repo, "show", f"{rev}:{path}") if path else None
            assert load(f.path, side) == want, (f.path, side)
            seen += want is not None
    assert seen == 10, "every side that exists was read"


def test_a_checkout_that_departs_from_the_patch_is_not_read(tmp_path: Path) -> None:
    repo, patch = _repo(tmp_path)
    many = repo.path / "app/many.py"
    many.write_text(many.read_text().replace("a new line", "another line"))
    change = change_from_patch(patch, "test", checkout=repo.path)
    assert change.load_content is not None
    assert change.load_content("app/many.py", Side.RIGHT) is None
    assert change.load_content("app/many.py", Side.LEFT) is None
    assert isinstance(change.load_content, CheckoutLoader)
    assert "not the patch's head (line 26 differs)" in str(
        change.load_content.why_unread("app/many.py")
    )
    assert change.load_content("app/new.py", Side.RIGHT) == "added = True\n"  # the others are


def test_a_link_or_a_path_out_of_the_checkout_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("added = True\n")
    repo, patch = _repo(tmp_path)
    new = repo.path / "app/new.py"
    new.unlink()
    os.symlink(outside, new)  # the same text, through a link out of the checkout
    change = change_from_patch(patch, "test", checkout=repo.path)
    assert change.load_content is not None
    assert change.load_content("app/new.py", Side.RIGHT) is None
    assert isinstance(change.load_content, CheckoutLoader)
    assert "symbolic link" in str(change.load_content.why_unread("app/new.py"))
    escaping = "diff --git a/../secret.txt b/../secret.txt\n--- a/../secret.txt\n"
    escaping += "+++ b/../secret.txt\n@@ -1 +1 @@\n-x\n+added = True\n"
    change = change_from_patch(escaping, "test", checkout=repo.path)
    assert change.load_content is not None
    assert change.load_content("../secret.txt", Side.RIGHT) is None


def test_a_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    repo, patch = _repo(tmp_path)
    files = change_from_patch(patch, "test").files
    size = len((repo.path / "app/many.py").read_bytes())
    assert CheckoutLoader(repo.path, files, max_bytes=size)("app/many.py", Side.RIGHT)
    assert CheckoutLoader(repo.path, files, max_bytes=size - 1)("app/many.py", Side.RIGHT) is None


def test_a_patch_given_in_its_checkout_has_the_key_its_hunk_cuts_into_judged(
    tmp_path: Path,
) -> None:
    """`git diff main | switchyard review --diff -` in CI: a change of one line inside a
    key's body shows body lines and neither armour line. Read from the checkout, the file
    shows the key: it stays on premises (no local target: exit 3), and no line of it reaches
    the cloud."""
    repo = _inside_the_body(tmp_path)
    patch = _git(repo, "diff", "main...HEAD")
    with FakeOpenAIServer("cloud", models=["m"]) as fake:
        result = _review_in_the_cloud(repo, fake, tmp_path, patch=patch)
        assert result.code == 3, result.both
        assert "deploy/values.yaml" in result.both
        for line in _BODY:
            assert not fake.where(line[:16]), "the cloud received a line of the key"


def test_the_base_is_rebuilt_for_any_edit(tmp_path: Path) -> None:
    """Random edits (lines put in, taken out, changed; hunks that merge or stand apart; a
    file with no last newline), each rebuilt from the head and the patch as git has it."""
    rng = random.Random(7)
    repo = GitRepo.init(tmp_path / "repo")
    bases = {}
    for i in range(24):
        lines = [f"l{i}.{n}" for n in range(rng.randint(0, 60))]
        bases[f"f{i}.txt"] = "\n".join(lines) + rng.choice(("\n", ""))
    for rel, text in bases.items():
        repo.write(rel, text)
    repo.commit("base")
    repo.switch("feature", create=True)
    for rel, text in bases.items():
        lines = text.split("\n")
        for _ in range(rng.randint(1, 6)):
            at = rng.randint(0, len(lines))
            kind = rng.choice(("put", "take", "change"))
            if kind == "put":
                lines[at:at] = [f"new {rng.random():.6f}" for _ in range(rng.randint(1, 3))]
            elif kind == "take":
                del lines[at : at + rng.randint(1, 3)]
            elif at < len(lines):
                lines[at] = f"changed {rng.random():.6f}"
        repo.write(rel, "\n".join(lines))
    repo.commit("feature")
    change = change_from_patch(_git(repo, "diff", "main...HEAD"), "test", checkout=repo.path)
    assert change.load_content is not None and len(change.files) >= 20
    for f in change.files:
        if f.status.value != "deleted":
            assert change.load_content(f.path, Side.LEFT) == _git(repo, "show", f"main:{f.path}")


def test_a_patch_in_its_checkout_is_reviewed_with_lines_around_its_hunks(
    tmp_path: Path,
) -> None:
    """`review.extra_context_lines` (8) beyond git's three: read from the checkout, as from a
    branch, and a token among them redacted for the cloud."""
    drawn = random.Random(3)
    token = "ghp_" + "".join(drawn.choice(string.ascii_letters + string.digits) for _ in range(36))
    lines = [f"x{i} = {i}" for i in range(1, 20)]
    lines[9] = f'GITHUB_TOKEN = "{token}"'
    base = "\n".join(lines) + "\n"
    repo = GitRepo.init(tmp_path / "repo")
    repo.feature({"app/conf.py": base.replace("x2 = 2\n", "x2 = 22\n")}, base={"app/conf.py": base})
    patch = _git(repo, "diff", "main...HEAD")
    with FakeOpenAIServer("cloud", models=["m"]) as fake:
        more = "data_classes:\n  secrets_make_restricted: false\n"
        result = _review_in_the_cloud(repo, fake, tmp_path, more, patch=patch)
        assert result.code == 0, result.both
        assert fake.where("x9 = 9"), "no line beyond git's context was shown"
        assert fake.where("[REDACTED:") and not fake.where(token[4:20])


def test_a_staged_change_inside_a_key_keeps_the_commit_message_on_premises(
    tmp_path: Path,
) -> None:
    """`describe --commit-message` (the prepare-commit-msg hook) reads the staged diff, and
    the staged files from the working tree where they match it: a key's body lines staged
    without either armour line are a key's, and with only a cloud target nothing is sent
    (the hook then leaves the message empty and says why)."""
    repo = GitRepo.init(tmp_path / "repo")
    repo.write("deploy/values.yaml", _values_file(8443, _BODY))
    repo.commit("base")
    repo.write("deploy/values.yaml", _values_file(8443, [*_BODY[:12], "A" * 64, *_BODY[13:]]))
    repo.git("add", "-A")
    with FakeOpenAIServer("cloud", models=["m"]) as fake:
        fake.responder = lambda body: Reply({"type": "chore", "subject": "update values"})
        (tmp_path / "openai.key").write_text("sk-org-" + "k" * 32 + "\n")
        org = tmp_path / "org.yml"
        org.write_text(
            f"providers:\n  openai:\n    base_url: {fake.base_url}\n    model: m\n"
            f"    api_key_file: {tmp_path / 'openai.key'}\n    max_retries: 0\n"
            "routing:\n  order: [openai]\n"
        )
        result = switchyard(
            "describe", "--commit-message", "--config", str(org),
            cwd=repo.path, env=base_env(tmp_path), timeout=60,
        )  # fmt: skip
        assert result.code == 3 and "restricted code stays on premises" in result.err
        assert not fake.chat_requests(), "the staged key's lines were sent to the cloud"


def test_a_patch_away_from_its_checkout_is_said_to_be_judged_by_its_hunks(
    tmp_path: Path,
) -> None:
    repo, patch = _repo(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    runs = {}
    for name, cwd in (("checkout", repo.path), ("elsewhere", elsewhere)):
        runs[name] = switchyard(
            "review", "--diff", "-", "--dry-run", cwd=cwd, env=base_env(tmp_path), stdin=patch
        )
    assert "none of the patch's" not in runs["checkout"].err
    note = "none of the patch's 5 changed files is in"
    assert note in runs["elsewhere"].err and "run it in the checkout" in runs["elsewhere"].err
