"""cloud-init's `chpasswd: list:`: each `user:password` pair's password is found, whether
the list is a block scalar, a sequence or a flow list; a password cloud-init draws
(`RANDOM`) is no secret (bot/secrets/installers.py)."""

from __future__ import annotations

import random
import string

import pytest

from bot.secrets import find_secrets, redact
from bot.secrets.installers import INSTALLER_PASSWORD

_RNG = random.Random("cloud-init")


def _password() -> str:
    return "".join(_RNG.choice(string.ascii_letters) for _ in range(11)) + "4!k"


def _found(text: str, path: str = "cloud-init/user-data.yaml") -> dict[str, str]:
    return {text[h.start : h.end]: h.kind for h in find_secrets(text, path)}


@pytest.mark.parametrize(
    "layout",
    [
        "chpasswd:\n  list: |\n    ubuntu:{a}\n    root:{b}\n  expire: false\n",
        "chpasswd:\n  expire: false\n  list:\n    - ubuntu:{a}\n    - 'root:{b}'\n",
        "chpasswd:\n  list: [ 'ubuntu:{a}', \"root:{b}\" ]\n",
        "#cloud-config\nhostname: web1\nchpasswd:\n  list: |\n    ubuntu:{a}\n    root:{b}\n",
    ],
    ids=["block-scalar", "sequence", "flow-list", "after-other-keys"],
)
def test_every_password_of_a_chpasswd_list_is_found_and_masked(layout: str) -> None:
    a, b = _password(), _password()
    text = layout.format(a=a, b=b)
    assert _found(text) == {a: INSTALLER_PASSWORD, b: INSTALLER_PASSWORD}
    sent = redact(text, "cloud-init/user-data.yaml").text
    assert a not in sent and b not in sent
    assert "ubuntu:" in sent and "root:" in sent  # the users stay readable


def test_a_password_cloud_init_draws_is_not_a_secret() -> None:
    text = "chpasswd:\n  list: |\n    ubuntu:RANDOM\n    admin:R\n  expire: true\n"
    assert _found(text) == {}


def test_lines_after_the_chpasswd_block_are_not_its_pairs() -> None:
    a = _password()
    text = f"chpasswd:\n  list: |\n    ubuntu:{a}\nruncmd:\n  - echo ok:done\n"
    assert _found(text) == {a: INSTALLER_PASSWORD}


def test_a_later_key_s_items_are_not_the_list_s_pairs() -> None:
    a = _password()
    text = f"chpasswd:\n  list: |\n    ubuntu:{a}\n  users:\n    - name:ops-team-2024!\n"
    assert _found(text) == {a: INSTALLER_PASSWORD}
