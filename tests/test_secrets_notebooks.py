"""A Jupyter notebook's code cells are code (bot/secrets/notebooks.py): an unquoted name
after `=` there is an expression, as in a `.py` file, while its markdown cells and its
outputs are still read as text, and a quoted secret in a code cell is still found."""

from __future__ import annotations

import json

from bot.secrets import find_secrets, mask
from bot.secrets.notebooks import code_cell_lines


def _notebook(*cells: tuple[str, list[str], list[str]]) -> str:
    """nbformat's layout: one-space indent, keys in order, a source line to a line."""
    out = []
    for kind, source, printed in cells:
        cell: dict[str, object] = {"cell_type": kind, "metadata": {}}
        if kind == "code":
            cell["execution_count"] = 1
            cell["outputs"] = [{"name": "stdout", "output_type": "stream", "text": printed}]
        cell["source"] = source
        out.append(cell)
    doc = {"cells": out, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(doc, indent=1, sort_keys=True) + "\n"


def _values(text: str) -> list[str]:
    return [text[h.start : h.end] for h in find_secrets(text, "analysis/eval.ipynb")]


def test_an_expression_in_a_code_cell_is_not_a_password() -> None:
    text = _notebook(("code", ["pass_at_n = average_score * 100\n", "db_password = score\n"], []))
    assert _values(text) == []


def test_a_literal_in_a_code_cell_is_still_a_secret() -> None:
    text = _notebook(("code", ['api_key = "Xk9mQ2zLp7wRt5Yb"\n', "n = 1\n"], []))
    assert any("Xk9mQ2zLp7wRt5Yb" in v for v in _values(text))
    assert "Xk9mQ2zLp7wRt5Yb" not in mask(text, "analysis/eval.ipynb")


def test_markdown_and_printed_output_are_still_text() -> None:
    text = _notebook(
        ("markdown", ["The staging password: Xk9mQ2zLp7wR\n"], []),
        ("code", ["print(settings)\n"], ["password = Tq8vLm2Xw9pR\n"]),
    )
    values = " ".join(_values(text))
    assert "Xk9mQ2zLp7wR" in values and "Tq8vLm2Xw9pR" in values


def test_only_the_code_cells_source_lines_are_code() -> None:
    text = _notebook(
        ("markdown", ["# Title\n"], []),
        ("code", ["x = 1\n", "y = 2\n"], ["3\n"]),
    )
    lines = text.split("\n")
    assert sorted(lines[i].strip() for i in code_cell_lines(text)) == ['"x = 1\\n",', '"y = 2\\n"']


def test_a_measure_a_cell_printed_is_not_a_password() -> None:
    """Printed lines are JSON strings ending in an escaped line end (`"Pass@5: 80.92%\\n"`):
    judged without it, a percentage is a measure."""
    text = _notebook(("code", ["report(scores)\n"], ["Pass@5: 80.92%\n", "Pass@10: 87.15%\n"]))
    assert _values(text) == []


def test_a_widgets_model_id_in_the_saved_state_is_not_a_key() -> None:
    """ipywidgets name each widget `IPY_MODEL_` and 32 hex digits in the notebook's saved
    state; a quoted random value there is still one."""
    ids = '"children": ["IPY_MODEL_5d3be9a81edd4644b8ec27c139762ff0"],\n'
    drawn = '"children": ["Xk9mQ2zLp7wRt5Ybc8Nd3Fg6Hj1Kl4MnQz"],\n'
    assert find_secrets(ids, "analysis/eval.ipynb") == []
    assert find_secrets(drawn, "analysis/eval.ipynb") != []
