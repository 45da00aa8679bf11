"""Loads a task's Jinja2 prompt template: the override folder's first, then the built-in one.

Templates render in Jinja2's immutable sandbox: an override folder is the operator's
(`prompts_dir`, server/org file only), but a template is still text that runs, and nothing in
it should reach Python's objects (`''.__class__.__mro__`), the settings or the process.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot.errors import ConfigError

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def builtin_prompts_dir() -> Path:
    # In a wheel the templates are packaged as bot/_prompts; in a checkout they sit at the root.
    packaged = _PACKAGE_DIR / "_prompts"
    return packaged if packaged.is_dir() else _PACKAGE_DIR.parent / "prompts"


@cache
def _environment(override_dir: str | None) -> ImmutableSandboxedEnvironment:
    search = [str(builtin_prompts_dir())]
    if override_dir:
        search.insert(0, override_dir)
    # Prompts are plain text, not HTML: autoescape would mangle code.
    return ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(search),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        autoescape=False,
    )


class PromptTemplate:
    """A template with a `system` and a `user` block."""

    def __init__(self, task: str, override_dir: str | None = None) -> None:
        name = f"{task}.md.j2"
        try:
            self._template = _environment(override_dir).get_template(name)
        except jinja2.TemplateNotFound:
            raise ConfigError(
                f"prompt template {name} not found in {override_dir or ''} "
                f"or {builtin_prompts_dir()}"
            ) from None
        except jinja2.TemplateSyntaxError as exc:
            raise ConfigError(
                f"prompt template {exc.filename or name}:{exc.lineno}: {exc.message}"
            ) from None
        for block in ("system", "user"):
            if block not in self._template.blocks:
                raise ConfigError(f"prompt template {name} has no {{% block {block} %}}")

    def render(self, block: str, **variables: object) -> str:
        context = self._template.new_context(variables)
        try:
            return "".join(self._template.blocks[block](context)).strip()
        except jinja2.UndefinedError as exc:
            raise ConfigError(f"prompt template {self._template.name}: {exc.message}") from None
        # OverflowError: the sandbox's cap on range().
        except (jinja2.exceptions.SecurityError, OverflowError) as exc:
            raise ConfigError(
                f"prompt template {self._template.name}: refused by the template sandbox: "
                f"{exc} (templates may use the variables they are given, not Python objects)"
            ) from None
        except jinja2.TemplateError as exc:
            raise ConfigError(f"prompt template {self._template.name}: {exc}") from None
