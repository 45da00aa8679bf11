"""Reading one settings file: YAML that refuses duplicate keys, errors with line and column.

Every failure is a ConfigError naming the file as the user wrote it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_origin

import yaml
from pydantic import BaseModel

from bot.config.model import Settings
from bot.config.schema import is_model, unwrap
from bot.errors import ConfigError


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
    return read_yaml_text(text, label)


def read_yaml_text(text: str, label: str) -> dict[str, Any]:
    """Parse settings given as text (a file fetched from a forge); errors name `label`."""
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
            target = unwrap(model.model_fields[key].annotation)
            if is_model(target) or get_origin(target) is dict:
                continue
        out[key] = value
    return out
