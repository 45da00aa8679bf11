"""Checks requests (and, for the fake's own sake, responses) against GitHub's REST OpenAPI
description, so a fake that answers a call GitHub would refuse fails the test instead.

The description (node_modules/@octokit/openapi) is 13 MB: it is parsed once per process and
every per-operation validator is built on first use, so a check after the first costs well
under a millisecond. OpenAPI 3.0 is not JSON Schema: `nullable` and `$ref` into
`#/components` are translated here, `oneOf` is read as `anyOf` (GitHub's branches overlap,
and a fake must not reject what GitHub accepts for that reason alone).
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from jsonschema import Draft4Validator

from tests.tools import NODE_MODULES, node_package

SPEC_DIR = NODE_MODULES / "@octokit/openapi/generated"  # package.json pins @octokit/openapi
DEFAULT_SPEC = "api.github.com"
_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
# Keys that only document; dropping them keeps the translated schemas small.
_DOC_KEYS = frozenset(
    {"description", "example", "examples", "externalDocs", "xml", "discriminator", "deprecated",
     "title", "summary", "readOnly", "writeOnly", "nullable"}
)  # fmt: skip
_MAX_MESSAGE = 300
# Parameters whose values may hold slashes (file paths, branch names), when last in a path.
_SLASHED = frozenset({"path", "basehead", "ref", "branch"})


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    template: str  # "/repos/{owner}/{repo}/pulls/{pull_number}"
    spec: dict[str, Any] = field(repr=False, compare=False)

    @property
    def label(self) -> str:
        return f"{self.method} {self.template}"


@dataclass(frozen=True)
class Match:
    operation: Operation
    params: dict[str, str]  # path parameters, percent-decoded


class _Template:
    __slots__ = ("greedy_tail", "literals", "names", "operation", "score")

    def __init__(self, operation: Operation) -> None:
        parts = operation.template.strip("/").split("/")
        self.operation = operation
        self.literals: dict[int, str] = {}
        self.names: dict[int, str] = {}
        for i, part in enumerate(parts):
            if part.startswith("{") and part.endswith("}") and part.count("{") == 1:
                self.names[i] = part[1:-1]
            else:
                self.literals[i] = part
        # More literals, and literals earlier, win: "issues/comments/{id}" over
        # "issues/{number}/comments" for "issues/comments/7".
        self.score = tuple(1 if i in self.literals else 0 for i in range(len(parts)))
        # A last parameter may span slashes: contents/{path}, compare/{basehead}, commits/{ref}.
        self.greedy_tail = self.names.get(len(parts) - 1) in _SLASHED

    def match(self, segments: list[str], greedy: bool) -> dict[str, str] | None:
        n = len(self.score)
        if greedy:
            if not self.greedy_tail or len(segments) <= n:
                return None
            segments = [*segments[: n - 1], "/".join(segments[n - 1 :])]
        elif len(segments) != n:
            return None
        for i, literal in self.literals.items():
            if segments[i] != literal:
                return None
        params = {name: unquote(segments[i]) for i, name in self.names.items()}
        if any(not v for v in params.values()):
            return None
        return params


class SpecIndex:
    """GitHub's operations by method and path shape, with cached validators."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self._by_method: dict[str, list[_Template]] = {}
        for template, item in spec["paths"].items():
            shared = item.get("parameters", [])
            for method in _METHODS:
                op = item.get(method)
                if op is None:
                    continue
                if shared:
                    op = {**op, "parameters": [*shared, *op.get("parameters", [])]}
                operation = Operation(method.upper(), template, op)
                self._by_method.setdefault(method.upper(), []).append(_Template(operation))
        for templates in self._by_method.values():
            templates.sort(key=lambda t: t.score, reverse=True)
        self._validators: dict[tuple[str, str, str], Draft4Validator | None] = {}
        self._query: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        self._converted: dict[tuple[str, bool], Any] = {}
        self._lock = threading.Lock()

    # -- matching ----------------------------------------------------------------------------

    def match(self, method: str, path: str) -> Match | None:
        """The operation GitHub would route `method path` to (path without query or API prefix)."""
        segments = path.strip("/").split("/")
        templates = self._by_method.get(method.upper(), [])
        for greedy in (False, True):
            for template in templates:
                params = template.match(segments, greedy)
                if params is not None:
                    return Match(template.operation, params)
        return None

    # -- requests ----------------------------------------------------------------------------

    def check_request(
        self,
        method: str,
        path: str,
        query: Mapping[str, str | list[str]] | None = None,
        body: Any = None,
    ) -> list[str]:
        """Violations of GitHub's description by one request; empty when it conforms."""
        found = self.match(method, path)
        if found is None:
            return [f"{method.upper()} {path}: no such operation in GitHub's REST API"]
        return self.check_operation(found.operation, query, body)

    def check_operation(
        self,
        operation: Operation,
        query: Mapping[str, str | list[str]] | None,
        body: Any,
    ) -> list[str]:
        problems = self._query_problems(operation, query or {})
        problems += self._body_problems(operation, body)
        return problems

    def _query_problems(
        self, operation: Operation, query: Mapping[str, str | list[str]]
    ) -> list[str]:
        if not query:
            return []
        allowed = self._query_params(operation)
        problems: list[str] = []
        for name, raw in query.items():
            schema = allowed.get(name)
            if schema is None:
                known = ", ".join(sorted(allowed)) or "none"
                problems.append(
                    f"{operation.label}: unknown query parameter {name!r} (allowed: {known})"
                )
                continue
            values = raw if isinstance(raw, list) else [raw]
            for value in values:
                problem = _query_value_problem(schema, value)
                if problem:
                    problems.append(f"{operation.label}: query parameter {name}: {problem}")
        return problems

    def _query_params(self, operation: Operation) -> dict[str, dict[str, Any]]:
        key = (operation.method, operation.template)
        cached = self._query.get(key)
        if cached is None:
            cached = {}
            for param in operation.spec.get("parameters", []):
                param = self.resolve(param)
                if param.get("in") == "query":
                    cached[param["name"]] = self.resolve(param.get("schema", {}))
            self._query[key] = cached
        return cached

    def _body_problems(self, operation: Operation, body: Any) -> list[str]:
        request_body = operation.spec.get("requestBody")
        if request_body is None:
            if body not in (None, {}, b""):
                return [f"{operation.label}: takes no request body, got one"]
            return []
        request_body = self.resolve(request_body)
        content = request_body.get("content", {})
        if "application/json" not in content:
            return []  # raw uploads (markdown, release assets): not JSON to check
        if body is None:
            if request_body.get("required"):
                return [f"{operation.label}: request body is required"]
            return []
        validator = self._validator(operation, "request", content["application/json"])
        if validator is None:
            return []
        return [
            f"{operation.label}: body{_where(err.absolute_path)}: {_short(err.message)}"
            for err in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        ]

    # -- responses (to keep the fake honest) -------------------------------------------------

    def check_response(self, method: str, path: str, status: int, body: Any) -> list[str]:
        found = self.match(method, path)
        if found is None:
            return [f"{method.upper()} {path}: no such operation in GitHub's REST API"]
        operation = found.operation
        responses = operation.spec.get("responses", {})
        response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
        if response is None:
            return [f"{operation.label}: status {status} is not a documented response"]
        content = self.resolve(response).get("content", {}).get("application/json")
        if content is None:
            return []
        validator = self._validator(operation, f"response {status}", content, strict=False)
        if validator is None:
            return []
        return [
            f"{operation.label} -> {status}: {_where(err.absolute_path)}: {_short(err.message)}"
            for err in validator.iter_errors(body)
        ]

    # -- schemas -----------------------------------------------------------------------------

    def resolve(self, node: Any) -> Any:
        """Follow `$ref`s into #/components until a concrete node."""
        while isinstance(node, dict) and "$ref" in node:
            node = self._pointer(node["$ref"])
        return node

    def example(self, name: str) -> Any:
        """A deep copy of components/examples/<name>'s value."""
        return copy.deepcopy(self.spec["components"]["examples"][name]["value"])

    def _pointer(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            raise ValueError(f"only local references are supported, got {ref!r}")
        node: Any = self.spec
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def _validator(
        self, operation: Operation, which: str, media: dict[str, Any], *, strict: bool = True
    ) -> Draft4Validator | None:
        key = (operation.method, operation.template, which)
        with self._lock:
            if key not in self._validators:
                schema = media.get("schema")
                self._validators[key] = (
                    Draft4Validator(self._convert(schema, strict, ())) if schema else None
                )
            return self._validators[key]

    def _convert(self, node: Any, strict: bool, stack: tuple[str, ...]) -> Any:
        """OpenAPI 3.0 schema to JSON Schema (draft 4), with references inlined.

        `strict` forbids properties the description does not list, outside combinators
        (where each branch lists only its share of the properties).
        """
        if isinstance(node, list):
            return [self._convert(x, strict, stack) for x in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            ref = node["$ref"]
            if ref in stack:
                return {}  # a recursive schema: accept what lies below the cycle
            memo = (ref, strict)
            if memo not in self._converted:
                self._converted[memo] = self._convert(self._pointer(ref), strict, (*stack, ref))
            return self._converted[memo]
        out: dict[str, Any] = {}
        combinator = any(k in node for k in ("allOf", "anyOf", "oneOf"))
        for key, value in node.items():
            if key in _DOC_KEYS or key.startswith("x-"):
                continue
            if key == "properties":
                out[key] = {k: self._convert(v, strict, stack) for k, v in value.items()}
            elif key in ("items", "not") or (key == "additionalProperties" and value is not True):
                out[key] = self._convert(value, strict, stack)
            elif key in ("allOf", "anyOf", "oneOf"):
                out["anyOf" if key == "oneOf" else key] = self._convert(value, False, stack)
            else:
                out[key] = value
        if strict and not combinator and "properties" in out and "additionalProperties" not in node:
            out["additionalProperties"] = False
        if node.get("nullable"):
            out = _nullable(out)
        return out


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "enum" in schema and None not in schema["enum"]:
        schema = {**schema, "enum": [*schema["enum"], None]}
    kind = schema.get("type")
    if isinstance(kind, str):
        return {**schema, "type": [kind, "null"]}
    if kind is None:
        return {"anyOf": [schema, {"type": "null"}]}
    return schema


def _query_value_problem(schema: dict[str, Any], value: str) -> str | None:
    kind = schema.get("type")
    if kind == "integer":
        try:
            int(value)
        except ValueError:
            return f"{value!r} is not an integer"
    elif kind == "boolean" and value not in ("true", "false"):
        return f"{value!r} is not true or false"
    if "enum" in schema and value not in [str(x) for x in schema["enum"]]:
        return f"{value!r} is not one of {schema['enum']}"
    return None


def _where(path: Any) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def _short(message: str) -> str:
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 3] + "..."


@lru_cache(maxsize=4)
def load_index(name: str = DEFAULT_SPEC) -> SpecIndex:
    """The parsed description `name` ("api.github.com", "ghes-3.17"), once per process."""
    # Skips the test (fails it under CI) when @octokit/openapi is not installed.
    path = node_package("@octokit/openapi", "generated", f"{name}.json")
    with path.open("rb") as fh:
        return SpecIndex(json.load(fh))


def check_request(
    method: str,
    path: str,
    query: Mapping[str, str | list[str]] | None = None,
    body: Any = None,
    *,
    spec: str = DEFAULT_SPEC,
) -> list[str]:
    """Violations of `spec` by one request (path relative to the API root); [] when none."""
    return load_index(spec).check_request(method, path, query, body)
