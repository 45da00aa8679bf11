"""What the file scan finds, a hunk must hide: secrets found in a file whole, looked for in
the hunks a one-line change near them or inside them produces.

A review's prompt shows a file as its diff's hunks: the changed line and three lines of
context each side (git's default). A value that spans lines (a private key, a value
written in pieces) is then shown in part, its armour or its name maybe outside the hunk;
a value whose name sits a few lines above it may be shown without the name. The file
scan (classification, the security scan, when the file is read whole) sees all of it;
the egress gate sees only the hunk. bench/secrets_prompt_parity.py shows whole files;
this shows the hunks.

For each secret the file scan reports (each line of it that carries the value), a change
is made, one line at a time, on each of the four lines before and after the secret's lines
("a neighbour's change": its context shows the value's first or last lines) and on each of
the secret's own lines ("its own line's change"); each hunk is rendered as a review prompt
shows it (bot.tasks.diff_render), redacted (bot.secrets.redact), and a value that its own
row still holds is counted as left. A secret counts once per kind of change, whatever the
number of hunks that left it.

`--form unified` renders each hunk as a description's unified diff instead. `--classified`
counts a value left only where it is sent: the file, loadable as from a repository or a
pull request, is not restricted by classification (bot/classify), which keeps a file
whose shown lines hold a secret on premises. `--unrestricted` counts what is sent where an
organisation turned that off (`data_classes.secrets_make_restricted: false`): the hunk
redacted with the values classification found given to the gate. `--patch-alone` counts
as `--classified` with no file to read: a patch given without its checkout (`--diff`
elsewhere), what every `--diff` was before bot/change/checkout.py read the checkout.

Texts: every file of the public suites (bench/secrets_eval.py) and, where the mirrors
are here, every file CredData labels; data this project did not write. Cases are listed
(--show) only from the tune splits; the holdout's are counted.

    .venv/bin/python bench/secrets_hunk_windows.py [--no-creddata] [--show 10] [--form unified]
        [--classified | --unrestricted | --patch-alone]
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.public_suites import Split
from bench.secrets_prompt_parity import creddata_texts, suite_texts, texts_parser
from bot.change.model import Change, DiffLine, FileChange, FileStatus, Hunk, LineKind
from bot.classify import Classification, classify_change
from bot.config.classes import DataClass, DataClassConfig
from bot.describe.task import render_file
from bot.secrets import SecretHit, find_secrets
from bot.secrets.redact import redact
from bot.tasks.diff_render import file_header, render_hunk

CONTEXT = 3  # git diff's default
NEIGHBOURS = 4  # changes this far before and after a secret's lines


def one_line_change(path: str, lines: list[str], changed: int) -> tuple[FileChange, int]:
    """The diff of a line `changed` (0-based) inserted into the file, git's context around
    it, and the index of the file's line its hunk's first row shows."""
    lo, hi = max(0, changed - CONTEXT), min(len(lines), changed + CONTEXT + 1)
    hunk = Hunk(
        old_start=lo + 1, old_len=hi - lo - 1, new_start=lo + 1, new_len=hi - lo, section=""
    )
    hunk.lines = [
        DiffLine(
            LineKind.ADDED if i == changed else LineKind.CONTEXT,
            None if i == changed else i + (1 if i < changed else 0),
            i + 1,
            lines[i],
        )
        for i in range(lo, hi)
    ]
    return FileChange(path=path, old_path=None, status=FileStatus.MODIFIED, hunks=[hunk]), lo


def hunk_prompt(
    path: str, lines: list[str], changed: int, form: str = "rendered"
) -> tuple[str, int]:
    """The prompt's text for that change, as a review shows it (`rendered`: numbered rows)
    or a description (`unified`: a unified diff), and the index of the file's line its
    first row shows."""
    f, lo = one_line_change(path, lines, changed)
    if form == "unified":
        return render_file(f), lo
    return file_header(f) + "\n" + render_hunk(f.hunks[0]), lo


def classified(
    path: str, lines: list[str], changed: int, restrict: bool = True, loadable: bool = True
) -> Classification:
    """Classification of that change, the file's text loadable (as from a repository or a
    pull request, or a patch in its checkout; both sides read as the head), or, without
    `loadable`, not (a patch alone)."""
    f, _ = one_line_change(path, lines, changed)
    text = "\n".join(lines)
    load = (lambda _p, _s: text) if loadable else None
    change = Change(files=[f], source="bench", load_content=load)
    return classify_change(change, DataClassConfig(secrets_make_restricted=restrict), None, None)


# A key block's armour lines and its headers (`Proc-Type:`, `DEK-Info:` and its public IV,
# PGP's `Version:` and `Comment:`, a PuTTY file's `Encryption:`, `Private-MAC:` and the
# like) are parts of its hit, and no secret.
_ARMOUR = re.compile(r"-----(?:BEGIN|END)[ A-Za-z0-9]*-----|---- (?:BEGIN|END) [ A-Z0-9]*----")
_HEADER = re.compile(
    r"[^\w\n]*(?:Proc-Type|DEK-Info|Version|Comment|Hash|Charset|MessageID|Encryption"
    r"|Public-Lines|Private-Lines|Private-MAC|Private-Hash|Key-Derivation|Argon2-\w+): "
)


def value_lines(text: str, hit: SecretHit) -> dict[int, list[str]]:
    """line index -> the hit's values on it."""
    out: dict[int, list[str]] = {}
    for s, e in hit.parts:
        if not text[s:e].strip() or _ARMOUR.fullmatch(text, s, e):
            continue
        ls = text.rfind("\n", 0, s) + 1
        if hit.kind == "private key" and _HEADER.match(text, ls):
            continue
        out.setdefault(text.count("\n", 0, s), []).append(text[s:e])
    return out


def left_by(
    path: str,
    lines: list[str],
    values: dict[int, list[str]],
    changed: int,
    form: str,
    mode: str = "hunk",
) -> bool:
    """Whether the hunk of a change at `changed` leaves one of `values` on its row, as
    `mode` counts it: "hunk", in the redacted hunk; "classified", sent (the file not kept
    on premises by classification); "patch-alone", the same with no file to read;
    "unrestricted", sent with `secrets_make_restricted` off, the gate given the values
    classification found (Classification.withheld)."""
    prompt, lo = hunk_prompt(path, lines, changed, form)
    if mode == "unrestricted":
        withheld = classified(path, lines, changed, restrict=False).withheld([path])
        red = redact(prompt, known=withheld)
    else:
        red = redact(prompt)  # as a tree before the gate took values (a same-run baseline)
    rows, shown = red.text.split("\n"), prompt.split("\n")
    for i, vals in values.items():
        row = 2 + i - lo  # the file header and the @@ line come first
        # Left: no use of the value on its row was masked (a password equal to a word of
        # the row, `-uzabbix -pzabbix`, is still on the row once its own use is masked).
        if 2 <= row < len(rows) and any(
            v in rows[row] and rows[row].count(v) >= shown[row].count(v) for v in vals
        ):
            if mode in ("classified", "patch-alone"):
                loadable = mode == "classified"
                found = classified(path, lines, changed, loadable=loadable)
                return found[path][0] is not DataClass.RESTRICTED
            return True
    return False


def cases(
    text: str, path: str, form: str = "rendered", mode: str = "hunk"
) -> Iterator[tuple[SecretHit, dict[int, list[str]], bool, bool]]:
    """(hit, its values by line, left by a neighbour's change, left by its own line's)."""
    lines = text.split("\n")  # as the hits' offsets count lines
    for hit in find_secrets(text, path):
        values = value_lines(text, hit)
        if not values:
            continue
        first, last = min(values), max(values)
        near = [
            c
            for c in [*range(first - NEIGHBOURS, first), *range(last + 1, last + 1 + NEIGHBOURS)]
            if 0 <= c < len(lines)
        ]
        by_neighbour = any(left_by(path, lines, values, c, form, mode) for c in near)
        by_own = any(left_by(path, lines, values, c, form, mode) for c in range(first, last + 1))
        yield hit, values, by_neighbour, by_own


def main() -> None:
    ap = texts_parser(
        __doc__, ".venv/bin/python bench/secrets_hunk_windows.py --classified --show 20"
    )
    ap.add_argument(
        "--form",
        choices=("rendered", "unified"),
        default="rendered",
        help="a review's numbered rows, or a description's unified diff",
    )
    ap.add_argument(
        "--classified",
        action="store_true",
        help="count a value left only when classification, the file loadable, sends it",
    )
    ap.add_argument(
        "--unrestricted",
        action="store_true",
        help="count what is sent with data_classes.secrets_make_restricted off: the gate "
        "given the values classification found, the file loadable",
    )
    ap.add_argument(
        "--patch-alone",
        action="store_true",
        help="as --classified, the file not loadable: a patch given without its checkout",
    )
    args = ap.parse_args()
    modes = {"unrestricted": args.unrestricted, "classified": args.classified}
    modes["patch-alone"] = args.patch_alone
    mode = next((m for m, on in modes.items() if on), "hunk")
    texts = list(suite_texts())
    if not args.no_creddata:
        texts += list(creddata_texts())
    started = time.perf_counter()
    tally: Counter[tuple[str, Split, str]] = Counter()
    kinds: Counter[tuple[str, str, str]] = Counter()
    shown = 0
    for source, split, path, text in texts:
        for hit, values, by_neighbour, by_own in cases(text, path, args.form, mode):
            tally[(source, split, "secrets")] += 1
            tally[(source, split, "neighbour")] += by_neighbour
            tally[(source, split, "own")] += by_own
            if by_neighbour:
                kinds[(split, "a neighbour's change", hit.kind)] += 1
            if by_own:
                kinds[(split, "its own line's change", hit.kind)] += 1
            if split == "tune" and (by_neighbour or by_own) and shown < args.show:
                shown += 1
                where = "a neighbour's change" if by_neighbour else "its own line's change"
                print(f"  left ({where}): {source} {path} line {min(values) + 1}: {hit.kind}")
    for source, split in sorted({(s, p) for s, p, _ in tally}):
        n, near, own = (tally[(source, split, k)] for k in ("secrets", "neighbour", "own"))
        print(
            f"  {source:22s} {split:8s} secrets {n:5d}; left in a hunk: "
            f"a neighbour's change {near:4d}, its own line's change {own:4d}"
        )
    for split in ("tune", "holdout"):
        for where in ("a neighbour's change", "its own line's change"):
            by_kind = ", ".join(
                f"{k} {c}" for (s, w, k), c in kinds.most_common() if (s, w) == (split, where)
            )
            print(f"  {split}, left by {where}, by kind: {by_kind or 'none'}")
    print(f"  time: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
