"""Load settings from layers: server/org file < repo file < environment < flags.

Layers are merged as plain dicts first and validated once, so a repo file may override a
single field of a provider the server file declares. The merge remembers which layer set
each leaf, so a validation error names the file (or variable, or flag) to fix.
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from bot.config import env as envmod
from bot.config.keys import key_env_name
from bot.config.model import Settings
from bot.errors import ConfigError

REPO_FILE_NAMES = (".switchyard.yml", ".switchyard.yaml")

Path_ = tuple[str, ...]

# A repo file is written by whoever opens a pull request; naming where a key comes from
# would let it point the bot at a secret it should not read.
_REPO_LOCKED = ("providers.*.api_key_env", "providers.*.api_key_file")
_REPO_LOCKED_MSG = "keys come from the environment or the server config, never from the repository"

# Field names that look like key material. `context_tokens` and friends must not match,
# hence the anchors.
_KEYLIKE = re.compile(
    r"^(api[_-]?key|apikey|key|secret|secret[_-]?key|client[_-]?secret|password|passwd|"
    r"(access|auth|bearer|api)?[_-]?token|authorization|credentials?)$",
    re.IGNORECASE,
)


class ConfigProblems(ConfigError):
    """Several configuration problems at once; `problems` holds one line each."""

    def __init__(self, problems: Sequence[str], hint: str | None = None) -> None:
        self.problems = list(problems)
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            message = f"{len(self.problems)} configuration problems:\n" + "\n".join(
                "  " + p for p in self.problems
            )
        super().__init__(message, hint)


@dataclass(frozen=True)
class Layer:
    """One source of settings, in the shape of the YAML file."""

    label: str  # what errors name: a file as the user wrote it, "environment", "command line"
    data: Mapping[str, Any]
    # Finer labels for some dotted keys (an environment variable, a flag).
    origins: Mapping[str, str] = field(default_factory=dict)
    # Written by the repository, hence bound by _REPO_LOCKED and by earlier layers' locks.
    from_repo: bool = False
    # Dotted patterns ("*" matches one segment) that later repo layers may not set: the
    # seam for org policy. A lock on "routing" also covers "routing.order".
    locks: frozenset[str] = frozenset()


@dataclass
class Merged:
    data: dict[str, Any]
    origins: dict[Path_, str]  # leaf path -> label of the layer that set it last


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    sources: list[str]  # files read, in order of precedence (lowest first)
    origins: dict[str, str] = field(default_factory=dict)  # dotted leaf key -> its source


# --------------------------------------------------------------------------- merging


def _matches(pattern: str, path: Path_) -> bool:
    parts = pattern.split(".")
    return len(path) >= len(parts) and all(p in ("*", s) for p, s in zip(parts, path, strict=False))


def _leaves(data: Mapping[str, Any], prefix: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    for key, value in data.items():
        path = (*prefix, str(key))
        if isinstance(value, Mapping) and value:
            yield from _leaves(value, path)
        else:
            yield path, value


def _label_for(layer: Layer, path: Path_) -> str:
    for n in range(len(path), 0, -1):
        label = layer.origins.get(".".join(path[:n]))
        if label:
            return label
    return layer.label


def merge_layers(layers: Sequence[Layer]) -> Merged:
    """Deep-merge `layers`, lowest precedence first; later layers win per key.

    Mappings merge key by key (so `providers.<name>` merges per field); anything else,
    lists included, is replaced whole. Raises ConfigProblems when a repo layer sets a
    locked key.
    """
    data: dict[str, Any] = {}
    origins: dict[Path_, str] = {}
    locks: list[tuple[str, str]] = [(p, _REPO_LOCKED_MSG) for p in _REPO_LOCKED]
    problems: list[str] = []
    for layer in layers:
        if layer.from_repo:
            for path, _ in _leaves(layer.data):
                for pattern, why in locks:
                    if _matches(pattern, path):
                        problems.append(f"{layer.label}: {'.'.join(path)}: {why}")
                        break
        else:
            locks.extend((p, f"locked by {layer.label}") for p in layer.locks)
        _merge_into(data, layer.data, (), layer, origins)
    if problems:
        raise ConfigProblems(problems)
    return Merged(data, origins)


def _merge_into(
    target: dict[str, Any],
    top: Mapping[str, Any],
    prefix: Path_,
    layer: Layer,
    origins: dict[Path_, str],
) -> None:
    for key, value in top.items():
        path = (*prefix, str(key))
        if isinstance(value, Mapping):
            if not isinstance(target.get(key), dict):
                _forget(origins, path)
                target[key] = {}
            else:
                origins.pop(path, None)  # an earlier empty mapping no longer stands alone
            _merge_into(target[key], value, path, layer, origins)
            if not target[key]:
                # An empty mapping is still something someone wrote; remember who.
                origins[path] = _label_for(layer, path)
        else:
            _forget(origins, path)
            target[key] = value
            origins[path] = _label_for(layer, path)


def _forget(origins: dict[Path_, str], path: Path_) -> None:
    for known in [k for k in origins if k[: len(path)] == path]:
        del origins[known]


# --------------------------------------------------------------------------- files


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects a key given twice (PyYAML silently keeps the last)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            continue  # construct_mapping below reports unhashable keys itself
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} appears twice in the same mapping", key_node.start_mark
            )
        seen[key] = key_node
    return loader.construct_mapping(node, deep=True)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml_file(path: Path, label: str) -> dict[str, Any]:
    """Parse one settings file; every failure is a ConfigError naming `label`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{label}: file not found") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{label}: not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{label}: cannot read: {exc.strerror or exc}") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader: no arbitrary objects
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        what = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(f"{label}{where}: invalid YAML: {what}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{label}: invalid YAML: {exc}") from None
    if data is None:
        return {}  # an empty or all-comments file declares nothing
    if not isinstance(data, dict):
        raise ConfigError(
            f"{label}: the top level must be a mapping of settings (e.g. `providers:`), "
            f"not {_yaml_kind(data)}"
        )
    return _drop_empty_sections(data, Settings)


def _yaml_kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__}"


def _drop_empty_sections(data: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    # `providers:` with every entry commented out parses as null; that means "nothing
    # here", not "providers must be a dict".
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is None and key in model.model_fields:
            target = _unwrap(model.model_fields[key].annotation)
            if _is_model(target) or get_origin(target) is dict:
                continue
        out[key] = value
    return out


def _find_repo_file(repo_dir: Path) -> Path | None:
    found = [repo_dir / name for name in REPO_FILE_NAMES if (repo_dir / name).is_file()]
    if len(found) > 1:
        raise ConfigError(f"both {found[0].name} and {found[1].name} exist in {repo_dir}; keep one")
    return found[0] if found else None


def _check_keylike(layer: Layer) -> list[str]:
    problems = []
    for path, _ in _leaves(layer.data):
        for i, part in enumerate(path):
            if not _KEYLIKE.match(part):
                continue
            # Only where the schema has fixed fields: a provider may be *named* "token",
            # and a real settings field is never refused for its name alone.
            fields = _fields_at(path[:i])
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


# --------------------------------------------------------------------------- validation


def _unwrap(tp: Any) -> Any:
    """`X | None` -> X; anything else unchanged."""
    if get_origin(tp) in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _fields_at(path: Sequence[Any]) -> list[str]:
    """Field names the schema allows at `path`, or [] where it allows free keys."""
    tp: Any = Settings
    for part in path:
        tp = _unwrap(tp)
        if _is_model(tp):
            info = tp.model_fields.get(str(part))
            if info is None:
                return []
            tp = info.annotation
        elif get_origin(tp) is dict:
            tp = get_args(tp)[1]
        elif get_origin(tp) is list:
            tp = get_args(tp)[0]
        else:
            return []
    tp = _unwrap(tp)
    return list(tp.model_fields) if _is_model(tp) else []


def _source_of(loc: Path_, origins: Mapping[Path_, str]) -> str:
    # The leaf itself or a list/scalar above it (an error on filters.include.0).
    for n in range(len(loc), 0, -1):
        if loc[:n] in origins:
            return origins[loc[:n]]
    # A mapping, or a key that is missing: name whoever wrote below its parent.
    for n in range(len(loc), -1, -1):
        labels = [lab for p, lab in origins.items() if p[:n] == loc[:n]]
        if labels:
            return " + ".join(dict.fromkeys(labels))
    return "settings"


def _describe(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    loc = err["loc"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _fields_at(loc[:-1])
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        if close:
            return f"unknown key {key!r} (did you mean {close[0]!r}?)"
        if allowed:
            return f"unknown key {key!r} (expected one of: {', '.join(allowed)})"
        return f"unknown key {key!r}"
    if kind == "missing":
        return "required, but no layer sets it"
    msg = str(err["msg"])
    value = err.get("input")
    if isinstance(value, str | int | float | bool):
        shown = repr(value)
        msg += f", got {shown if len(shown) <= 60 else shown[:57] + '...'}"
    return msg


def _validation_problems(exc: ValidationError, merged: Merged) -> list[str]:
    problems = []
    for err in exc.errors():
        loc = tuple(str(p) for p in err["loc"])
        dotted = ".".join(loc) or "(top level)"
        problems.append(f"{_source_of(loc, merged.origins)}: {dotted}: {_describe(err)}")
    return problems


def validate_merged(merged: Merged) -> Settings:
    try:
        return Settings.model_validate(merged.data)
    except ValidationError as exc:
        raise ConfigProblems(_validation_problems(exc, merged)) from None


# --------------------------------------------------------------------------- entry point


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
    if server_path is None and environ.get(envmod.CONFIG, "").strip():
        server_path = Path(environ[envmod.CONFIG].strip())
    if server_path is not None:
        server_path = server_path.expanduser()
        label = str(server_path)
        if config_path is None:
            label += f" (from {envmod.CONFIG})"
        file_layers.append(Layer(label, read_yaml_file(server_path, label)))
        sources.append(str(server_path))

    if repo_dir is not None:
        repo_file = _find_repo_file(repo_dir)
        if repo_file is not None:
            label = repo_file.name
            file_layers.append(Layer(label, read_yaml_file(repo_file, label), from_repo=True))
            sources.append(str(repo_file))

    problems = [p for layer in file_layers for p in _check_keylike(layer)]
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
    return LoadedSettings(
        settings=settings,
        sources=sources,
        origins={".".join(p): label for p, label in merged.origins.items()},
    )
