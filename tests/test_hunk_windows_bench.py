"""bench/secrets_hunk_windows.py measures what a hunk sends of a file's secrets; these check
the instrument: a value its hunk's redaction leaves on its own row is counted, by the kind
of change that showed it, and one that is masked, or kept on premises with its file, is
not."""

from __future__ import annotations

import random
import string

import pytest

import bench.secrets_hunk_windows as windows
from bot.secrets.redact import Redacted

_RANDOM = random.Random(78)
_VALUE = "".join(_RANDOM.choice(string.ascii_letters) for _ in range(18)) + "4Q"
_LINES = ["# settings", "name = demo", "", f"db_password = '{_VALUE}'", "", "debug = false"]
_FILE = "\n".join(_LINES)


def test_a_value_a_hunk_leaves_is_counted_for_each_kind_of_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(windows, "redact", lambda text: Redacted(text=text, count=0))
    ((_, values, by_neighbour, by_own),) = windows.cases(_FILE, "app/settings.py")
    assert values == {3: [_VALUE]}
    assert (by_neighbour, by_own) == (True, True)


def test_a_masked_value_is_not_counted() -> None:
    ((_, _, by_neighbour, by_own),) = windows.cases(_FILE, "app/settings.py")
    assert (by_neighbour, by_own) == (False, False)


def test_a_value_left_in_a_file_kept_on_premises_is_not_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(windows, "redact", lambda text: Redacted(text=text, count=0))
    ((_, _, by_neighbour, by_own),) = windows.cases(_FILE, "app/settings.py", mode="classified")
    assert (by_neighbour, by_own) == (False, False)


def test_a_masked_value_that_is_also_a_word_of_its_row_is_not_counted() -> None:
    # The password is the user's name too: its own use is masked, the name stays.
    lines = ["cd /opt/app", "mysql -uzabbix -pzabbix -hlocalhost zabbix < schema.sql", "done"]
    ((_, values, by_neighbour, by_own),) = windows.cases("\n".join(lines), "install.sh")
    assert values == {1: ["zabbix"]}
    assert (by_neighbour, by_own) == (False, False)


def _key_file() -> list[str]:
    alphabet = string.ascii_letters + string.digits + "+/"
    body = ["".join(_RANDOM.choice(alphabet) for _ in range(64)) for _ in range(16)]
    key = ["-----BEGIN RSA PRIVATE KEY-----", *body, "-----END RSA PRIVATE KEY-----"]
    return ["service:", "  port: 8080", "  key: |", *(f"    {line}" for line in key), "  tls: on"]


def test_a_key_body_the_gate_is_given_by_classification_is_not_counted_unrestricted() -> None:
    text = "\n".join(_key_file())
    ((_, _, _, own_hunk),) = windows.cases(text, "deploy/values.yaml")
    ((_, _, _, own_sent),) = windows.cases(text, "deploy/values.yaml", mode="unrestricted")
    # A change inside the body shows neither armour line: the hunk alone leaves the lines,
    # the gate given the file's values does not.
    assert (own_hunk, own_sent) == (True, False)


def test_a_patch_alone_sends_what_its_checkout_would_have_kept_on_premises() -> None:
    text = "\n".join(_key_file())
    ((_, _, _, own_kept),) = windows.cases(text, "deploy/values.yaml", mode="classified")
    ((_, _, _, own_alone),) = windows.cases(text, "deploy/values.yaml", mode="patch-alone")
    # The body lines alone do not tell a key; the file read from the checkout does.
    assert (own_kept, own_alone) == (False, True)


def test_the_hunk_shows_the_changed_line_and_three_lines_each_side() -> None:
    lines = [f"line {i}" for i in range(1, 21)]
    prompt, first = windows.hunk_prompt("notes.txt", lines, 9)
    rows = prompt.split("\n")
    assert rows[0] == "### notes.txt (modified)" and rows[1].startswith("@@ -7,6 +7,7 @@")
    assert first == 6 and [r.split("| ", 1)[1] for r in rows[2:]] == lines[6:13]
    # (old number, new number) per row: the inserted line has no old one, and the lines
    # after it count one less before the change
    columns = [r.split("|")[0].split() for r in rows[2:]]
    assert columns == [["7", "7"], ["8", "8"], ["9", "9"], ["10", "+"]] + [
        [str(n), str(n + 1)] for n in (10, 11, 12)
    ]
