"""Forges: the door's contract (contract.py), what every forge shares beside it, and one
folder per platform (github/), each a ChangeSource and a Publisher, found by name in the
registry (registry.py)."""
