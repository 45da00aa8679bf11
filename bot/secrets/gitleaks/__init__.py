"""gitleaks' default rule set (MIT), pinned as package data and run in-process.

`gitleaks.toml` is gitleaks' `config/gitleaks.toml`, copied unchanged from
github.com/gitleaks/gitleaks at commit b58d3f102cf3a2c84cb7f923d05c25c9b1aed84b
(2026-07-22); `LICENSE` is its licence. To update the rules, drop in a newer file of the
same schema: `tests/test_secrets_gitleaks.py` checks that every rule converts to Python.
"""

from __future__ import annotations

from functools import cache

from bot.secrets.gitleaks.ruleset import PINNED, Rule, RuleSet, load, pinned
from bot.secrets.gitleaks.scan import Match, Scanner

GITLEAKS_COMMIT = "b58d3f102cf3a2c84cb7f923d05c25c9b1aed84b"


@cache
def scanner() -> Scanner:
    """The scanner over the pinned rules, built once per process (~30 ms)."""
    return Scanner(pinned())


__all__ = ["GITLEAKS_COMMIT", "PINNED", "Match", "Rule", "RuleSet", "Scanner", "load", "scanner"]
