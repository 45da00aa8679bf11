"""Names a project's users type, read from its code and configuration: command-line flags
(argparse, click, typer, commander, Go's flag), environment variables (os.environ,
os.getenv, process.env, os.Getenv), HTTP routes (Flask/FastAPI decorators, Express and Go
handlers) and configuration keys (YAML, TOML and JSON files).

Read from syntax trees (bot/structure's tree-sitter grammars) and parsed configuration,
never by matching lines of code: a flag in a comment or a string that is no option is no
flag.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

import yaml
from tree_sitter import Node

from bot.structure.languages import language_of, parse
from bot.structure.nodes import node_text

Kind = Literal["flag", "env", "route", "setting"]
KIND_WORDS: dict[str, str] = {
    "flag": "command-line flag",
    "env": "environment variable",
    "route": "HTTP route",
    "setting": "configuration key",
}

_FLAG_CALLS = frozenset({"add_argument", "option", "Option", "requiredOption"})
_ENV_CALLS = frozenset(
    {
        "os.getenv",
        "getenv",
        "os.environ.get",
        "environ.get",
        "os.environ.setdefault",
        "os.environ.pop",
        "os.Getenv",
        "os.LookupEnv",
        "Deno.env.get",
    }
)
_ROUTE_DECORATORS = frozenset(
    {"route", "get", "post", "put", "delete", "patch", "api_route", "websocket", "head"}
)
_ROUTE_CALLS = frozenset(
    {
        "get",
        "post",
        "put",
        "delete",
        "patch",
        "all",
        "use",
        "route",
        "HandleFunc",
        "Handle",
        "GET",
        "POST",
        "PUT",
        "DELETE",
        "PATCH",
        "Get",
        "Post",
        "Put",
        "Delete",
        "Patch",
        "add_url_rule",
    }
)
_GO_FLAGS = frozenset(
    {"String", "Int", "Int64", "Uint", "Uint64", "Bool", "Float64", "Duration", "Var", "Func"}
)
_CONFIG_SUFFIXES = frozenset({".yml", ".yaml", ".toml", ".json"})
_NOT_CONFIG = frozenset(
    {"package-lock.json", "composer.lock", "tsconfig.json", "package.json", "renovate.json"}
)
# A settings key this short or plain ("name", "port") names too many things to look for.
_MIN_KEY = 6


@dataclass(frozen=True, slots=True)
class Name:
    kind: Kind
    text: str


def names_in(path: str, source: bytes) -> set[Name]:
    """The user-facing names `source` (the file at `path`) defines or reads."""
    if is_config_file(path):
        return _config_names(path, source)
    language = language_of(path)
    if language is None or language == "java":
        return set()
    root = parse(language, source).root_node
    out: set[Name] = set()
    for node in _walk(root):
        if node.type in ("call", "call_expression"):
            out |= _call_names(language, node, source)
        elif node.type in ("subscript", "subscript_expression"):
            out |= _env_subscript(node, source)
        elif node.type == "member_expression":
            inner = node.child_by_field_name("object")
            prop = node.child_by_field_name("property")
            if inner is not None and prop is not None and node_text(source, inner) == "process.env":
                out.add(Name("env", node_text(source, prop)))
    return out


def is_config_file(path: str) -> bool:
    p = PurePosixPath(path)
    if p.suffix.lower() not in _CONFIG_SUFFIXES or p.name in _NOT_CONFIG:
        return False
    return not path.startswith((".github/", ".gitlab/")) and ".lock" not in p.name


def _walk(root: Node) -> Iterator[Node]:
    pending = [root]
    while pending:
        node = pending.pop()
        yield node
        pending.extend(reversed(node.named_children))


def _strings(args: Node, source: bytes) -> list[str | None]:
    """Each argument's literal text, None where an argument is no plain string."""
    out: list[str | None] = []
    for arg in args.named_children:
        if arg.type == "comment":
            continue
        if arg.type in ("string", "interpreted_string_literal", "raw_string_literal"):
            parts = [
                c
                for c in arg.named_children
                if c.type
                in ("string_content", "string_fragment", "interpreted_string_literal_content")
            ]
            prefix = node_text(source, arg)[:1]
            if prefix.isalpha() and prefix.lower() not in ("r", "u"):
                out.append(None)  # f-strings and bytes name nothing fixed
                continue
            out.append("".join(node_text(source, c) for c in parts))
        else:
            out.append(None)
    return out


def _call_names(language: str, call: Node, source: bytes) -> set[Name]:
    function = call.child_by_field_name("function")
    args = call.child_by_field_name("arguments")
    if function is None or args is None:
        return set()
    callee = node_text(source, function)
    last = callee.rsplit(".", 1)[-1]
    strings = _strings(args, source)
    out: set[Name] = set()
    if callee in _ENV_CALLS and strings and strings[0]:
        out.add(Name("env", strings[0]))
    if last in _FLAG_CALLS:
        for text in strings:
            for token in (text or "").replace(",", " ").replace("|", " ").split():
                if token.startswith("-") and len(token) > 1 and not token.startswith("-<"):
                    out.add(Name("flag", token))
    if language == "go" and callee.startswith("flag.") and last.removesuffix("Var") in _GO_FLAGS:
        index = 1 if last.endswith("Var") else 0
        if len(strings) > index and strings[index]:
            out.add(Name("flag", f"-{strings[index]}"))
    decorated = call.parent is not None and call.parent.type == "decorator"
    routes = _ROUTE_DECORATORS if language == "python" else _ROUTE_CALLS
    if (decorated or language != "python") and last in routes and "." in callee:
        first = strings[0] if strings else None
        if first and first.startswith("/") and (decorated or len(strings) > 1):
            out.add(Name("route", first))
    return out


def _env_subscript(node: Node, source: bytes) -> set[Name]:
    value = node.child_by_field_name("value") or node.child_by_field_name("object")
    key = node.child_by_field_name("subscript") or node.child_by_field_name("index")
    if value is None or key is None:
        return set()
    owner = node_text(source, value)
    if not (owner.endswith("environ") or owner == "process.env"):
        return set()
    texts = [
        node_text(source, c)
        for c in key.named_children
        if c.type in ("string_content", "string_fragment")
    ]
    return {Name("env", texts[0])} if len(texts) == 1 else set()


def _config_names(path: str, source: bytes) -> set[Name]:
    text = source.decode("utf-8", "replace")
    suffix = PurePosixPath(path).suffix.lower()
    try:
        if suffix == ".toml":
            data: object = tomllib.loads(text)
        elif suffix == ".json":
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except (ValueError, yaml.YAMLError, RecursionError):
        return set()
    return {Name("setting", key) for key in _keys(data, ())}


def _keys(data: object, prefix: tuple[str, ...]) -> Iterator[str]:
    if not isinstance(data, dict) or len(prefix) > 8:
        return
    for key, value in data.items():
        if not isinstance(key, str):
            continue
        path = (*prefix, key)
        yield ".".join(path)
        yield from _keys(value, path)


def needle(name: Name) -> str | None:
    """What prose names it by: a flag, variable or route as written; a settings key by its
    last part when that is distinctive ("max_findings"), else by its dotted path; None for
    a plain top-level word ("name", "port"), which prose uses for too many things."""
    if name.kind != "setting":
        return name.text
    leaf = name.text.rsplit(".", 1)[-1]
    if ("_" in leaf or "-" in leaf) and len(leaf) >= _MIN_KEY:
        return leaf
    return name.text if "." in name.text else None
