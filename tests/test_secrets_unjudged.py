"""Which shown pieces have classification read the whole file: a drawn value the hunk
cannot judge, not the long names and words of ordinary code (each read costs a file)."""

from __future__ import annotations

import pytest

from bot.secrets.unjudged import holds_an_unjudged_value, opens_with_a_bare_value


@pytest.mark.parametrize(
    "line",
    [
        "          Value: Xk9mQ2vR7tLw4ZpN8sYb",  # a name/value pair's value, its name above
        "  - tesla-auth.sid=s%3A3cYTHTFWso2Vw-uGb1FL6C_3WyOjPvMd.plTqAcQU4Dvt7nyuuF;",
        "    'HuQFHIpvDPyfqIRWAgQw==',",  # a key's last line: drawn letters, no digit
        "6f1e0c3d9b8a7f6e5d4c3b2a19081716",  # an OpenVPN static key's line
        "    # SUAKQ7RZ3XPL5MGE2WNVHC4TYB6DJ2KF7QAXLS3MZ5RWN4HV6PTG2YCBEU",  # a NATS seed
        # a secret in hex, its name on the line above (a digest looks the same: cheap)
        '    "06c8aef0b4e92d8f7b461ab49ea3c1462c84fe5a0e02d53145d69fbc2fe8a587"',
    ],
)
def test_a_drawn_value_without_its_context_asks_the_file(line: str) -> None:
    assert holds_an_unjudged_value(f"x = 1\n{line}\ny = 2\n")


@pytest.mark.parametrize(
    "line",
    [
        "def test_handles_unicode_in_a_path_2024(tmp_path):",
        "    raise PytestRemovedIn10Warning(message)",
        "    assert response.status_code == 200, response.content",
        '    version = "3.12.1"  # digits and dots, no run',
        "    short = 'Ab3dE9fGh2'",  # too short to be more than a word
        "MAX_CONNECTIONS_PER_HOST_DEFAULT_VALUE = 32",  # upper-case words, no base32 run
    ],
)
def test_ordinary_code_does_not(line: str) -> None:
    assert not holds_an_unjudged_value(f"x = 1\n{line}\ny = 2\n")


def test_a_hunk_opening_with_a_pairs_value_asks_the_file() -> None:
    assert opens_with_a_bare_value(["          Value: orchard-lantern-stapler"])
    assert opens_with_a_bare_value(['    "value": "hunter2",'])
    assert opens_with_a_bare_value(["- value: s3cret"])
    assert opens_with_a_bare_value(['  - "Hardcoded1"'])  # a list under `passwords:`
    # Its name first, or a value that is a word of code rather than a pair's.
    assert not opens_with_a_bare_value(["        - Name: LOG_LEVEL"])
    assert not opens_with_a_bare_value(["    return value"])
    assert not opens_with_a_bare_value(["    values: []"])
    assert not opens_with_a_bare_value(["- Fixed the parser when a line is empty."])
