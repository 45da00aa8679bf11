"""Security scanning: Switchyard's own semgrep rules and what they claim to find."""
