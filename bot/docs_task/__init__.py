"""The docs task: doc comments that a change left missing or stale, and README/docs text
that still names what the change renamed or removed (flags, settings, routes, variables)."""
