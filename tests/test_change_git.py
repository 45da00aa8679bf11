"""change_from_git against real repositories: what a pull request would show."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.change import FileStatus, LineKind, LineMap, Side
from bot.change.git_source import change_from_git
from bot.config.model import FilterConfig
from bot.errors import EXIT_USAGE, InputError
from tests.gitrepo import GitRepo, numbered


def _branch_with(repo: GitRepo, files: dict[str, str | bytes]) -> None:
    """Start branch `feature` from main and commit `files` on it."""
    repo.switch("feature", create=True)
    for rel, content in files.items():
        repo.write(rel, content)
    repo.commit("feature work")


def _paths(change: object) -> list[str]:
    return [f.path for f in change.files]  # type: ignore[attr-defined]


def _reasons(change: object) -> dict[str, str]:
    return {s.path: s.reason for s in change.skipped}  # type: ignore[attr-defined]


def test_commits_on_base_after_the_branch_point_are_not_part_of_the_change(
    git_repo: GitRepo,
) -> None:
    git_repo.write("app.py", numbered(20))
    git_repo.write("shared.py", numbered(5))
    branch_point = git_repo.commit("start")
    _branch_with(git_repo, {"app.py": numbered(20).replace("line 10\n", "line ten\n")})
    head = git_repo.sha()
    # main moves on: a new file and an edit that a plain two-dot diff would show reverted
    git_repo.switch("main")
    git_repo.write("later.py", "print('landed after the branch point')\n")
    git_repo.write("shared.py", numbered(6))
    git_repo.commit("main moves on")
    git_repo.switch("feature")

    change = change_from_git(git_repo.path, "main")

    assert _paths(change) == ["app.py"]
    assert change.base_sha == branch_point
    assert change.head_sha == head
    assert change.source == "git main...HEAD"
    assert Path(change.repo_root or "") == git_repo.path
    [hunk] = change.files[0].hunks
    assert [(ln.kind, ln.text) for ln in hunk.lines if ln.kind is not LineKind.CONTEXT] == [
        (LineKind.REMOVED, "line 10"),
        (LineKind.ADDED, "line ten"),
    ]


def test_three_lines_of_context_like_the_forge(git_repo: GitRepo) -> None:
    git_repo.write("a.txt", numbered(30))
    git_repo.commit()
    # ask for 3 lines of context even if the user's config says otherwise
    git_repo.git("config", "diff.context", "10")
    _branch_with(git_repo, {"a.txt": numbered(30).replace("line 15\n", "fifteen\n")})

    [f] = change_from_git(git_repo.path, "main").files

    [hunk] = f.hunks
    assert (hunk.old_start, hunk.old_len, hunk.new_start, hunk.new_len) == (12, 7, 12, 7)
    lm = LineMap([f])
    assert lm.can_comment("a.txt", 12) and lm.can_comment("a.txt", 18)
    assert not lm.can_comment("a.txt", 11) and not lm.can_comment("a.txt", 19)


def test_head_can_be_named_and_subdirectory_finds_the_root(git_repo: GitRepo) -> None:
    git_repo.write("pkg/mod.py", "x = 1\n")
    git_repo.commit()
    _branch_with(git_repo, {"pkg/mod.py": "x = 2\n"})
    git_repo.switch("main")

    change = change_from_git(git_repo.path / "pkg", "main", head="feature")

    assert _paths(change) == ["pkg/mod.py"]
    assert change.source == "git main...feature"
    assert change.head_sha == git_repo.sha("feature")


def test_rename_with_edits(git_repo: GitRepo) -> None:
    git_repo.write("old_name.py", numbered(20))
    git_repo.commit()
    git_repo.switch("feature", create=True)
    git_repo.git("mv", "old_name.py", "new_name.py")
    git_repo.write("new_name.py", numbered(20).replace("line 3\n", "line three\n"))
    git_repo.commit()

    [f] = change_from_git(git_repo.path, "main").files

    assert (f.status, f.path, f.old_path) == (FileStatus.RENAMED, "new_name.py", "old_name.py")
    assert f.added == 1 and f.removed == 1
    assert f.language == "python"


def test_rename_without_edits_is_listed_not_reviewed(git_repo: GitRepo) -> None:
    git_repo.write("docs/guide.md", numbered(10))
    git_repo.write("src/app.py", "x = 1\n")
    git_repo.commit()
    git_repo.switch("feature", create=True)
    git_repo.git("mv", "docs/guide.md", "docs/handbook.md")
    git_repo.write("src/app.py", "x = 2\n")
    git_repo.commit()

    change = change_from_git(git_repo.path, "main")

    assert _paths(change) == ["src/app.py"]
    assert _reasons(change) == {"docs/handbook.md": "renamed from docs/guide.md without changes"}


def test_deleted_file_is_kept_and_its_lines_are_commentable_on_the_left(
    git_repo: GitRepo,
) -> None:
    git_repo.write("gone.py", numbered(4))
    git_repo.write("keep.py", "k = 1\n")
    git_repo.commit()
    git_repo.switch("feature", create=True)
    git_repo.git("rm", "-q", "gone.py")
    git_repo.commit()

    [f] = change_from_git(git_repo.path, "main").files

    assert (f.status, f.path, f.old_path) == (FileStatus.DELETED, "gone.py", "gone.py")
    assert f.removed == 4 and f.added == 0
    lm = LineMap([f])
    assert lm.can_comment("gone.py", 4, Side.LEFT)
    assert not lm.can_comment("gone.py", 1, Side.RIGHT)


def test_new_file_lines_are_numbered_from_one(git_repo: GitRepo) -> None:
    git_repo.write("README.md", "hi\n")
    git_repo.commit()
    _branch_with(git_repo, {"src/new.ts": "export const a = 1;\nexport const b = 2;\n"})

    [f] = change_from_git(git_repo.path, "main").files

    assert (f.status, f.old_path, f.language) == (FileStatus.ADDED, None, "typescript")
    assert [(ln.new_no, ln.old_no, ln.text) for ln in f.hunks[0].lines] == [
        (1, None, "export const a = 1;"),
        (2, None, "export const b = 2;"),
    ]


def test_binary_file_is_skipped_and_binary_only_change_is_not_an_error(
    git_repo: GitRepo,
) -> None:
    git_repo.write("README.md", "hi\n")
    git_repo.commit()
    _branch_with(git_repo, {"logo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)})

    change = change_from_git(git_repo.path, "main")

    assert change.files == []
    assert _reasons(change) == {"logo.png": "binary file"}


def test_mode_only_change_is_skipped_with_the_modes(git_repo: GitRepo) -> None:
    git_repo.write("run.sh", "echo hi\n")
    git_repo.write("build.sh", "make\n")
    git_repo.commit()
    git_repo.switch("feature", create=True)
    (git_repo.path / "run.sh").chmod(0o755)
    git_repo.write("build.sh", "make all\n").chmod(0o755)
    git_repo.commit("chmod")

    change = change_from_git(git_repo.path, "main")

    assert _reasons(change) == {"run.sh": "mode change only (100644 → 100755)"}
    [f] = change.files
    assert (f.path, f.old_mode, f.new_mode, f.mode_changed) == (
        "build.sh",
        "100644",
        "100755",
        True,
    )
    assert f.added == 1


def test_submodule_is_noted_not_followed(git_repo: GitRepo, tmp_path: Path) -> None:
    lib = GitRepo.init(tmp_path / "lib")
    lib.write("lib.c", "int x;\n")
    lib.commit()
    git_repo.write("README.md", "hi\n")
    git_repo.commit()
    git_repo.switch("feature", create=True)
    git_repo.git(
        "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(lib.path), "deps/lib"
    )
    git_repo.commit("add submodule")

    change = change_from_git(git_repo.path, "main")

    assert _reasons(change)["deps/lib"] == "submodule: noted, not followed"
    assert _paths(change) == [".gitmodules"]


def test_not_a_git_repository(tmp_path: Path, git_env: None) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(InputError) as info:
        change_from_git(plain, "main")
    assert info.value.exit_code == EXIT_USAGE
    assert str(plain) in info.value.message
    assert "is not inside a git repository" in info.value.message
    assert "--diff FILE" in info.value.message


def test_unknown_refs_are_named_with_a_way_out(git_repo: GitRepo) -> None:
    git_repo.write("a.py", "a = 1\n")
    git_repo.commit()

    with pytest.raises(InputError) as info:
        change_from_git(git_repo.path, "no-such-branch")
    assert info.value.message == "unknown base ref 'no-such-branch'"

    with pytest.raises(InputError) as info:
        change_from_git(git_repo.path, "origin/main")
    assert info.value.message == "unknown base ref 'origin/main'"
    assert "git fetch origin main" in (info.value.hint or "")

    with pytest.raises(InputError) as info:
        change_from_git(git_repo.path, "main", head="nope")
    assert info.value.message == "unknown head ref 'nope'"


def test_base_that_exists_only_on_the_remote_is_suggested(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    git_repo.write("a.py", "a = 1\n")
    git_repo.commit()
    clone = tmp_path / "clone"
    git_repo.git("clone", "-q", "--branch", "main", str(git_repo.path), str(clone))
    cloned = GitRepo(clone)
    cloned.git("checkout", "-q", "-b", "feature")
    cloned.git("branch", "-q", "-D", "main")

    with pytest.raises(InputError) as info:
        change_from_git(clone, "main")
    assert "did you mean 'origin/main'?" in (info.value.hint or "")


def test_no_changes_is_an_error(git_repo: GitRepo) -> None:
    git_repo.write("a.py", "a = 1\n")
    git_repo.commit()
    git_repo.switch("feature", create=True)

    with pytest.raises(InputError) as info:
        change_from_git(git_repo.path, "main")
    assert info.value.message == "no changes between main and HEAD"


def test_uncommitted_changes_are_not_part_of_the_change(git_repo: GitRepo) -> None:
    git_repo.write("a.py", "a = 1\n")
    git_repo.commit()
    _branch_with(git_repo, {"b.py": "b = 1\n"})
    git_repo.write("a.py", "a = 'edited, not committed'\n")
    git_repo.write("c.py", "untracked = True\n")

    change = change_from_git(git_repo.path, "main")

    assert _paths(change) == ["b.py"]


def test_branches_without_shared_history(git_repo: GitRepo) -> None:
    git_repo.write("a.py", "a = 1\n")
    git_repo.commit()
    git_repo.git("switch", "-q", "--orphan", "island")
    git_repo.write("b.py", "b = 1\n")
    git_repo.commit()

    with pytest.raises(InputError) as info:
        change_from_git(git_repo.path, "main")
    assert info.value.message == "no merge base between main and HEAD"


def test_crlf_and_missing_final_newline(git_repo: GitRepo) -> None:
    git_repo.write("win.txt", "one\r\ntwo\r\n")
    git_repo.write("tail.txt", "a\nb")
    git_repo.commit()
    _branch_with(git_repo, {"win.txt": "one\r\nTWO\r\nthree\r\n", "tail.txt": "a\nB"})

    files = {f.path: f for f in change_from_git(git_repo.path, "main").files}

    win = [(ln.kind, ln.text) for ln in files["win.txt"].hunks[0].lines]
    assert win == [
        (LineKind.CONTEXT, "one"),
        (LineKind.REMOVED, "two"),
        (LineKind.ADDED, "TWO"),
        (LineKind.ADDED, "three"),
    ]
    tail = [(ln.kind, ln.text, ln.new_no) for ln in files["tail.txt"].hunks[0].lines]
    assert tail == [
        (LineKind.CONTEXT, "a", 1),
        (LineKind.REMOVED, "b", None),
        (LineKind.ADDED, "B", 2),
    ]


def test_unusual_paths_come_back_unquoted(git_repo: GitRepo) -> None:
    git_repo.write("README.md", "hi\n")
    git_repo.commit()
    _branch_with(git_repo, {"docs/my notes.md": "x\n", "src/café.py": "y = 1\n"})

    change = change_from_git(git_repo.path, "main")

    assert sorted(_paths(change)) == ["docs/my notes.md", "src/café.py"]


def test_default_filters_apply_and_user_excludes(git_repo: GitRepo) -> None:
    git_repo.write("README.md", "hi\n")
    git_repo.commit()
    _branch_with(
        git_repo,
        {"poetry.lock": "[[package]]\n", "docs/a.md": "doc\n", "src/app.py": "x = 1\n"},
    )

    change = change_from_git(git_repo.path, "main", filters=FilterConfig(exclude=["docs/**"]))

    assert _paths(change) == ["src/app.py"]
    assert _reasons(change) == {
        "poetry.lock": "lockfile (default filter)",
        "docs/a.md": "excluded by pattern 'docs/**'",
    }


def test_load_content_reads_merge_base_and_head(git_repo: GitRepo) -> None:
    git_repo.write("app.py", "v = 'base'\n")
    git_repo.write("old.py", numbered(10))
    git_repo.commit()
    git_repo.switch("feature", create=True)
    git_repo.write("app.py", "v = 'head'\n")
    git_repo.git("mv", "old.py", "moved.py")
    git_repo.write("moved.py", numbered(10) + "line 11\n")
    git_repo.write("new.py", "n = 1\n")
    git_repo.write("blob.bin", b"\x00\x01\x02binary")
    git_repo.commit()
    git_repo.switch("main")
    git_repo.write("app.py", "v = 'main moved on'\n")
    git_repo.commit()

    change = change_from_git(git_repo.path, "main", head="feature")
    load = change.load_content
    assert load is not None

    assert load("app.py", Side.LEFT) == "v = 'base'\n"  # the merge-base, not today's main
    assert load("app.py", Side.RIGHT) == "v = 'head'\n"
    assert load("moved.py", Side.LEFT) == numbered(10)  # asked by its head path
    assert load("moved.py", Side.RIGHT) == numbered(10) + "line 11\n"
    assert load("new.py", Side.LEFT) is None
    assert load("blob.bin", Side.RIGHT) is None
    assert load("does/not/exist.py", Side.RIGHT) is None
    # a miss must not leave the shared cat-file process out of step
    assert load("app.py", Side.RIGHT) == "v = 'head'\n"
    assert load("new.py", Side.RIGHT) == "n = 1\n"
