"""What semgrep's start costs with Switchyard's rules as written (YAML) and as the scanner
now hands them over (one JSON file, `rule_choice.as_json`), on one small Python file; and
on its standard command line (Python) against the fast one the scanner now runs
(`--experimental`, OCaml: semgrep_runner.FAST_ENGINE).

semgrep reads YAML rules with a parser written in Python, once per scan; a scan of a small
change is mostly that and semgrep's own start. Each configuration runs `--repeat` times,
interleaved, and the CPU (user + system) of the semgrep processes is reported as the median
with the ratio JSON / YAML (standard command line) and fast / standard (JSON rules)
measured in the same run, and the findings compared.

    .venv/bin/python bench/semgrep_rules_speed.py --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.security.scanners.rule_choice import as_json  # noqa: E402
from bot.security.scanners.semgrep_runner import (  # noqa: E402
    FAST_ENGINE,
    OFFLINE_FLAGS,
    default_rule_files,
    rule_ids,
    semgrep_command,
    written_id,
)

SAMPLE = "import os\n\n\ndef run(cmd):\n    return os.system(cmd)\n"


def _scan(
    configs: list[Path], target: Path, engine: tuple[str, ...] = ()
) -> tuple[float, list[tuple[str, int]]]:
    """CPU seconds of one scan, and its findings as (rule id as written, line)."""
    command = semgrep_command()
    if command is None:
        raise SystemExit("semgrep is not installed: pip install -e '.[test]'")
    argv = [*command, "scan", *engine, *OFFLINE_FLAGS, "--json", "--quiet", "--no-git-ignore"]
    argv += [arg for c in configs for arg in ("--config", str(c))]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [*argv, "--", target.name], cwd=target.parent, capture_output=True, text=True, check=False
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    results = json.loads(done.stdout)["results"]
    return cpu, [(r["check_id"], r["start"]["line"]) for r in results]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="scans per configuration")
    args = parser.parse_args()
    files = default_rule_files()
    python = [f for f in files if f.stem == "python"]
    ids = rule_ids(files)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "app.py"
        target.write_text(SAMPLE, encoding="utf-8")
        print(f"semgrep on one {len(SAMPLE.splitlines())}-line Python file, CPU s (median of "
              f"{args.repeat}), cores here: {os.cpu_count()}")  # fmt: skip
        for label, rules in (("python.yml", python), ("all four rule files", files)):
            cpu: dict[str, list[float]] = {"yaml": [], "json": [], "fast": []}
            found: dict[str, list[tuple[str, int]]] = {}
            for _ in range(args.repeat):
                with as_json(rules, []) as configs:
                    for name in cpu:
                        given = rules if name == "yaml" else configs
                        engine = FAST_ENGINE if name == "fast" else ()
                        t, hits = _scan(given, target, engine)
                        cpu[name].append(t)
                        found[name] = sorted((written_id(i, ids), ln) for i, ln in hits)
            y, j, f = (statistics.median(cpu[n]) for n in ("yaml", "json", "fast"))
            agree = found["yaml"] == found["json"] == found["fast"]
            same = "same findings" if agree else "FINDINGS DIFFER"
            print(
                f"  {label:20s} YAML {y:.2f}  JSON {j:.2f} (ratio {j / y:.2f})  "
                f"JSON, fast command line {f:.2f} (ratio to JSON {f / j:.2f})  ({same})"
            )


if __name__ == "__main__":
    main()
