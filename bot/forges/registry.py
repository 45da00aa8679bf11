"""The forges by name. Adding one is a folder beside github/ and one line in FORGES.

Each entry names the module attribute holding the forge object (forge.Forge), imported on
first use: `switchyard --help` and the webhook server do not load every forge's client
library.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from bot.errors import ConfigError, InputError
from bot.forges.forge import ChangeRef, Forge

FORGES: dict[str, str] = {
    "github": "bot.forges.github.forge:FORGE",
    "gitlab": "bot.forges.gitlab.forge:FORGE",
}


def names() -> tuple[str, ...]:
    return tuple(FORGES)


def forge(name: str) -> Forge:
    ref = FORGES.get(name)
    if ref is None:
        raise ConfigError(f"unknown forge {name!r} (known: {', '.join(FORGES)})")
    module, _, attr = ref.partition(":")
    found: Forge = getattr(importlib.import_module(module), attr)
    return found


def all_forges() -> list[Forge]:
    return [forge(name) for name in FORGES]


def recognise(address: str, environ: Mapping[str, str]) -> tuple[Forge, ChangeRef]:
    """The forge whose address `address` is, and the change request it names."""
    for candidate in all_forges():
        if candidate.claims(address):
            return candidate, candidate.parse_ref(address, environ)
    examples = " or ".join(f.address_example for f in all_forges())
    raise InputError(
        f"not the address of a pull or merge request: {address.strip()!r}",
        hint=f"give one such as {examples}",
    )
