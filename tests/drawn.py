"""Values drawn for the secret-detection tests: random, of a key's shape, never a real
credential, and built at run time so that no secret-looking literal sits in a test file."""

from __future__ import annotations

import random
import string


def drawn_key(rng: random.Random, n: int) -> str:
    """`n` letters and digits with a digit and an upper-case letter among them, as a
    generated key has (a draw without them reads as a word or a number)."""
    while True:
        v = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))
        if any(c.isdigit() for c in v) and any(c.isupper() for c in v):
            return v


# A secret-named setting as Python, YAML and a .env file write it ({n}: the name, {v}: the
# value): where a name's reading is checked in every syntax that names it.
NAMED_SETTINGS = [
    ("app/settings.py", '{n} = "{v}"\n'),
    ("config/app.yml", "{n}: {v}\n"),
    (".env", "{n}={v}\n"),
]
