"""Layers of settings and their deep merge, remembering which layer set each leaf.

Nothing here validates or enforces policy: loader merges, policy says what a layer may set.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

Path_ = tuple[str, ...]


@dataclass(frozen=True)
class Layer:
    """One source of settings, in the shape of the YAML file."""

    label: str  # what errors name: a file as the user wrote it, "environment", "command line"
    data: Mapping[str, Any]
    # Finer labels for some dotted keys (an environment variable, a flag).
    origins: Mapping[str, str] = field(default_factory=dict)
    # Written by the repository, hence bound by policy.REPO_ALLOWED and earlier layers' locks.
    from_repo: bool = False
    # Dotted patterns ("*" matches one segment) that later repo layers may not set, even
    # where REPO_ALLOWED lets them: the seam for org policy ("review.instructions").
    locks: frozenset[str] = frozenset()


@dataclass
class Merged:
    data: dict[str, Any]
    origins: dict[Path_, str]  # leaf path -> label of the layer that set it last


def matches(pattern: str, path: Path_) -> bool:
    """Whether dotted `pattern` ("*" for one segment) covers `path` or a path above it."""
    parts = pattern.split(".")
    return len(path) >= len(parts) and all(p in ("*", s) for p, s in zip(parts, path, strict=False))


def leaves(data: Mapping[str, Any], prefix: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Every leaf of `data` with its path; an empty mapping counts as a leaf."""
    for key, value in data.items():
        path = (*prefix, str(key))
        if isinstance(value, Mapping) and value:
            yield from leaves(value, path)
        else:
            yield path, value


def _label_for(layer: Layer, path: Path_) -> str:
    for n in range(len(path), 0, -1):
        label = layer.origins.get(".".join(path[:n]))
        if label:
            return label
    return layer.label


def merge_into(
    target: dict[str, Any],
    top: Mapping[str, Any],
    prefix: Path_,
    layer: Layer,
    origins: dict[Path_, str],
) -> None:
    """Merge `top` (from `layer`) into `target` below `prefix`, updating `origins`."""
    for key, value in top.items():
        path = (*prefix, str(key))
        if isinstance(value, Mapping):
            if not isinstance(target.get(key), dict):
                _forget(origins, path)
                target[key] = {}
            else:
                origins.pop(path, None)  # an earlier empty mapping no longer stands alone
            merge_into(target[key], value, path, layer, origins)
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
