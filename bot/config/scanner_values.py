"""What the security scanners' settings may hold, whichever layer sets them.

`security.semgrep_rules` and `security.bandit_skip` reach a scanner's command line, and a
repository file may set both, so each value is held to its meaning: a rule path inside the
repository, a bandit test id. Checked in SecurityConfig, so no layer escapes it.
"""

from __future__ import annotations

import re

from bot.change.repo_paths import repo_relative

# ASCII digits only: \d would take any script's digits.
BANDIT_TEST_ID = re.compile(r"B[0-9]{3}")

# What semgrep reads as a network source rather than a file (semgrep's config_resolver):
# registry rules, packs and snippets, and names that fetch from its cloud platform. The bot
# scans offline; these would make it fetch rules, and say which repository asked.
_SEMGREP_REGISTRY_PREFIXES = ("r/", "p/", "s/")
_SEMGREP_REMOTE_NAMES = frozenset({"auto", "r2c", "code", "policy", "secrets", "supply-chain"})


def semgrep_rule_problem(name: str) -> str | None:
    """Why `name` is not a semgrep rule file or folder inside the repository, or None."""
    if name.startswith(_SEMGREP_REGISTRY_PREFIXES) or set(name.split(",")) <= (
        _SEMGREP_REMOTE_NAMES
    ):
        return (
            f"{name!r} is a semgrep registry or cloud name, which would fetch rules from the "
            "network; name a rule file or folder in the repository (./ in front keeps a "
            "folder of that name)"
        )
    if repo_relative(name) is None:
        return (
            f"{name!r} is not a path inside the repository: write it relative to the "
            "repository's top folder, without '..', '~', a leading '/', a backslash or a URL"
        )
    return None


def bandit_skip_problem(test_id: str) -> str | None:
    """Why `test_id` is not a bandit test id (B101), or None."""
    if BANDIT_TEST_ID.fullmatch(test_id):
        return None
    return f"{test_id!r} is not a bandit test id: expected B and three digits, e.g. B101"
