"""A text scanned again is answered from the memo (bot/secrets/scan_memo.py): the same hits,
without the finders running again; never across allow-lists, paths or texts that differ."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import bot.secrets.detect as detect
from bot.secrets import allow
from bot.secrets.allow import AllowList, fingerprint
from bot.secrets.redact import redact
from bot.secrets.scan_memo import Memo

TOKEN = "ghp_" + "Zq8wR2mN5vB7xK1pL4tY6hJ9cF3dS0aG2eU7"
TEXT = f'GITHUB_TOKEN = "{TOKEN}"\n'


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The texts the finders really ran over, from an empty memo."""
    ran: list[str] = []
    real = detect._scanned

    def counted(text: str, path: str | None):  # type: ignore[no-untyped-def]
        ran.append(text)
        return real(text, path)

    monkeypatch.setattr(detect, "_scanned", counted)
    detect.MEMO.clear()
    yield ran
    detect.MEMO.clear()


def test_a_text_scanned_again_gets_the_same_hits_without_a_second_scan(scans: list[str]) -> None:
    first = detect.find_secrets(TEXT, "app/settings.py")
    again = detect.find_secrets(TEXT, "app/settings.py")
    assert [h.kind for h in first] == ["GitHub token"] and again == first
    assert scans == [TEXT]
    # a prompt that shows the same file twice (routing, counting, sending) scans it once
    prompt = f"### app/settings.py (modified)\n{TEXT}"
    assert TOKEN not in redact(prompt).text and TOKEN not in redact(prompt).text
    assert len(scans) == 2


def test_another_path_or_text_is_scanned_on_its_own(scans: list[str]) -> None:
    detect.find_secrets(TEXT, "app/settings.py")
    detect.find_secrets(TEXT, "tests/fixtures/settings.py")
    assert detect.find_secrets(TEXT.replace("GITHUB", "GH"), "app/settings.py")
    assert len(scans) == 3


def test_an_allow_list_configured_later_is_obeyed(scans: list[str]) -> None:
    """The server's allow-list, read after a scan, lets the value through at once: an
    answer is kept with the allow-list it was made under."""
    before = allow.current()
    try:
        assert detect.find_secrets(TEXT, "app/settings.py")
        allow.configure(AllowList.of(fingerprints=[fingerprint(TOKEN)]))
        assert detect.find_secrets(TEXT, "app/settings.py") == []
        allow.configure(AllowList())
        assert detect.find_secrets(TEXT, "app/settings.py")
    finally:
        allow.configure(before)
    assert len(scans) == 3


def test_the_memo_keeps_the_latest_texts_within_its_budget() -> None:
    memo: Memo[int] = Memo(max_characters=40)
    for i, text in enumerate(("a" * 10, "b" * 10, "c" * 10, "d" * 10)):
        memo.put(text, None, None, i)
    assert memo.get("a" * 10, None, None) == 0
    memo.put("e" * 10, None, None, 4)  # over budget: the least recently used goes
    assert memo.get("b" * 10, None, None) is None
    assert [memo.get(t * 10, None, None) for t in "acde"] == [0, 2, 3, 4]
    memo.put("f" * 11, None, None, 5)  # longer than a quarter of the budget: not kept
    assert memo.get("f" * 11, None, None) is None
