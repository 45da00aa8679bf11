"""What the secret detector reports in network devices' configurations nobody here wrote:
Batfish's parser test configurations (github.com/batfish/batfish, Apache-2.0; ~1,400 files
of Cisco IOS/NX-OS/XR/ASA, Arista, Juniper, Palo Alto, F5, ... syntax), read from a
checkout or bare mirror at run time, never copied.

They carry no labels, so the figures are a review list, not a score: the hits by kind with
their lines (each should be a credential in its device's grammar), the values found in a
file that a prompt showing it would still send (bench/secrets_prompt_parity.py's three
forms), and the lines holding a device's credential statement (`password 7 …`, `"$9$…"`,
`snmp-server community …`, `key 7 …`) that nothing was reported on, to be read for misses
(Batfish's authors wrote many values as stand-ins: `xxxxxxxx`, `SECRETcommunity1`,
`0123456789ABCDEF…`).

    .venv/bin/python bench/secrets_device_configs.py [--batfish PATH] [--show 40]
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.secrets_prompt_parity import leaks
from bot.secrets import find_secrets

BATFISH_MIRROR = Path("/work/.mirror/batfish+batfish/repo")
# A credential statement in some device's grammar, broadly: what to read for misses.
_STATEMENT = re.compile(
    r"(?:password|secret|key|key-string|md5) 7 [0-9]{2}[0-9A-Fa-f]{4,}"
    r"|\"\$9\$[^\"]+\"|snmp-server community \S+"
)


def configs(root: Path) -> Iterator[tuple[str, str]]:
    """(path, text) of each test configuration under a checkout or bare mirror."""
    if (root / "projects").is_dir():
        for f in sorted(root.rglob("testconfigs/*")):
            if f.is_file() and f.name != "BUILD.bazel":
                yield str(f.relative_to(root)), f.read_text(encoding="utf-8", errors="replace")
        return
    if not (root / "HEAD").is_file():
        raise SystemExit(
            f"Batfish not found at {root}: clone github.com/batfish/batfish and pass --batfish PATH"
        )
    git = ["git", f"--git-dir={root}"]
    listing = subprocess.run(
        [*git, "ls-tree", "-r", "--name-only", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    for name in listing:
        if "/testconfigs/" in name and not name.endswith("BUILD.bazel"):
            blob = subprocess.run([*git, "show", f"HEAD:{name}"], capture_output=True).stdout
            yield name, blob.decode("utf-8", errors="replace")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batfish", type=Path, default=BATFISH_MIRROR)
    ap.add_argument("--show", type=int, default=40)
    args = ap.parse_args()
    kinds: collections.Counter[str] = collections.Counter()
    hits: list[tuple[str, str, str]] = []
    unreported: list[tuple[str, str]] = []
    left: collections.Counter[str] = collections.Counter()
    files = 0
    for path, text in configs(args.batfish):
        files += 1
        lines = text.split("\n")
        flagged: set[int] = set()
        for h in find_secrets(text, path):
            kinds[h.kind] += 1
            flagged.add(h.line)
            hits.append((h.kind, path.rsplit("/", 1)[-1], lines[h.line - 1].strip()))
        for number, line in enumerate(lines, 1):
            if number not in flagged and _STATEMENT.search(line):
                unreported.append((path.rsplit("/", 1)[-1], line.strip()))
        if flagged:
            left.update({form: len(values) for form, values in leaks(path, text).items()})
    print(f"{files} configuration files; {sum(kinds.values())} hits")
    for kind, n in kinds.most_common():
        print(f"  {n:5d} {kind}")
    print(f"credential statements with nothing reported: {len(unreported)}")
    forms = ", ".join(f"{form} {left[form]}" for form in ("rendered", "context", "unified"))
    print(f"values found in a file but left in its prompt ({forms})")
    for kind, name, line in hits[: args.show]:
        print(f"  hit  {kind}: {name}: {line[:120]}")
    for name, line in unreported[: args.show]:
        print(f"  none {name}: {line[:120]}")


if __name__ == "__main__":
    main()
