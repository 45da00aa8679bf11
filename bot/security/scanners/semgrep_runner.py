"""semgrep on the head versions of the changed files, offline, with local rules only.

Never `--config auto` or a registry name: both fetch rules over the network and send
metrics. Files semgrep could not parse, or gave up on, come from its JSON `errors` and
`paths.skipped` and are listed with the reason.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.security.cwe import (
    CONFIDENCE_SCORE,
    cwe_number,
    cwe_title,
    cwe_url,
    semgrep_severity,
)
from bot.security.scanners.base import (
    ScanFinding,
    ScannerRun,
    Stopwatch,
    find_command,
    json_object,
    not_installed,
    not_json,
    relativize,
    run_tool,
    scrub,
)
from bot.security.scanners.rule_choice import as_json, rule_files_for, rule_files_under, rules_in
from bot.security.scanners.semgrep_refusals import rule_refusals, shown

NAME = "semgrep"
OFFLINE_FLAGS = ("--metrics=off", "--disable-version-check")
# semgrep's OCaml command line ("osemgrep", behind `--experimental`): the same engine and
# rules without the Python front end, which took ~2.2 s of a small change's ~2.4 s scan
# (docs/benchmarks.md). Where it cannot run (a semgrep without it), the scan runs again on
# the standard command line.
FAST_ENGINE = ("--experimental",)
OFFLINE_ENV = {"SEMGREP_SEND_METRICS": "off", "SEMGREP_ENABLE_VERSION_CHECK": "0"}
_TITLE_CHARS = 120
# Skip reasons that only say no rule applies to the file: not a gap in coverage.
_NOT_A_GAP = {"excluded_by_config", "wrong_language", "irrelevant_rule", "always_skipped"}


def default_rule_files() -> list[Path]:
    """Each rule file of Switchyard's own rules, inside the installed package."""
    from bot.security.rules_index import rule_files

    return rule_files()


def rule_ids(paths: Sequence[Path]) -> set[str]:
    """The ids of the rules in these files or folders, as written there.

    semgrep prefixes each id with the folder it was loaded from
    (`work.repo.rules.my-rule`); matching the written ids undoes that."""
    ids: set[str] = set()
    for path in paths:
        for f in rule_files_under(path):
            ids.update(str(rule["id"]) for rule in rules_in(f) if rule.get("id"))
    return ids


def written_id(check_id: str, ids: set[str]) -> str:
    if check_id in ids:
        return check_id
    matches = [i for i in ids if check_id.endswith("." + i)]
    return max(matches, key=len) if matches else check_id


def semgrep_command(
    executable: str | None = None, env: Mapping[str, str] | None = None
) -> list[str] | None:
    return find_command(NAME, executable, env)


def run_semgrep(
    root: Path,
    paths: Sequence[str],
    *,
    configs: Sequence[Path] | None = None,
    extra_configs: Sequence[Path] = (),
    timeout_s: float = 120.0,
    semgrep_args: Sequence[str] = (),
    executable: str | None = None,
    env: Mapping[str, str] | None = None,
    known_secrets: Iterable[str] = (),
) -> ScannerRun:
    """Scans `paths` (relative to `root`) with the rule files or folders in `configs`
    (default: Switchyard's rules) plus `extra_configs` (the user's own).

    semgrep refuses to run at all when one rule file is invalid: when the user's rules
    stop a run that way, it runs again without them, and says so."""
    if not paths:
        return ScannerRun(name=NAME, status="skipped")
    clock = Stopwatch()
    known = list(known_secrets)
    command = semgrep_command(executable, env)
    if command is None:
        return not_installed(ScannerRun(name=NAME), paths, executable or NAME)
    if configs is None:
        # Only the built-in rule files for the languages scanned: all four cost semgrep
        # ~0.15 s of CPU more than Python's alone, as JSON (1.2 s as YAML; benchmarks.md).
        builtin: list[Path] = rule_files_for(default_rule_files(), paths)
        if not builtin and not extra_configs:
            return ScannerRun(name=NAME, status="skipped")
    else:
        builtin = list(configs)
    scan = _Scan(command, root, paths, timeout_s, semgrep_args, env, known, FAST_ENGINE)
    run, engine_failed = scan.run(builtin, extra_configs)
    if engine_failed:
        why = "; ".join(n.removeprefix("semgrep ") for n in run.notes) or run.status
        scan = dataclasses.replace(scan, engine=(), timeout_s=max(timeout_s - clock.elapsed, 1.0))
        run, _ = scan.run(builtin, extra_configs)
        run.notes.insert(
            0, f"semgrep's fast command line did not run ({why}); the standard one did"
        )
    if run.status == "failed" and extra_configs and builtin and _bad_rules(run):
        refused = "; ".join(
            n.removeprefix("semgrep: ")
            for n in run.notes
            if any(m in n for m in _RULE_ERRORS) and not n.startswith("semgrep exited")
        )
        left = max(timeout_s - clock.elapsed, 1.0)
        run, _ = dataclasses.replace(scan, timeout_s=left).run(builtin)
        names = ", ".join(shown(c) for c in extra_configs)
        run.notes.insert(
            0,
            f"semgrep refused the repository's rules ({names}): {refused}; "
            "they were not run, the built-in rules were",
        )
        run.status = "partial" if run.status == "ok" else run.status
    run.duration_s = clock.elapsed
    return run


# semgrep's error types for a rule file it cannot use.
_RULE_ERRORS = ("InvalidRuleSchemaError", "RuleParseError", "invalid configuration")


def _bad_rules(run: ScannerRun) -> bool:
    return any(marker in note for note in run.notes for marker in _RULE_ERRORS)


@dataclass(frozen=True)
class _Scan:
    command: list[str]
    root: Path
    paths: Sequence[str]
    timeout_s: float
    semgrep_args: Sequence[str]
    env: Mapping[str, str] | None
    known: list[str]
    engine: tuple[str, ...] = ()

    def run(self, builtin: list[Path], extra: Sequence[Path] = ()) -> tuple[ScannerRun, bool]:
        """A scan with Switchyard's rule files `builtin` and the repository's `extra`, and
        whether the fast command line itself failed (another may run where it did not)."""
        paths, known, timeout_s = self.paths, self.known, self.timeout_s
        run = ScannerRun(name=NAME)
        for p in extra:
            if not Path(p).exists():
                run.notes.append(f"semgrep rule path {p} does not exist: its rules were not run")
        extra = [p for p in extra if Path(p).exists()]
        rule_paths = [*builtin, *extra]
        if not rule_paths:
            run.status = "skipped"
            run.notes.append("semgrep had no rule files to run")
            run.unreadable = [(p, "not scanned by semgrep: no rule files") for p in paths]
            return run, False
        # semgrep's own per-file, per-rule limit: a slow file becomes an error naming it
        # instead of the whole run hitting our deadline.
        per_rule = max(1, min(30, int(timeout_s / 4)))
        tool_env = {**(os.environ if self.env is None else self.env), **OFFLINE_ENV}
        with as_json(builtin, extra) as configs:
            argv = [
                *self.command,
                "scan",
                *self.engine,
                *OFFLINE_FLAGS,
                "--json",
                "--quiet",
                "--no-git-ignore",
                "--timeout",
                str(per_rule),
                *(arg for p in configs for arg in ("--config", str(Path(p).resolve()))),
                *self.semgrep_args,
                "--",
                *paths,
            ]
            tool = run_tool(argv, timeout_s=timeout_s, cwd=self.root, env=tool_env)
        if tool.returncode is None:
            run.status = "timeout" if tool.timed_out else "failed"
            why = f"did not finish within its {timeout_s:g}s limit" if tool.timed_out else ""
            why = why or tool.error or "did not run"
            run.notes.append(f"semgrep {why}; {len(paths)} file(s) were not checked by semgrep")
            run.unreadable = [(p, f"not scanned by semgrep: {why}") for p in paths]
            return run, False
        data = json_object(tool.stdout)
        if data is None or not isinstance(data.get("results"), list):
            why = not_json(tool, NAME, known)
            run.status = "failed"
            run.notes.append(f"semgrep {why}")
            run.unreadable = [(p, f"not scanned by semgrep: {why}") for p in paths]
            return run, bool(self.engine)
        # The fast command line runs the rules it can read and names each one it cannot.
        data["errors"], refused = rule_refusals(data.get("errors"), extra, known)
        run.notes.extend(refused)

        run.version = str(data.get("version")) if data.get("version") else None
        ids = rule_ids([Path(p) for p in rule_paths])
        run.findings = [f for r in data["results"] if (f := _finding(r, known, ids)) is not None]
        problems, partly = _errors(data, set(paths), known)
        general = problems.pop("", [])
        run.notes.extend(f"semgrep: {msg}" for msg in general)
        general += refused
        run.notes.extend(_partly_note(p, lines) for p, lines in partly.items())
        run.unreadable = [
            (p, "semgrep: " + "; ".join(dict.fromkeys(ms))) for p, ms in problems.items()
        ]
        run.scanned = len(paths) - len(problems)
        listed = data.get("paths") if isinstance(data.get("paths"), dict) else {}
        # Failed before scanning anything (a bad rule file, a bad option): every file is a
        # gap. Errors beside a scan that ran are the files' own, listed above.
        fatal = tool.returncode not in (0, 1) and not run.findings and not listed.get("scanned")
        run.status = "failed" if fatal else ("partial" if problems or general else "ok")
        if fatal:
            # Nothing was checked: every file is a gap, and the run says it is incomplete.
            why = f"semgrep exited {tool.returncode}" + (f" ({general[-1]})" if general else "")
            run.notes.append(f"{why}: no file was checked by semgrep")
            run.unreadable = [(p, f"not scanned by semgrep: {why}") for p in paths]
            run.scanned = 0
        return run, fatal and bool(self.engine) and not refused


def _errors(
    data: dict[str, Any], targets: set[str], known: list[str]
) -> tuple[dict[str, list[str]], dict[str, set[int]]]:
    """(path -> what went wrong there, "" -> errors about no one file (a rule, a config);
    path -> the lines semgrep could not parse in a file it otherwise checked)."""
    out: dict[str, list[str]] = {}
    partly: dict[str, set[int]] = {}
    for e in data.get("errors") or []:
        if not isinstance(e, dict):
            continue
        path = _rel(str(e.get("path") or ""))
        kind = e.get("type")
        if path in targets and isinstance(kind, list) and kind and kind[0] == _PARTLY:
            # Parsed except some ranges, and the rules ran on the rest: a note naming the
            # lines left unchecked, not a file left unscanned.
            partly.setdefault(path, set()).update(_span_lines(kind[1] if len(kind) > 1 else []))
            continue
        kind_name = kind[0] if isinstance(kind, list) and kind else str(kind or "error")
        message = " ".join(str(e.get("message") or "").split())
        text = scrub(relativize(f"{kind_name}: {message}".strip(": ")), known)
        if len(text) > 300:
            text = text[:297] + "..."
        key = path if path in targets else ""
        if key == "" and path:
            text = f"{path}: {text}"
        level = str(e.get("level") or "")
        if key == "" and level:
            text = f"{level} {text}"
        out.setdefault(key, []).append(text)
    paths = data.get("paths") if isinstance(data.get("paths"), dict) else {}
    for s in paths.get("skipped") or []:
        if not isinstance(s, dict):
            continue
        path = _rel(str(s.get("path") or ""))
        reason = str(s.get("reason") or "skipped")
        if path in targets and reason not in _NOT_A_GAP:
            out.setdefault(path, []).append(f"skipped ({reason.replace('_', ' ')})")
    return out, partly


_PARTLY = "PartialParsing"


def _span_lines(spans: object) -> set[int]:
    """The lines of semgrep's error spans (`{"start": {"line": 6}, "end": {"line": 7}}`)."""
    out: set[int] = set()
    for span in spans if isinstance(spans, list) else []:
        start = _line_at(span, "start")
        if start is not None:
            out.update(range(start, (_line_at(span, "end") or start) + 1))
    return out


def _line_at(span: object, key: str) -> int | None:
    point = span.get(key) if isinstance(span, dict) else None
    line = point.get("line") if isinstance(point, dict) else None
    return line if isinstance(line, int) else None


def _partly_note(path: str, lines: set[int]) -> str:
    note = f"semgrep: {path} parsed in part; its rules checked the rest"
    if not lines:
        return note
    shown = ", ".join(str(n) for n in sorted(lines)[:10]) + ("…" if len(lines) > 10 else "")
    return f"{note} ({'line' if len(lines) == 1 else 'lines'} {shown} not parsed)"


def _rel(path: str) -> str:
    return path.removeprefix("./")


def _finding(r: dict[str, Any], known: list[str], ids: set[str]) -> ScanFinding | None:
    path = _rel(str(r.get("path") or ""))
    start = (r.get("start") or {}).get("line")
    end = (r.get("end") or {}).get("line")
    if not path or not isinstance(start, int):
        return None
    extra = r.get("extra") if isinstance(r.get("extra"), dict) else {}
    meta = extra.get("metadata") if isinstance(extra.get("metadata"), dict) else {}
    rule_id = written_id(str(r.get("check_id") or "semgrep-rule"), ids)
    cwes = tuple(dict.fromkeys(n for c in _as_list(meta.get("cwe")) if (n := cwe_number(c))))
    confidence = str(meta.get("confidence") or "").upper() or None
    impact = str(meta.get("impact") or "").upper() or None
    level = str(extra.get("severity") or "WARNING").upper()
    message = scrub(relativize(" ".join(str(extra.get("message") or rule_id).split())), known)
    title = _first_sentence(message)
    short_id = rule_id.rsplit(".", 1)[-1]
    body = [message, f"semgrep rule {rule_id}: severity {level}"]
    if confidence:
        body[-1] += f", confidence {confidence}"
    body[-1] += "."
    body += [f"{cwe_title(c)} ({cwe_url(c)})" for c in cwes]
    refs = [u for u in _as_list(meta.get("references")) if u.startswith("http")]
    source = meta.get("source") if isinstance(meta.get("source"), str) else None
    help_uri = refs[0] if refs else (source if source and source.startswith("http") else None)
    return ScanFinding(
        scanner=NAME,
        rule_id=rule_id,
        path=path,
        start_line=start,
        end_line=end if isinstance(end, int) and end >= start else start,
        title=f"{title} (semgrep {short_id})",
        message="\n\n".join(body),
        severity=semgrep_severity(level, confidence, impact, cwes),
        scanner_severity=level,
        confidence=confidence if confidence in CONFIDENCE_SCORE else None,
        cwe=cwes,
        help_uri=help_uri,
    )


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def _first_sentence(text: str) -> str:
    cut = text.find(". ")
    first = text[: cut + 1] if 0 < cut < _TITLE_CHARS else text
    first = first.rstrip(".")
    return first if len(first) <= _TITLE_CHARS else first[: _TITLE_CHARS - 3].rstrip() + "..."
