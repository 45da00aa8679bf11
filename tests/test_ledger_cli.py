"""`switchyard usage` and `switchyard ledger`, run as real processes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.since import parse_since
from bot.ledger.rows import CallRow
from bot.ledger.store import Ledger
from tests.cli import Result, base_env

ROOT = Path(__file__).resolve().parents[1]
# The commands on the real group and the real error handling, whether or not the group
# registers them yet.
LAUNCH = (
    "import sys; from bot.cli import cli, main; from bot.cli.usage import usage; "
    "from bot.cli.ledger_cmd import ledger; cli.add_command(usage); cli.add_command(ledger); "
    "main(sys.argv[1:])"
)


def switchyard(*args: str, home: Path, **env: str) -> Result:
    done = subprocess.run(
        [sys.executable, "-c", LAUNCH, *args],
        cwd=home,
        env={**base_env(home), "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    now = datetime.now(UTC)
    with Ledger.open(None, tmp_path / "state") as ledger:
        for days, target, location, data_class in [
            (1, "local", "local", "internal"),
            (2, "openai", "cloud", "internal"),
            (400, "openai", "cloud", "public"),
            (4 * 365, "openai", "cloud", "public"),  # past public's 3 years
        ]:
            ledger.record_call(
                None,
                CallRow(
                    task="review",
                    target=target,
                    model="m",
                    location=location,  # type: ignore[arg-type]
                    data_class=data_class,
                    tokens_in=100,
                    cost_usd=0.5 if location == "cloud" else 0.0,
                    cloud_equivalent_usd=0.5,
                    latency_s=2.0,
                    at=now - timedelta(days=days),
                ),
            )
    return tmp_path


def test_help_shows_examples(tmp_path: Path) -> None:
    shown = switchyard("usage", "--help", home=tmp_path)
    assert shown.code == 0
    assert "Examples:" in shown.out and "switchyard usage --since 7d --by day" in shown.out
    shown = switchyard("ledger", "prune", "--help", home=tmp_path)
    assert shown.code == 0 and "switchyard ledger prune --dry-run" in shown.out


def test_usage_as_table_csv_and_json(home: Path) -> None:
    table = switchyard("usage", home=home)
    assert table.code == 0, table.err
    assert "openai" in table.out and "(total)" in table.out

    rows = list(csv.DictReader(io.StringIO(switchyard("usage", "--format", "csv", home=home).out)))
    assert [(r["provider"], r["calls"]) for r in rows] == [
        ("openai", "1"),
        ("local", "1"),
        ("(total)", "2"),
    ]

    doc = json.loads(
        switchyard("usage", "--since", "800d", "--by", "day", "--format", "json", home=home).out
    )
    assert len(doc["rows"]) == 3 and doc["total"]["all_cloud_usd"] == 1.5


def test_usage_on_a_new_state_folder(tmp_path: Path) -> None:
    shown = switchyard("usage", home=tmp_path)
    assert shown.code == 0, shown.err
    assert "no calls recorded" in shown.out
    assert (tmp_path / "state" / "ledger.sqlite3").is_file()


@pytest.mark.parametrize("since", ["3x", "yesterday", "2025-13-40"])
def test_a_bad_since_is_a_usage_error(tmp_path: Path, since: str) -> None:
    shown = switchyard("usage", "--since", since, home=tmp_path)
    assert shown.code == 2
    assert "--since" in shown.err and "30d" in shown.err


def test_since_accepts_spans_and_dates() -> None:
    now = datetime(2025, 6, 15, 12, tzinfo=UTC)
    assert parse_since("30d", now) == now - timedelta(days=30)
    assert parse_since("12h", now) == now - timedelta(hours=12)
    assert parse_since("2w", now) == now - timedelta(weeks=2)
    assert parse_since("2025-01-31", now) == datetime(2025, 1, 31, tzinfo=UTC)
    assert parse_since("2025-01-31T10:00+02:00", now) == datetime(2025, 1, 31, 8, tzinfo=UTC)


def test_prune_dry_run_then_prune(home: Path) -> None:
    dry = switchyard("ledger", "prune", "--dry-run", home=home)
    assert dry.code == 0, dry.err
    assert dry.out.startswith("would delete 1 (public 1) calls, 0 runs, 0 cache entries")
    done = switchyard("ledger", "prune", home=home)
    assert done.out.startswith("deleted 1 (public 1) calls, 0 runs, 0 cache entries")


def test_ledger_path(tmp_path: Path) -> None:
    shown = switchyard("ledger", "path", home=tmp_path)
    assert shown.out.strip() == str(tmp_path / "state" / "ledger.sqlite3")
    shown = switchyard(
        "ledger", "path", home=tmp_path, SWITCHYARD_DB_URL="postgresql://bot:pw123@db/sy"
    )
    assert shown.out.strip() == "postgresql+psycopg://bot:***@db/sy"


def test_ledger_problems_are_sentences_with_exit_codes(tmp_path: Path) -> None:
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "ledger.sqlite3").write_bytes(b"garbage" * 1000)
    corrupt = switchyard("usage", home=tmp_path)
    assert corrupt.code == 2
    assert "not a readable SQLite database" in corrupt.err and "hint:" in corrupt.err

    down = switchyard(
        "ledger", "prune", home=tmp_path, SWITCHYARD_DB_URL="postgresql://bot:pw123@127.0.0.1:9/x"
    )
    assert down.code == 3
    assert "cannot use the ledger database" in down.err and "pw123" not in down.err
