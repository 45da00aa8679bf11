"""CWE ids, names and severities: what a scanner's rule means, in the words reports use.

`BANDIT_CWE` was built from bandit 1.9.4's own data: the `cwe` of every blacklist entry
(`bandit.blacklists.calls/imports.gen_blacklist()`) and the `issue.Cwe` each plugin reports.
Bandit's JSON carries `issue_cwe` per result, which wins; the table covers bandit versions
without it and lets the reports name a rule's CWE before it fires. tests/test_scanners.py
checks the table against the installed bandit.
"""

from __future__ import annotations

import re

from bot.findings.model import Severity

BANDIT_CWE: dict[str, int] = {
    "B101": 703, "B102": 78, "B103": 732, "B104": 605, "B105": 259, "B106": 259,
    "B107": 259, "B108": 377, "B110": 703, "B112": 703, "B113": 400, "B201": 94,
    "B202": 22, "B301": 502, "B302": 502, "B303": 327, "B304": 327, "B305": 327,
    "B306": 377, "B307": 78, "B308": 79, "B310": 22, "B311": 330, "B312": 319,
    "B313": 20, "B314": 20, "B315": 20, "B316": 20, "B317": 20, "B318": 20, "B319": 20,
    "B321": 319, "B323": 295, "B324": 327, "B401": 319, "B402": 319, "B403": 502,
    "B404": 78, "B405": 20, "B406": 20, "B407": 20, "B408": 20, "B409": 20, "B411": 20,
    "B412": 284, "B413": 327, "B415": 319, "B501": 295, "B502": 327, "B503": 327,
    "B504": 327, "B505": 326, "B506": 20, "B507": 295, "B508": 319, "B509": 319,
    "B601": 78, "B602": 78, "B603": 78, "B604": 78, "B605": 78, "B606": 78, "B607": 78,
    "B608": 89, "B609": 155, "B610": 89, "B611": 89, "B612": 94, "B613": 838,
    "B614": 502, "B615": 494, "B701": 94, "B702": 80, "B703": 80, "B704": 79,
}  # fmt: skip

# Names as MITRE gives them, shortened where MITRE's run long.
CWE_NAMES: dict[int, str] = {
    20: "Improper Input Validation",
    22: "Path Traversal",
    77: "Command Injection",
    78: "OS Command Injection",
    79: "Cross-site Scripting",
    80: "Basic XSS",
    89: "SQL Injection",
    90: "LDAP Injection",
    94: "Code Injection",
    95: "Eval Injection",
    155: "Improper Neutralization of Wildcards",
    200: "Exposure of Sensitive Information",
    209: "Information Exposure Through an Error Message",
    250: "Execution with Unnecessary Privileges",
    259: "Use of Hard-coded Password",
    284: "Improper Access Control",
    287: "Improper Authentication",
    295: "Improper Certificate Validation",
    306: "Missing Authentication for Critical Function",
    311: "Missing Encryption of Sensitive Data",
    319: "Cleartext Transmission of Sensitive Information",
    321: "Use of Hard-coded Cryptographic Key",
    326: "Inadequate Encryption Strength",
    327: "Use of a Broken or Risky Cryptographic Algorithm",
    328: "Use of Weak Hash",
    330: "Use of Insufficiently Random Values",
    338: "Use of Cryptographically Weak PRNG",
    347: "Improper Verification of Cryptographic Signature",
    352: "Cross-Site Request Forgery",
    377: "Insecure Temporary File",
    400: "Uncontrolled Resource Consumption",
    434: "Unrestricted Upload of File with Dangerous Type",
    494: "Download of Code Without Integrity Check",
    501: "Trust Boundary Violation",
    502: "Deserialization of Untrusted Data",
    532: "Insertion of Sensitive Information into Log File",
    601: "Open Redirect",
    605: "Multiple Binds to the Same Port",
    611: "XML External Entity Reference",
    643: "XPath Injection",
    703: "Improper Check or Handling of Exceptional Conditions",
    732: "Incorrect Permission Assignment for Critical Resource",
    776: "XML Entity Expansion",
    798: "Use of Hard-coded Credentials",
    838: "Inappropriate Encoding for Output Context",
    915: "Mass Assignment",
    918: "Server-Side Request Forgery",
    943: "NoSQL Injection",
    1004: "Sensitive Cookie Without 'HttpOnly' Flag",
    1321: "Prototype Pollution",
    1333: "Inefficient Regular Expression Complexity",
}

# Weaknesses that hand an attacker the system or its data when they fire: a scanner's
# "high" on one of these, found with high confidence, is critical.
GRAVE_CWES: frozenset[int] = frozenset(
    {22, 77, 78, 89, 90, 94, 95, 259, 321, 502, 611, 798, 918, 943}
)

_CWE_ID = re.compile(r"^\s*CWE[-_ ]?(\d+)\b", re.IGNORECASE)


def cwe_number(text: str | int) -> int | None:
    """89 from 89, "89", "CWE-89" or "CWE-89: Improper Neutralization ..."."""
    if isinstance(text, int):
        return text if text > 0 else None
    text = text.strip()
    if text.isdigit():
        return int(text) or None
    m = _CWE_ID.match(text)
    return int(m.group(1)) if m else None


def cwe_label(number: int) -> str:
    """ "CWE-89": the form findings and SARIF tags carry."""
    return f"CWE-{number}"


def cwe_url(number: int) -> str:
    return f"https://cwe.mitre.org/data/definitions/{number}.html"


def cwe_title(number: int) -> str:
    """ "CWE-89: SQL Injection" for bodies and help texts."""
    name = CWE_NAMES.get(number)
    return f"CWE-{number}: {name}" if name else f"CWE-{number}"


# Bandit files many tests under a family rather than the weakness they detect: eval and
# exec under OS command injection (78), yaml.load and the XML parsers under input
# validation (20), md5 under broken crypto (327), random under 330. A report, a code
# scanning filter and the merging of two scanners' findings on one line all need the
# weakness itself; where bandit's family is still right, it follows the precise one.
BANDIT_PRECISE: dict[str, tuple[int, ...]] = {
    "B102": (95,), "B307": (95,),
    "B105": (259, 798), "B106": (259, 798), "B107": (259, 798),
    "B303": (328, 327), "B324": (328, 327),
    "B311": (338, 330),
    "B506": (502,),
    "B313": (611, 776), "B314": (611, 776), "B315": (611, 776), "B316": (611, 776),
    "B317": (611, 776), "B318": (611, 776), "B319": (611, 776), "B320": (611, 776),
    "B310": (918, 22),
    "B308": (79, 80), "B703": (79, 80), "B701": (79,),
    "B609": (155, 78),
}  # fmt: skip


def bandit_cwe(test_id: str, reported: int | None = None) -> int | None:
    """Bandit's own `issue_cwe` when it gave one (0 means unset), else the table's."""
    if reported:
        return reported
    return BANDIT_CWE.get(test_id)


def bandit_cwes(test_id: str, reported: int | None = None) -> tuple[int, ...]:
    """The weaknesses a bandit finding is reported under, the most precise first."""
    family = bandit_cwe(test_id, reported)
    precise = BANDIT_PRECISE.get(test_id)
    if precise is None:
        return (family,) if family else ()
    return precise


_LEVEL_RANK = {"LOW": 0, "MEDIUM": 1, "HIGH": 2}


def scanner_severity(
    level: str, confidence: str | None, cwes: list[int] | tuple[int, ...] = ()
) -> Severity:
    """A scanner's level (bandit HIGH/MEDIUM/LOW; semgrep's are mapped onto these first)
    and its confidence, as a finding severity. Low confidence lowers a step: bandit's
    B608 flags every formatted string that looks like SQL."""
    rank = _LEVEL_RANK.get(level.upper(), 1)
    conf = (confidence or "MEDIUM").upper()
    if rank == 2 and conf == "HIGH" and any(c in GRAVE_CWES for c in cwes):
        return Severity.CRITICAL
    if conf == "LOW":
        rank -= 1
    return (Severity.NIT, Severity.MINOR, Severity.MAJOR)[max(rank, 0)]


# semgrep's rule severities, old (ERROR/WARNING/INFO) and new (CRITICAL..LOW).
SEMGREP_LEVELS: dict[str, str] = {
    "ERROR": "HIGH",
    "WARNING": "MEDIUM",
    "INFO": "LOW",
    "INVENTORY": "LOW",
    "EXPERIMENT": "LOW",
    "CRITICAL": "CRITICAL",
    "HIGH": "HIGH",
    "MEDIUM": "MEDIUM",
    "LOW": "LOW",
}


def semgrep_severity(
    severity: str, confidence: str | None, impact: str | None, cwes: list[int] | tuple[int, ...]
) -> Severity:
    level = SEMGREP_LEVELS.get(severity.upper(), "MEDIUM")
    if level == "CRITICAL":
        return Severity.CRITICAL
    # A rule that says its impact is high is a HIGH whatever its severity word.
    if (impact or "").upper() == "HIGH" and level == "MEDIUM":
        level = "HIGH"
    return scanner_severity(level, confidence, cwes)


# GitHub code scanning reads `security-severity` as CVSS-like: >9.0 critical, 7.0-8.9
# high, 4.0-6.9 medium, 0.1-3.9 low. One number inside each band.
SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.MAJOR: "8.0",
    Severity.MINOR: "5.5",
    Severity.NIT: "2.0",
}

GITLAB_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "Critical",
    Severity.MAJOR: "High",
    Severity.MINOR: "Medium",
    Severity.NIT: "Low",
}

# GitHub's `precision` rule property, from a scanner's confidence.
PRECISION: dict[str, str] = {"HIGH": "high", "MEDIUM": "medium", "LOW": "low"}

CONFIDENCE_SCORE: dict[str, float] = {"HIGH": 0.9, "MEDIUM": 0.6, "LOW": 0.3}
