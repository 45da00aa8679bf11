"""A template parameter's default under a secret's name: CloudFormation's and SAM's
`DBPassword:` with `Type: String`, `NoEcho: true` and `Default: …` below it. The name is
the parameter's key and the value sits a few lines down under `Default`, so no assignment
joins them; a stack launched without the parameter uses that value, in the clear in the
template. (JSON templates are keyed_forms.py's; Terraform's `variable "db_password" {
default = … }` is an assignment.)"""

from __future__ import annotations

import re

from bot.secrets import names, rules
from bot.secrets.line_finders import RANK_ASSIGNED, SWITCHYARD, Candidate

PARAMETER_DEFAULT = "secret as a template parameter's default"

_DEFAULT = re.compile(
    r"^(?P<indent>[ \t]+)Default:[ \t]*(?:(?P<q>[\"'])(?P<qv>[^\"'\r\n]{1,256})(?P=q)"
    r"|(?P<v>[^\s\"'#][^\r\n#]{0,255}?))[ \t]*(?:#[^\r\n]*)?\r?$",
    re.MULTILINE,
)
_KEY = re.compile(r"[ \t]*(?P<name>[A-Za-z_][\w.-]{0,80}):[ \t]*\r?$")
_PARAMETER_LINES = 12  # a parameter's other fields above its Default: Type, NoEcho, …


def parameter_defaults(text: str, test: bool) -> list[Candidate]:
    """Each `Default:` whose parameter's name is a secret's, and whose value is one."""
    out: list[Candidate] = []
    for m in _DEFAULT.finditer(text):
        name = _parameter(text, m.start(), len(m.group("indent").expandtabs()))
        if name is None or not names.key_is_secretish(name):
            continue
        group = "qv" if m.group("qv") is not None else "v"
        value = m.group(group)
        if rules.assigned_value_ok(
            name, value, quoted=group == "qv", config=True, env_style=False, test=test
        ):
            out.append(Candidate(*m.span(group), PARAMETER_DEFAULT, RANK_ASSIGNED, SWITCHYARD))
    return out


def _parameter(text: str, line_start: int, indent: int) -> str | None:
    """The key of the mapping a line of `indent` belongs to: the nearest line above it
    indented less, if it is a key alone on its line."""
    end = line_start - 1
    for _ in range(_PARAMETER_LINES):
        if end < 0:
            return None
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end]
        end = start - 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        depth = len(line) - len(line.lstrip(" \t"))
        if len(line[:depth].expandtabs()) < indent:
            key = _KEY.fullmatch(line)
            return key.group("name") if key is not None else None
    return None
