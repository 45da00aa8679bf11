"""Security-relevant flows in the analysis: request-handling files and the sink files they
reach through the repository map, in a small Flask, Express and Servlet project."""

from __future__ import annotations

from bot.analyze.flows import security_flows
from bot.repomap import MapScope, RepoMap, build_map, from_blobs

FILES = {
    "web/app.py": (
        "from flask import Flask, request\n\nfrom web.store import find_user\n\n"
        "app = Flask(__name__)\n\n\n@app.route('/user')\ndef user():\n"
        "    return find_user(request.args['name'])\n"
    ),
    "web/store.py": (
        "import sqlite3\n\n\ndef find_user(name):\n    db = sqlite3.connect('x')\n"
        "    return db.execute('select * from u where n = ' + name).fetchall()\n"
    ),
    "web/jobs.py": "import subprocess\n\n\ndef backup(path):\n    subprocess.run(['tar', path])\n",
    "web/pure.py": "def add(a, b):\n    return a + b\n",
    "tests/test_store.py": (
        "import subprocess\n\nfrom web.store import find_user\n\n\ndef test_f():\n"
        "    subprocess.run(['true'])\n    find_user('a')\n"
    ),
    "js/server.js": (
        "const express = require('express')\nconst { run } = require('./shell')\n"
        "const app = express()\napp.get('/x', (req, res) => res.send(run(req.query.c)))\n"
    ),
    "js/shell.js": (
        "const { execSync } = require('child_process')\n"
        "function run(c) { return execSync(c).toString() }\nmodule.exports = { run }\n"
    ),
}


def _map() -> RepoMap:
    sources = from_blobs([(p, t.encode()) for p, t in FILES.items()])
    return build_map(sources, scope=MapScope(repository="acme/app"))


def test_request_handlers_are_traced_to_the_sinks_they_use() -> None:
    repo_map = _map()
    flows = {(f.entry, f.sink): f for f in security_flows(repo_map, {"tests/test_store.py"})}
    assert flows[("web/app.py", "web/store.py")].kinds == ("SQL",)
    assert flows[("js/server.js", "js/shell.js")].kinds == ("command",)
    # A sink no entry point reaches is no flow; a test file is neither entry nor sink.
    assert not any(sink == "web/jobs.py" for _, sink in flows)
    assert not any("tests/" in e or "tests/" in s for e, s in flows)
