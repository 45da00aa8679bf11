"""The Python taint rules, per framework: each source, sink and sanitizer with a snippet
that must be reported (the line marked ``# <-``, with the CWE) and one that must not.

All snippets are written to one folder and scanned by ONE semgrep run (module fixture):
semgrep's start-up is most of its time.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.security_scans import semgrep_command


@dataclass(frozen=True)
class Snippet:
    name: str
    cwe: int
    vulnerable: bool
    code: str


FLASK = "from flask import Flask, request, session, redirect, make_response, url_for\n"
FLASK += "app = Flask(__name__)\n"
DJANGO = "from django.http import HttpResponse, HttpResponseRedirect\n"
FASTAPI = "from fastapi import FastAPI\nfrom fastapi.responses import HTMLResponse, "
FASTAPI += "RedirectResponse\napp = FastAPI()\n"


def _s(name: str, cwe: int, vulnerable: bool, head: str, body: str) -> Snippet:
    return Snippet(name, cwe, vulnerable, head + textwrap.dedent(body))


SNIPPETS = [
    # ------------------------------------------------------------------ Flask: SQL
    _s(
        "flask_sql_fstring",
        89,
        True,
        FLASK,
        """
        import sqlite3
        @app.get("/u")
        def user():
            uid = request.args.get("id")
            sql = f"SELECT * FROM users WHERE id = '{uid}'"
            sqlite3.connect("db").cursor().execute(sql)  # <-
            return "ok"
        """,
    ),
    _s(
        "flask_sql_parametrised",
        89,
        False,
        FLASK,
        """
        import sqlite3
        @app.get("/u")
        def user():
            uid = request.args.get("id")
            sql = "SELECT * FROM users WHERE id = ?"
            sqlite3.connect("db").cursor().execute(sql, (uid,))
            return "ok"
        """,
    ),
    # ------------------------------------------------------ Flask: command injection
    _s(
        "flask_cmd_shell",
        78,
        True,
        FLASK,
        """
        import os
        @app.post("/ping")
        def ping():
            host = request.form["host"]
            os.system("ping -c 1 " + host)  # <-
            return "ok"
        """,
    ),
    _s(
        "flask_cmd_sh_c_list",
        78,
        True,
        FLASK,
        """
        import subprocess
        @app.post("/echo")
        def echo():
            args = ["sh"]
            args.append("-c")
            args.append(f"echo {request.form['text']}")
            subprocess.run(args)  # <-
            return "ok"
        """,
    ),
    _s(
        "flask_cmd_quoted",
        78,
        False,
        FLASK,
        """
        import os, shlex
        @app.post("/ping")
        def ping():
            host = shlex.quote(request.form["host"])
            os.system("ping -c 1 " + host)
            return "ok"
        """,
    ),
    # --------------------------------------------------------- Flask: code injection
    _s(
        "flask_eval_input",
        95,
        True,
        FLASK,
        """
        @app.post("/calc")
        def calc():
            expr = request.form.get("expr")
            return str(eval(expr))  # <-
        """,
    ),
    _s(
        "flask_eval_guarded",
        95,
        False,
        FLASK,
        """
        @app.post("/calc")
        def calc():
            expr = request.form.get("expr", "")
            if not expr.isdigit():
                return "digits only"
            return str(eval(expr))
        """,
    ),
    _s(
        "flask_eval_constant_branch",
        95,
        False,
        FLASK,
        """
        @app.post("/calc")
        def calc():
            expr = request.form.get("expr", "")
            num = 106
            value = "1 + 1" if 7 * 18 + num > 200 else expr
            return str(eval(value))
        """,
    ),
    # --------------------------------------------------------- Flask: path traversal
    _s(
        "flask_path_intermediate",
        22,
        True,
        FLASK,
        """
        import os
        @app.get("/file")
        def read():
            name = request.args["f"]
            target = os.path.join("/srv/files", name)
            with open(target) as fh:  # <-
                return fh.read()
        """,
    ),
    _s(
        "flask_path_pathlib",
        22,
        True,
        FLASK,
        """
        import pathlib
        @app.get("/exists")
        def exists():
            p = pathlib.Path("/srv/files") / request.args["f"]
            return str(p.exists())  # <-
        """,
    ),
    _s(
        "flask_path_basename",
        22,
        False,
        FLASK,
        """
        import os
        @app.get("/file")
        def read():
            name = os.path.basename(request.args["f"])
            with open(os.path.join("/srv/files", name)) as fh:
                return fh.read()
        """,
    ),
    _s(
        "flask_path_secure_filename",
        22,
        False,
        FLASK,
        """
        import os
        from werkzeug.utils import secure_filename
        @app.get("/file")
        def read():
            name = secure_filename(request.args["f"])
            with open(os.path.join("/srv/files", name)) as fh:
                return fh.read()
        """,
    ),
    _s(
        "flask_path_safe_join",
        22,
        False,
        FLASK,
        """
        import werkzeug.utils
        @app.get("/file")
        def read():
            target = werkzeug.utils.safe_join("/srv/files", request.args["f"])
            with open(target) as fh:
                return fh.read()
        """,
    ),
    # -------------------------------------------------------------------- Flask: XSS
    _s(
        "flask_xss_returned",
        79,
        True,
        FLASK,
        """
        @app.get("/hi")
        def hi():
            page = ""
            page += f"<p>Hello {request.args.get('name')}</p>"
            return page  # <-
        """,
    ),
    _s(
        "flask_xss_make_response",
        79,
        True,
        FLASK,
        """
        @app.get("/hi")
        def hi():
            return make_response("<p>" + request.args["name"])  # <-
        """,
    ),
    _s(
        "flask_xss_markup",
        79,
        True,
        FLASK,
        """
        from markupsafe import Markup
        @app.get("/hi")
        def hi():
            banner = Markup(request.args["name"])  # <-
            return {"banner": str(banner)}
        """,
    ),
    _s(
        "flask_xss_escaped",
        79,
        False,
        FLASK,
        """
        import html
        @app.get("/hi")
        def hi():
            return f"<p>Hello {html.escape(request.args.get('name', ''))}</p>"
        """,
    ),
    _s(
        "flask_xss_markupsafe_escape",
        79,
        False,
        FLASK,
        """
        from markupsafe import escape
        @app.get("/hi")
        def hi():
            name = escape(request.args.get("name", ""))
            return f"<p>Hello {name}</p>"
        """,
    ),
    _s(
        "flask_xss_header_only",
        79,
        False,
        FLASK,
        """
        @app.get("/hi")
        def hi():
            return make_response(("saved", {"X-Name": request.args["name"]}))
        """,
    ),
    # --------------------------------------------------------- Flask: trust boundary
    _s(
        "flask_session_value",
        501,
        True,
        FLASK,
        """
        @app.post("/role")
        def role():
            session["role"] = request.form["role"]  # <-
            return "ok"
        """,
    ),
    _s(
        "flask_session_key",
        501,
        True,
        FLASK,
        """
        import flask
        @app.post("/flag")
        def flag():
            name = request.form["name"]
            flask.session[name] = "1"  # <-
            return "ok"
        """,
    ),
    _s(
        "flask_session_constant_key_read",
        501,
        False,
        FLASK,
        """
        @app.post("/role")
        def role():
            values = {}
            values["a"] = "guest"
            values["b"] = request.form["role"]
            session["role"] = values["a"]
            return "ok"
        """,
    ),
    # ------------------------------------------------------------ Flask: weak random
    _s(
        "flask_random_randbytes_cookie",
        338,
        True,
        FLASK,
        """
        import random, base64
        @app.post("/remember")
        def remember():
            value = str(base64.b64encode(random.randbytes(32)))
            session["remember"] = value  # <-
            return "ok"
        """,
    ),
    _s(
        "flask_random_getrandbits_set_cookie",
        338,
        True,
        FLASK,
        """
        import random
        @app.post("/remember")
        def remember():
            resp = make_response("ok")
            resp.set_cookie("id", str(random.getrandbits(64)), secure=True)  # <-
            return resp
        """,
    ),
    _s(
        "flask_random_secrets",
        338,
        False,
        FLASK,
        """
        import secrets
        @app.post("/remember")
        def remember():
            session["remember"] = secrets.token_urlsafe(32)
            return "ok"
        """,
    ),
    _s(
        "flask_random_systemrandom",
        338,
        False,
        FLASK,
        """
        import random
        @app.post("/remember")
        def remember():
            session["remember"] = str(random.SystemRandom().getrandbits(64))
            return "ok"
        """,
    ),
    # ------------------------------------------------------------ Flask: the rest
    _s(
        "flask_redirect_param",
        601,
        True,
        FLASK,
        """
        @app.get("/go")
        def go():
            return redirect(request.args["next"])  # <-
        """,
    ),
    _s(
        "flask_redirect_checked_host",
        601,
        False,
        FLASK,
        """
        import urllib.parse
        @app.get("/go")
        def go():
            target = request.args["next"]
            url = urllib.parse.urlparse(target)
            if url.netloc not in ["example.com"]:
                return "refused"
            return redirect(target)
        """,
    ),
    _s(
        "flask_ssrf",
        918,
        True,
        FLASK,
        """
        import requests
        @app.get("/fetch")
        def fetch():
            return requests.get(request.args["url"]).text  # <-
        """,
    ),
    _s(
        "flask_ssrf_fixed_host",
        918,
        False,
        FLASK,
        """
        import requests
        @app.get("/fetch")
        def fetch():
            return requests.get("https://api.example.com/" + request.args["id"]).text
        """,
    ),
    _s(
        "flask_xxe_request_body",
        611,
        True,
        FLASK,
        """
        import lxml.etree
        @app.post("/xml")
        def parse():
            parser = lxml.etree.XMLParser(resolve_entities=True)
            root = lxml.etree.fromstring(request.data, parser)  # <-
            return root.tag
        """,
    ),
    _s(
        "flask_xxe_constant_document",
        611,
        False,
        FLASK,
        """
        import lxml.etree
        @app.post("/xml")
        def parse():
            parser = lxml.etree.XMLParser(resolve_entities=True)
            root = lxml.etree.fromstring(b"<a/>", parser)
            return root.tag
        """,
    ),
    _s(
        "flask_pickle_request",
        502,
        True,
        FLASK,
        """
        import pickle
        @app.post("/load")
        def load():
            return str(pickle.loads(request.data))  # <-
        """,
    ),
    _s(
        "flask_json_request",
        502,
        False,
        FLASK,
        """
        import json
        @app.post("/load")
        def load():
            return str(json.loads(request.data))
        """,
    ),
    _s(
        "flask_ldap_filter",
        90,
        True,
        FLASK,
        """
        @app.get("/who")
        def who():
            user = request.args["u"]
            conn.search_s("ou=people", 2, f"(uid={user})")  # <-
            return "ok"
        """,
    ),
    _s(
        "flask_ldap_escaped",
        90,
        False,
        FLASK,
        """
        from ldap.filter import escape_filter_chars
        @app.get("/who")
        def who():
            user = escape_filter_chars(request.args["u"])
            conn.search_s("ou=people", 2, f"(uid={user})")
            return "ok"
        """,
    ),
    _s(
        "flask_xpath_built",
        643,
        True,
        FLASK,
        """
        import lxml.etree
        @app.get("/emp")
        def emp():
            tree = lxml.etree.parse("employees.xml")
            query = f"//employee[@id='{request.args['id']}']"
            return str(tree.xpath(query))  # <-
        """,
    ),
    _s(
        "flask_xpath_variable",
        643,
        False,
        FLASK,
        """
        import lxml.etree
        @app.get("/emp")
        def emp():
            tree = lxml.etree.parse("employees.xml")
            return str(tree.xpath("//employee[@id=$id]", id=request.args["id"]))
        """,
    ),
    _s(
        "flask_cookie_insecure",
        614,
        True,
        FLASK,
        """
        @app.get("/c")
        def c():
            resp = make_response("ok")
            resp.set_cookie("sid", "v")  # <-
            return resp
        """,
    ),
    _s(
        "flask_cookie_secure",
        614,
        False,
        FLASK,
        """
        @app.get("/c")
        def c():
            resp = make_response("ok")
            resp.set_cookie("sid", "v", secure=True, httponly=True)
            return resp
        """,
    ),
    # ------------------------------------------------------------------------ Django
    _s(
        "django_sql_get",
        89,
        True,
        DJANGO,
        """
        from django.db import connection
        def search(request):
            q = request.GET.get("q")
            connection.cursor().execute("SELECT * FROM t WHERE n = '%s'" % q)  # <-
            return HttpResponse("ok")
        """,
    ),
    _s(
        "django_sql_parametrised",
        89,
        False,
        DJANGO,
        """
        from django.db import connection
        def search(request):
            q = request.GET.get("q")
            connection.cursor().execute("SELECT * FROM t WHERE n = %s", [q])
            return HttpResponse("ok")
        """,
    ),
    _s(
        "django_xss_httpresponse",
        79,
        True,
        DJANGO,
        """
        def hello(request):
            return HttpResponse("<p>" + request.GET["name"] + "</p>")  # <-
        """,
    ),
    _s(
        "django_xss_escaped",
        79,
        False,
        DJANGO,
        """
        from django.utils.html import escape
        def hello(request):
            return HttpResponse("<p>" + escape(request.GET["name"]) + "</p>")
        """,
    ),
    _s(
        "django_redirect",
        601,
        True,
        DJANGO,
        """
        def go(request):
            return HttpResponseRedirect(request.GET["next"])  # <-
        """,
    ),
    _s(
        "django_redirect_reverse",
        601,
        False,
        DJANGO,
        """
        from django.urls import reverse
        def go(request):
            return HttpResponseRedirect(reverse("home"))
        """,
    ),
    _s(
        "django_session",
        501,
        True,
        DJANGO,
        """
        def keep(request):
            request.session["plan"] = request.POST["plan"]  # <-
            return HttpResponse("ok")
        """,
    ),
    _s(
        "django_session_int",
        501,
        False,
        DJANGO,
        """
        def keep(request):
            request.session["page"] = int(request.POST["page"])
            return HttpResponse("ok")
        """,
    ),
    # ----------------------------------------------------------------------- FastAPI
    _s(
        "fastapi_sql_param",
        89,
        True,
        FASTAPI,
        """
        import sqlite3
        @app.get("/items")
        def items(name: str):
            cur = sqlite3.connect("db").cursor()
            cur.execute(f"SELECT * FROM items WHERE name = '{name}'")  # <-
            return {"ok": True}
        """,
    ),
    _s(
        "fastapi_sql_parametrised",
        89,
        False,
        FASTAPI,
        """
        import sqlite3
        @app.get("/items")
        def items(name: str):
            cur = sqlite3.connect("db").cursor()
            cur.execute("SELECT * FROM items WHERE name = ?", (name,))
            return {"ok": True}
        """,
    ),
    _s(
        "fastapi_xss_htmlresponse",
        79,
        True,
        FASTAPI,
        """
        @app.get("/hi")
        def hi(name: str):
            return HTMLResponse(f"<p>{name}</p>")  # <-
        """,
    ),
    _s(
        "fastapi_xss_escaped",
        79,
        False,
        FASTAPI,
        """
        import html
        @app.get("/hi")
        def hi(name: str):
            return HTMLResponse(f"<p>{html.escape(name)}</p>")
        """,
    ),
    _s(
        "fastapi_returned_string_is_json",
        79,
        False,
        FASTAPI,
        """
        @app.get("/hi")
        def hi(name: str):
            return f"<p>{name}</p>"
        """,
    ),
    _s(
        "fastapi_redirect",
        601,
        True,
        FASTAPI,
        """
        @app.get("/go")
        def go(next: str):
            return RedirectResponse(next)  # <-
        """,
    ),
    _s(
        "fastapi_path",
        22,
        True,
        FASTAPI,
        """
        @app.get("/file")
        def read(name: str):
            with open("/srv/files/" + name) as fh:  # <-
                return {"text": fh.read()}
        """,
    ),
    _s(
        "fastapi_path_basename",
        22,
        False,
        FASTAPI,
        """
        import os
        @app.get("/file")
        def read(name: str):
            with open("/srv/files/" + os.path.basename(name)) as fh:
                return {"text": fh.read()}
        """,
    ),
    # Python 3.12 syntax (PEP 701 quotes inside an f-string): bandit on 3.11 cannot parse
    # this file, semgrep must still cover it.
    _s(
        "py312_fstring_command",
        78,
        True,
        FLASK,
        """
        import os
        @app.post("/run")
        def run():
            data = {"cmd": request.form["cmd"]}
            os.system(f"echo {data["cmd"]}")  # <-
            return "ok"
        """,
    ),
]


def _marked_line(code: str) -> int:
    return next(n for n, line in enumerate(code.splitlines(), 1) if "# <-" in line)


@pytest.fixture(scope="module")
def cwes_by_snippet(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[tuple[int, int]]]:
    """snippet name -> {(line, CWE)} reported by one semgrep run over all snippets."""
    root = tmp_path_factory.mktemp("py-taint")
    for s in SNIPPETS:
        (root / f"{s.name}.py").write_text(s.code, encoding="utf-8")
    cmd = semgrep_command([root], time_stats=False)
    cmd[2:2] = ["--project-root", str(root)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    doc = json.loads(proc.stdout)
    assert not doc.get("errors"), doc["errors"]
    out: dict[str, set[tuple[int, int]]] = {s.name: set() for s in SNIPPETS}
    for r in doc["results"]:
        name = Path(r["path"]).stem
        for entry in r["extra"]["metadata"].get("cwe", []):
            cwe = int(entry.split(":")[0].removeprefix("CWE-"))
            for line in range(r["start"]["line"], r["end"]["line"] + 1):
                out[name].add((line, cwe))
    return out


def test_snippet_names_are_unique() -> None:
    names = [s.name for s in SNIPPETS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("snippet", [s for s in SNIPPETS if s.vulnerable], ids=lambda s: s.name)
def test_vulnerable_snippet_is_reported(
    snippet: Snippet, cwes_by_snippet: dict[str, set[tuple[int, int]]]
) -> None:
    line = _marked_line(snippet.code)
    assert (line, snippet.cwe) in cwes_by_snippet[snippet.name], sorted(
        cwes_by_snippet[snippet.name]
    )


@pytest.mark.parametrize("snippet", [s for s in SNIPPETS if not s.vulnerable], ids=lambda s: s.name)
def test_safe_snippet_is_not_reported(
    snippet: Snippet, cwes_by_snippet: dict[str, set[tuple[int, int]]]
) -> None:
    assert not {c for _, c in cwes_by_snippet[snippet.name]} & {snippet.cwe}
