"""Prompt templates render in Jinja2's immutable sandbox: the same text as before for every
built-in template, and a clean ConfigError for one that reaches for Python's objects."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from bot.errors import EXIT_USAGE, ConfigError
from bot.tasks.prompts import PromptTemplate, builtin_prompts_dir

# What each task gives its template (bot/tasks/review.py and triage.py), with text that
# exercises loops, conditionals and the instructions block.
VARIABLES: dict[str, dict[str, dict[str, object]]] = {
    "review": {
        "system": {"boundary": "=====b1=====", "instructions": "Prefer early returns."},
        "user": {
            "boundary": "=====b1=====",
            "files": ["### a.py\n@@ -1 +1 @@\n-x\n+y\n", "### b.py\n+z\n"],
            "part": "2 file sections",
        },
    },
    "security": {
        "system": {"boundary": "=====b2=====", "instructions": None},
        "user": {"boundary": "=====b2=====", "files": ["### c.py\n+eval(x)\n"], "part": "1"},
    },
    "triage": {
        "system": {"boundary": "=====b3=====", "instructions": "Team notes."},
        "user": {"boundary": "=====b3=====", "items": ["F1 bandit B303 md5", "F2 semgrep"]},
    },
}


def _plain(task: str, block: str, variables: dict[str, object]) -> str:
    # The environment the templates rendered in before the sandbox.
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(builtin_prompts_dir())]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        autoescape=False,
    )
    template = env.get_template(f"{task}.md.j2")
    return "".join(template.blocks[block](template.new_context(variables))).strip()


@pytest.mark.parametrize(
    ("task", "block"), [(t, b) for t, blocks in VARIABLES.items() for b in blocks]
)
def test_builtin_templates_render_byte_identically_in_the_sandbox(task: str, block: str) -> None:
    variables = VARIABLES[task][block]
    assert PromptTemplate(task).render(block, **variables) == _plain(task, block, variables)


def _template(folder: Path, system: str) -> PromptTemplate:
    (folder / "probe.md.j2").write_text(
        "{% block system %}" + system + "{% endblock %}{% block user %}u{% endblock %}"
    )
    return PromptTemplate("probe", str(folder))


@pytest.mark.parametrize(
    "escape",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ self._TemplateReference__context }}",
        "{% set seen = [] %}{{ seen.append(1) }}",
        "{{ range(10 ** 9) | list }}",
    ],
)
def test_a_sandbox_escape_is_a_config_error(tmp_path: Path, escape: str) -> None:
    with pytest.raises(ConfigError) as info:
        _template(tmp_path, escape).render("system")
    assert info.value.exit_code == EXIT_USAGE
    assert info.value.message.startswith("prompt template probe.md.j2: refused by the template")


def test_an_ordinary_override_still_renders(tmp_path: Path) -> None:
    text = _template(tmp_path, "{% for f in files %}{{ f | upper }};{% endfor %}{{ n + 1 }}")
    assert text.render("system", files=["a", "b"], n=1) == "A;B;2"
