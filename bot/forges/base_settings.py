"""The repository's settings as its base branch has them, read through a forge's API.

Read from the base, never the change's head: a pull or merge request must not be able to
loosen the policy it is reviewed under. There is no checkout, so the file is fetched and
laid in a private folder as the repository layer of the usual loader.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from bot.config.loader import REPO_FILE_NAMES, LoadedSettings, load_settings
from bot.config.yaml_file import read_yaml_text
from bot.errors import ConfigError

if TYPE_CHECKING:
    from bot.forges.contract import ChangeSource

# (path, ref) -> the file's bytes at ref, None when absent.
FileReader = Callable[[str, str], bytes | None]


def repo_settings(read: FileReader, repository: str, ref: str) -> dict[str, Any] | None:
    """The repository's .switchyard.yml (or .yaml) as on `ref`, parsed; None if absent.

    Raises ConfigError for invalid YAML or both files present; `read` raises what the forge
    makes of a refusal.
    """
    found: list[tuple[str, bytes]] = []
    for name in REPO_FILE_NAMES:
        data = read(name, ref)
        if data is not None:
            found.append((name, data))
    if not found:
        return None
    if len(found) > 1:
        raise ConfigError(
            f"both {found[0][0]} and {found[1][0]} exist on {ref} of {repository}; keep one"
        )
    name, data = found[0]
    label = f"{name} ({repository}@{ref})"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{label}: not UTF-8 text") from None
    return read_yaml_text(text.removeprefix("\ufeff"), label)


def load_base_settings(
    source: ChangeSource,
    base_ref: str,
    *,
    config_path: Path | None,
    environ: Mapping[str, str],
    overrides: dict[str, object] | None = None,
) -> LoadedSettings:
    """Settings with the file on `base_ref` of the source's repository as the repository
    layer."""

    def read(path: str, ref: str) -> bytes | None:
        return source.read_file(path, ref, purpose="read its settings")

    repo_layer = repo_settings(read, source.repository, base_ref)
    with tempfile.TemporaryDirectory(prefix="switchyard-config-") as tmp:
        if repo_layer is not None:
            (Path(tmp) / ".switchyard.yml").write_text(
                yaml.safe_dump(repo_layer, sort_keys=False), encoding="utf-8"
            )
        return load_settings(
            repo_dir=Path(tmp),
            config_path=config_path,
            environ=environ,
            overrides=overrides,
        )
