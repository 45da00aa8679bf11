"""What a layer may not set: key material anywhere, and locked keys from the repository.

A repo file is written by whoever opens a pull request, so it is held to more than the
server file: it may not say where keys come from, nor override what earlier layers lock.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.config.keys import key_env_name
from bot.config.layers import Layer, leaves, matches
from bot.config.schema import fields_at

# Naming where a key comes from would let a pull request point the bot at a secret it
# should not read.
REPO_LOCKED = ("providers.*.api_key_env", "providers.*.api_key_file")
REPO_LOCKED_MSG = "keys come from the environment or the server config, never from the repository"

# Org policy a repository may not loosen: which code may leave the premises (a repo can
# only raise its own `data_class`), what the cloud may cost, where calls are recorded, and
# the facts those rest on (a provider claimed "local" would receive restricted code; a
# price set to zero would hide spend from the budget).
ORG_ONLY = (
    "data_classes",
    "budgets",
    "ledger",
    "state_dir",
    "providers.*.location",  # only "local" is refused: declaring a target cloud is stricter
    "providers.*.input_per_mtok",
    "providers.*.output_per_mtok",
    "providers.*.gpu_cost_per_hour",
    "providers.*.throughput_tokens_per_s",
)
ORG_ONLY_MSG = (
    "org policy is set in the server config (--config or SWITCHYARD_CONFIG); a repository "
    "can only raise its own data_class"
)

# Field names that look like key material. `context_tokens` and friends must not match,
# hence the anchors.
_KEYLIKE = re.compile(
    r"^(api[_-]?key|apikey|key|secret|secret[_-]?key|client[_-]?secret|password|passwd|"
    r"(access|auth|bearer|api)?[_-]?token|authorization|credentials?)$",
    re.IGNORECASE,
)


def lock_problems(layers: Sequence[Layer]) -> list[str]:
    """One line per key a repo layer sets that REPO_LOCKED or an earlier layer's locks cover."""
    locks: list[tuple[str, str]] = [(p, REPO_LOCKED_MSG) for p in REPO_LOCKED]
    locks += [(p, ORG_ONLY_MSG) for p in ORG_ONLY]
    problems: list[str] = []
    for layer in layers:
        if layer.from_repo:
            for path, value in leaves(layer.data):
                if path[-1:] == ("location",) and value != "local":
                    continue
                for pattern, why in locks:
                    if matches(pattern, path):
                        problems.append(f"{layer.label}: {'.'.join(path)}: {why}")
                        break
        else:
            locks.extend((p, f"locked by {layer.label}") for p in layer.locks)
    return problems


def keylike_problems(layer: Layer) -> list[str]:
    """One line per field of `layer` that looks like key material, saying where keys go."""
    problems = []
    for path, _ in leaves(layer.data):
        for i, part in enumerate(path):
            if not _KEYLIKE.match(part):
                continue
            # Only where the schema has fixed fields: a provider may be *named* "token",
            # and a real settings field is never refused for its name alone.
            fields = fields_at(path[:i])
            if not fields or part in fields:
                continue
            dotted = ".".join(path[: i + 1])
            if len(path) > 2 and path[0] == "providers" and i == 2:
                var = key_env_name(path[1])
                where = f"export {var} (or the SDK's own variable) in the environment"
            else:
                where = "export it in the environment"
            if layer.from_repo:
                where += " and name it with api_key_env / api_key_file in the server config"
            else:
                where += " or name it with a provider's api_key_env / api_key_file"
            problems.append(
                f"{layer.label}: {dotted}: API keys and secrets never go in a settings "
                f"file; {where}"
            )
            break
    return problems
