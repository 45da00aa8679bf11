"""Schema migrations: an old ledger is upgraded in place and keeps every row."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, inspect, text

from bot.errors import ConfigError
from bot.ledger import migrate
from bot.ledger.engine import display, make_engine, normalise_url
from bot.ledger.schema import SCHEMA_VERSION, metadata
from bot.ledger.store import Ledger
from tests.postgres import BACKENDS, database_url

T0 = datetime(2024, 3, 1, 9, 30)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path) as url:
        yield url


def make_v1_ledger(url: str) -> None:
    """A ledger as version 1 left it, with a run, two calls and a cache entry."""
    engine = make_engine(normalise_url(url))
    try:
        assert migrate.upgrade(engine, "test", target=1).after == 1
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO runs (started_at, repository, change_ref, source, task, "
                    "data_class, outcome, findings, notes) VALUES (:t, 'acme/shop', 'pr/7', "
                    "'github', 'review', 'internal', 'complete', 4, 0)"
                ),
                {"t": T0},
            )
            for target, cost in [("local", 0.0), ("openai", 0.25)]:
                conn.execute(
                    text(
                        "INSERT INTO calls (run_id, at, repository, change_ref, task, item, "
                        "target, model, location, data_class, tokens_in, tokens_out, "
                        "cost_usd, cloud_equivalent_usd, latency_s, cache_hit, route, reason, "
                        "outcome) VALUES (1, :t, 'acme/shop', 'pr/7', 'review', 'review-1', "
                        ":target, 'm', :loc, 'internal', 1000, 100, :cost, 0.25, 1.5, false, "
                        "'local>openai', 'why', 'ok')"
                    ),
                    {
                        "t": T0,
                        "target": target,
                        "loc": "local" if target == "local" else "cloud",
                        "cost": cost,
                    },
                )
            conn.execute(
                text(
                    "INSERT INTO cache (key, model, task, data_class, created_at, expires_at, "
                    "hits, value) VALUES (:k, 'm', 'review', 'internal', :t, :t, 3, '{}')"
                ),
                {"k": "a" * 64, "t": T0},
            )
    finally:
        engine.dispose()


def versions(conn: Connection) -> list[int]:
    return [v for (v,) in conn.execute(text("SELECT version FROM schema_version ORDER BY 1"))]


def test_upgrading_a_v1_ledger_keeps_every_row(db_url: str, tmp_path: Path) -> None:
    make_v1_ledger(db_url)

    with Ledger.open(db_url, tmp_path) as ledger:
        assert (ledger.migration.before, ledger.migration.after) == (1, SCHEMA_VERSION)
        rows = ledger.select_calls(datetime(2000, 1, 1))
        assert [(r.target, r.cost_usd, r.redactions) for r in rows] == [
            ("local", 0.0, 0),
            ("openai", 0.25, 0),
        ]
        assert all(r.run_id == 1 and r.repository == "acme/shop" for r in rows)
        with ledger.engine.connect() as conn:
            assert conn.execute(text("SELECT findings FROM runs")).scalar() == 4
            assert conn.execute(text("SELECT hits FROM cache")).scalar() == 3
            assert versions(conn) == list(range(1, SCHEMA_VERSION + 1))
        if ledger.engine.dialect.name == "sqlite":
            backup = ledger.migration.backup
            assert backup is not None and backup.name == "ledger.sqlite3.v1.bak"
            copy = create_engine(f"sqlite:///{backup}")
            with copy.connect() as conn:
                assert conn.execute(text("SELECT count(*) FROM calls")).scalar() == 2
            copy.dispose()

    # Opening again changes nothing.
    with Ledger.open(db_url, tmp_path) as ledger:
        assert (ledger.migration.before, ledger.migration.after) == (SCHEMA_VERSION,) * 2


def test_migrations_build_exactly_the_declared_schema(db_url: str, tmp_path: Path) -> None:
    with Ledger.open(db_url, tmp_path) as ledger, ledger.engine.connect() as conn:
        seen = inspect(conn)
        assert set(seen.get_table_names()) == set(metadata.tables)
        for name, table in metadata.tables.items():
            columns = {c["name"]: c["nullable"] for c in seen.get_columns(name)}
            assert columns == {c.name: c.nullable for c in table.columns}, name
            indexes = {i["name"] for i in seen.get_indexes(name)}
            assert indexes == {i.name for i in table.indexes}, name


def test_a_failing_step_leaves_the_old_schema_and_rows(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_v1_ledger(db_url)

    def broken(conn: Connection) -> None:
        conn.execute(text("ALTER TABLE calls ADD COLUMN redactions INTEGER DEFAULT 0"))
        conn.execute(text("DELETE FROM calls"))
        raise RuntimeError("step 2 went wrong halfway")

    monkeypatch.setattr(
        migrate, "MIGRATIONS", (migrate.MIGRATIONS[0], migrate.Migration(2, "x", broken))
    )
    engine = make_engine(normalise_url(db_url))
    try:
        with pytest.raises(RuntimeError, match="halfway"):
            migrate.upgrade(engine, "test", backup=False)
        with engine.connect() as conn:
            assert versions(conn) == [1]
            assert conn.execute(text("SELECT count(*) FROM calls")).scalar() == 2
            assert "redactions" not in {c["name"] for c in inspect(conn).get_columns("calls")}
    finally:
        engine.dispose()


def test_a_ledger_newer_than_the_code_is_refused_untouched(db_url: str, tmp_path: Path) -> None:
    with Ledger.open(db_url, tmp_path) as ledger, ledger.engine.begin() as conn:
        conn.execute(text("INSERT INTO schema_version VALUES (99, :t)"), {"t": T0})
    with pytest.raises(ConfigError, match="schema version 99, newer than") as caught:
        Ledger.open(db_url, tmp_path)
    assert caught.value.hint and "upgrade switchyard" in caught.value.hint


def test_tables_switchyard_did_not_make_are_not_adopted(db_url: str, tmp_path: Path) -> None:
    engine = make_engine(normalise_url(db_url))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE runs (id INTEGER PRIMARY KEY, name TEXT)"))
    engine.dispose()
    with pytest.raises(ConfigError, match="did not make"):
        Ledger.open(db_url, tmp_path)


def race_openers(url: str | None, state: Path, openers: int) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(openers)

    def open_one() -> None:
        try:
            barrier.wait()
            Ledger.open(url, state).close()
        except BaseException as exc:  # handed to the main thread
            errors.append(exc)

    pool = [threading.Thread(target=open_one) for _ in range(openers)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return errors


def test_openers_racing_on_a_new_ledger_migrate_it_once(db_url: str, tmp_path: Path) -> None:
    assert race_openers(db_url, tmp_path, 4) == []
    engine = make_engine(normalise_url(db_url))
    with engine.connect() as conn:
        assert versions(conn) == list(range(1, SCHEMA_VERSION + 1))
    engine.dispose()


def test_workers_starting_together_on_a_new_sqlite_ledger_all_open_it(tmp_path: Path) -> None:
    # Switching a new file to WAL takes an exclusive lock, and SQLite refuses a concurrent
    # switch at once, without waiting: about one new ledger in 30 failed an opener here.
    failed = [e for n in range(60) for e in race_openers(None, tmp_path / f"state{n}", 8)]
    assert failed == []


def test_display_hides_the_password() -> None:
    url = normalise_url("postgresql://bot:hunter2@db.internal:5432/switchyard")
    assert url.drivername == "postgresql+psycopg"
    assert "hunter2" not in display(url)
    assert normalise_url("postgres://db/x").drivername == "postgresql+psycopg"
