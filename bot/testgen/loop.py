"""Generate → run → repair → run → keep: the tests task's loop over its work items.

Pure apart from its two seams: `ask` sends work items to a model (routed, metered) and
returns each one's answer, and `verify` runs one generated file on the head and the base
(bot/testgen/verify.py) and says whether it stays, as a `Checked`. A file that fails or
does not compile gets `rounds` repair rounds, each a new work item carrying the failing
file and the end of its output; a file that hangs or flakes is dropped at once (a repair
would cost another timeout, and a flaky test cannot be made trustworthy by asking again).
Every file dropped is counted with its reason; kept files that prove the change come first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.testgen.answer import GenerationAnswer
from bot.testgen.task import TestItem, numbered

# Outcomes of a file not kept that one more round may mend.
REPAIRABLE = frozenset({"failed", "did not compile"})


@dataclass(frozen=True, slots=True)
class Checked:
    """What running one generated file said, in the loop's words."""

    kept: bool  # passed on the head, twice
    # "passed" | "failed" | "did not compile" | "timed out" | "flaky" | "could not run"
    outcome: str
    proves_change: bool = False  # kept, and failed on the base
    detail: str = ""  # the verifier's own words
    output: str = ""  # the end of the head run's output, for a repair round
    coverage: str = ""  # e.g. "4 of 5 changed lines run", when a coverage tool ran
    networked: bool = False  # the run could not be cut off from the network
    # (path, head line) of the change's added lines the first head run executed, and of
    # those it was asked about: both empty without a coverage tool.
    covered: frozenset[tuple[str, int]] = frozenset()
    coverable: frozenset[tuple[str, int]] = frozenset()


@dataclass(slots=True)
class Candidate:
    """One generated test file, placed in the repository."""

    path: str
    content: str
    covers: list[str]  # qualnames of the changed functions it tests
    item: TestItem
    round: int = 0  # 0 as generated, k after the k-th repair


@dataclass(slots=True)
class Outcome:
    candidate: Candidate
    verdict: Checked


@dataclass(slots=True)
class LoopResult:
    kept: list[Outcome] = field(default_factory=list)  # those proving the change first
    dropped: list[Outcome] = field(default_factory=list)  # the last verdict of each
    refused: list[tuple[str, str]] = field(default_factory=list)  # (path, why) never run
    unanswered: list[tuple[TestItem, str]] = field(default_factory=list)  # items, why
    repairs: int = 0  # repair items sent

    def dropped_counts(self) -> Counter[str]:
        return Counter(o.verdict.outcome for o in self.dropped)


# An answer per item, or None with the reason no target gave one.
Ask = Callable[[list[TestItem]], list[tuple[GenerationAnswer | None, str]]]
Verify = Callable[[Candidate], Checked]
# Builds the repair item for a failed candidate: (candidate, verdict, number) -> item.
Repair = Callable[[Candidate, Checked, int], TestItem]
# Whether a path already holds a file in the repository (generated files never replace one).
Exists = Callable[[str], bool]


def run_loop(
    items: Sequence[TestItem],
    ask: Ask,
    verify: Verify,
    repair: Repair,
    exists: Exists,
    *,
    rounds: int = 1,
    is_test_path: Callable[[str, str], bool] | None = None,
) -> LoopResult:
    """`is_test_path(path, language)`: whether the runner takes `path` for a test file; a
    model's path that is not one goes where planning said instead."""
    result = LoopResult()
    taken: set[str] = set()
    candidates: list[Candidate] = []
    for item, (answer, why) in zip(items, ask(list(items)), strict=True):
        if answer is None:
            result.unanswered.append((item, why))
            continue
        candidates += _placed(item, answer, taken, exists, is_test_path, result)
    outcomes = [Outcome(c, verify(c)) for c in candidates]
    for n in range(1, rounds + 1):
        failing = [o for o in outcomes if not o.verdict.kept and o.verdict.outcome in REPAIRABLE]
        if not failing:
            break
        asked = [
            repair(o.candidate, o.verdict, result.repairs + i)
            for i, o in enumerate(failing, start=1)
        ]
        result.repairs += len(asked)
        answers = ask(asked)
        for o, fix, (answer, why) in zip(failing, asked, answers, strict=True):
            mended = _mended(o.candidate, fix, answer, n)
            if mended is None:
                # No answer: the failed file stays dropped for what it failed with.
                if answer is None:
                    result.unanswered.append((fix, why))
                continue
            o.candidate = mended
            o.verdict = verify(mended)
    for o in outcomes:
        (result.kept if o.verdict.kept else result.dropped).append(o)
    # Stable: proving tests first, each group in the order the items came.
    result.kept.sort(key=lambda o: not o.verdict.proves_change)
    return result


def _placed(
    item: TestItem,
    answer: GenerationAnswer,
    taken: set[str],
    exists: Exists,
    is_test_path: Callable[[str, str], bool] | None,
    result: LoopResult,
) -> list[Candidate]:
    """The answer's files at the paths they will have: the model's own when it is a new
    test file; else where planning said (numbered when several files want it). A file that
    would replace one already in the repository is never written."""
    out: list[Candidate] = []
    planned = item.test_path
    for k, f in enumerate(answer.files, start=1):
        path = f.path
        language = item.subject.language
        fits = is_test_path is None or is_test_path(path, language)
        if not fits or exists(path) or path in taken:
            path = planned if k == 1 else numbered(planned, k)
        if exists(path) or path in taken:
            result.refused.append((f.path, "a file is already at that path"))
            continue
        taken.add(path)
        out.append(Candidate(path, f.content, _covers(f.covers, item), item))
    return out


def _mended(
    failed: Candidate, fix: TestItem, answer: GenerationAnswer | None, n: int
) -> Candidate | None:
    """The repaired file, kept at the failed one's path: the first file of the answer."""
    if answer is None or not answer.files:
        return None
    f = answer.files[0]
    covers = _covers(f.covers, fix) if f.covers else failed.covers
    return Candidate(failed.path, f.content, covers, failed.item, n)


def _covers(claimed: list[str], item: TestItem) -> list[str]:
    """The functions a file covers: those it names that the item showed, by qualname (a
    bare name finds its qualname); else the names it gives, as given; else, naming none,
    all the item showed (the file was written for them)."""
    shown = [s.qualname for s in item.symbols]
    by_name = {q.rsplit(".", 1)[-1]: q for q in shown}
    names = [n.strip() for n in claimed if n.strip()]
    found: list[str] = []
    for name in names:
        q = name if name in shown else by_name.get(name.rsplit(".", 1)[-1], "")
        if q and q not in found:
            found.append(q)
    return found or list(dict.fromkeys(names)) or shown
