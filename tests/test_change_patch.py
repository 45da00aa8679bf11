"""Patch input (`--diff FILE`, `--diff -`): parsing, and the errors a user sees."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from bot.change import FileStatus, LineKind
from bot.change.parse import parse_diff
from bot.change.patch_source import change_from_patch, read_patch
from bot.errors import EXIT_USAGE, InputError

MODIFY = """\
diff --git a/src/app.py b/src/app.py
index 83db48f..bf269f4 100644
--- a/src/app.py
+++ b/src/app.py
@@ -1,4 +1,4 @@ def main():
 import os
-x = 1
+x = 2
 y = 3
 z = 4
@@ -20,3 +20,4 @@ class Thing:
 a
 b
+c
 d
"""


def test_modified_file_lines_and_numbers() -> None:
    [f] = parse_diff(MODIFY, "patch t.diff")

    assert (f.path, f.old_path, f.status, f.language) == (
        "src/app.py",
        "src/app.py",
        FileStatus.MODIFIED,
        "python",
    )
    first, second = f.hunks
    assert first.section == "def main():"
    assert [(ln.kind, ln.old_no, ln.new_no, ln.text) for ln in first.lines] == [
        (LineKind.CONTEXT, 1, 1, "import os"),
        (LineKind.REMOVED, 2, None, "x = 1"),
        (LineKind.ADDED, None, 2, "x = 2"),
        (LineKind.CONTEXT, 3, 3, "y = 3"),
        (LineKind.CONTEXT, 4, 4, "z = 4"),
    ]
    assert [(ln.new_no, ln.text) for ln in second.lines if ln.kind is LineKind.ADDED] == [(22, "c")]
    assert (f.added, f.removed) == (2, 1)


def test_change_from_patch_has_no_content_loader_and_keeps_the_source() -> None:
    change = change_from_patch(MODIFY, "stdin")

    assert change.source == "stdin"
    assert change.load_content is None
    assert change.base_sha is None and change.head_sha is None
    assert [f.path for f in change.files] == ["src/app.py"]
    assert change.changed_lines == 3


def test_rename_new_delete_binary_mode_in_one_patch() -> None:
    text = """\
diff --git a/old dir/name.py b/new dir/name.py
similarity index 90%
rename from old dir/name.py
rename to new dir/name.py
index 1111111..2222222 100644
--- a/old dir/name.py
+++ b/new dir/name.py
@@ -1 +1 @@
-a = 1
+a = 2
diff --git a/pure.py b/moved/pure.py
similarity index 100%
rename from pure.py
rename to moved/pure.py
diff --git a/added.go b/added.go
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/added.go
@@ -0,0 +1,2 @@
+package main
+
diff --git a/removed.rb b/removed.rb
deleted file mode 100644
index 4444444..0000000
--- a/removed.rb
+++ /dev/null
@@ -1 +0,0 @@
-puts 1
diff --git a/img.png b/img.png
index 5555555..6666666 100644
Binary files a/img.png and b/img.png differ
diff --git a/tool.bin b/tool.bin
new file mode 100755
index 0000000..7777777
GIT binary patch
literal 12
TcmZQzU|?ooU|?ooU|?oo00

literal 0
HcmV?d00001

diff --git a/run.sh b/run.sh
old mode 100644
new mode 100755
"""
    files = {f.path: f for f in parse_diff(text, "patch mixed.diff")}

    assert list(files) == [
        "new dir/name.py",
        "moved/pure.py",
        "added.go",
        "removed.rb",
        "img.png",
        "tool.bin",
        "run.sh",
    ]
    renamed = files["new dir/name.py"]
    assert (renamed.status, renamed.old_path, renamed.added) == (
        FileStatus.RENAMED,
        "old dir/name.py",
        1,
    )
    pure = files["moved/pure.py"]
    assert (pure.status, pure.old_path, pure.hunks) == (FileStatus.RENAMED, "pure.py", [])
    added = files["added.go"]
    assert (added.status, added.old_path, added.added, added.language) == (
        FileStatus.ADDED,
        None,
        2,
        "go",
    )
    assert added.hunks[0].lines[1].text == ""  # an empty added line stays a line
    removed = files["removed.rb"]
    assert (removed.status, removed.old_path, removed.removed) == (
        FileStatus.DELETED,
        "removed.rb",
        1,
    )
    assert files["img.png"].binary and files["img.png"].hunks == []
    assert files["tool.bin"].binary and files["tool.bin"].status is FileStatus.ADDED
    mode = files["run.sh"]
    assert (mode.old_mode, mode.new_mode, mode.mode_changed, mode.hunks) == (
        "100644",
        "100755",
        True,
        [],
    )

    change = change_from_patch(text, "patch mixed.diff")
    reasons = {s.path: s.reason for s in change.skipped}
    assert reasons == {
        "moved/pure.py": "renamed from pure.py without changes",
        "img.png": "binary file",
        "tool.bin": "binary file",
        "run.sh": "mode change only (100644 → 100755)",
    }
    assert sorted(f.path for f in change.files) == ["added.go", "new dir/name.py", "removed.rb"]


def test_submodule_without_mode_lines_is_recognised() -> None:
    text = """\
--- a/deps/lib
+++ b/deps/lib
@@ -1 +1 @@
-Subproject commit 1111111111111111111111111111111111111111
+Subproject commit 2222222222222222222222222222222222222222
"""
    change = change_from_patch(text, "stdin")

    assert change.files == []
    assert [(s.path, s.reason) for s in change.skipped] == [
        ("deps/lib", "submodule: noted, not followed")
    ]


def test_submodule_by_gitlink_mode() -> None:
    text = """\
diff --git a/vendor/x b/vendor/x
index 1111111..2222222 160000
--- a/vendor/x
+++ b/vendor/x
@@ -1 +1 @@
-Subproject commit 1111111111111111111111111111111111111111
+Subproject commit 2222222222222222222222222222222222222222
"""
    [f] = parse_diff(text, "stdin")
    assert f.submodule


def test_no_newline_marker_is_not_a_line() -> None:
    text = """\
diff --git a/a.txt b/a.txt
--- a/a.txt
+++ b/a.txt
@@ -1,2 +1,2 @@
 keep
-old
\\ No newline at end of file
+new
\\ No newline at end of file
"""
    [f] = parse_diff(text, "stdin")

    assert [(ln.kind, ln.text) for ln in f.hunks[0].lines] == [
        (LineKind.CONTEXT, "keep"),
        (LineKind.REMOVED, "old"),
        (LineKind.ADDED, "new"),
    ]


def test_crlf_content_lines_lose_their_line_ending() -> None:
    text = "--- a/w.txt\n+++ b/w.txt\n@@ -1,2 +1,2 @@\n one\r\n-two\r\n+TWO\r\n"
    [f] = parse_diff(text, "stdin")
    assert [ln.text for ln in f.hunks[0].lines] == ["one", "two", "TWO"]


def test_patch_saved_with_windows_line_endings_still_parses() -> None:
    [f] = parse_diff(MODIFY.replace("\n", "\r\n"), "patch win.diff")
    assert f.path == "src/app.py"
    assert f.hunks[0].lines[2].text == "x = 2"


def test_git_quoted_paths_are_decoded() -> None:
    text = """\
diff --git "a/caf\\303\\251.py" "b/caf\\303\\251.py"
--- "a/caf\\303\\251.py"
+++ "b/caf\\303\\251.py"
@@ -1 +1 @@
-a
+b
"""
    [f] = parse_diff(text, "stdin")
    assert f.path == "café.py"


def test_plain_diff_without_git_headers() -> None:
    text = """\
--- lib/x.c\t2024-01-01 10:00:00
+++ lib/x.c\t2024-01-02 10:00:00
@@ -1 +1 @@
-a
+b
"""
    [f] = parse_diff(text, "stdin")
    assert (f.path, f.status, f.language) == ("lib/x.c", FileStatus.MODIFIED, "c")


def test_email_headers_before_the_diff_are_ignored() -> None:
    text = "From 1234 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] fix\n\n---\n" + MODIFY
    [f] = parse_diff(text, "patch 0001-fix.patch")
    assert f.path == "src/app.py"


def test_malformed_hunk_names_source_and_line() -> None:
    broken = MODIFY.replace("+x = 2\n", "")  # the hunk now has fewer lines than it says
    with pytest.raises(InputError) as info:
        parse_diff(broken, "patch broken.diff")
    assert info.value.exit_code == EXIT_USAGE
    assert info.value.message.startswith("malformed diff in patch broken.diff at line ")
    # the first hunk swallows the next hunk header, on line 10, as a body line
    assert " at line 10:" in info.value.message


def test_text_without_a_diff_is_rejected() -> None:
    with pytest.raises(InputError, match=r"no diff found in stdin"):
        change_from_patch("Just some notes.\nNothing to see.\n", "stdin")


def test_empty_patch_text_is_rejected() -> None:
    with pytest.raises(InputError, match="stdin is empty"):
        change_from_patch("  \n", "stdin")


def test_read_patch_file_and_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    patch = tmp_path / "fix.diff"
    patch.write_bytes(MODIFY.encode())
    assert read_patch(str(patch)) == (MODIFY, f"patch {patch}")

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(MODIFY.encode())))
    text, source = read_patch("-")
    assert (text, source) == (MODIFY, "stdin")
    assert [f.path for f in change_from_patch(text, source).files] == ["src/app.py"]


def test_read_patch_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_patch(str(tmp_path / "missing.diff"))
    with pytest.raises(InputError, match="is a directory"):
        read_patch(str(tmp_path))
    empty = tmp_path / "empty.diff"
    empty.write_text("\n")
    with pytest.raises(InputError, match="is empty"):
        read_patch(str(empty))


def test_read_patch_falls_back_to_latin1_and_says_so(tmp_path: Path) -> None:
    patch = tmp_path / "old.diff"
    patch.write_bytes(MODIFY.replace("x = 2", "x = 'caf\xe9'").encode("latin-1"))

    text, source = read_patch(str(patch))

    assert source == f"patch {patch} (not UTF-8, read as latin-1)"
    [f] = change_from_patch(text, source).files
    assert f.hunks[0].lines[2].text == "x = 'café'"
