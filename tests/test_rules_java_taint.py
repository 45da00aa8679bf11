"""The Java taint rules, source by source, sink by sink, sanitizer by sanitizer.

Each case is a small Servlet or Spring handler written to a temporary folder; semgrep runs
once over all of them (module fixture) and each case checks which rule categories fired in
its file. A positive case names the category that must fire; a negative one, the category
that must stay silent.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bench.security_scans import ScanResult, run_semgrep

SERVLET_IMPORTS = """\
import java.io.*;
import java.sql.*;
import javax.servlet.http.*;
"""

SPRING_IMPORTS = """\
import java.io.*;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.*;
"""


@dataclass(frozen=True)
class TaintCase:
    name: str
    category: str  # the rule category (the id's second segment after the language)
    flagged: bool
    code: str  # a full Java class


def servlet(name: str, category: str, flagged: bool, body: str, extra: str = "") -> TaintCase:
    code = (
        f"{SERVLET_IMPORTS}\npublic class {name} extends HttpServlet {{\n"
        "    private Statement statement;\n"
        "    @Override\n"
        "    public void doPost(HttpServletRequest request, HttpServletResponse response)\n"
        "            throws IOException {\n"
        f"{body}\n    }}\n{extra}}}\n"
    )
    return TaintCase(name, category, flagged, code)


def spring(name: str, category: str, flagged: bool, params: str, body: str) -> TaintCase:
    code = (
        f"{SPRING_IMPORTS}\n@RestController\npublic class {name} {{\n"
        "    private JdbcTemplate jdbc;\n"
        '    @PostMapping("/x/{id}")\n'
        f"    public Object handle({params}) throws Exception {{\n{body}\n    }}\n}}\n"
    )
    return TaintCase(name, category, flagged, code)


SQL = 'statement.execute("SELECT * FROM t WHERE a = \'" + {v} + "\'");'

CASES: list[TaintCase] = [
    # ------------------------------------------------------------ servlet sources
    servlet("SrcParameter", "sql-injection", True,
            f'String v = request.getParameter("a");\n{SQL.format(v="v")}'),
    servlet("SrcHeader", "sql-injection", True,
            f'String v = request.getHeader("X-A");\n{SQL.format(v="v")}'),
    servlet("SrcHeaders", "sql-injection", True,
            'java.util.Enumeration<String> h = request.getHeaders("X-A");\n'
            f'String v = h.nextElement();\n{SQL.format(v="v")}'),
    servlet("SrcParameterValues", "sql-injection", True,
            f'String v = request.getParameterValues("a")[0];\n{SQL.format(v="v")}'),
    servlet("SrcParameterMap", "sql-injection", True,
            'java.util.Map<String, String[]> m = request.getParameterMap();\n'
            f'String v = m.get("a")[0];\n{SQL.format(v="v")}'),
    servlet("SrcParameterNames", "sql-injection", True,
            'java.util.Enumeration<String> n = request.getParameterNames();\n'
            f'String v = n.nextElement();\n{SQL.format(v="v")}'),
    servlet("SrcCookies", "sql-injection", True,
            'String v = "none";\nfor (Cookie c : request.getCookies()) { v = c.getValue(); }\n'
            f'{SQL.format(v="v")}'),
    servlet("SrcQueryString", "sql-injection", True,
            f'String v = request.getQueryString();\n{SQL.format(v="v")}'),
    servlet("SrcReader", "sql-injection", True,
            f'String v = request.getReader().readLine();\n{SQL.format(v="v")}'),
    servlet("SrcInputStream", "path-traversal", True,
            'byte[] b = new byte[64];\nint n = request.getInputStream().read(b);\n'
            'new java.io.File(new String(b, 0, n)).delete();'),
    servlet("SrcWrapper", "xss", True,
            "RequestHolder h = new RequestHolder(request);\n"
            'response.getWriter().println(h.value("a"));',
            "    static class RequestHolder {\n"
            "        private final HttpServletRequest r;\n"
            "        RequestHolder(HttpServletRequest r) { this.r = r; }\n"
            "        String value(String k) { return r.getParameter(k); }\n    }\n"),
    servlet("SrcNotRequest", "xss", False,
            'String v = System.getProperty("user.name");\nresponse.getWriter().println(v);'),
    # ------------------------------------------------------------- spring sources
    spring("SpringParam", "sql-injection", True, "@RequestParam String q",
           'return jdbc.queryForList("SELECT * FROM t WHERE a = \'" + q + "\'");'),
    spring("SpringPath", "path-traversal", True, "@PathVariable(\"id\") String id",
           'return new java.io.FileInputStream("/data/" + id);'),
    spring("SpringBody", "command-injection", True, "@RequestBody String cmd",
           'return Runtime.getRuntime().exec("sh -c " + cmd);'),
    spring("SpringHeader", "trust-boundary", True,
           "@RequestHeader(\"X-Role\") String role, javax.servlet.http.HttpServletRequest req",
           'req.getSession().setAttribute("role", role);\nreturn "ok";'),
    spring("SpringPlainParam", "path-traversal", False, "String local",
           'return new java.io.FileInputStream("/data/fixed.txt");'),
    # --------------------------------------------------------------------- SQL
    servlet("SqlAddBatch", "sql-injection", True,
            'String v = request.getParameter("a");\n'
            "statement.addBatch(\"DELETE FROM t WHERE a = '\" + v + \"'\");"),
    spring("SqlJdbcUpdate", "sql-injection", True, "@RequestParam String q",
           'return jdbc.update("DELETE FROM t WHERE a = \'" + q + "\'");'),
    spring("SqlJdbcBatch", "sql-injection", True, "@RequestParam String q",
           'return jdbc.batchUpdate("DELETE FROM t WHERE a = \'" + q + "\'");'),
    servlet("SqlPrepared", "sql-injection", False,
            'String v = request.getParameter("a");\n'
            "Connection c = statement.getConnection();\n"
            'PreparedStatement ps = c.prepareStatement("SELECT * FROM t WHERE a = ?");\n'
            "ps.setString(1, v);\nps.execute();"),
    servlet("SqlConstantBuilt", "sql-injection", False,
            'String table = "users";\n'
            'statement.execute("SELECT * FROM " + table + " WHERE a = 1");'),
    spring("SqlJdbcBind", "sql-injection", False, "@RequestParam String q",
           'return jdbc.queryForList("SELECT * FROM t WHERE a = ?", q);'),
    # ---------------------------------------------------------------- commands
    servlet("CmdExec", "command-injection", True,
            'String v = request.getParameter("a");\nRuntime.getRuntime().exec("ls " + v);'),
    servlet("CmdExecEnv", "command-injection", True,
            'String v = request.getParameter("a");\nString[] env = {"A=" + v};\n'
            'Runtime.getRuntime().exec(new String[] {"ls"}, env);'),
    servlet("CmdShellList", "command-injection", True,
            'String v = request.getParameter("a");\n'
            "java.util.List<String> args = new java.util.ArrayList<String>();\n"
            'args.add("sh");\nargs.add("-c");\nargs.add("echo " + v);\n'
            "new ProcessBuilder(args).start();"),
    servlet("CmdFixed", "command-injection", False,
            'request.getParameter("a");\nRuntime.getRuntime().exec(new String[] {"ls", "-l"});'),
    # ------------------------------------------------------------ path traversal
    servlet("PathFile", "path-traversal", True,
            'String v = request.getParameter("a");\nnew java.io.File("/srv", v).delete();'),
    servlet("PathFileParent", "path-traversal", True,
            'String v = request.getParameter("a");\nnew java.io.File(v, "/x.txt").delete();'),
    servlet("PathOutputStream", "path-traversal", True,
            'String v = request.getHeader("a");\nnew java.io.FileOutputStream(v).close();'),
    servlet("PathNio", "path-traversal", True,
            'String v = request.getParameter("a");\n'
            "java.nio.file.Files.newInputStream(java.nio.file.Paths.get(v)).close();"),
    servlet("PathFileName", "path-traversal", False,
            'String v = request.getParameter("a");\n'
            "String name = org.apache.commons.io.FilenameUtils.getName(v);\n"
            'new java.io.File("/srv", name).delete();'),
    # --------------------------------------------------------------------- XSS
    servlet("XssPrintln", "xss", True,
            'String v = request.getParameter("a");\nresponse.getWriter().println(v);'),
    servlet("XssWrite", "xss", True,
            'String v = request.getParameter("a");\n'
            "response.getWriter().write(v.toCharArray(), 0, 3);"),
    servlet("XssFormat", "xss", True,
            'String v = request.getParameter("a");\n'
            'response.getWriter().format(java.util.Locale.US, v, "b");'),
    servlet("XssPrintf", "xss", True,
            'String v = request.getHeader("a");\nObject[] o = {"x", v};\n'
            'response.getWriter().printf("%s %s", o);'),
    servlet("XssEsapi", "xss", False,
            'String v = request.getParameter("a");\n'
            "response.getWriter().println(org.owasp.esapi.ESAPI.encoder().encodeForHTML(v));"),
    servlet("XssEscapeHtml", "xss", False,
            'String v = request.getParameter("a");\n'
            "response.getWriter().println(org.apache.commons.lang.StringEscapeUtils.escapeHtml(v));"),
    servlet("XssEncodeForHtml", "xss", False,
            'String v = request.getParameter("a");\n'
            "response.getWriter().println(org.owasp.encoder.Encode.forHtml(v));"),
    servlet("XssParseInt", "xss", False,
            'int n = Integer.parseInt(request.getParameter("a"));\n'
            "response.getWriter().println(n);"),
    servlet("XssEncodingHelper", "xss", False,
            'String v = encode(request.getParameter("a"));\nresponse.getWriter().println(v);',
            "    private static String encode(String p) {\n"
            "        String out = org.springframework.web.util.HtmlUtils.htmlEscape(p);\n"
            "        return out;\n    }\n"),
    # ------------------------------------------------------------ LDAP / XPath
    servlet("LdapFilter", "ldap-injection", True,
            'String v = request.getParameter("a");\n'
            "javax.naming.directory.DirContext ctx = null;\n"
            'ctx.search("ou=users", "(uid=" + v + ")",'
            " new javax.naming.directory.SearchControls());"),
    servlet("LdapArgs", "ldap-injection", False,
            'String v = request.getParameter("a");\n'
            "javax.naming.directory.DirContext ctx = null;\n"
            'ctx.search("ou=users", "(uid={0})", new Object[] {v},'
            " new javax.naming.directory.SearchControls());"),
    servlet("XPathBuilt", "xpath-injection", True,
            'String v = request.getParameter("a");\n'
            "javax.xml.xpath.XPath xp = javax.xml.xpath.XPathFactory.newInstance().newXPath();\n"
            "xp.compile(\"/users/user[@name='\" + v + \"']\");"),
    servlet("XPathFixed", "xpath-injection", False,
            'request.getParameter("a");\n'
            "javax.xml.xpath.XPath xp = javax.xml.xpath.XPathFactory.newInstance().newXPath();\n"
            'xp.compile("/users/user[@name=$name]");'),
    # ---------------------------------------------------------- trust boundary
    servlet("TrustValue", "trust-boundary", True,
            'String v = request.getParameter("a");\nrequest.getSession().setAttribute("user", v);'),
    servlet("TrustName", "trust-boundary", True,
            'String v = request.getHeader("a");\nrequest.getSession().putValue(v, "10340");'),
    servlet("TrustConstant", "trust-boundary", False,
            'request.getParameter("a");\nrequest.getSession().setAttribute("user", "guest");'),
    # ---------------------------------------------------- redirect / SSRF
    servlet("RedirectParam", "open-redirect", True,
            'response.sendRedirect(request.getParameter("next"));'),
    servlet("RedirectFixed", "open-redirect", False,
            'request.getParameter("next");\nresponse.sendRedirect("/home");'),
    servlet("SsrfParam", "ssrf", True,
            'new java.net.URL(request.getParameter("u")).openStream().close();'),
    servlet("SsrfOwnUrl", "ssrf", False,
            "String host = new java.net.URL(request.getRequestURL().toString()).getHost();\n"
            "response.getWriter().println(host.length());"),
    # ----------------------------------------------- dead values (sanitizers)
    servlet("DeadIfArm", "sql-injection", False,
            'String p = request.getParameter("a");\nString v;\nint num = 86;\n'
            'if ((7 * 42) - num > 200) v = "constant";\nelse v = p;\n' + SQL.format(v="v")),
    servlet("LiveIfArm", "sql-injection", True,
            'String p = request.getParameter("a");\nString v;\nint num = 196;\n'
            'if ((500 / 42) + num > 200) v = p;\nelse v = "constant";\n' + SQL.format(v="v")),
    servlet("DeadTernary", "sql-injection", False,
            'String p = request.getParameter("a");\nint num = 106;\n'
            'String v = (7 * 18) + num > 200 ? "constant" : p;\n' + SQL.format(v="v")),
    servlet("LiveTernary", "sql-injection", True,
            'String p = request.getParameter("a");\nint num = 106;\n'
            'String v = (7 * 42) - num > 200 ? "constant" : p;\n' + SQL.format(v="v")),
    servlet("DeadSwitch", "xss", False,
            'String p = request.getParameter("a");\nString v;\nString guess = "ABC";\n'
            "char t = guess.charAt(1);\n"
            "switch (t) { case 'A': v = p; break; case 'B': v = \"bob\"; break;"
            " default: v = p; break; }\n"
            "response.getWriter().println(v);"),
    servlet("LiveSwitch", "xss", True,
            'String p = request.getParameter("a");\nString v;\nString guess = "ABC";\n'
            "char t = guess.charAt(2);\n"
            "switch (t) { case 'A': v = p; break; case 'B': v = \"bob\"; break;"
            " default: v = p; break; }\n"
            "response.getWriter().println(v);"),
    servlet("DeadMapKey", "path-traversal", False,
            'String p = request.getParameter("a");\n'
            "java.util.Map<String, Object> m = new java.util.HashMap<String, Object>();\n"
            'm.put("safe", "fixed.txt");\nm.put("asked", p);\n'
            'new java.io.File("/srv", (String) m.get("safe")).delete();'),
    servlet("LiveMapKey", "path-traversal", True,
            'String p = request.getParameter("a");\n'
            "java.util.Map<String, Object> m = new java.util.HashMap<String, Object>();\n"
            'm.put("safe", "fixed.txt");\nm.put("asked", p);\n'
            'new java.io.File("/srv", (String) m.get("asked")).delete();'),
    servlet("DeadListSlot", "trust-boundary", False,
            'String p = request.getParameter("a");\n'
            "java.util.List<String> l = new java.util.ArrayList<String>();\n"
            'l.add("safe");\nl.add(p);\nl.add("moresafe");\nl.remove(0);\n'
            'request.getSession().setAttribute("k", l.get(1));'),
    servlet("LiveListSlot", "trust-boundary", True,
            'String p = request.getParameter("a");\n'
            "java.util.List<String> l = new java.util.ArrayList<String>();\n"
            'l.add("safe");\nl.add(p);\nl.add("moresafe");\nl.remove(0);\n'
            'request.getSession().setAttribute("k", l.get(0));'),
    servlet("DeadHelper", "command-injection", False,
            'String v = pick(request.getParameter("a"));\nRuntime.getRuntime().exec("ls " + v);',
            "    private static String pick(String param) {\n        String bar;\n"
            "        int num = 86;\n"
            '        if ((7 * 42) - num > 200) bar = "constant";\n        else bar = param;\n'
            "        return bar;\n    }\n"),
    servlet("DeadInnerHelper", "command-injection", False,
            'String v = new Inner().pick(request.getParameter("a"));\n'
            'Runtime.getRuntime().exec("ls " + v);',
            "    private class Inner {\n        String pick(String param) {\n"
            '            String bar = "safe!";\n'
            "            java.util.Map<String, Object> m = new java.util.HashMap<>();\n"
            '            m.put("keyA", "a_Value");\n            m.put("keyB", param);\n'
            '            bar = (String) m.get("keyA");\n'
            "            return bar;\n        }\n    }\n"),
    servlet("LiveHelper", "command-injection", True,
            'String v = pick(request.getParameter("a"));\nRuntime.getRuntime().exec("ls " + v);',
            "    private static String pick(String param) {\n"
            '        return param + " ";\n    }\n'),
    # ------------------------------------------------ weak crypto (pattern rules)
    servlet("RandomCookie", "weak-random", True,
            'String key = Long.toString(new java.util.Random().nextLong());\n'
            'response.addCookie(new Cookie("remember", key));'),
    servlet("RandomBytesSession", "weak-random", True,
            "byte[] b = new byte[16];\nnew java.util.Random().nextBytes(b);\n"
            'request.getSession().setAttribute("k", new String(b));'),
    servlet("SecureRandomCookie", "weak-random", False,
            "java.security.SecureRandom r = new java.security.SecureRandom();\n"
            'response.addCookie(new Cookie("remember", Long.toString(r.nextLong())));'),
    servlet("HashMd5", "weak-hash", True,
            'java.security.MessageDigest.getInstance("MD5");'),
    servlet("HashSha1Provider", "weak-hash", True,
            'java.security.MessageDigest.getInstance("SHA1", "SUN");'),
    servlet("HashSha256", "weak-hash", False,
            'java.security.MessageDigest.getInstance("SHA-256");'),
    servlet("CipherDes", "weak-cipher", True,
            'javax.crypto.Cipher.getInstance("DES/CBC/PKCS5Padding");'),
    servlet("CipherEcb", "weak-cipher", True,
            'javax.crypto.Cipher.getInstance("AES/ECB/PKCS5Padding");'),
    servlet("CipherNoMode", "weak-cipher", True, 'javax.crypto.Cipher.getInstance("AES");'),
    servlet("CipherGcm", "weak-cipher", False,
            'javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");'),
    servlet("CookieNotSecure", "insecure-cookie", True,
            'Cookie c = new Cookie("a", "b");\nc.setSecure(false);\nresponse.addCookie(c);'),
    servlet("CookieSecure", "insecure-cookie", False,
            'Cookie c = new Cookie("a", "b");\nc.setSecure(true);\nresponse.addCookie(c);'),
]  # fmt: skip


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """One semgrep run over every case; the rule categories found per case name."""
    root = tmp_path_factory.mktemp("java-taint")
    for case in CASES:
        (root / f"{case.name}.java").write_text(case.code, encoding="utf-8")
    result: ScanResult = run_semgrep(root)
    assert result.errors == []
    found: dict[str, set[str]] = {case.name: set() for case in CASES}
    for finding in result.findings:
        if finding.rule_id.startswith("switchyard.java."):
            found[finding.path.stem].add(finding.rule_id.split(".")[2])
    return found


def test_case_names_are_unique() -> None:
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_java_taint_case(case: TaintCase, scan: dict[str, set[str]]) -> None:
    categories = scan[case.name]
    if case.flagged:
        assert case.category in categories, f"{case.category} did not fire; got {categories}"
    else:
        assert case.category not in categories, f"{case.category} fired on a safe case"
