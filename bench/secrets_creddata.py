"""Secret detection on Samsung's CredData: real credentials labelled in real repositories.

CredData (github.com/Samsung/CredData, Apache-2.0) labels lines of files in ~330 public GitHub
repositories, each at a pinned commit: `meta/<repo>.csv` gives the file (as the first eight
hex digits of the sha256 of its path in the repository), the line range, and the ground
truth, T (a credential) or F/X (not one: a look-alike, a placeholder, a test value the
reviewers called no credential). Its README: credentials in test and example folders are
labelled T; obvious placeholders, function calls and `${VAR}` references F; an unquoted
`password=my_password` is T in YAML and F in JavaScript or Python. Nobody on this project
wrote a line of it, and the files are code and configuration as committed, not test
fixtures for a detector, so this is the closest of the suites to what Switchyard scans.

The data files are not in CredData: its `download_data.py` clones each repository. Here
they are read from mirrors of those repositories (`--mirrors DIR`, one bare git directory
per repository at `DIR/<owner>+<name>/repo`, as the project's fetch tool leaves them),
at the commit CredData pins, matching paths to FileIDs as `download_data.py` does (and, as
it does, leaving `.xml` files out). A repository without a mirror, without the pinned
commit, or a labelled file missing at that commit (snapshots lack files of 4 MiB and more)
is counted and left out. Nothing of the repositories is copied into this one: they are
read at run time, and so are CredData's labels.

**Scoring.** Each labelled row is one case; a case counts as flagged when a secret that
`bot.secrets.find_secrets` reports on the file (scanned whole, under its path in the
repository) covers a line of the row's range. detect-secrets alone runs as `detect-secrets
scan` on the same file. X rows are counted as look-alikes, as CredData's README says
("True (T) / False (F,X)"). Categories are CredData's own (`Password`, `Key`, `UUID`,
`PEM Private Key`, ...; a row with several, `Auth:Token`, is counted under the first).

**Redaction.** A flagged line is not yet a masked credential: the reported span may stop
short of the value, or cover another value on the line. Where CredData marks the value
(ValueStart/ValueEnd on a one-line row), "value masked whole" counts the flagged credentials
whose value lies wholly inside Switchyard's reported spans, which is what `mask`/`redact`
replace; of those cut short, how many leave a letter or digit of the value outside them
(a separator between two masked parts sends nothing of the secret).

**Split.** By repository (`bench.public_suites.split_of("creddata", repo)`), so that a
repository's conventions seen while tuning do not reappear in the holdout. Each split's
figure is also printed without its largest repository (the one with the most credentials),
so that one project's conventions do not carry a split. --show lists tune misses and false
alarms only; --families prints both splits' figures per category (numbers, no cases),
with how many of each category's flagged values are masked whole and how many cut short.

    .venv/bin/python bench/secrets_creddata.py [--creddata PATH] [--mirrors DIR]
        [--families] [--show N] [--no-detect-secrets] [--peer kingfisher]

--peer (repeatable) runs another detector of bench/secrets_peers.py once over every file,
written under its path in its repository, and prints its figures beside Switchyard's.
Kingfisher is independent of CredData; CredSweeper is not (its machine-learning filter
was trained on CredData's labels), so its figures here flatter it.

detect-secrets scans one file at a time in a process per core (it is ~20x slower than
Switchyard here); Switchyard's scan runs in this process and is timed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.creddata_source import (
    CREDDATA_MIRROR,
    MIRRORS,
    CredCase,
    Loaded,
    Source,
    load,
)
from bench.secrets_eval import SecretCase, Tally
from bench.secrets_peers import peer_hits, peer_version, safe_path
from bot.secrets import find_secrets

# --- detectors -------------------------------------------------------------------------

FileLines = Callable[[str, str, str, str], set[int]]  # (repo, file id, path, text) -> lines


# What Switchyard reported in each file, as (start, end) offsets: what redaction masks.
SPANS: dict[tuple[str, str], list[tuple[int, int]]] = {}


def switchyard_lines(repo: str, file_id: str, path: str, text: str) -> set[int]:
    lines: set[int] = set()
    hits = find_secrets(text, path)
    for hit in hits:
        lines.update(range(hit.line, hit.end_line + 1))
    SPANS[(repo, file_id)] = [(hit.start, hit.end) for hit in hits]
    return lines


class Coverage(NamedTuple):
    flagged: int  # flagged on their line, with a value CredData marks
    whole: int  # the value wholly inside what Switchyard reported (masked)
    partly: int  # some of the value outside it
    sent: int  # of `partly`, those with a letter or digit outside it: a separator
    # between two masked parts (`key secret`, `user:pass`) or a scheme word's quote
    # is outside too, and sends no character of the secret


def value_coverage(loaded: Loaded, split: str, family: str | None = None) -> Coverage:
    """Of the credentials flagged on their line whose value CredData marks, how many lie
    wholly inside what Switchyard reported (and so are masked), and how many are cut short
    (partly masked; the rest is sent); of one CredData category with `family`."""
    flagged = covered = partly = sent = 0
    starts: dict[tuple[str, str], list[int]] = {}
    for case in loaded.cases:
        if case.split != split or not case.secret or case.value is None or case.line is None:
            continue
        if family is not None and case.family != family:
            continue
        key = (case.repo, case.file_id)
        text = loaded.files[key][1]
        if key not in starts:
            starts[key] = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        base = starts[key][case.line - 1]
        line_end = base + len(case.text)
        spans = [(s, e) for s, e in SPANS[key] if s <= line_end and e > base]
        if not spans:
            continue
        flagged += 1
        start, end = base + case.value[0], base + case.value[1]
        inside = [(max(s, start), min(e, end)) for s, e in _merged(spans) if s < end and e > start]
        masked = sum(e - s for s, e in inside)
        covered += masked == end - start
        if 0 < masked < end - start:
            partly += 1
            outside = set(range(start, end)).difference(*(range(s, e) for s, e in inside))
            sent += any(text[i].isalnum() for i in outside)
    return Coverage(flagged, covered, partly, sent)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


_TMP: Path | None = None


def detect_secrets_lines(repo: str, file_id: str, path: str, text: str) -> set[int]:
    """`detect-secrets scan` on the file, written under its own name so that its filters
    see the file's type."""
    from detect_secrets.core.scan import scan_file
    from detect_secrets.settings import default_settings

    global _TMP
    _TMP = _TMP or Path(tempfile.mkdtemp(prefix="creddata-"))
    target = _TMP / repo / file_id / Path(path).name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8", errors="surrogateescape")
    try:
        with default_settings():
            return {s.line_number for s in scan_file(str(target))}
    finally:
        target.unlink()


def peer_flags(loaded: Loaded, name: str) -> Callable[[SecretCase], bool]:
    """Peer `name` run once over every file, each written as `<repo>/<file id>/<path>`
    (its name and folders as in the repository, for detectors that judge by them)."""
    with tempfile.TemporaryDirectory(prefix="creddata-peer-") as tmp:
        target = Path(tmp) / "files"
        where: dict[tuple[str, str], Path] = {}
        for (repo, file_id), (path, text) in loaded.files.items():
            rel = Path(repo, file_id) / safe_path(path)
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            (target / rel).write_text(text, encoding="utf-8", errors="surrogateescape")
            where[(repo, file_id)] = rel
        started = time.perf_counter()
        hits = peer_hits(name, target, Path(tmp))
    print(f"  ({name}: {len(where)} files in {time.perf_counter() - started:.0f} s)")

    def flagged(case: SecretCase) -> bool:
        assert isinstance(case, CredCase)
        rel = where[(case.repo, case.file_id)]
        return any((rel, n) in hits for n in range(case.line or 0, case.last_line + 1))

    return flagged


def _call(job: tuple[FileLines, str, str, str, str]) -> set[int]:
    detector, *args = job
    return detector(*args)


def flags(loaded: Loaded, detector: FileLines, jobs: int = 1) -> Callable[[SecretCase], bool]:
    """Scan every file once (in `jobs` processes), then answer per case."""
    work = [(detector, *key, *value) for key, value in loaded.files.items()]
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            found = list(pool.map(_call, work, chunksize=16))
    else:
        found = [_call(job) for job in work]
    hits = dict(zip(loaded.files, found, strict=True))

    def flagged(case: SecretCase) -> bool:
        assert isinstance(case, CredCase)
        lines = hits[(case.repo, case.file_id)]
        return any(n in lines for n in range(case.line or 0, case.last_line + 1))

    return flagged


# --- report ----------------------------------------------------------------------------


def tallies(cases: list[CredCase], flagged: Callable[[SecretCase], bool]) -> dict[str, Tally]:
    """Keys: the split, the split without its largest repository (the one with the most
    credentials), `<split>/<category>`."""
    largest = {
        split: Counter(c.repo for c in cases if c.secret and c.split == split).most_common(1)
        for split in ("tune", "holdout")
    }
    out: dict[str, Tally] = defaultdict(Tally)
    for case in cases:
        hit = flagged(case)
        out[case.split].add(case, hit)
        if not largest[case.split] or case.repo != largest[case.split][0][0]:
            out[f"{case.split} w/o largest"].add(case, hit)
        out[f"{case.split}/{case.family}"].add(case, hit)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--creddata", type=Path, default=CREDDATA_MIRROR)
    ap.add_argument("--mirrors", type=Path, default=MIRRORS)
    ap.add_argument("--families", action="store_true", help="per CredData category")
    ap.add_argument("--show", type=int, default=0, help="list this many tune misses/alarms")
    ap.add_argument("--no-detect-secrets", action="store_true")
    ap.add_argument(
        "--peer", choices=("kingfisher", "secretlint", "credsweeper"), action="append", default=[]
    )
    args = ap.parse_args()
    for peer in args.peer:
        print(f"peer {peer}: {peer_version(peer)}")

    started = time.perf_counter()
    loaded = load(Source(args.creddata), args.mirrors, sys.stderr.isatty())
    cases = loaded.cases
    repos = {c.repo for c in cases}
    secrets = sum(c.secret for c in cases)
    print(
        f"== creddata: {secrets} credentials, {len(cases) - secrets} look-alikes in "
        f"{len(loaded.files)} files of {len(repos)} repositories "
        f"(read in {time.perf_counter() - started:.0f} s)"
    )
    for why, count in sorted(loaded.left_out.items()):
        print(f"  left out: {count} rows, {why}")
    find_secrets("warm = 'up'")
    started = time.perf_counter()
    ours = tallies(cases, flags(loaded, switchyard_lines))
    took = time.perf_counter() - started
    theirs = (
        None
        if args.no_detect_secrets
        else tallies(cases, flags(loaded, detect_secrets_lines, os.cpu_count() or 1))
    )
    peers = {name: tallies(cases, peer_flags(loaded, name)) for name in args.peer}
    for key in ("tune", "holdout", "tune w/o largest", "holdout w/o largest"):
        print(f"  {key:20s} switchyard      {ours[key].line()}")
        if theirs is not None:
            print(f"  {key:20s} detect-secrets  {theirs[key].line()}")
        for name, tally in peers.items():
            print(f"  {key:20s} {name:15s} {tally[key].line()}")
    print(f"  switchyard scanned {len(loaded.files)} files in {took:.1f} s")
    for split in ("tune", "holdout"):
        flagged, covered, partly, sent = value_coverage(loaded, split)
        print(
            f"  {split:20s} value masked whole: {covered} of {flagged} credentials flagged on "
            f"their line with a marked value ({covered / max(flagged, 1):.3f}); "
            f"cut short: {partly}, {sent} of them with a letter or digit of the value sent"
        )
    for split in ("tune", "holdout") if args.families else ():
        fams = sorted(
            (k for k in ours if k.startswith(f"{split}/")),
            key=lambda k: -(ours[k].tp + ours[k].fn + ours[k].fp + ours[k].tn),
        )
        names = " | ".join(["switchyard", *(["detect-secrets"] if theirs else []), *peers])
        print(f"  {split} per category, recall / FPR ({names}):")
        for key in fams:
            a = ours[key]
            others = [t[key] for t in ([theirs] if theirs else []) + list(peers.values())]
            other = "".join(f" | {b.recall:5.2f} / {b.fpr:5.2f}" for b in others)
            family = key.split("/", 1)[1]
            flagged, covered, partly, sent = value_coverage(loaded, split, family)
            whole = f"   masked whole {covered}/{flagged}, cut {partly} ({sent} sent)"
            whole = whole if flagged else ""
            print(
                f"    {family:30s} {a.recall:5.2f} / {a.fpr:5.2f}{other}"
                f"   (n={a.tp + a.fn}+{a.fp + a.tn}){whole}"
            )
    if args.show:
        t = ours["tune"]
        for label, items in (("missed", t.misses), ("false alarm", t.false_alarms)):
            for c in items[: args.show]:
                assert isinstance(c, CredCase)
                where = f"{c.repo} {c.path}:{c.line} [{c.family}]"
                print(f"  {label}: {where} {c.text.strip()[:160]!r}")


if __name__ == "__main__":
    main()
