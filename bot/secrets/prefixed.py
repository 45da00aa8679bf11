"""Vendor tokens known by a documented prefix alone (`bkua_`, `sgp_`, `pgar_`, ...), for
services that neither gitleaks' pinned rules nor services.py cover. Each format is written
from the vendor's documentation or a public detector's description of it (prefix, length,
alphabet), never copied from another tool's rule file. They run like services.py's
patterns: one pass each, only when the keyword pass saw the prefix.
"""

from __future__ import annotations

from bot.secrets.patterns import TokenPattern

PREFIXED_PATTERNS: tuple[TokenPattern, ...] = ()
