"""The docs task without a model: which docs are missing or stale (and which are right),
the repository's docstring style, where a written doc goes and that the file still parses
once it is there, and the user-facing names read from code and configuration."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.change.linemap import LineMap
from bot.change.patch_source import change_from_patch
from bot.config.loader import load_settings
from bot.docs_task.check import Gap, gaps_in, module_gap
from bot.docs_task.docstrings import python_style, read_python, read_tags
from bot.docs_task.references import Name, names_in, needle
from bot.docs_task.render import apply, place
from bot.docs_task.style import detect_style
from bot.errors import ConfigError
from bot.structure.languages import parse
from bot.structure.symbols import symbols_in

GOOGLE = '''def add(a, b):
    """Add.

    Args:
        a: first.
        b (int): second.

    Returns:
        The sum.
    """
    return a + b
'''
NUMPY = '''def add(a, b):
    """Add.

    Parameters
    ----------
    a, b : int
        The numbers.

    Returns
    -------
    int
    """
    return a + b
'''
REST = '''def add(a, b):
    """Add.

    :param a: first.
    :param int b: second.
    :returns: the sum.
    """
    return a + b
'''


def _gaps(path: str, source: str) -> list[Gap]:
    data = source.encode()
    return gaps_in(path, symbols_in(path, data), data)


@pytest.mark.parametrize(("text", "style"), [(GOOGLE, "google"), (NUMPY, "numpy"), (REST, "rest")])
def test_a_right_doc_in_each_python_style_needs_nothing(text: str, style: str) -> None:
    [symbol] = symbols_in("m.py", text.encode())
    assert symbol.doc is not None and python_style(symbol.doc) == style
    assert read_python(symbol.doc).params == ["a", "b"]
    assert _gaps("m.py", text) == []


@pytest.mark.parametrize("text", [GOOGLE, NUMPY, REST])
def test_a_new_parameter_makes_each_style_stale(text: str) -> None:
    [gap] = _gaps("m.py", text.replace("def add(a, b):", "def add(a, b, *, scale=1):"))
    assert gap.problem == "stale" and gap.reasons == ["parameters not documented: scale"]


def test_stale_docs_say_what_differs() -> None:
    gone = GOOGLE.replace("def add(a, b):", "def add(a):").replace("return a + b", "print(a)")
    [gap] = _gaps("m.py", gone)
    assert gap.reasons == [
        "documented parameters not in the signature: b",
        "documents a return value, but it returns none",
    ]
    raises = '''def get(key):
    """Get.

    Args:
        key: the key.

    Raises:
        KeyError: when missing.
    """
    if not key:
        raise ValueError("empty")
    def inner():
        raise TypeError("not ours")
'''
    [gap] = _gaps("m.py", raises)
    assert gap.reasons == ["raises ValueError, which its doc does not list"]


def test_missing_docs_only_for_public_definitions_with_room_for_one() -> None:
    source = (
        "def public(x):\n    return x\n\n\ndef _private(x):\n    return x\n\n\n"
        "def one_liner(x): return x\n\n\nclass Box:\n    def __init__(self):\n        pass\n\n"
        "    def size(self):\n        return 1\n"
    )
    gaps = _gaps("m.py", source)
    assert [(g.qualname, g.problem) for g in gaps] == [
        ("public", "missing"),
        ("Box", "missing"),
        ("Box.size", "missing"),
    ]
    # A summary-only docstring is taken as it is: nothing in it contradicts the code.
    assert _gaps("m.py", 'def f(x, y):\n    """Do it."""\n    return x\n') == []


def test_tag_languages_and_go() -> None:
    js = (
        "/**\n * Sum.\n * @param {number} a first\n * @param {number} b second\n"
        " * @returns {number} the sum\n */\nexport function add(a, b, c) { return a + b + c }\n"
        "/** Hidden. */\nfunction local(x) { return x }\n"
    )
    [gap] = _gaps("m.js", js)
    assert gap.qualname == "add" and gap.reasons == ["parameters not documented: c"]
    assert read_tags("@param {Object} opts.x the x\n@param <T> type").params == ["opts"]
    java = (
        "public class A {\n  /**\n   * Go.\n   * @param a the a\n   * @return the count\n   */\n"
        "  public void go(int a) {}\n}\n"
    )
    gaps = _gaps("A.java", java)
    assert [(g.qualname, g.problem) for g in gaps] == [("A", "missing"), ("A.go", "stale")]
    assert gaps[1].reasons == ["documents a return value, but it returns none"]
    go = "package m\n\n// Serve serves.\nfunc Serve() {}\n\n// starts it.\nfunc Start() {}\n"
    [gap] = _gaps("m.go", go)
    assert gap.qualname == "Start" and "does not start with its name" in gap.reasons[0]


def _readme_style_repo(docs: dict[str, str]) -> dict[str, bytes]:
    return {p: t.encode() for p, t in docs.items()}


def test_style_is_the_majority_of_the_repository_and_a_setting_overrides_it() -> None:
    files = _readme_style_repo(
        {"a.py": NUMPY, "b.py": NUMPY.replace("add", "plus"), "c.py": GOOGLE, "d.js": "x"}
    )
    found = detect_style(files, files.get)
    assert found.style == "numpy" and found.counts == {"numpy": 2, "google": 1}
    assert detect_style(files, files.get, "rest").style == "rest"
    assert detect_style([], files.get).style == "google"


def _change(path: str, base: str, head: str) -> LineMap:
    import difflib

    diff = "".join(
        difflib.unified_diff(
            base.splitlines(keepends=True), head.splitlines(keepends=True), f"a/{path}", f"b/{path}"
        )
    )
    return LineMap(change_from_patch(f"diff --git a/{path} b/{path}\n{diff}", "test").files)


def _placed(path: str, base: str, head: str, text: str) -> tuple[str, Gap]:
    data = head.encode()
    [gap] = gaps_in(path, symbols_in(path, data), data)
    placement = place(gap, text, head.split("\n"), _change(path, base, head))
    return apply(head, placement), gap


def test_a_docstring_for_a_method_goes_under_its_header_at_the_body_indentation() -> None:
    base = "class Box:\n    pass\n"
    head = (
        'class Box:\n    """A box."""\n\n    @property\n    def size(self,\n'
        "             scale: int = 1) -> int:  # why\n        return 1\n"
    )
    text = 'Size of the box.\n\nArgs:\n    scale: a "factor".\n\nReturns:\n    The size.'
    after, _ = _placed("box.py", base, head, text)
    tree = ast.parse(after)
    method = tree.body[0].body[1]  # type: ignore[attr-defined]
    assert ast.get_docstring(method) == text
    assert '        """Size of the box.' in after and "\n        Args:\n" in after


def test_a_stale_docstring_shown_in_the_diff_is_replaced_in_place() -> None:
    base = 'def f(a):\n    """F.\n\n    Args:\n        a: x.\n    """\n    return a\n'
    head = base.replace("def f(a):", "def f(a, b):").replace("return a", "return a + b")
    after, gap = _placed("f.py", base, head, "F.\n\nArgs:\n    a: x.\n    b: y.\\n")
    assert gap.problem == "stale"
    assert ast.get_docstring(ast.parse(after).body[0]) == "F.\n\nArgs:\n    a: x.\n    b: y.\\n"  # type: ignore[arg-type]
    assert after.count('"""') == 2


def test_a_module_docstring_goes_above_the_first_statement() -> None:
    head = "#!/usr/bin/env python\nimport os\n"
    gap = module_gap("tool.py", head.encode())
    assert gap is not None and gap.module_line == 2
    placement = place(gap, "The tool.", head.split("\n"), _change("tool.py", "", head))
    after = apply(head, placement)
    assert ast.get_docstring(ast.parse(after)) == "The tool."
    assert module_gap("_private.py", head.encode()) is None
    assert module_gap("tool.py", b'"""Doc."""\nimport os\n') is None


def test_a_jsdoc_goes_above_the_export_and_the_file_still_parses() -> None:
    head = "class A {}\n\n  export function add(a, b) {\n    return a + b\n  }\n"
    after, _ = _placed("m.ts", "class A {}\n", head, "Sum.\n@param a - x */ y\n@returns z")
    assert "  /**\n   * Sum.\n   * @param a - x *\\/ y\n   * @returns z\n   */\n  export" in after
    assert not parse("typescript", after.encode()).root_node.has_error
    [_, add] = symbols_in("m.ts", after.encode())
    assert add.doc is not None and add.doc.startswith("Sum.")


def test_names_from_code_and_configuration() -> None:
    py = (
        b'import os\np.add_argument("--dry-run", "-n")\nx = os.environ["API_URL"]\n'
        b'y = os.getenv(f"X{1}")\n@app.post("/items")\ndef f(): pass\n'
        b'z = {}.get("/not-a-route")\n# p.add_argument("--in-a-comment")\n'
    )
    assert names_in("cli.py", py) == {
        Name("flag", "--dry-run"),
        Name("flag", "-n"),
        Name("env", "API_URL"),
        Name("route", "/items"),
    }
    js = b'process.env.TOKEN_URL; program.option("-p, --port <n>"); app.get("/u", h)'
    assert names_in("a.js", js) == {
        Name("env", "TOKEN_URL"),
        Name("flag", "-p"),
        Name("flag", "--port"),
        Name("route", "/u"),
    }
    go = b'package m\nfunc main() { flag.Int("workers", 1, ""); os.Getenv("HOME_DIR") }'
    assert names_in("m.go", go) == {Name("flag", "-workers"), Name("env", "HOME_DIR")}
    keys = names_in("conf.yml", b"review:\n  max_findings: 3\nport: 1\n")
    assert Name("setting", "review.max_findings") in keys
    assert needle(Name("setting", "review.max_findings")) == "max_findings"
    assert needle(Name("setting", "port")) is None


def test_a_repository_may_set_its_docstring_style_but_not_the_calls_spent(tmp_path: Path) -> None:
    repo_file = tmp_path / ".switchyard.yml"
    repo_file.write_text("docs:\n  style: numpy\n")
    loaded = load_settings(repo_dir=tmp_path, config_path=None, environ={})
    assert loaded.settings.docs.style == "numpy"
    repo_file.write_text("docs:\n  max_symbols: 300\n")
    with pytest.raises(ConfigError) as refused:
        load_settings(repo_dir=tmp_path, config_path=None, environ={})
    assert "docs.max_symbols" in refused.value.message
    assert "how many model calls a run may spend" in refused.value.message


def test_placeholder_returns_and_go_paragraph_conventions_are_not_stale() -> None:
    # Seen in PyCQA/bandit: `:return: -` on a visitor that returns nothing.
    visitor = (
        'def visit(node):\n    """Visit.\n\n    :param node: the node\n    :return: -\n    """\n'
    )
    assert _gaps("v.py", visitor + "    print(node)\n") == []
    assert read_python("X.\n\nArgs:\n    a: x.\n\nReturns:\n    None").returns is False
    assert read_tags("@param a x\n@returns {void}").returns is False
    # Seen in gitleaks: "Deprecated:" paragraphs and "Rules contain..." over type Rule.
    go = (
        "package m\n\n// Deprecated: use Run instead\nfunc Old() {}\n\n"
        "// Rules contain the details\ntype Rule struct{}\n"
    )
    assert _gaps("m.go", go) == []


def test_a_go_doc_comment_goes_above_the_function_at_its_indentation() -> None:
    base = "package m\n"
    head = "package m\n\nfunc Serve(addr string) error {\n\treturn nil\n}\n"
    after, gap = _placed("m.go", base, head, "Serve listens on addr.\n\nIt blocks.")
    assert gap.problem == "missing"
    assert "\n// Serve listens on addr.\n//\n// It blocks.\nfunc Serve(" in after
    [serve] = symbols_in("m.go", after.encode())
    assert serve.doc == "Serve listens on addr.\n\nIt blocks."


@pytest.mark.parametrize("written", ["add", "`add`", "add()", "calc.py: add", " Box.add "])
def test_a_written_doc_is_matched_to_its_definition_however_the_model_names_it(
    written: str,
) -> None:
    from bot.docs_task.run import _plain_name

    assert _plain_name(written).rsplit(".", 1)[-1] == "add"
