"""A service's name and value written where gitleaks' rules cannot read them, a Kubernetes
`env` entry or a command-line flag, are read as the assignment they restate
(bot/secrets/restated.py); a flag named for a secret holds a 16-character value too."""

from __future__ import annotations

import random
import string

import pytest

from bot.secrets import find_secrets, redact

_RANDOM = random.Random("restated")


def _digits(n: int) -> str:
    return "".join(_RANDOM.choice(string.digits) for _ in range(n))


def _hex(n: int) -> str:
    return "".join(_RANDOM.choice("0123456789abcdef") for _ in range(n))


def _entry(name: str, value: str) -> str:
    return (
        "    spec:\n      containers:\n        - name: api\n          env:\n"
        f"            - name: {name}\n              value: {value}\n"
    )


def _found(text: str, path: str) -> list[tuple[str, str]]:
    return [(h.kind, text[h.start : h.end]) for h in find_secrets(text, path)]


@pytest.mark.parametrize(
    ("name", "value", "kind"),
    [
        # 16 digits: only the name makes gitleaks' Asana rule a credential
        ("ASANA_TOKEN", _digits(16), "asana client id"),
        ("DISCORD_CLIENT_ID", _digits(18), "discord client id"),
        # the rule's keyword (`test_`) on the value's line, not the name's
        ("LOB_KEY", "test_" + _hex(35), "lob api key"),
    ],
)
def test_a_kubernetes_entry_named_for_a_service_is_read_as_its_assignment(
    name: str, value: str, kind: str
) -> None:
    text = _entry(name, value)
    assert _found(text, "deploy/api.yaml") == [(kind, value)]
    assert value not in redact(text, "deploy/api.yaml").text
    # The same run under a name no service's rule leads with is a number.
    assert _found(_entry("BUILD_NUMBER", value), "deploy/api.yaml") == []


def test_a_flag_named_for_a_service_is_read_as_its_assignment() -> None:
    value = _digits(16)
    line = f"asana-cli --asana-token {value} --workspace acme\n"
    assert _found(line, "scripts/sync.sh") == [("asana client id", value)]
    assert _found(f"asana-cli --build-id {value}\n", "scripts/sync.sh") == []
    assert _found(f"asana-cli --asana-token={value}\n", "scripts/sync.sh") == [
        ("asana client id", value)
    ]


def test_a_secret_named_flag_holds_a_sixteen_character_value() -> None:
    """A flag's value was looked at only on lines with a 20-character run."""
    value = "is05rp9m48dom89p"
    assert _found(f"tool --deploy-token {value}\n", "run.sh") == [
        ("secret on a command line", value)
    ]
    # Still machine-made only: a word or a path after the flag is not its value.
    for line in ("tool --token-file config/token.txt\n", "docker login --password-stdin\n"):
        assert _found(line, "run.sh") == [], line


@pytest.mark.parametrize(
    ("path", "template"),
    [
        (
            "app/config.json",
            '{{"settings": "{{\\"asanaToken\\": \\"{v}\\"}}"}}\n',
        ),  # JSON in a string
        ("app/settings.py", 'os.environ["ASANA_TOKEN"] = "{v}"\n'),
        ("bin/run.sh", 'declare -A cfg=([ASANA_TOKEN]="{v}")\n'),
    ],
)
def test_escaped_json_and_an_index_are_read_as_an_assignment(path: str, template: str) -> None:
    value = _digits(16)
    text = template.format(v=value)
    assert _found(text, path) == [("asana client id", value)]
    # Under a name no service's rule leads with, the same run is a number.
    other = text.replace("asanaToken", "buildId").replace("ASANA_TOKEN", "BUILD_ID")
    assert _found(other, path) == []


def test_a_heroku_key_given_as_a_flag_is_found_though_it_is_a_uuid() -> None:
    """A UUID after a secret-named flag is an id (line_contexts), except where the flag
    names a service whose keys are UUIDs: gitleaks' Heroku rule reads the pair."""
    key = "3f8c2b1a-9d4e-4f7a-b6c5-1e2d3c4b5a69"
    for line in (f"deploy --heroku-api-key {key}\n", f"deploy --heroku_api_key={key}\n"):
        assert _found(line, "bin/deploy.sh") == [("heroku api key", key)], line
    assert _found(f"deploy --request-token {key}\n", "bin/deploy.sh") == []
