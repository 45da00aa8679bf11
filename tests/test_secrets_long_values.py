"""Values longer than the patterns read (MAX_VALUE, 4,096 characters). The reach bounds
what detection judges, so that a line written to be slow stays linear; it must not bound
what is masked. A kubeconfig's `client-key-data` for an RSA-4096 key is about 4,400
characters of base64, and masked only to the reach, the key's tail went out.
"""

from __future__ import annotations

import base64
import random

import pytest

from bot.change.model import FileChange, FileStatus
from bot.secrets import allow, find_secrets, mask, redact
from bot.secrets.allow import AllowList, fingerprint
from bot.secrets.patterns import MAX_VALUE
from bot.tasks.diff_render import file_header


def _drawn_base64(size: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    return base64.b64encode(rng.randbytes(size * 3 // 4)).decode()[:size]


_VALUE = _drawn_base64(MAX_VALUE + 300)


def _pieces(value: str, size: int = 16) -> list[str]:
    return [value[i : i + size] for i in range(0, len(value) - size + 1, size)]


@pytest.mark.parametrize(
    ("path", "text", "kept"),
    [
        (
            "kubeconfig.yaml",
            "users:\n- name: admin\n  user:\n    client-key-data: {v}\n",
            "- name: admin",
        ),
        (".env", "SIGNING_KEY={v}\n", "SIGNING_KEY="),
        ("deploy.sh", "export API_TOKEN={v}\n./deploy\n", "./deploy"),
        ("application.properties", "spring.datasource.password={v}\n", "password="),
        ("notes.txt", "the api_key={v} rotates monthly\n", " rotates monthly"),
    ],
)
def test_an_unquoted_value_longer_than_the_reach_is_masked_whole(
    path: str, text: str, kept: str
) -> None:
    text = text.format(v=_VALUE)
    for shown in (mask(text, path), redact(text, path).text):
        left = [p for p in _pieces(_VALUE) if p in shown]
        assert not left, f"{len(left)} pieces of the value shown, first {left[0]!r}"
        assert kept in shown  # and the text around it stays


_WORDS = " ".join(_drawn_base64(60, seed) for seed in range(80))  # 4,879 characters


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("db.properties", "db.password = {v}\nnext=1\n"),
        ("values.yaml", "auth:\n  password: {v}\nnext: 1\n"),
    ],
)
def test_a_setting_held_to_its_line_end_is_masked_past_the_reach(path: str, text: str) -> None:
    """A properties or YAML value runs to its line's end, spaces and all: past the reach,
    to there too."""
    text = text.format(v=_WORDS)
    shown = mask(text, path)
    assert not [p for p in _pieces(_WORDS) if p in shown]
    assert "next" in shown


def test_masking_a_long_value_stops_at_its_comment_and_line_end() -> None:
    text = f"api_key={_VALUE} # rotated by ops\nregion=eu-west-1\n"
    shown = mask(text, ".env")
    assert "# rotated by ops" in shown
    assert "region=eu-west-1" in shown


def test_a_long_quoted_value_does_not_swallow_the_next_member() -> None:
    """A quote closes the value: the members after it on a minified line are not masked."""
    text = '{"token":"' + _VALUE + '","user":"alice","region":"eu-west-1"}\n'
    hits = find_secrets(text, "config.json")
    assert any(_VALUE in text[h.start : h.end] for h in hits)
    shown = mask(text, "config.json")
    assert '"user":"alice"' in shown
    assert not [p for p in _pieces(_VALUE) if p in shown]


def test_many_long_values_on_one_line_are_each_masked() -> None:
    """Values past the reach, one after another on a line without a space: each masked,
    the run read once (a line of them is untrusted text a pull request may hold)."""
    values = [_drawn_base64(MAX_VALUE + 100, seed) for seed in range(5)]
    text = "".join(f"password={v};" for v in values) + " done\n"
    shown = mask(text, "settings.txt")
    for v in values:
        assert not [p for p in _pieces(v) if p in shown]
    assert shown.endswith(" done\n")


def test_a_long_value_in_a_rendered_diff_is_masked_whole() -> None:
    """As a review's prompt shows it: the file's rows behind the diff's columns, under the
    header the diff renderer writes."""
    lines = ["users:", "- name: admin", "  user:", f"    client-key-data: {_VALUE}"]
    rows = [f"{'':>5} {i + 1:>5} + | {line}" for i, line in enumerate(lines)]
    header = file_header(FileChange("deploy/kubeconfig.yaml", None, FileStatus.ADDED, []))
    prompt = "\n".join([header, "@@ -0,0 +1,4 @@", *rows]) + "\n"
    shown = redact(prompt).text
    assert not [p for p in _pieces(_VALUE) if p in shown]
    assert "- name: admin" in shown


@pytest.mark.parametrize(
    ("path", "text", "kept"),
    [
        (
            "conf/settings.xml",
            "<apiKey>{v}</apiKey> <user>bob</user>\n",
            "</apiKey> <user>bob</user>",
        ),
        ("ci/release.sh", "gh release create v1 --token {v} --draft\n", " --draft"),
        ("values.yaml", "auth:\n  token: |\n    {v}\n  user: bob\n", "  user: bob"),
        (
            "ci/clone.sh",
            "git clone https://ci:{u}@git.example.org/o/r.git\n",
            "@git.example.org/o/r.git",
        ),
    ],
)
def test_a_value_whose_end_a_pattern_needs_is_found_past_the_reach(
    path: str, text: str, kept: str
) -> None:
    """Patterns that need what follows a value (a closing tag, the space or line end after
    a flag's or a block scalar's value, a URL's `@`) read at most MAX_VALUE characters of
    it, and found nothing where it was longer: a PFX's base64 in a config's element."""
    encoded = _VALUE.replace("+", "%2B").replace("/", "%2F")
    text = text.format(v=_VALUE, u=encoded)
    value = encoded if encoded in text else _VALUE
    shown = mask(text, path)
    assert not [p for p in _pieces(value) if p in shown]
    assert kept in shown


def test_secrets_around_a_long_run_keep_their_lines() -> None:
    """The text is read again around its long runs only; what is found there and elsewhere
    keeps its line and its span."""
    lines = [f"line {i} = ordinary" for i in range(40)]
    lines[5] = f"<apiKey>{_VALUE}</apiKey>"
    lines[8] = "api_key = Xk9mQ2zLp7wR4tYv8bNc"
    lines[30] = "db_password = Qw3rTy8uI0pLm2Nb"
    text = "\n".join(lines) + "\n"
    hits = {h.line: text[h.start : h.end] for h in find_secrets(text, "conf/app.conf")}
    assert hits == {6: _VALUE, 9: "Xk9mQ2zLp7wR4tYv8bNc", 31: "Qw3rTy8uI0pLm2Nb"}


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("conf/settings.xml", "<apiKey>{v}</apiKey>\n"),
        (".env", "SIGNING_KEY={v}\n"),
        ("values.yaml", "auth:\n  token: |\n    {v}\n"),
    ],
)
def test_a_long_value_allowed_by_its_fingerprint_is_let_through(path: str, text: str) -> None:
    """The server's allow-list fingerprints a value whole, as `switchyard` prints it; a
    value longer than the reach is judged on its start, but allowed as it is written."""
    text = text.format(v=_VALUE)
    before = allow.current()
    try:
        allow.configure(AllowList.of(fingerprints=[fingerprint(_VALUE)]))
        assert find_secrets(text, path) == []
        assert _VALUE in mask(text, path)
        allow.configure(AllowList.of(fingerprints=[fingerprint(_VALUE[:MAX_VALUE])]))
        assert find_secrets(text, path) != []
    finally:
        allow.configure(before)
