"""Secret detection recall on TruffleHog's detector pattern tests (a sixth public suite).

Each of TruffleHog's ~900 detectors has `pkg/detectors/<name>/<name>_test.go` with a
`Test..._Pattern` table of `{name, input, want}`: `input` is the text the detector reads
(a config snippet, a log, an XML credentials block, code), `want` the secrets it must
extract from it. Those Go tables are evaluated, not run (bench/go_tables.py). An entry
whose input or want needs anything else (a random value from a helper, a method call, an
index) is skipped and counted; so is a Pattern test function with no `{input, want}` table
(one that builds its inputs in code).

**Recall only.** Only entries whose `want` is non-empty are cases (all secrets). TruffleHog's
`want: nil` entries are mostly "the detector needs both halves of a pair", "out of its
keyword's range" or "one character short of its regex": real-looking secrets that a
detector guarding prompts should still hide, so they are not look-alikes and are not used.

**When a case counts as flagged.** A want value may be a secret as found (`o8oq...hx4d`)
or, for a pair detector, two parts glued together (key + id, `user:password@host`, a JSON
of both), or a connection string rebuilt as a percent-encoded URL, so the input need not
contain it whole (each want is also compared URL-decoded). A case is flagged when one of
Switchyard's hits covers a want value: the hit's text (`text[start:end]`) is a substring of
a want value, or the want value, or any 12-character run of it, lies inside the hit's
text (a hit that spans `API_KEY=<key>` or a whole key block). Hitting only the `id` half of
a pair counts: the case's secret is then partly hidden, and a miss list is what this bench
is for. detect-secrets alone (`detect_secrets_alone()` of bench/secrets_eval.py, a
`scan_line` per line) reports values without reliable offsets, so for it a case counts as
flagged when it reports anything on the input.

**Redaction, not only detection.** A case found may still send part of its secret: a hit
that stops inside the value, or a second value of the input that nothing found. For each
found case, every use in its input of a want that is one token (no scheme, separator or
space: the value itself, not `user:password@host`) is counted as masked whole (each of its
letters and digits inside a hit's parts, or inside another use of a found value, which
redaction masks too), cut short, or missed. --show lists the tune split's cut short cases.

Every input is scanned with no path (`path=None`): the text is what a detector reads, not
a Go test file, and no path means neither a test file's nor a config file's rules apply.

TruffleHog is under AGPL-3.0, so none of its files or strings are copied into this
repository: the tests are read at run time from a checkout or a bare mirror of
github.com/trufflesecurity/trufflehog (--root PATH, or $TRUFFLEHOG).

    .venv/bin/python bench/secrets_trufflehog.py [--root PATH] [--show N] [--families]

Cases fall into `tune`/`holdout` by `bench.public_suites.split_of`; --show and --families
read the tune split only, and the holdout is printed as one total.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.go_tables import GoFile, GoValue, Tok, Unresolved
from bench.redaction_uses import redaction_of
from bench.secrets_eval import SecretCase, Tally, detect_secrets_alone
from bot.secrets import find_secrets

SUITE = "trufflehog-detector-tests"
MIRROR = Path("/work/.mirror/trufflesecurity+trufflehog/repo")
DETECTORS = "pkg/detectors"
PART = 12  # a run of a want value this long inside a hit covers it


@dataclass(frozen=True)
class TruffleCase(SecretCase):
    wants: tuple[str, ...] = ()  # what TruffleHog's detector must extract from `text`
    test: str = ""  # the table entry's name


# --- the pattern tables --------------------------------------------------------------

NO_TABLE = "a Pattern test without an input/want table"
_PATTERN_TEST = re.compile(r"^Test\w*Pattern\w*$")
_INPUT_FIELDS = ("input", "data")
_WANT_FIELDS = ("want", "expectedPairs", "wantRawV2", "match")


@dataclass(frozen=True)
class Entry:
    index: int  # the entry's position among the file's table entries
    test: str  # the entry's `name`
    input: str
    wants: tuple[str, ...]


def _flatten(v: GoValue) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return [v] if v else []
    if isinstance(v, list):
        return [s for item in v for s in _flatten(item)]
    raise Unresolved("a want that is not strings")


def _fields_of(toks: list[Tok], i: int) -> tuple[list[str], int]:
    """The field names of `struct { ... }` whose `{` is at `i`, and the index after `}`."""
    names: list[str] = []
    i += 1
    while toks[i].text != "}":
        if toks[i].line_start and toks[i].kind == "ident":
            names.append(toks[i].text)
        i += 1
    return names, i + 1


def _values(toks: list[Tok], i: int, fields: list[str]) -> tuple[dict[str, int], int]:
    """One table entry `{ key: value, ... }` (or positional) whose `{` is at `i`: each
    field's value start, and the index after the entry's `}`."""
    starts: dict[str, int] = {}
    i += 1
    position, depth, start = 0, 0, i
    while True:
        t = toks[i].text
        if toks[i].kind == "eof":
            raise Unresolved("an unterminated entry")
        if depth == 0 and (t == "," or t == "}"):
            if i > start:
                if toks[start].kind == "ident" and toks[start + 1].text == ":":
                    starts[toks[start].text] = start + 2
                elif position < len(fields):
                    starts[fields[position]] = start
                position += 1
            if t == "}":
                return starts, i + 1
            start = i + 1
        elif toks[i].kind == "op" and t in "([{":
            depth += 1
        elif toks[i].kind == "op" and t in ")]}":
            depth -= 1
        i += 1


def pattern_entries(src: str, skipped: Counter[str]) -> Iterator[Entry]:
    """Every `{name, input, want}` entry of the file's Pattern test tables."""
    go = GoFile(src)
    toks = go.toks
    index = 0
    for func in go.funcs:
        name, start, end = func
        if not _PATTERN_TEST.match(name):
            continue
        tables = 0
        for i in range(start, end):
            if not (
                toks[i].text == "[" and toks[i + 1].text == "]" and toks[i + 2].text == "struct"
            ):
                continue
            fields, j = _fields_of(toks, i + 3)
            has_input = [f for f in _INPUT_FIELDS if f in fields]
            if not has_input or not any(f in fields for f in _WANT_FIELDS) or toks[j].text != "{":
                continue
            tables += 1
            j += 1
            while toks[j].text == "{":
                starts, j = _values(toks, j, fields)
                entry = _entry(go, func, starts, has_input[0], index, skipped)
                if entry is not None:
                    yield entry
                index += 1
                if toks[j].text == ",":
                    j += 1
        if not tables:
            skipped[NO_TABLE] += 1


def _entry(
    go: GoFile,
    func: tuple[str, int, int],
    starts: dict[str, int],
    field: str,
    index: int,
    skipped: Counter[str],
) -> Entry | None:
    def get(key: str) -> GoValue:
        return go.value(starts[key], func) if key in starts else None

    try:
        test = get("name")
    except Unresolved:
        test = None
    try:
        text = get(field)
    except Unresolved:
        skipped["input not resolved"] += 1
        return None
    try:
        wants: list[str] = []
        for key in _WANT_FIELDS:
            if key == "match" and get("shouldMatch") is not True:
                continue
            wants += _flatten(get(key))
    except Unresolved:
        skipped["want not resolved"] += 1
        return None
    if not isinstance(text, str):
        skipped["input not a string"] += 1
        return None
    name = test if isinstance(test, str) else ""
    return Entry(index, name, text, tuple(dict.fromkeys(wants)))


# --- the suite -----------------------------------------------------------------------


def _test_files(root: Path) -> Iterator[tuple[str, str]]:
    """(path under pkg/detectors, source) of each non-integration test file, from a
    checkout or a bare mirror."""

    def wanted(name: str) -> bool:
        # TruffleHog spells its integration tests' suffix three ways.
        return name.endswith("_test.go") and "integ" not in name.rsplit("/", 1)[-1]

    if (root / DETECTORS).is_dir():
        base = root / DETECTORS
        for f in sorted(base.rglob("*_test.go")):
            rel = f.relative_to(base).as_posix()
            if wanted(rel):
                yield rel, f.read_text(encoding="utf-8", errors="replace")
        return
    if not (root / "HEAD").is_file():
        raise SystemExit(
            f"TruffleHog not found at {root}: clone github.com/trufflesecurity/trufflehog and "
            "pass --root PATH (or set TRUFFLEHOG)"
        )
    git = ["git", f"--git-dir={root}"]
    listing = subprocess.run(
        [*git, "ls-tree", "-r", "HEAD", DETECTORS], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    blobs = [(line.split()[2], line.split("\t", 1)[1]) for line in listing]
    blobs = [(sha, path) for sha, path in blobs if wanted(path)]
    # One `cat-file --batch` for all files: a process per file would take most of the run.
    out = subprocess.run(
        [*git, "cat-file", "--batch"],
        input="".join(f"{sha}\n" for sha, _ in blobs).encode(),
        capture_output=True,
        check=True,
    ).stdout
    at = 0
    for _, path in blobs:
        header_end = out.index(b"\n", at)
        size = int(out[at:header_end].split()[2])
        body = out[header_end + 1 : header_end + 1 + size]
        at = header_end + 1 + size + 1
        yield path.removeprefix(DETECTORS + "/"), body.decode("utf-8", "replace")


def load_trufflehog(
    root: Path, skipped: Counter[str] | None = None, unused: Counter[str] | None = None
) -> Iterator[TruffleCase]:
    """The suite's cases (all secrets). `skipped` counts entries and tests not evaluated,
    by reason; `unused` counts entries left out because their want is empty."""
    skipped = Counter() if skipped is None else skipped
    unused = Counter() if unused is None else unused
    for rel, src in _test_files(root):
        detector = rel.rsplit("/", 1)[0]
        for entry in pattern_entries(src, skipped):
            if not entry.wants:
                unused["want empty (nil or [])"] += 1
                continue
            yield TruffleCase(
                SUITE,
                f"{detector}/{entry.test}/{entry.index}",
                detector.split("/", 1)[0],
                True,
                entry.input,
                None,
                detector,
                wants=entry.wants,
                test=entry.test,
            )


def covered(case: TruffleCase, spans: list[tuple[int, int]]) -> bool:
    """Whether a hit covers a want value (the module docstring's rule)."""
    # TruffleHog reports some connection strings rebuilt as URLs, percent-encoded.
    wants = {w for want in case.wants for w in (want, unquote(want))}
    for start, end in spans:
        hit = case.text[start:end]
        if not hit:
            continue
        for want in wants:
            if hit in want or want in hit:
                return True
            if any(want[k : k + PART] in hit for k in range(len(want) - PART + 1)):
                return True
    return False


def switchyard(case: SecretCase) -> bool:
    assert isinstance(case, TruffleCase)
    return covered(case, [(h.start, h.end) for h in find_secrets(case.text, case.path)])


def _score(
    cases: list[TruffleCase], detector: Callable[[SecretCase], bool]
) -> tuple[dict[tuple[str, str], Tally], float]:
    began = time.perf_counter()
    out: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for case in cases:
        flagged = detector(case)
        out[(case.split, "*")].add(case, flagged)
        if case.split == "tune":
            out[("tune", case.family)].add(case, flagged)
    return out, time.perf_counter() - began


def _recall(t: Tally) -> str:
    return f"recall {t.recall:.3f} ({t.tp}/{t.tp + t.fn})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--root",
        type=Path,
        default=Path(os.environ.get("TRUFFLEHOG") or MIRROR),
        help=f"a checkout or bare mirror of TruffleHog (default $TRUFFLEHOG or {MIRROR})",
    )
    ap.add_argument("--show", type=int, default=0, help="list this many tune-split misses")
    ap.add_argument("--families", action="store_true", help="per family, tune split only")
    args = ap.parse_args()

    began = time.perf_counter()
    skipped: Counter[str] = Counter()
    unused: Counter[str] = Counter()
    cases = list(load_trufflehog(args.root, skipped, unused))
    loaded = time.perf_counter() - began
    detectors = {c.rule for c in cases}
    families = {c.family for c in cases}
    by_split = Counter(c.split for c in cases)
    print(
        f"== {SUITE} (recall only: every case is a secret): {len(cases)} cases "
        f"({by_split['tune']} tune, {by_split['holdout']} holdout) from {len(detectors)} "
        f"detectors in {len(families)} families"
    )
    print(f"  not used: {sum(unused.values())} entries whose want is empty")
    tables = skipped.pop(NO_TABLE, 0)
    print(f"  skipped: {sum(skipped.values())} entries not evaluated", end="")
    print(" (" + ", ".join(f"{n} {why}" for why, n in skipped.most_common()) + "), ", end="")
    print(f"{tables} Pattern test functions without an input/want table")

    find_secrets("warm = 'up'")
    ours, ours_s = _score(cases, switchyard)
    # Scored as detect-secrets is, for a like-for-like figure.
    some, _ = _score(cases, lambda c: bool(find_secrets(c.text, c.path)))
    theirs, theirs_s = _score(cases, detect_secrets_alone())
    for split in ("tune", "holdout"):
        print(f"  {split:8s} switchyard      {_recall(ours[(split, '*')])}  (a hit covers a want)")
        print(f"  {split:8s} switchyard      {_recall(some[(split, '*')])}  (anything reported)")
        print(f"  {split:8s} detect-secrets  {_recall(theirs[(split, '*')])}  (anything reported)")
    print(
        f"  time: load {loaded:.1f} s, switchyard {ours_s:.1f} s, detect-secrets {theirs_s:.1f} s"
    )
    # Redaction, not only detection: of the cases found, does each value go out whole?
    uses: dict[str, Counter[str]] = defaultdict(Counter)
    cut: list[TruffleCase] = []
    for case in cases:
        if switchyard(case):
            found = redaction_of(case.text, case.path, case.wants)
            uses[case.split] += found
            if case.split == "tune" and found["cut short"]:
                cut.append(case)
    for split in ("tune", "holdout"):
        u = uses[split]
        print(
            f"  {split:8s} one-token values of the cases found: {u['whole']} masked whole, "
            f"{u['cut short']} cut short (some of it sent), {u['missed']} missed (another "
            f"value of a case found)"
        )
    if args.families:
        fams = sorted(f for s, f in ours if s == "tune" and f != "*")
        print(f"  tune per family (switchyard | detect-secrets), {len(fams)} families:")
        for fam in fams:
            a, b = ours[("tune", fam)], theirs[("tune", fam)]
            print(f"    {fam:32s} {a.recall:5.2f} | {b.recall:5.2f}  (n={a.tp + a.fn})")
    for c in ours[("tune", "*")].misses[: args.show]:
        assert isinstance(c, TruffleCase)
        print(f"  missed: {c.rule} | {c.test} | {c.text[:200]!r}")
    for c in cut[: args.show]:
        print(f"  cut short: {c.rule} | {c.test} | {c.text[:200]!r}")


if __name__ == "__main__":
    main()
