"""Secrets listed under a secret's name (bot/secrets/lists.py): every listed credential is
found and masked, in a one-line array and in a YAML sequence, also inside a diff; a list
of names or words under the same names is not a list of secrets."""

from __future__ import annotations

import random
import string

import pytest

from bot.secrets import find_secrets

_RANDOM = random.Random(2026)


def _r(n: int) -> str:
    return "".join(_RANDOM.choice(string.ascii_letters + string.digits) for _ in range(n)) + "7"


def _found(text: str, path: str | None = None) -> list[str]:
    return [text[h.start : h.end] for h in find_secrets(text, path)]


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("config/app.json", '{{"api_keys": ["{0}", "{1}"], "debug": false}}'),
        ("settings.py", "ACCESS_TOKENS = ('{0}', '{1}')"),
        ("pkg/auth.go", 'tokens := []string{{"{0}", "{1}"}}'),
        ("config.toml", "client_secrets = [\"{0}\", '{1}']"),
        ("deploy/values.yml", 'api_keys:\n  - {0}\n  - "{1}"  # rotated in May\nreplicas: 2'),
        ("deploy/values.yml", "auth:\n  tokens:\n    - '{0}'\n    - {1}\n  ttl: 60"),
        ("review.diff", "+passwords:\n+  - {0}\n   - {1}\n"),
    ],
)
def test_every_item_of_a_list_under_a_secrets_name_is_found(path: str, template: str) -> None:
    values = [_r(24), _r(30)]
    assert _found(template.format(*values), path) == values


def test_short_hex_tokens_in_a_list_are_all_found() -> None:
    """Sixteen hex digits repeat letters often; each token of the list is still one."""
    tokens = ["a1f3fa6b39e3a6aa", "9e1b0c7d2f4a5b68"]
    text = '{"id": 7, "tokens": ["' + '", "'.join(tokens) + '"], "state": "online"}'
    assert _found(text, "spec/cassettes/vehicle.json") == tokens


def test_passwords_in_a_list_meet_a_passwords_rules() -> None:
    """Under a password's name a short typed password counts, a reference or a
    placeholder does not, and in a test's fixtures a weak one does not either."""
    text = 'passwords:\n  - "Wp3#kL9!zQ"\n  - ${ADMIN_PASSWORD}\n  - changeme\n'
    assert _found(text, "ops/users.yml") == ["Wp3#kL9!zQ"]


@pytest.mark.parametrize(
    "text",
    [
        # Under a token's name only machine-made items count: a vocabulary is words.
        'stop_tokens: ["</s>", "<|im_end|>", "Observation:"]',
        "tokens:\n  - IDENTIFIER\n  - NUMBER_LITERAL\n",
        # A Kubernetes pod's pull secrets and a workflow's secrets are names.
        "imagePullSecrets:\n  - name: registry-credentials-2024\n",
        "secrets:\n  - GITHUB_TOKEN\n  - NPM_PUBLISH_TOKEN\n",
        # References and stand-ins.
        'api_keys = ["${API_KEY_PRIMARY}", "{{ vault_api_key }}", "YOUR_API_KEY_HERE"]',
        # A list under a name that is not a secret's, and one that ends the sequence.
        "keys:\n  - Qz7vR2mX9pL4aB3cD5eF8gH\n",
        "api_keys:\nregions:\n  - Qz7vR2mX9pL4aB3cD5eF8gH\n",
    ],
)
def test_a_list_of_names_or_references_is_not_reported(text: str) -> None:
    assert find_secrets(text, "config/app.yml") == []


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("deploy/values.yml", "api_keys:\n{items}\nreplicas: 2\n"),
        ("settings.py", "API_KEYS = [{items}]\n"),
    ],
)
def test_a_long_list_is_read_to_its_end(path: str, template: str) -> None:
    # 150 keys: the lists were read to their hundredth item once, and the rest sent.
    values = [_r(31) for _ in range(150)]
    if path.endswith(".yml"):
        items = "\n".join(f"  - {v}" for v in values)
    else:
        items = ", ".join(f'"{v}"' for v in values)
    assert _found(template.format(items=items), path) == values


def test_a_drawn_key_with_one_digit_or_none_is_found_in_a_list() -> None:
    # A random 32-character key has at most one digit one time in forty; its runs of
    # letters then read as drawn, not as words.
    keys = ["WEACyyw8oWWSdRWzBWSxERfaIDUrkjNP", "QYKplbLdBaTPwSeimjPUKSDIDuUMCLFx"]
    text = "api_keys:\n" + "".join(f"  - {k}\n" for k in keys)
    assert _found(text, "deploy/values.yml") == keys
    names = "api_keys:\n  - ThisIsAVeryLongClassName\n  - userProfileSettingsVersion\n"
    assert _found(names, "deploy/values.yml") == []
