"""Which lines of a Jupyter notebook (`.ipynb`, nbformat's JSON) are its code cells' source.

nbformat writes each line of a cell's source as one JSON string on a line of its own, and
a cell's keys in order (`cell_type` before `source`). Those lines are Python (or another
kernel's language): `pass_at_n = average_score * 100` assigns an expression, not a
password, where the rest of the file (markdown cells, outputs, metadata) is read as text.
"""

from __future__ import annotations

import re

_CELL_TYPE = re.compile(r'^\s*"cell_type"\s*:\s*"(\w+)"')
_SOURCE_OPENS = re.compile(r'^\s*"source"\s*:\s*\[\s*$')
_SOURCE_CLOSES = re.compile(r"^\s*\],?\s*$")


def is_notebook(path: str | None) -> bool:
    return path is not None and path.lower().endswith(".ipynb")


def code_cell_lines(text: str) -> set[int]:
    """The 0-based numbers of the lines inside a code cell's `source` list. A cell whose
    type was not written before its source (not nbformat's order) is left as text."""
    out: set[int] = set()
    cell_type: str | None = None
    inside = False
    for i, line in enumerate(text.split("\n")):
        if inside:
            if _SOURCE_CLOSES.match(line):
                inside, cell_type = False, None
            elif cell_type == "code":
                out.add(i)
        elif (m := _CELL_TYPE.match(line)) is not None:
            cell_type = m.group(1)
        elif _SOURCE_OPENS.match(line):
            inside = True
    return out
