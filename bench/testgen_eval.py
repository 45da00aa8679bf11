"""Measures `switchyard tests` (generate → run → verify) on real changes from public
repositories: tests/fixtures/public/testgen/<case>/, each one upstream commit that changed
a function and added a unit test for it (Python with pytest, JavaScript with node:test).

Per case a temporary git repository gets the base files on `main` and the commit's changed
source files on a branch, and `switchyard tests --base main --format json` runs there as a
process. The model is, by default, a REPLAY: a fake OpenAI-compatible server that answers
with the upstream test the commit added. The figures then measure the pipeline on real
code with a known-good test (finding the changed functions, placing and running the file
on the head twice and the base once, keeping it, coverage, metering), not a model's skill.
A second run per case answers a deliberately broken test first and the upstream one on
the repair call: it exercises the repair round.

`--model local` sends the prompts to the self-hosted server of the environment instead
(SWITCHYARD_LOCAL_BASE_URL, SWITCHYARD_LOCAL_MODEL): its figures are that model's.

    .venv/bin/python bench/testgen_eval.py [--case NAME ...] [--model replay|local]
        [--no-repair-run] [--timeout S] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.openai_server import FakeOpenAIServer, Reply  # noqa: E402

CASES = ROOT / "tests" / "fixtures" / "public" / "testgen"
GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}
REPLAY_MODEL = "upstream-test-replay"
PROVES = "proves the change: fails on the base"
# The dry run's plan line: "  tests-1: path (f, g) → test path with pytest; ..."
_PLAN = re.compile(r"^\s+tests-\d+: (?P<path>\S+) \((?P<names>[^)]*)\) → ")
_KEPT = re.compile(
    r"^kept (?P<path>\S+)(?P<repaired> \(after a repair round\))?: covers (?P<c>[^;]*);"
)
_COVERAGE = re.compile(
    r"the kept tests run (?P<n>\d+) of the (?P<m>\d+) (?:executable )?added lines?"
)
_DROPPED = re.compile(r"^dropped \d+ generated test files?: (?P<why>.*)$")
_SHORT = {"python": "py", "javascript": "js"}
# Appended to the upstream test for the repair run: it fails on the head whatever the code.
_BROKEN = {
    # A TestCase: unittest collects only those, pytest collects them too.
    "python": (
        "\n\nimport unittest as _deliberately\n\n\n"
        "class DeliberatelyBrokenTest(_deliberately.TestCase):\n"
        "    def test_deliberately_broken(self):\n"
        '        raise AssertionError("deliberately broken")\n'
    ),
    "javascript": (
        "\nimport('node:test').then(({ test }) => test('deliberately broken', () => {\n"
        "  throw new Error('deliberately broken')\n}))\n"
    ),
}


@dataclass
class Case:
    name: str
    folder: Path
    meta: dict[str, Any]

    @property
    def language(self) -> str:
        return str(self.meta["language"])

    @property
    def test_file(self) -> str:
        return str(self.meta["test_file"])

    def replay(self) -> str:
        return next(self.folder.glob("replay.*")).read_text(encoding="utf-8")


@dataclass
class Outcome:
    """One `switchyard tests` run on one case."""

    case: str
    language: str
    run: str  # "replay", "repair" or "local"
    exit_code: int
    changed_functions: list[str]
    covered_functions: list[str] = field(default_factory=list)  # with a kept test
    kept: int = 0
    proving: int = 0  # kept files that fail on the base and pass on the head
    repaired: int = 0  # kept after a repair round
    dropped: str = ""  # the report's counted reasons
    lines_run: int | None = None  # changed lines the kept tests run (coverage tool)
    lines_coverable: int | None = None
    calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    wall_s: float = 0.0
    notes: list[str] = field(default_factory=list)


def load_cases(names: list[str] | None = None) -> list[Case]:
    found = [
        Case(p.parent.name, p.parent, json.loads(p.read_text()))
        for p in sorted(CASES.glob("*/case.json"))
    ]
    if names:
        unknown = set(names) - {c.name for c in found}
        if unknown:
            raise SystemExit(f"unknown case(s): {', '.join(sorted(unknown))}")
        found = [c for c in found if c.name in names]
    return found


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, env={**os.environ, **GIT_ENV}
    )


def build_repo(case: Case, where: Path) -> Path:
    """`main` holds the base files, `feature` (checked out) the commit's changed files."""
    repo = where / case.name
    shutil.copytree(case.folder / "base", repo)
    git(repo, "-c", "init.defaultBranch=main", "init", "-q")
    git(repo, "config", "user.email", "bench@example.com")
    git(repo, "config", "user.name", "bench")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"base of {case.meta['commit'][:12]}")
    git(repo, "checkout", "-q", "-b", "feature")
    shutil.copytree(case.folder / "head", repo, dirs_exist_ok=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", case.meta["title"])
    return repo


def replay_responder(case: Case, broken_first: bool) -> Callable[[dict[str, Any]], Reply]:
    """Answers every generation with the upstream test (broken, when asked, until the
    repair call), naming as covered the changed functions the prompt shows that the test
    calls by name (`name(`); naming none, the product counts all it showed."""
    upstream = case.replay()

    def answer(request: dict[str, Any]) -> Reply:
        user = str(request["messages"][-1]["content"])
        shown = re.findall(r"^changed: (\S+) \(", user, re.MULTILINE)
        covers = [q for q in shown if _calls(upstream, q.rsplit(".", 1)[-1])]
        repair = "failing test file: " in user
        content = upstream + _BROKEN[case.language] if broken_first and not repair else upstream
        return Reply({"files": [{"path": case.test_file, "content": content, "covers": covers}]})

    return answer


def _calls(text: str, name: str) -> bool:
    return re.search(rf"\b{re.escape(name)}\s*\(", text) is not None


def switchyard(repo: Path, env: dict[str, str], *args: str, timeout: float) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "tests", "--base", "main", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if "Traceback" in done.stderr:
        raise RuntimeError(f"switchyard tests crashed:\n{done.stderr}")
    return done.returncode, done.stdout


def changed_functions(repo: Path, env: dict[str, str]) -> list[str]:
    """The changed functions the plan shows (`--dry-run`: no model, no test run)."""
    _, out = switchyard(repo, env, "--dry-run", timeout=120)
    names: list[str] = []
    for line in out.splitlines():
        found = _PLAN.match(line)
        if found:
            names += [f"{found['path']}:{n.strip()}" for n in found["names"].split(",")]
    return names


def read_report(outcome: Outcome, report: dict[str, Any]) -> None:
    notes = [str(n) for n in report.get("notes", [])]
    changed = {f.split(":", 1)[1]: f for f in outcome.changed_functions}
    covered: set[str] = set()
    for note in notes:
        kept = _KEPT.match(note)
        if kept:
            outcome.kept += 1
            outcome.proving += PROVES in note
            outcome.repaired += bool(kept["repaired"])
            covered |= {changed[n.strip()] for n in kept["c"].split(",") if n.strip() in changed}
        if cov := _COVERAGE.search(note):
            outcome.lines_run, outcome.lines_coverable = int(cov["n"]), int(cov["m"])
        if dropped := _DROPPED.match(note):
            outcome.dropped = dropped["why"]
    outcome.covered_functions = sorted(covered)
    calls = report.get("calls") or []
    outcome.calls = len(calls)
    outcome.tokens_in = sum(int(c.get("tokens_in") or 0) for c in calls)
    outcome.tokens_out = sum(int(c.get("tokens_out") or 0) for c in calls)
    outcome.notes = notes


def run_case(case: Case, mode: str, timeout_s: float, work: Path) -> Outcome:
    repo = build_repo(case, work / mode)
    home = work / f"home-{mode}-{case.name}"
    home.mkdir(parents=True)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "CI": "true",
        "NO_COLOR": "1",
        "SWITCHYARD_STATE": str(home / "state"),
        "SWITCHYARD_RUNNER": "off",
        **GIT_ENV,
    }
    args = ("--format", "json", "--timeout", f"{timeout_s:g}")
    if mode == "local":
        # The runner's address, model and any other setting of it (an API key, a context).
        env.update({k: v for k, v in os.environ.items() if k.startswith("SWITCHYARD_LOCAL_")})
        return _measured(case, mode, repo, env, args, timeout_s)
    with FakeOpenAIServer(models=[REPLAY_MODEL]) as fake:
        fake.responder = replay_responder(case, broken_first=mode == "repair")
        env["SWITCHYARD_LOCAL_BASE_URL"] = fake.base_url
        env["SWITCHYARD_LOCAL_MODEL"] = REPLAY_MODEL
        return _measured(case, mode, repo, env, args, timeout_s)


def _measured(
    case: Case, mode: str, repo: Path, env: dict[str, str], args: tuple[str, ...], timeout_s: float
) -> Outcome:
    functions = changed_functions(repo, env)
    started = time.perf_counter()
    code, out = switchyard(repo, env, *args, timeout=60 + 8 * timeout_s)
    outcome = Outcome(case.name, case.language, mode, code, functions)
    outcome.wall_s = round(time.perf_counter() - started, 2)
    try:
        report = json.loads(out)
    except ValueError:
        outcome.notes = [f"no JSON report (exit {code}): {out[-500:]}"]
        return outcome
    read_report(outcome, report)
    return outcome


def per_kept(total: int, kept: int) -> str:
    return f"{total / kept:.0f}" if kept else "-"


def table(rows: list[Outcome]) -> str:
    head = (
        f"{'case':36} {'lang':4} {'fns':>3} {'w/kept':>6} {'kept':>4} {'prove':>5} "
        f"{'repaired':>8} {'lines run':>9} {'calls':>5} {'tok/kept':>8} {'wall s':>6}"
    )
    out = [head, "-" * len(head)]
    for r in rows:
        lines = f"{r.lines_run}/{r.lines_coverable}" if r.lines_coverable else "-"
        out.append(
            f"{r.case:36} {_SHORT.get(r.language, r.language):4} {len(r.changed_functions):>3} "
            f"{len(r.covered_functions):>6} {r.kept:>4} {r.proving:>5} {r.repaired:>8} "
            f"{lines:>9} {r.calls:>5} {per_kept(r.tokens_in + r.tokens_out, r.kept):>8} "
            f"{r.wall_s:>6.1f}"
        )
    return "\n".join(out)


def totals(rows: list[Outcome]) -> dict[str, Any]:
    functions = sum(len(r.changed_functions) for r in rows)
    covered = sum(len(r.covered_functions) for r in rows)
    kept = sum(r.kept for r in rows)
    proving = sum(r.proving for r in rows)
    run = sum(r.lines_run or 0 for r in rows if r.lines_coverable)
    coverable = sum(r.lines_coverable or 0 for r in rows)
    calls = sum(r.calls for r in rows)
    tokens = sum(r.tokens_in + r.tokens_out for r in rows)
    return {
        "cases": len(rows),
        "changed_functions": functions,
        "functions_with_kept_test": covered,
        "share_functions_with_kept_test": round(covered / functions, 3) if functions else None,
        "kept_tests": kept,
        "kept_tests_proving": proving,
        "share_kept_proving": round(proving / kept, 3) if kept else None,
        "repaired_and_kept": sum(r.repaired for r in rows),
        "changed_lines_run": run,
        "changed_lines_coverable": coverable,
        "cases_with_coverage": sum(1 for r in rows if r.lines_coverable),
        "calls": calls,
        "calls_per_kept": round(calls / kept, 2) if kept else None,
        "tokens_in": sum(r.tokens_in for r in rows),
        "tokens_out": sum(r.tokens_out for r in rows),
        "tokens_per_kept": round(tokens / kept) if kept else None,
        "wall_s": round(sum(r.wall_s for r in rows), 1),
        "failed_runs": [r.case for r in rows if r.exit_code not in (0, 1)],
    }


def print_totals(t: dict[str, Any]) -> None:
    print(
        f"  changed functions with a kept test: {t['functions_with_kept_test']}/"
        f"{t['changed_functions']} ({t['share_functions_with_kept_test']})\n"
        f"  kept tests that fail on the base (prove the change): {t['kept_tests_proving']}/"
        f"{t['kept_tests']} ({t['share_kept_proving']}); kept after a repair round: "
        f"{t['repaired_and_kept']}\n"
        f"  changed lines the kept tests run: {t['changed_lines_run']}/"
        f"{t['changed_lines_coverable']} (measured in {t['cases_with_coverage']} cases)\n"
        f"  model calls: {t['calls']} ({t['calls_per_kept']} per kept test); tokens "
        f"{t['tokens_in']} in + {t['tokens_out']} out ({t['tokens_per_kept']} per kept test)\n"
        f"  wall time of the runs: {t['wall_s']} s; runs that failed: {t['failed_runs'] or 'none'}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--case", action="append", help="only this case (repeatable)")
    ap.add_argument("--model", choices=("replay", "local"), default="replay")
    ap.add_argument("--no-repair-run", action="store_true", help="skip the repair-round run")
    ap.add_argument("--timeout", type=float, default=20, help="seconds per test file run")
    ap.add_argument("--json", type=Path, help="write every outcome and the totals here")
    args = ap.parse_args(argv)
    if args.model == "local" and not os.environ.get("SWITCHYARD_LOCAL_BASE_URL"):
        ap.error("--model local needs SWITCHYARD_LOCAL_BASE_URL (and SWITCHYARD_LOCAL_MODEL)")
    cases = load_cases(args.case)
    modes = ["local"] if args.model == "local" else ["replay"]
    if args.model == "replay" and not args.no_repair_run:
        modes.append("repair")
    if args.model == "replay":
        print(
            "MODEL: a replay of each commit's own upstream test (fake OpenAI-compatible "
            "server).\nThese figures measure the generate → run → verify pipeline on real "
            "code with a known-good test, not a model's ability to write tests."
        )
    else:
        model = os.environ.get("SWITCHYARD_LOCAL_MODEL", "(the server's)")
        print(f"MODEL: {model} at {os.environ['SWITCHYARD_LOCAL_BASE_URL']}: its own figures")
    result: dict[str, Any] = {"model": args.model, "runs": {}}
    with tempfile.TemporaryDirectory(prefix="testgen-eval-") as tmp:
        for mode in modes:
            rows = [run_case(c, mode, args.timeout, Path(tmp)) for c in cases]
            what = {
                "replay": "upstream test replayed as the model's answer",
                "repair": "a broken test first, the upstream test on the repair call",
                "local": "the local model",
            }[mode]
            print(f"\n== run: {mode} ({what})\n{table(rows)}")
            for r in rows:
                if r.dropped:
                    print(f"  {r.case}: dropped {r.dropped}")
            t = totals(rows)
            print_totals(t)
            by_language: dict[str, dict[str, Any]] = {}
            for language in sorted({r.language for r in rows}):
                part = by_language[language] = totals([r for r in rows if r.language == language])
                print(
                    f"  {language}: {part['functions_with_kept_test']}/"
                    f"{part['changed_functions']} functions with a kept test, "
                    f"{part['kept_tests_proving']}/{part['kept_tests']} kept tests prove the "
                    f"change, {part['changed_lines_run']}/{part['changed_lines_coverable']} "
                    f"lines run, {part['calls_per_kept']} calls and "
                    f"{part['tokens_per_kept']} tokens per kept test"
                )
            result["runs"][mode] = {
                "totals": t,
                "by_language": by_language,
                "cases": [asdict(r) for r in rows],
            }
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    failed = any(v["totals"]["failed_runs"] for v in result["runs"].values())
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
