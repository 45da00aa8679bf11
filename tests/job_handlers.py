"""Job handlers for real `switchyard worker` processes in tests (`--handler
tests.job_handlers:record`): no forge, no model; what ran is written to a file.

Each event is one JSON line appended to $SWITCHYARD_TEST_RECORD: {"event": "start" |
"end" | "transient", "pid", "number", "head", "delivery", "t"}. A job sleeps
$SWITCHYARD_TEST_SLEEP seconds between start and end (a model call), or its `extra`'s
"sleep"; with "first_run_only": true, a run after the first does not (a test of the hand-
back waits for the rerun to end, not for its length). A job whose `extra` has
"transient": true raises TransientError instead (with its "retry_after").
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from bot.errors import TransientError
from bot.jobs import Job

RECORD_ENV = "SWITCHYARD_TEST_RECORD"
SLEEP_ENV = "SWITCHYARD_TEST_SLEEP"


def _write(event: str, job: Job) -> None:
    line = {
        "event": event,
        "pid": os.getpid(),
        "number": job.number,
        "head": job.head_sha,
        "delivery": job.delivery,
        "t": time.time(),
    }
    with open(os.environ[RECORD_ENV], "a", encoding="utf-8") as f:
        f.write(json.dumps(line) + "\n")
        f.flush()


def record(job: Job) -> None:
    _write("start", job)
    if job.extra.get("transient"):
        _write("transient", job)
        raise TransientError("the forge answered 503", retry_after=job.extra.get("retry_after"))
    sleep = float(job.extra.get("sleep", os.environ.get(SLEEP_ENV, "0")))
    if job.extra.get("first_run_only") and _starts(job) > 1:
        sleep = 0
    time.sleep(sleep)
    _write("end", job)


def _starts(job: Job) -> int:
    """How many times this job has started, this run included."""
    got = events(Path(os.environ[RECORD_ENV]))
    return sum(e["event"] == "start" and e["delivery"] == job.delivery for e in got)


def events(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
