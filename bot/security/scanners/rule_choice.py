"""Which of the built-in rule files a scan needs: those for the languages it scans.

semgrep parses every rule file it is given before it looks at a target, and the taint
rules are most of its start-up: a change of Python files need not pay for the Java, Go and
JavaScript rules. A file's language is semgrep's own, by extension.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

# semgrep's extensions for the languages the built-in rules are written in.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "python": (".py", ".pyi"),
    "javascript": (".js", ".jsx", ".mjs", ".cjs"),
    "typescript": (".ts", ".tsx", ".mts", ".cts"),
    "java": (".java",),
    "go": (".go",),
}


@cache
def _rules(path: Path, mtime_ns: int) -> tuple[dict[str, Any], ...]:
    """A rule file's rules, parsed once per version of the file (every scan needs them,
    and parsing the four built-in files takes ~0.3 s); empty when it cannot be read
    (semgrep then says why)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return ()
    rules = doc.get("rules") if isinstance(doc, dict) else None
    return tuple(r for r in rules if isinstance(r, dict)) if isinstance(rules, list) else ()


def rules_in(path: Path) -> tuple[dict[str, Any], ...]:
    try:
        return _rules(path, path.stat().st_mtime_ns)
    except OSError:
        return ()


def _languages(path: Path) -> frozenset[str]:
    """The languages a rule file's rules are written for."""
    found: set[str] = set()
    for rule in rules_in(path):
        if isinstance(rule.get("languages"), list):
            found.update(str(lang).lower() for lang in rule["languages"])
    return frozenset(found)


def rule_files_under(path: Path) -> list[Path]:
    """The rule files a `--config` path gives semgrep: the file, or a folder's YAML files."""
    path = Path(path)
    return sorted([*path.rglob("*.yml"), *path.rglob("*.yaml")]) if path.is_dir() else [path]


def languages_of(paths: Iterable[str]) -> frozenset[str]:
    suffixes = {PurePosixPath(p).suffix.lower() for p in paths}
    return frozenset(lang for lang, exts in EXTENSIONS.items() if suffixes & set(exts))


def rule_files_for(files: Sequence[Path], paths: Iterable[str]) -> list[Path]:
    """The rule files among `files` with a rule for a language of `paths` (a README or a
    YAML file needs none of them). All of them when a path has no extension (semgrep
    reads a script's shebang) or a rule file names a language not listed here: semgrep
    then decides, and no rule is left out for a file it could apply to."""
    wanted = languages_of(paths)
    kept: list[Path] = []
    for f in files:
        langs = _languages(f)
        if not langs or not langs <= set(EXTENSIONS):
            return list(files)
        if langs & wanted:
            kept.append(f)
    if any(not PurePosixPath(p).suffix for p in paths):
        return list(files)  # a script without an extension: semgrep reads its shebang
    return kept


@contextmanager
def as_json(own: Sequence[Path], others: Sequence[Path]) -> Iterator[list[Path]]:
    """The rule paths to give semgrep: the files of `own` (Switchyard's rules) as one JSON
    file with their anchors resolved, then `others` (a repository's rules) as they are.

    semgrep reads YAML rules with a parser written in Python: on the Python rules alone
    that is ~0.4 s of a ~2 s scan, and JSON it reads at once (docs/benchmarks.md). A
    repository's rules stay as written, so what semgrep says of them names their lines."""
    if not own or not all(rules_in(path) for path in own):
        yield [*own, *others]  # one it cannot read here: semgrep says why, as ever
        return
    with tempfile.TemporaryDirectory(prefix="switchyard-semgrep-") as folder:
        yield [write_json(own, Path(folder) / "switchyard-rules.json"), *others]


def write_json(files: Sequence[Path], path: Path) -> Path:
    """The rules of `files` written to `path` as one JSON document (anchors resolved)."""
    rules = [rule for f in files for rule in rules_in(f)]
    path.write_text(json.dumps({"rules": rules}), encoding="utf-8")
    return path
