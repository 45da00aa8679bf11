"""Cache keys: target model, rendered prompt and parameters, hashed.

The unit of caching is one file's section of a review prompt, not a whole work item: items
pack several files, and a push that changes one file must re-send only that file (issue 3).
A file's key covers everything that shaped its answer: the task, the instructions (system
prompt with a fixed boundary), the answer's schema, the file's rendered section, the model
and the sampling parameters.
"""

from __future__ import annotations

import hashlib
import json


def section_key(
    *,
    task: str,
    instructions: str,
    schema: dict[str, object],
    section: str,
    model: str,
    temperature: float,
) -> str:
    payload = json.dumps(
        [task, instructions, schema, section, model, temperature],
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()
