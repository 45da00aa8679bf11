"""Load settings from layers: server/org file < repo file < environment < flags.

Layers are merged as plain dicts first and validated once, so a repo file may override a
single field of a provider the server file declares. The merge remembers which layer set
each leaf, so a validation error names the file (or variable, or flag) to fix.

The pieces live beside this entry point: layers (the merge), yaml_file (reading a file),
policy (what a layer may not set) and problems (errors in words).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.config import env as envmod
from bot.config.layers import Layer, Merged, Path_, merge_into
from bot.config.model import Settings
from bot.config.policy import keylike_problems, lock_problems
from bot.config.problems import ConfigProblems, validation_problems
from bot.config.yaml_file import read_yaml_file
from bot.errors import ConfigError

__all__ = [
    "REPO_FILE_NAMES",
    "ConfigProblems",
    "Layer",
    "LoadedSettings",
    "Merged",
    "load_settings",
    "merge_layers",
    "read_yaml_file",
    "validate_merged",
]

REPO_FILE_NAMES = (".switchyard.yml", ".switchyard.yaml")


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    sources: list[str]  # files read, in order of precedence (lowest first)
    origins: dict[str, str] = field(default_factory=dict)  # dotted leaf key -> its source


def merge_layers(layers: Sequence[Layer]) -> Merged:
    """Deep-merge `layers`, lowest precedence first; later layers win per key.

    Mappings merge key by key (so `providers.<name>` merges per field); anything else,
    lists included, is replaced whole. Raises ConfigProblems, naming every key at once,
    when a repo layer sets one it may not (policy.lock_problems).
    """
    data: dict[str, Any] = {}
    origins: dict[Path_, str] = {}
    problems = lock_problems(layers)
    for layer in layers:
        merge_into(data, layer.data, (), layer, origins)
    if problems:
        raise ConfigProblems(problems)
    return Merged(data, origins)


def validate_merged(merged: Merged) -> Settings:
    try:
        settings = Settings.model_validate(merged.data)
    except ValidationError as exc:
        raise ConfigProblems(validation_problems(exc, merged.origins)) from None
    for name, provider in settings.providers.items():
        # Who declared where each target runs, for doctor, route --explain and reports.
        provider._location_source = merged.origins.get(("providers", name, "location"), "")
        # And who set each field, so a provider's error names the variable or file to fix.
        provider._origins = {
            path[2]: label
            for path, label in merged.origins.items()
            if len(path) == 3 and path[:2] == ("providers", name)
        }
    return settings


def _find_repo_file(repo_dir: Path) -> Path | None:
    found = [repo_dir / name for name in REPO_FILE_NAMES if (repo_dir / name).is_file()]
    if len(found) > 1:
        raise ConfigError(f"both {found[0].name} and {found[1].name} exist in {repo_dir}; keep one")
    return found[0] if found else None


def _expand_overrides(overrides: Mapping[str, Any]) -> dict[str, Any]:
    # Flags arrive with None for "not given" (click's default) and may use dotted keys.
    out: dict[str, Any] = {}
    for key, value in overrides.items():
        if value is None:
            continue
        if isinstance(value, Mapping):
            value = _expand_overrides(value)
            if not value:
                continue
        node = out
        *parents, leaf = str(key).split(".")
        for part in parents:
            node = node.setdefault(part, {})
        if isinstance(value, dict) and isinstance(node.get(leaf), dict):
            node[leaf].update(value)
        else:
            node[leaf] = value
    return out


def _declared_providers(*layers: Mapping[str, Any]) -> list[str]:
    names: list[str] = []
    for data in layers:
        providers = data.get("providers")
        if isinstance(providers, Mapping):
            names.extend(str(n) for n in providers if str(n) not in names)
    return names


def _order_providers(data: dict[str, Any], layers: Sequence[Layer]) -> None:
    # The env defaults layer is merged first but should not put its providers first:
    # keep the order in which files and then variables declare them.
    providers = data.get("providers")
    if not isinstance(providers, dict):
        return
    order = [n for layer in layers for n in _declared_providers(layer.data) if n in providers]
    data["providers"] = {n: providers[n] for n in dict.fromkeys([*order, *providers])}


def _prompts_beside(settings: Settings, prompts_dir: str, folder: Path) -> Settings:
    # A relative path in the server file means one beside it, not one in whatever folder
    # the bot runs from (a checkout, whose author would then choose the templates).
    path = folder / Path(prompts_dir).expanduser()  # an absolute path stays as it is
    return settings.model_copy(update={"prompts_dir": str(path)})


def _allow_secrets(settings: Settings) -> None:
    """Every find_secrets call consults the loaded allow-list (bot/secrets/allow.py): the
    detector has many callers and one policy. Imported here: bot.secrets needs no settings."""
    from bot.secrets.allow import AllowList, configure

    allow = settings.secrets.allow
    configure(AllowList.of(allow.paths, allow.fingerprints))


def load_settings(
    *,
    repo_dir: Path | None,
    config_path: Path | None,
    environ: Mapping[str, str],
    overrides: Mapping[str, Any] | None = None,
    flag_names: Mapping[str, str] | None = None,
) -> LoadedSettings:
    """Read, merge and validate every layer.

    Precedence, lowest first: built-in defaults, the server/org file (`config_path`, else
    $SWITCHYARD_CONFIG), `<repo_dir>/.switchyard.yml`, the environment, `overrides` (from
    flags; None values are skipped, keys may be nested or dotted). `flag_names` maps a
    dotted key to the flag that set it ("fail_on" -> "--fail-on") for error messages.
    """
    sources: list[str] = []
    file_layers: list[Layer] = []

    server_path = config_path
    server_label = ""
    if server_path is None and environ.get(envmod.CONFIG, "").strip():
        server_path = Path(environ[envmod.CONFIG].strip())
    if server_path is not None:
        server_path = server_path.expanduser()
        server_label = str(server_path)
        if config_path is None:
            server_label += f" (from {envmod.CONFIG})"
        file_layers.append(Layer(server_label, read_yaml_file(server_path, server_label)))
        sources.append(str(server_path))

    if repo_dir is not None:
        repo_file = _find_repo_file(repo_dir)
        if repo_file is not None:
            label = repo_file.name
            file_layers.append(Layer(label, read_yaml_file(repo_file, label), from_repo=True))
            sources.append(str(repo_file))

    problems = [p for layer in file_layers for p in keylike_problems(layer)]
    if problems:
        raise ConfigProblems(problems)

    env = envmod.read_env(environ, declared=_declared_providers(*(x.data for x in file_layers)))
    flags = _expand_overrides(overrides or {})
    env_defaults = Layer("environment", env.defaults, origins=env.origins)
    above_files = [
        Layer("environment", env.values, origins=env.origins),
        Layer("command line", flags, origins=dict(flag_names or {})),
    ]
    merged = merge_layers([env_defaults, *file_layers, *above_files])
    _order_providers(merged.data, [*file_layers, *above_files, env_defaults])
    settings = validate_merged(merged)
    if (
        settings.prompts_dir
        and server_path is not None
        and merged.origins.get(("prompts_dir",)) == server_label
    ):
        settings = _prompts_beside(settings, settings.prompts_dir, server_path.parent)
    _allow_secrets(settings)
    return LoadedSettings(
        settings=settings,
        sources=sources,
        origins={".".join(p): label for p, label in merged.origins.items()},
    )
