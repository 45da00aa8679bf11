"""Findings: anchored on diff lines, fingerprinted, deduplicated, ranked."""

from bot.findings.model import Finding, Severity

__all__ = ["Finding", "Severity"]
