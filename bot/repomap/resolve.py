"""Imports resolved to repository files, where that is cheap and unambiguous.

Python modules (absolute, found by path suffix so a `src/` layout works, and relative),
relative JavaScript/TypeScript specifiers, Go import paths under a go.mod's module, and
Java classes or packages by their path suffix. Anything else (the standard library, a
package from a registry) resolves to nothing, which is what the map wants.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable, Mapping

_ECMASCRIPT = ("javascript", "typescript", "tsx")
_SCRIPT_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts", ".d.ts")


class ImportResolver:
    """Resolves a file's import strings against one set of repository paths."""

    def __init__(self, paths: Iterable[str], go_modules: Mapping[str, str]) -> None:
        self._paths = set(paths)
        self._by_suffix: dict[str, list[str]] = defaultdict(list)
        self._by_dir: dict[str, list[str]] = defaultdict(list)
        for path in sorted(self._paths):
            parts = path.split("/")
            for i in range(len(parts)):
                self._by_suffix["/".join(parts[i:])].append(path)
            self._by_dir[posixpath.dirname(path)].append(path)
        self._dirs_by_suffix: dict[str, list[str]] = defaultdict(list)
        for directory in self._by_dir:
            parts = directory.split("/")
            for i in range(len(parts)):
                self._dirs_by_suffix["/".join(parts[i:])].append(directory)
        # Longest module directory first, so a nested go.mod wins over the one above it.
        self._go = sorted(go_modules.items(), key=lambda item: -len(item[0]))
        # Thousands of files import the same few modules: an absolute import resolves the
        # same from anywhere, a relative one the same from within one folder.
        self._known: dict[tuple[str, str, str], list[str]] = {}

    def resolve(self, path: str, language: str, module: str) -> list[str]:
        """Repository files `module`, imported by the file at `path`, stands for."""
        relative = module.startswith(".")
        key = (language, posixpath.dirname(path) if relative else "", module)
        found = self._known.get(key)
        if found is None:
            if language == "python":
                found = self._python(path, module)
            elif language in _ECMASCRIPT:
                found = self._script(path, module)
            elif language == "go":
                found = self._go_package(module)
            elif language == "java":
                found = self._java(module)
            else:
                found = []
            self._known[key] = found
        return [f for f in found if f != path]

    def _python(self, path: str, module: str) -> list[str]:
        if module.startswith("."):
            dots = len(module) - len(module.lstrip("."))
            base = posixpath.dirname(path)
            for _ in range(dots - 1):
                base = posixpath.dirname(base)
            rest = module[dots:].replace(".", "/")
            stem = posixpath.join(base, rest) if rest else base
            return self._first(
                [f"{stem}.py", f"{stem}/__init__.py"] if rest else [f"{stem}/__init__.py"]
            )
        stem = module.replace(".", "/")
        for suffix in (f"{stem}.py", f"{stem}/__init__.py"):
            # An absolute import starts at a source root: a folder that is no package
            # itself (so `import operator` is the standard library's, not toolz/curried's).
            roots = [p for p in self._by_suffix.get(suffix, []) if self._at_root(p, suffix)]
            found = self._shallowest(roots)
            if found:
                return found
        return []

    def _at_root(self, path: str, suffix: str) -> bool:
        root = path[: len(path) - len(suffix)].rstrip("/")
        return not root or f"{root}/__init__.py" not in self._paths

    def _script(self, path: str, module: str) -> list[str]:
        if not module.startswith(("./", "../")):
            return []  # a package name or an alias: outside what is cheap to know
        stem = posixpath.normpath(posixpath.join(posixpath.dirname(path), module))
        tries = [stem, *(stem + s for s in _SCRIPT_SUFFIXES)]
        tries += [f"{stem}/index{s}" for s in _SCRIPT_SUFFIXES]
        # `import "./a.js"` in TypeScript names the .ts file it compiles from.
        root, ext = posixpath.splitext(stem)
        if ext in (".js", ".jsx", ".mjs", ".cjs"):
            tries += [root + s for s in (".ts", ".tsx", ".mts", ".cts")]
        return self._first(tries)

    def _go_package(self, module: str) -> list[str]:
        for directory, name in self._go:
            if module == name or module.startswith(name + "/"):
                rest = module[len(name) :].lstrip("/")
                package = posixpath.join(directory, rest) if rest else directory
                return [p for p in self._by_dir.get(package.strip("/"), []) if p.endswith(".go")]
        return []

    def _java(self, module: str) -> list[str]:
        parts = module.split(".")
        if parts[-1] == "*":
            package = "/".join(parts[:-1])
            return [
                f
                for directory in self._dirs_by_suffix.get(package, [])
                for f in self._by_dir[directory]
                if f.endswith(".java")
            ]
        # `import static a.b.C.member;` names a member: drop parts until a class is found.
        while len(parts) > 1:
            found = self._unique_suffix(["/".join(parts) + ".java"])
            if found:
                return found
            parts = parts[:-1]
        return []

    def _first(self, candidates: list[str]) -> list[str]:
        for candidate in candidates:
            if candidate in self._paths:
                return [candidate]
        return []

    def _unique_suffix(self, suffixes: list[str]) -> list[str]:
        for suffix in suffixes:
            found = self._shallowest(self._by_suffix.get(suffix, []))
            if found:
                return found
        return []

    @staticmethod
    def _shallowest(found: list[str]) -> list[str]:
        # Several roots hold the module (vendored copies were filtered already): the
        # shallowest is most often the package itself, but only if it is alone.
        if len(found) <= 1:
            return found
        depth = min(p.count("/") for p in found)
        shallowest = [p for p in found if p.count("/") == depth]
        return shallowest if len(shallowest) == 1 else []
