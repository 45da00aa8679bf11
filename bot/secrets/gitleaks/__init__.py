"""gitleaks' default rule set (MIT), pinned as package data and run in-process.

`gitleaks.toml` is gitleaks' `config/gitleaks.toml`, copied unchanged from
github.com/gitleaks/gitleaks at commit b58d3f102cf3a2c84cb7f923d05c25c9b1aed84b
(2026-07-22); `LICENSE` is its licence. To update the rules, drop in a newer file of the
same schema: `tests/test_secrets_gitleaks.py` checks that every rule converts to Python.
"""

from __future__ import annotations

from functools import cache

from bot.secrets.gitleaks.ruleset import PINNED, Rule, RuleSet, load, pinned
from bot.secrets.gitleaks.scan import Found, Match, Scanner

GITLEAKS_COMMIT = "b58d3f102cf3a2c84cb7f923d05c25c9b1aed84b"
# `git describe --tags` of that commit: 27 commits after the v8.30.0 release.
GITLEAKS_VERSION = "v8.30.0-27-gb58d3f10"


@cache
def scanner(extra: tuple[str, ...] = ()) -> Scanner:
    """The scanner over the pinned rules (with `extra` keywords in its keyword pass),
    built once per process and set of extra keywords (~130 ms)."""
    return Scanner(pinned(), extra)


__all__ = [
    "GITLEAKS_COMMIT",
    "GITLEAKS_VERSION",
    "PINNED",
    "Found",
    "Match",
    "Rule",
    "RuleSet",
    "Scanner",
    "load",
    "scanner",
]
