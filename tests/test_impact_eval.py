"""bench/impact_eval.py on a made-up history: a signature change, a caller fixed two
commits later, and the decoys the miner must not take for callers (a sibling module that
does not import the definer, another definition of the same name)."""

from __future__ import annotations

from bench import impact_eval
from bot.repomap import FactsCache
from tests.gitrepo import GitRepo


def test_a_broken_caller_is_mined_and_found_in_the_planned_prompt(git_repo: GitRepo) -> None:
    git_repo.write("pkg/lib.py", "def charge(amount):\n    return amount\n")
    git_repo.write(
        "pkg/app.py", "from pkg.lib import charge\n\n\ndef pay():\n    return charge(1)\n"
    )
    git_repo.write(
        "pkg/other.py", "def charge(x):\n    return x\n\n\ndef go():\n    return charge(2)\n"
    )
    git_repo.commit("start")
    git_repo.write("pkg/lib.py", "def charge(amount, currency):\n    return amount\n")
    change = git_repo.commit("charge takes a currency")
    git_repo.write("README.md", "unrelated\n")
    git_repo.commit("docs")
    git_repo.write(
        "pkg/app.py", "from pkg.lib import charge\n\n\ndef pay():\n    return charge(1, 'EUR')\n"
    )
    git_repo.write(
        "pkg/other.py", "def charge(x):\n    return x\n\n\ndef go():\n    return charge(3)\n"
    )
    fix = git_repo.commit("callers")
    [case] = impact_eval.mine(git_repo.path, "demo", commits=10, window=5)
    assert (case.change, case.fix, case.function) == (change, fix, "charge")
    assert (case.caller, case.line) == ("pkg/app.py", 5)  # other.py defines its own charge
    cache = FactsCache(None)
    assert impact_eval.included(git_repo.path, case, 32768, cache) == (True, True)
