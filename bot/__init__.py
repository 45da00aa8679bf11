"""Switchyard: a Git-native CI bot that reviews changes with routed, metered model calls."""

__version__ = "0.1.0"
