"""What kind of file a text comes from, by its path: configuration (unquoted values count),
source code (an unquoted value is an expression), documentation (a line may call its key an
example), tests (fixtures hold made-up passwords). The secret rules (rules.py) and the
finders (detect.py, line_finders.py) ask; the path alone decides."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Literal

_CONFIG_SUFFIXES = frozenset(
    {".env", ".ini", ".cfg", ".conf", ".cnf", ".properties", ".yaml", ".yml", ".toml",
     ".tfvars", ".envrc", ".npmrc", ".pypirc", ".netrc", ".sh", ".bash", ".zsh",
     ".service", ".j2"}
)  # fmt: skip
_CODE_SUFFIXES = frozenset(
    {".py", ".pyi", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".go",
     ".java", ".kt", ".kts", ".scala", ".groovy", ".gradle", ".rb", ".php", ".cs", ".fs",
     ".vb", ".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp", ".ino", ".m", ".mm", ".rs", ".swift",
     ".dart", ".lua", ".pl", ".pm", ".r", ".jl", ".ex", ".exs", ".erl", ".clj", ".hs",
     ".ml", ".vue", ".svelte", ".sql", ".tf", ".hcl", ".ps1", ".psm1", ".rake", ".gemspec",
     ".podspec", ".ru", ".jbuilder", ".coffee", ".cljs", ".cljc", ".sol", ".vy", ".pck",
     ".pkb", ".pks", ".pls", ".plsql"}
)  # fmt: skip
# Code by its name alone: Ruby's DSL files (`task :x => :environment`, `gem "…"`), a
# Jenkinsfile's Groovy.
_CODE_NAMES = frozenset(
    {"rakefile", "gemfile", "guardfile", "podfile", "fastfile", "appfile", "vagrantfile",
     "brewfile", "capfile", "dangerfile", "berksfile", "jenkinsfile"}
)  # fmt: skip
_CONFIG_NAMES = re.compile(
    r"^(?:\.env(?:\..+)?|[^/]*\.env|dockerfile(?:\..+)?|containerfile|docker-compose[^/]*"
    r"|compose\.ya?ml|\.npmrc|\.pypirc|\.netrc|\.pgpass|pip\.conf|\.htpasswd|credentials)$",
    re.IGNORECASE,
)
_TEST_DIRS = frozenset(
    {"test", "tests", "testing", "__tests__", "spec", "specs", "fixtures", "fixture",
     "testdata", "test_data", "__fixtures__", "__snapshots__", "mocks", "__mocks__"}
)  # fmt: skip
_TEST_NAME = re.compile(
    r"^(?:test_.*|.*_test\.[a-z]+|.*\.(?:test|spec)\.[a-z]+|.*Tests?\.[a-z]+|conftest\.py)$"
)
_DOC_SUFFIXES = frozenset({".md", ".markdown", ".rst", ".adoc", ".asciidoc"})
# (a YAML file's `.yml.erb` is configuration still: only a view's)
_VIEW_TEMPLATE = re.compile(r"\.(?:html|text|txt|js|md)\.erb$|\.(?:haml|slim|markerb)$", re.I)
_DOC_DIRS = frozenset({"docs", "doc", "documentation"})
_BUNDLE_SUFFIXES = frozenset({".js", ".mjs", ".cjs"})
_BUNDLE_NAME = re.compile(r"\.(?:min|umd|bundle|prod|production)\.[cm]?js$", re.IGNORECASE)
_BUNDLE_DIRS = frozenset({"dist", "build", "bundle", "bundles"})
# Message catalogues: `i18n/de_DE.json`, `config/locales/pl.yml`, `lang/fr/messages.php`,
# `po/de.po`, Android's `values-de/strings.xml`. Their values are translations; the names
# (`LABEL_PASSWORD`, `confirm_password`) say what a text is about, not what it holds.
_LOCALE_DIRS = frozenset(
    {"i18n", "l10n", "locale", "locales", "lang", "langs", "languages", "translations",
     "translation", "po"}
)  # fmt: skip
_LOCALE_SUFFIXES = frozenset({".po", ".pot", ".xliff", ".xlf", ".strings", ".resx", ".arb"})
# A Java bundle (`messages_de.properties`) or an Android `values-de` folder.
_LOCALE_NAME = re.compile(r"^(?:messages|strings|translations?)(?:_[a-z]{2}(?:_[A-Z]{2})?)?\.")
_LOCALE_VALUES = re.compile(r"^values-[a-z]{2}(?:-r?[A-Z]{2})?$")
# A documentation line that calls its value an example ("# example key", "sample token").
_EXAMPLE_LINE = re.compile(r"\b(?:examples?|samples?|placeholder|dummy|fake)\b", re.IGNORECASE)
# RFC 2606's example domains name a host, not the key (detect.py weighs them apart).
_EXAMPLE_DOMAIN = re.compile(r"\bexample\.(?:com|org|net|edu)\b", re.IGNORECASE)


@lru_cache(maxsize=4096)
def is_config_path(path: str | None) -> bool:
    if path is None:
        return False
    p = PurePosixPath(path)
    return p.suffix.lower() in _CONFIG_SUFFIXES or bool(_CONFIG_NAMES.match(p.name))


# Files whose `name = value` line holds its value to the line's end, whatever its first
# character: Java properties, INI and .conf files, dotenv files.
_LINE_VALUE_SUFFIXES = frozenset({".properties", ".ini", ".cfg", ".conf", ".cnf", ".env", ".envrc"})
# Of those, where `#` and `;` open a comment only at a line's start: Java properties and INI
# files as Python's configparser reads them (MySQL's option files and dotenv files read one
# after a space inside a line too).
_WHOLE_LINE_COMMENT_SUFFIXES = frozenset({".properties", ".ini", ".cfg"})
_LINE_VALUE_NAME = re.compile(r"^(?:\.env(?:\..+)?|[^/]*\.env)$", re.IGNORECASE)
_YAML_SUFFIXES = frozenset({".yaml", ".yml"})


@lru_cache(maxsize=4096)
def line_value_kind(path: str | None) -> Literal["line", "whole", "item"] | None:
    """ "line" where a setting's value runs to the line's end (properties, INI, dotenv),
    "whole" where it does and `#`/`;` may open it too (properties, INI), "item" in YAML (a
    `- NAME=value` item is one plain scalar: Compose's environment), else None."""
    if path is None:
        return None
    p = PurePosixPath(path)
    suffix = p.suffix.lower()
    if suffix in _WHOLE_LINE_COMMENT_SUFFIXES:
        return "whole"
    if suffix in _LINE_VALUE_SUFFIXES or _LINE_VALUE_NAME.match(p.name):
        return "line"
    return "item" if suffix in _YAML_SUFFIXES else None


@lru_cache(maxsize=4096)
def is_code_path(path: str | None) -> bool:
    """Source code, where an unquoted value after `=` is an expression, not a literal; and
    a web view's template (`reset_password.html.erb`, `.haml`, `.slim`, `.markerb`), whose
    `token: @token` is Ruby's."""
    if path is None:
        return False
    p = PurePosixPath(path)
    return (
        p.suffix.lower() in _CODE_SUFFIXES
        or p.name.lower() in _CODE_NAMES
        or _VIEW_TEMPLATE.search(p.name) is not None
    )


def is_markup_path(path: str | None) -> bool:
    """Text whose backticks are code spans: a Markdown, reStructuredText or AsciiDoc file,
    and text without a path (a pull request's description, a comment, a model's answer)."""
    return path is None or PurePosixPath(path).suffix.lower() in _DOC_SUFFIXES


@lru_cache(maxsize=4096)
def is_doc_path(path: str | None) -> bool:
    if path is None:
        return False
    p = PurePosixPath(path)
    return p.suffix.lower() in _DOC_SUFFIXES or any(d.lower() in _DOC_DIRS for d in p.parts[:-1])


@lru_cache(maxsize=4096)
def is_bundle_path(path: str) -> bool:
    """JavaScript a bundler or minifier wrote (`dist/`, `build/`, `*.min.js`): its long
    strings are encoded tables and inlined data, not keys someone typed."""
    p = PurePosixPath(path)
    if p.suffix.lower() not in _BUNDLE_SUFFIXES:
        return False
    return bool(_BUNDLE_NAME.search(p.name)) or any(d in _BUNDLE_DIRS for d in p.parts[:-1])


def marked_as_example(line: str) -> bool:
    """In documentation, a line that says its key is an example shows one: a reader is
    meant to copy its shape, not use it."""
    return _EXAMPLE_LINE.search(_EXAMPLE_DOMAIN.sub(" ", line)) is not None


def names_example_host(line: str) -> bool:
    """`ssh.example.com`, `https://api.example.org`: an illustration's host."""
    return _EXAMPLE_DOMAIN.search(line) is not None


# Package managers' lockfiles: names, versions, ranges and integrity hashes, written by a
# tool. A token in one (a registry's `_authToken` pasted by hand) has a service's format,
# which the format rules still find.
_LOCK_NAMES = frozenset(
    {"yarn.lock", "package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "bun.lock",
     "pipfile.lock", "poetry.lock", "uv.lock", "pdm.lock", "cargo.lock", "composer.lock",
     "gemfile.lock", "go.sum", "packages.lock.json", "podfile.lock", "mix.lock",
     "pubspec.lock", "flake.lock", "gradle.lockfile", "jsonnetfile.lock.json",
     "package.resolved", "deno.lock", "conan.lock", "paket.lock"}
)  # fmt: skip


@lru_cache(maxsize=4096)
def is_lock_path(path: str | None) -> bool:
    """A lockfile a package manager wrote."""
    return path is not None and PurePosixPath(path).name.lower() in _LOCK_NAMES


@lru_cache(maxsize=4096)
def is_locale_path(path: str | None) -> bool:
    """A message catalogue: its named values are texts shown to a user."""
    if path is None:
        return False
    p = PurePosixPath(path)
    if p.suffix.lower() in _LOCALE_SUFFIXES or _LOCALE_NAME.match(p.name):
        return True
    return any(d.lower() in _LOCALE_DIRS or _LOCALE_VALUES.match(d) for d in p.parts[:-1])


@lru_cache(maxsize=4096)
def is_test_path(path: str) -> bool:
    p = PurePosixPath(path)
    if any(part.lower() in _TEST_DIRS for part in p.parts[:-1]):
        return True
    return bool(_TEST_NAME.match(p.name))
