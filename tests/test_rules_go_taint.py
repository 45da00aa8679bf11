"""The shipped Go rules, source by source, sink by sink, sanitizer by sanitizer.

Each snippet is one file; a line ending in ``// sink`` must carry a finding of the case's
CWE, and a snippet without one must have no finding of that CWE at all. All snippets go
through one semgrep run (module fixture), so adding a case costs no start-up.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.security_scans import Finding, run_semgrep

HANDLER = "func h(w http.ResponseWriter, r *http.Request, db *sql.DB) {{\n{body}\n}}\n"
GIN = "func h(c *gin.Context, db *sql.DB) {{\n{body}\n}}\n"
MAIN = "func main() {{\n{body}\n}}\n"


def go(body: str, frame: str = HANDLER, imports: tuple[str, ...] = ()) -> str:
    head = "package p\n\n" + "".join(f'import "{i}"\n' for i in imports) + "\n"
    return head + frame.format(body=body)


# name -> (CWE, code)
CASES: dict[str, tuple[str, str]] = {
    # ------------------------------------------------ SQL: each source, each sink
    "sql_query_get_sprintf": (
        "CWE-89",
        go(
            'q := fmt.Sprintf("SELECT * FROM t WHERE n = \'%s\'", r.URL.Query().Get("n"))\n'
            "db.Query(q) // sink"
        ),
    ),
    "sql_formvalue_concat_exec": (
        "CWE-89",
        go('db.Exec("DELETE FROM t WHERE id = " + r.FormValue("id")) // sink'),
    ),
    "sql_postformvalue_queryrow": (
        "CWE-89",
        go('db.QueryRow("SELECT 1 FROM t WHERE a = \'" + r.PostFormValue("a") + "\'") // sink'),
    ),
    "sql_header_get_querycontext": (
        "CWE-89",
        go(
            't := r.Header.Get("X-Tenant")\n'
            'db.QueryContext(r.Context(), "SELECT * FROM " + t) // sink'
        ),
    ),
    "sql_mux_vars": (
        "CWE-89",
        go(
            'id := mux.Vars(r)["id"]\n'
            'db.Query(fmt.Sprintf("SELECT * FROM t WHERE id = %s", id)) // sink'
        ),
    ),
    "sql_gin_query": (
        "CWE-89",
        go('db.Query("SELECT * FROM t WHERE n = \'" + c.Query("n") + "\'") // sink', GIN),
    ),
    "sql_gin_param": (
        "CWE-89",
        go('db.Exec(fmt.Sprintf("DELETE FROM t WHERE id = %s", c.Param("id"))) // sink', GIN),
    ),
    "sql_gin_postform": (
        "CWE-89",
        go('db.Query("SELECT * FROM t WHERE n = " + c.PostForm("n")) // sink', GIN),
    ),
    "sql_gin_getheader": (
        "CWE-89",
        go('db.Query("SELECT * FROM " + c.GetHeader("X-Table")) // sink', GIN),
    ),
    "sql_os_args": (
        "CWE-89",
        go('db.Query("SELECT * FROM t WHERE n = " + os.Args[1]) // sink', MAIN),
    ),
    "sql_fmt_scanln": (
        "CWE-89",
        go(
            "var name string\nfmt.Scanln(&name)\n"
            'db.Query("SELECT * FROM t WHERE n = \'" + name + "\'") // sink',
            MAIN,
        ),
    ),
    "sql_string_parameter": (
        "CWE-89",
        "package p\n\nfunc find(db *sql.DB, name string) {\n"
        '\tdb.Query("SELECT * FROM t WHERE n = \'" + name + "\'") // sink\n}\n',
    ),
    "sql_placeholders_safe": (
        "CWE-89",
        go(
            'db.Query("SELECT * FROM t WHERE n = $1", r.FormValue("n"))\n'
            'db.Exec("DELETE FROM t WHERE id = ?", c.Param("id"))'
        ),
    ),
    "sql_atoi_safe": (
        "CWE-89",
        go(
            'id, _ := strconv.Atoi(r.FormValue("id"))\n'
            'db.Query(fmt.Sprintf("SELECT * FROM t WHERE id = %d", id))'
        ),
    ),
    "sql_prepared_args_safe": (
        "CWE-89",
        go(
            'stmt, _ := db.Prepare("SELECT * FROM t WHERE n = ?")\n'
            'stmt.QueryRow(fmt.Sprintf("%s", os.Args[1]))',
            MAIN,
        ),
    ),
    "sql_constant_table_safe": (
        "CWE-89",
        go('const table = "users"\ndb.Query("SELECT * FROM " + table)'),
    ),
    # ------------------------------------------------------------ command injection
    "cmd_sh_c_request": (
        "CWE-78",
        go('exec.Command("sh", "-c", "ping " + r.FormValue("host")).Run() // sink'),
    ),
    "cmd_program_from_args": (
        "CWE-78",
        go('exec.Command(os.Args[1], "5").Run() // sink', MAIN),
    ),
    "cmd_request_argument": (
        "CWE-78",
        go('exec.Command("git", "log", c.Query("ref")).Run() // sink', GIN),
    ),
    "cmd_fixed_program_safe": (
        "CWE-78",
        go('exec.Command("git", "status").Run()'),
    ),
    "cmd_parameter_program_safe": (
        "CWE-78",
        'package p\n\nfunc run(name string) {\n\texec.Command(name, "5").Run()\n}\n',
    ),
    # --------------------------------------------------------------- path traversal
    "path_open_query": (
        "CWE-22",
        go('f, _ := os.Open(filepath.Join("/srv", r.URL.Query().Get("f"))) // sink\n_ = f'),
    ),
    "path_readfile_gin_param": (
        "CWE-22",
        go('b, _ := os.ReadFile("/srv/" + c.Param("name")) // sink\n_ = b', GIN),
    ),
    "path_readfile_env": (
        "CWE-22",
        go('b, _ := os.ReadFile("/var/reports/" + os.Getenv("REPORT")) // sink\n_ = b', MAIN),
    ),
    "path_stdin_sliced": (
        "CWE-22",
        go(
            "rd := bufio.NewReader(os.Stdin)\nname, _ := rd.ReadString('\\n')\n"
            "name = name[:len(name)-1]\n"
            'f, _ := os.Open(filepath.Join("/srv", name)) // sink\n_ = f',
            MAIN,
        ),
    ),
    "path_whole_argument_safe": (
        "CWE-22",
        go("b, _ := os.ReadFile(os.Args[1])\n_ = b", MAIN),
    ),
    "path_base_safe": (
        "CWE-22",
        go(
            'name := filepath.Base(r.FormValue("f"))\n'
            'b, _ := os.ReadFile(filepath.Join("/srv", name))\n_ = b'
        ),
    ),
    "path_clean_prefix_safe": (
        "CWE-22",
        go(
            'p := filepath.Clean(filepath.Join("/srv", r.FormValue("f")))\n'
            'if strings.HasPrefix(p, "/srv/") {\n\tb, _ := os.ReadFile(p)\n\t_ = b\n}'
        ),
    ),
    "path_zip_slip": (
        "CWE-22",
        "package p\n\nfunc x(f *zip.File, dest string) {\n"
        "\tp := filepath.Join(dest, f.Name) // sink\n\tos.Create(p)\n}\n",
    ),
    "path_zip_checked_safe": (
        "CWE-22",
        "package p\n\nfunc x(zr *zip.Reader, dest string) {\n\tfor _, f := range zr.File {\n"
        "\t\tp := filepath.Join(dest, f.Name)\n"
        '\t\tif !strings.HasPrefix(p, filepath.Clean(dest)+"/") {\n\t\t\treturn\n\t\t}\n'
        "\t\tos.Create(p)\n\t}\n}\n",
    ),
    # ---------------------------------------------------------------------------- XSS
    "xss_fprintf": (
        "CWE-79",
        go('fmt.Fprintf(w, "<h1>%s</h1>", r.FormValue("name")) // sink'),
    ),
    "xss_write": (
        "CWE-79",
        go('w.Write([]byte("<p>" + r.URL.Query().Get("q") + "</p>")) // sink'),
    ),
    "xss_template_html_request": (
        "CWE-79",
        go('v := template.HTML(r.FormValue("bio")) // sink\n_ = v'),
    ),
    "xss_template_html_variable": (
        "CWE-79",
        go("a := loadBio()\nv := template.HTML(a) // sink\n_ = v", MAIN),
    ),
    "xss_escaped_safe": (
        "CWE-79",
        go(
            'fmt.Fprintf(w, "<h1>%s</h1>", html.EscapeString(r.FormValue("name")))\n'
            'v := template.HTML("<b>fixed</b>")\n_ = v'
        ),
    ),
    # ------------------------------------------------------------ redirect and SSRF
    "redirect_request": (
        "CWE-601",
        go('http.Redirect(w, r, r.FormValue("next"), http.StatusFound) // sink'),
    ),
    "redirect_fixed_safe": (
        "CWE-601",
        go('http.Redirect(w, r, "/home", http.StatusFound)'),
    ),
    "ssrf_request_url": (
        "CWE-918",
        go('resp, _ := http.Get(r.URL.Query().Get("url")) // sink\n_ = resp'),
    ),
    "ssrf_env_url": (
        "CWE-918",
        go('http.Post(os.Getenv("TARGET"), "text/plain", nil) // sink', MAIN),
    ),
    "ssrf_fixed_host_safe": (
        "CWE-918",
        go(
            'resp, _ := http.Get("https://api.example.com/users/" + '
            'url.PathEscape(r.FormValue("id")))\n_ = resp'
        ),
    ),
    # ---------------------------------------------------------------- weak crypto
    "hash_md5": ("CWE-328", go("h := md5.Sum(data) // sink\n_ = h", MAIN)),
    "hash_sha1": ("CWE-328", go("h := sha1.New() // sink\n_ = h", MAIN)),
    "hash_sha256_safe": ("CWE-328", go("h := sha256.Sum256(data)\n_ = h", MAIN)),
    "cipher_des": ("CWE-327", go("b, _ := des.NewCipher(key) // sink\n_ = b", MAIN)),
    "cipher_rc4": ("CWE-327", go("s, _ := rc4.NewCipher(key) // sink\n_ = s", MAIN)),
    "cipher_aes_safe": ("CWE-327", go("b, _ := aes.NewCipher(key)\n_ = b", MAIN)),
    "rand_token": (
        "CWE-338",
        go("token := rand.Int63() // sink\n_ = token", MAIN, ("math/rand",)),
    ),
    "rand_any_value": (
        "CWE-338",
        go("id := rand.Intn(1000000) // sink\n_ = id", MAIN, ("math/rand",)),
    ),
    "rand_jitter_safe": (
        "CWE-338",
        'package p\n\nimport "math/rand"\n\nfunc backoff(n int) time.Duration {\n'
        "\treturn time.Duration(rand.Intn(100)) * time.Millisecond\n}\n",
    ),
    "rand_crypto_safe": (
        "CWE-338",
        go("b := make([]byte, 32)\nrand.Read(b)", MAIN, ("crypto/rand",)),
    ),
    # ------------------------------------------------------------- TLS, credentials
    "tls_skip_verify": (
        "CWE-295",
        go("cfg := &tls.Config{InsecureSkipVerify: true} // sink\n_ = cfg", MAIN),
    ),
    "tls_old_version": (
        "CWE-295",
        go("cfg := &tls.Config{MinVersion: tls.VersionTLS10} // sink\n_ = cfg", MAIN),
    ),
    "tls_modern_safe": (
        "CWE-295",
        go(
            "cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: false}\n_ = cfg",
            MAIN,
        ),
    ),
    "creds_literal": (
        "CWE-798",
        go('password := "f62e5bcda4fae4f82370da0c6f20697b8f8447ef" // sink\n_ = password', MAIN),
    ),
    "creds_compared": (
        "CWE-798",
        go('if pw == "Pr0d-s3cret!" { // sink\n\treturn\n}', MAIN),
    ),
    "creds_env_safe": (
        "CWE-798",
        go(
            'password := os.Getenv("DB_PASSWORD")\nfield := "password"\n_, _ = password, field',
            MAIN,
        ),
    ),
}


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Finding]]:
    root = tmp_path_factory.mktemp("go-taint")
    for name, (_, code) in CASES.items():
        (root / f"{name}.go").write_text(code, encoding="utf-8")
    scan = run_semgrep(root)
    assert scan.errors == []
    by_case: dict[str, list[Finding]] = {name: [] for name in CASES}
    for f in scan.findings:
        by_case[Path(f.path).stem].append(f)
    return by_case


@pytest.mark.parametrize("name", sorted(CASES))
def test_go_case(name: str, findings: dict[str, list[Finding]]) -> None:
    cwe, code = CASES[name]
    sinks = [n for n, line in enumerate(code.splitlines(), start=1) if line.endswith("// sink")]
    hits = [f for f in findings[name] if cwe in f.cwe]
    if sinks:
        missing = [n for n in sinks if not any(f.covers(n) for f in hits)]
        assert not missing, f"no {cwe} finding on line(s) {missing}: {findings[name]}"
    else:
        assert not hits, [(f.start_line, f.rule_id) for f in hits]
