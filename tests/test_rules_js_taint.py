"""The shipped JavaScript/TypeScript rules, source by source, sink by sink, sanitizer by
sanitizer, for Express and Koa.

Each snippet is one file; a line ending in ``// sink`` must carry a finding of the case's
CWE, and a snippet without one must have no finding of that CWE at all. All snippets go
through one semgrep run (module fixture), so adding a case costs no start-up.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.security_scans import Finding, run_semgrep

EXPRESS = 'app.get("/x", (req, res) => {{\n{body}\n}});\n'
KOA = 'router.get("/x", async (ctx) => {{\n{body}\n}});\n'
MODULE = "{body}\n"


def js(body: str, frame: str = EXPRESS, head: str = "") -> str:
    return head + frame.format(body=body)


CP = 'const cp = require("child_process");\n'

# name -> (CWE, code); a name ending in _ts is written as TypeScript.
CASES: dict[str, tuple[str, str]] = {
    # ------------------------------------------------ SQL: each source, each sink
    "sql_query_string": (
        "CWE-89",
        js('db.query("SELECT * FROM t WHERE n = \'" + req.query.n + "\'"); // sink'),
    ),
    "sql_params_template": (
        "CWE-89",
        js("db.execute(`SELECT * FROM t WHERE id = ${req.params.id}`); // sink"),
    ),
    "sql_body_knex_raw": (
        "CWE-89",
        js("knex.raw(`SELECT * FROM t WHERE n = '${req.body.name}'`); // sink"),
    ),
    "sql_headers_sequelize_ts": (
        "CWE-89",
        js(
            'const t: string = req.headers["x-tenant"];\n'
            "sequelize.query(`SELECT * FROM ${t}`); // sink"
        ),
    ),
    "sql_cookies": (
        "CWE-89",
        js('db.query("SELECT * FROM s WHERE id = \'" + req.cookies.sid + "\'"); // sink'),
    ),
    "sql_koa_query": (
        "CWE-89",
        js("await db.query(`SELECT * FROM t WHERE n = '${ctx.query.n}'`); // sink", KOA),
    ),
    "sql_koa_request_body": (
        "CWE-89",
        js('await db.query("DELETE FROM t WHERE id = " + ctx.request.body.id); // sink', KOA),
    ),
    "sql_koa_params": (
        "CWE-89",
        js("await db.query(`SELECT * FROM t WHERE id = ${ctx.params.id}`); // sink", KOA),
    ),
    "sql_koa_cookie": (
        "CWE-89",
        js('await db.query("SELECT * FROM s WHERE id = " + ctx.cookies.get("sid")); // sink', KOA),
    ),
    "xss_signed_cookie": (
        "CWE-79",
        js("res.send(`<p>${req.signedCookies.name}</p>`); // sink"),
    ),
    "sql_placeholders_safe": (
        "CWE-89",
        js(
            'db.query("SELECT * FROM t WHERE n = $1", [req.query.n]);\n'
            'knex.raw("SELECT * FROM t WHERE id = ?", [req.params.id]);'
        ),
    ),
    "sql_parseint_safe": (
        "CWE-89",
        js(
            "const id = parseInt(req.params.id, 10);\ndb.query(`SELECT * FROM t WHERE id = ${id}`);"
        ),
    ),
    # ------------------------------------------------------------ command injection
    "cmd_exec_query": (
        "CWE-78",
        js("cp.exec(`ping -c 1 ${req.query.host}`); // sink", head=CP),
    ),
    "cmd_execsync_body": (
        "CWE-78",
        js('cp.execSync("convert " + req.body.file); // sink', head=CP),
    ),
    "cmd_spawn_shell_koa": (
        "CWE-78",
        js("cp.spawn(ctx.query.cmd, [], { shell: true }); // sink", KOA, head=CP),
    ),
    "cmd_module_variable": (
        "CWE-78",
        js("cp.exec(command); // sink", MODULE, head=CP + "let command = process.argv[2];\n"),
    ),
    "cmd_execfile_safe": (
        "CWE-78",
        js('cp.execFile("git", ["log", req.query.ref]);', head=CP),
    ),
    "cmd_spawn_no_shell_safe": (
        "CWE-78",
        js('cp.spawn("ls", ["-l", req.query.dir]);', head=CP),
    ),
    "cmd_constant_safe": (
        "CWE-78",
        js('const CMD = "ls -l";\ncp.exec(CMD);', MODULE, head=CP),
    ),
    # --------------------------------------------------------------- path traversal
    "path_readfile_query": (
        "CWE-22",
        js('fs.readFile(path.join("/srv", req.query.f), () => {}); // sink'),
    ),
    "path_createreadstream_params": (
        "CWE-22",
        js('fs.createReadStream("/srv/" + req.params.name).pipe(res); // sink'),
    ),
    "path_writefile_koa": (
        "CWE-22",
        js('await fs.promises.writeFile(ctx.request.body.path, "x"); // sink', KOA),
    ),
    "path_sendfile_no_root": (
        "CWE-22",
        js("res.sendFile(req.query.f); // sink"),
    ),
    "path_basename_safe": (
        "CWE-22",
        js('fs.readFile(path.join("/srv", path.basename(req.query.f)), () => {});'),
    ),
    "path_sendfile_root_safe": (
        "CWE-22",
        js('res.sendFile(req.query.f, { root: "/srv/public" });'),
    ),
    # ---------------------------------------------------------------------------- XSS
    "xss_send_html": (
        "CWE-79",
        js("res.send(`<h1>Hello ${req.query.name}</h1>`); // sink"),
    ),
    "xss_write_html": (
        "CWE-79",
        js('res.write("<p>" + req.body.comment + "</p>"); // sink'),
    ),
    "xss_koa_body": (
        "CWE-79",
        js("ctx.body = `<p>${ctx.query.q}</p>`; // sink", KOA),
    ),
    "xss_angular_bypass_ts": (
        "CWE-79",
        "class C {\n  show(html: string) {\n"
        "    this.view = this.sanitizer.bypassSecurityTrustHtml(html); // sink\n  }\n}\n",
    ),
    "xss_escaped_safe": (
        "CWE-79",
        js(
            "res.send(`<h1>${escapeHtml(req.query.name)}</h1>`);\n"
            "res.send(`<h1>${validator.escape(req.query.other)}</h1>`);\n"
            "res.json({ q: req.query.q });"
        ),
    ),
    "xss_angular_literal_safe_ts": (
        "CWE-79",
        "class C {\n  show() {\n"
        '    this.view = this.sanitizer.bypassSecurityTrustHtml("<b>fixed</b>");\n  }\n}\n',
    ),
    # ---------------------------------------------------------------- code injection
    "eval_body": ("CWE-95", js("eval(req.body.expr); // sink")),
    "function_ctor_koa": (
        "CWE-95",
        js('const f = new Function("x", ctx.query.code); // sink', KOA),
    ),
    "vm_query": ("CWE-95", js("vm.runInNewContext(req.query.js, {}); // sink")),
    "eval_literal_safe": ("CWE-95", js('const pi = eval("Math.PI");', MODULE)),
    "json_parse_safe": ("CWE-95", js("const data = JSON.parse(req.body.json);")),
    # ------------------------------------------------------------ redirect and SSRF
    "redirect_query": ("CWE-601", js("res.redirect(req.query.next); // sink")),
    "redirect_koa": ("CWE-601", js("ctx.redirect(ctx.query.next); // sink", KOA)),
    "redirect_allowlist_safe": (
        "CWE-601",
        js("if (ALLOWED.includes(req.query.next)) {\n  res.redirect(req.query.next);\n}"),
    ),
    "ssrf_fetch": ("CWE-918", js("await fetch(req.query.url); // sink")),
    "ssrf_axios_koa": ("CWE-918", js("await axios.get(ctx.request.body.url); // sink", KOA)),
    "ssrf_http_get": ("CWE-918", js("http.get(req.body.target, () => {}); // sink")),
    "ssrf_fixed_host_safe": (
        "CWE-918",
        js('await fetch("https://api.example.com/users/" + encodeURIComponent(req.query.id));'),
    ),
    # ------------------------------------------------------------------ XPath, LDAP
    "xpath_select": (
        "CWE-643",
        js("xpath.select(`//user[name='${req.query.name}']`, doc); // sink"),
    ),
    "xpath_fixed_safe": ("CWE-643", js('xpath.select("//user", doc);')),
    "ldap_search": (
        "CWE-90",
        js("client.search(base, { filter: `(uid=${req.body.user})` }, cb); // sink"),
    ),
    "ldap_escaped_safe": (
        "CWE-90",
        js("client.search(base, { filter: `(uid=${escapeFilter(req.body.user)})` }, cb);"),
    ),
    # ------------------------------------------------------------- deserialization
    "deser_node_serialize": (
        "CWE-502",
        js(
            "serialize.unserialize(req.cookies.profile); // sink",
            head='const serialize = require("node-serialize");\n',
        ),
    ),
    "deser_yaml_full_schema": (
        "CWE-502",
        js("yaml.load(req.body.doc, { schema: yaml.DEFAULT_FULL_SCHEMA }); // sink"),
    ),
    "deser_yaml_default_safe": ("CWE-502", js("const doc = yaml.load(req.body.doc);")),
    # ---------------------------------------------------------------- weak randomness
    "random_pseudo_bytes": (
        "CWE-338",
        js("const salt = crypto.pseudoRandomBytes(16); // sink", MODULE),
    ),
    "random_bytes_safe": ("CWE-338", js("const salt = crypto.randomBytes(16);", MODULE)),
}


def _file_name(name: str) -> str:
    return f"{name}.ts" if name.endswith("_ts") else f"{name}.js"


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Finding]]:
    root = tmp_path_factory.mktemp("js-taint")
    for name, (_, code) in CASES.items():
        (root / _file_name(name)).write_text(code, encoding="utf-8")
    scan = run_semgrep(root)
    assert scan.errors == []
    by_case: dict[str, list[Finding]] = {name: [] for name in CASES}
    for f in scan.findings:
        by_case[Path(f.path).stem].append(f)
    return by_case


@pytest.mark.parametrize("name", sorted(CASES))
def test_js_case(name: str, findings: dict[str, list[Finding]]) -> None:
    cwe, code = CASES[name]
    sinks = [n for n, line in enumerate(code.splitlines(), start=1) if line.endswith("// sink")]
    hits = [f for f in findings[name] if cwe in f.cwe]
    if sinks:
        missing = [n for n in sinks if not any(f.covers(n) for f in hits)]
        assert not missing, f"no {cwe} finding on line(s) {missing}: {findings[name]}"
    else:
        assert not hits, [(f.start_line, f.rule_id) for f in hits]
