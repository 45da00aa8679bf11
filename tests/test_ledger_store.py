"""The ledger store on a real SQLite file and, where available, a real PostgreSQL."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config.classes import RetentionConfig
from bot.errors import ConfigError, IncompleteError
from bot.ledger.rows import CallRow
from bot.ledger.store import Ledger
from tests.postgres import BACKENDS, database_url

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def ledger(db_url: str, tmp_path: Path) -> Iterator[Ledger]:
    with Ledger.open(db_url, tmp_path / "unused") as opened:
        yield opened


def call(**overrides: object) -> CallRow:
    fields: dict[str, object] = {
        "task": "review",
        "target": "local",
        "model": "qwen2.5-coder-14b",
        "location": "local",
        "at": NOW,
    }
    fields.update(overrides)
    return CallRow(**fields)  # type: ignore[arg-type]


def test_a_run_and_its_calls_are_recorded(ledger: Ledger) -> None:
    run = ledger.start_run(
        repository="acme/shop",
        change_ref="pr/42",
        source="github",
        task="review",
        started_at=NOW,
    )
    prompt_hash = hashlib.sha256(b"rendered prompt").hexdigest()
    ledger.record_call(
        run,
        call(
            item="review-1",
            tokens_in=2100,
            tokens_out=300,
            cost_usd=0.002,
            cloud_equivalent_usd=0.0105,
            latency_s=3.25,
            route=("local", "openai"),
            reason="review → local (2.1k tokens ≤ 12k local limit; class internal)",
            prompt_sha256=prompt_hash,
            redactions=2,
        ),
    )
    ledger.record_call(
        run,
        call(
            target="openai",
            model="gpt-4o-mini",
            location="cloud",
            cost_usd=0.01,
            outcome="failed",
            error="timeout: openai: timed out after 120 s",
        ),
    )
    ledger.finish_run(run, "complete", findings=3, notes=1, finished_at=NOW)

    rows = ledger.select_calls(NOW - timedelta(days=1))
    assert len(rows) == 2
    first, second = rows
    assert (first.run_id, first.repository, first.change_ref) == (run, "acme/shop", "pr/42")
    assert first.route == "local>openai"
    assert first.reason.startswith("review → local")
    assert (first.prompt_sha256, first.redactions) == (prompt_hash, 2)
    assert first.at.replace(tzinfo=UTC) == NOW
    # A cloud call's all-cloud price is its own price.
    assert second.cloud_equivalent_usd == pytest.approx(0.01)
    assert second.error == "timeout: openai: timed out after 120 s"


def test_times_with_other_zones_are_stored_as_utc(ledger: Ledger) -> None:
    paris = NOW.astimezone(ZoneInfo("Europe/Paris"))
    ledger.record_call(None, call(at=paris))
    (row,) = ledger.select_calls(NOW - timedelta(seconds=1), NOW + timedelta(seconds=1))
    assert row.at.replace(tzinfo=UTC) == NOW


def test_month_to_date_cloud_spend_per_provider(ledger: Ledger) -> None:
    june_1 = datetime(2025, 6, 1, tzinfo=UTC)
    for at, target, location, cost in [
        (june_1 - timedelta(seconds=1), "openai", "cloud", 100.0),  # May: not counted
        (june_1, "openai", "cloud", 1.5),
        (NOW, "openai", "cloud", 2.0),
        (NOW, "anthropic", "cloud", 4.0),
        (NOW, "local", "local", 9.0),  # self-hosted: not cloud spend
        (datetime(2025, 7, 1, tzinfo=UTC), "openai", "cloud", 50.0),  # next month
    ]:
        ledger.record_call(None, call(at=at, target=target, location=location, cost_usd=cost))

    spend = ledger.month_to_date_cloud_spend(NOW)
    assert spend == {"openai": pytest.approx(3.5), "anthropic": pytest.approx(4.0)}
    assert ledger.month_to_date_cloud_spend(datetime(2025, 8, 2, tzinfo=UTC)) == {}


def test_cache_put_get_counts_hits_and_honours_expiry(ledger: Ledger) -> None:
    key = hashlib.sha256(b"gpt-4o-mini, prompt, parameters").hexdigest()
    assert ledger.cache_get(key, NOW) is None
    ledger.cache_put(key, "gpt-4o-mini", "review", "internal", '{"findings": []}', 30, NOW)

    first = ledger.cache_get(key, NOW + timedelta(days=1))
    second = ledger.cache_get(key, NOW + timedelta(days=2))
    assert first is not None and second is not None
    assert (first.hits, second.hits) == (1, 2)
    assert second.value == '{"findings": []}'
    assert second.expires_at == NOW + timedelta(days=30)
    assert second.data_class == "internal"
    assert ledger.cache_get(key, NOW + timedelta(days=30)) is None  # expired

    # Replacing an entry starts it afresh.
    ledger.cache_put(key, "gpt-4o-mini", "review", "restricted", '{"v": 2}', 1, NOW)
    again = ledger.cache_get(key, NOW)
    assert again is not None
    assert (again.value, again.hits, again.data_class) == ('{"v": 2}', 1, "restricted")


def test_prune_applies_retention_per_data_class(ledger: Ledger) -> None:
    retention = RetentionConfig()  # restricted 7 y, internal 5 y, public 3 y, temporary 30 d
    year = timedelta(days=365)
    ages = {
        "restricted": [6 * year, 8 * year],
        "internal": [4 * year, 6 * year],
        "public": [2 * year, 4 * year],
        "temporary": [timedelta(days=10), timedelta(days=40)],
    }
    for data_class, (young, old) in ages.items():
        for age in (young, old):
            run = ledger.start_run(data_class=data_class, started_at=NOW - age)
            ledger.record_call(run, call(data_class=data_class, at=NOW - age))
    for name, age, ttl in [("a", 1, 30), ("b", 40, 100), ("c", 5, 2)]:
        key = hashlib.sha256(name.encode()).hexdigest()
        ledger.cache_put(key, "m", "review", "internal", "{}", ttl, NOW - timedelta(days=age))

    dry = ledger.prune(NOW, retention, dry_run=True)
    expected = {"restricted": 1, "internal": 1, "public": 1, "temporary": 1}
    assert (dry.calls, dry.runs, dry.cache, dry.dry_run) == (expected, expected, 2, True)
    assert len(ledger.select_calls(NOW - 10 * year)) == 8  # nothing deleted

    done = ledger.prune(NOW, retention)
    assert (done.calls, done.runs, done.cache) == (expected, expected, 2)
    left = ledger.select_calls(NOW - 10 * year)
    assert sorted(NOW - r.at.replace(tzinfo=UTC) for r in left) == sorted(
        young for young, _ in ages.values()
    )
    assert ledger.cache_get(hashlib.sha256(b"a").hexdigest(), NOW) is not None
    assert ledger.prune(NOW, retention).total == 0


def test_a_run_stays_while_it_has_calls_kept_longer(ledger: Ledger) -> None:
    """An internal run with a restricted call: the call's 7 years keep the run too."""
    age = timedelta(days=6 * 365)
    run = ledger.start_run(data_class="internal", started_at=NOW - age)
    ledger.record_call(run, call(data_class="internal", at=NOW - age))
    ledger.record_call(run, call(data_class="restricted", at=NOW - age))

    result = ledger.prune(NOW, RetentionConfig())
    assert (result.calls, result.runs) == ({"internal": 1}, {})
    (kept,) = ledger.select_calls(NOW - 2 * age)
    assert (kept.run_id, kept.data_class) == (run, "restricted")


def test_threads_record_calls_at_once(ledger: Ledger) -> None:
    threads, per_thread = 8, 25
    run = ledger.start_run(repository="acme/shop", started_at=NOW)
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def work(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                ledger.record_call(run, call(item=f"t{n}-{i}", tokens_in=1))
                if i % 5 == 0:
                    ledger.month_to_date_cloud_spend(NOW)
        except BaseException as exc:  # handed to the main thread
            errors.append(exc)

    pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert errors == []
    rows = ledger.select_calls(NOW - timedelta(days=1))
    assert len(rows) == threads * per_thread
    assert len({r.item for r in rows}) == threads * per_thread


def test_two_stores_on_one_sqlite_file_write_at_once(tmp_path: Path) -> None:
    """Two processes, as far as the database can tell: separate engines, one WAL file."""
    first = Ledger.open(None, tmp_path)
    second = Ledger.open(None, tmp_path)
    try:

        def work(store: Ledger, tag: str) -> None:
            for i in range(40):
                store.record_call(None, call(item=f"{tag}{i}"))
                store.cache_put(
                    hashlib.sha256(f"{tag}{i}".encode()).hexdigest(),
                    "m",
                    "review",
                    "internal",
                    "{}",
                    1,
                    NOW,
                )

        pool = [
            threading.Thread(target=work, args=(s, t)) for s, t in [(first, "a"), (second, "b")]
        ]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        assert len(first.select_calls(NOW - timedelta(days=1))) == 80
        mode = first.engine.connect().exec_driver_sql("PRAGMA journal_mode").scalar()
        assert mode == "wal"
    finally:
        first.close()
        second.close()


def test_free_text_is_cut_short_and_identifiers_checked(ledger: Ledger) -> None:
    ledger.record_call(None, call(reason="r" * 5000, repository="x" * 900))
    (row,) = ledger.select_calls(NOW - timedelta(days=1))
    assert len(row.reason) <= 300 and len(row.repository) <= 200
    with pytest.raises(ValueError, match="sha256"):
        ledger.record_call(None, call(prompt_sha256="the prompt itself, not its hash"))
    with pytest.raises(ValueError, match="local or cloud"):
        ledger.record_call(None, call(location="edge"))


def test_no_code_or_secret_reaches_the_database_file(tmp_path: Path) -> None:
    from bot.config.model import ProviderConfig
    from bot.providers.openai_errors import EndpointErrors

    code = "def transfer_all_funds(account): return PLANTED_MARKER_7731"
    secret = "sk-proj-" + "A1b2C3d4" * 5
    prompt = f"Review this change:\n{code}\nAPI_KEY = '{secret}'\n"
    # The provider layer's own error text for a server that quotes the request back.
    errors = EndpointErrors(
        "openai", "https://api.openai.com/v1", ProviderConfig(model="gpt-4o-mini"), None
    )
    failure = errors.status(400, f"Invalid content in message: {prompt}", attempts=1)
    error_text = f"{failure.kind.value}: {failure.message}"  # as bot.pipeline records it
    assert "transfer_all_funds" in error_text and secret in error_text

    with Ledger.open(None, tmp_path) as ledger:
        run = ledger.start_run(repository="acme/shop", change_ref="pr/1", started_at=NOW)
        ledger.record_call(
            run,
            call(
                target="openai",
                location="cloud",
                outcome="failed",
                error=error_text,
                reason=f"review → openai (token {secret})\n{code}",
                prompt_sha256=hashlib.sha256(prompt.encode()).hexdigest(),
            ),
        )
        (row,) = ledger.select_calls(NOW - timedelta(days=1))
        assert row.error == "bad_request: openai: request rejected (400)"

    files = sorted(tmp_path.glob("ledger.sqlite3*"))
    assert files
    blob = b"".join(f.read_bytes() for f in files)
    for planted in ("transfer_all_funds", "PLANTED_MARKER_7731", secret, secret[:16]):
        assert planted.encode() not in blob, planted


def test_a_corrupt_sqlite_file_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "ledger.sqlite3").write_bytes(b"this is not a database\n" * 200)
    with pytest.raises(ConfigError, match="not a readable SQLite database") as caught:
        Ledger.open(None, tmp_path)
    assert caught.value.hint and "move the file aside" in caught.value.hint


def test_a_state_folder_that_cannot_be_made_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(ConfigError, match="cannot create the state folder") as caught:
        Ledger.open(None, blocker / "switchyard")
    assert caught.value.hint and "SWITCHYARD_STATE" in caught.value.hint


def test_a_ledger_file_that_cannot_be_opened_is_reported(tmp_path: Path) -> None:
    (tmp_path / "ledger.sqlite3").mkdir()  # as root, a folder is what cannot be written
    with pytest.raises(ConfigError, match="cannot write the ledger") as caught:
        Ledger.open(None, tmp_path)
    assert caught.value.hint and "SWITCHYARD_STATE" in caught.value.hint


def test_an_unreachable_postgresql_is_reported_without_its_password(tmp_path: Path) -> None:
    url = "postgresql://bot:hunter2-pw@127.0.0.1:9/switchyard"  # port 9: nothing listens
    with pytest.raises(IncompleteError, match="cannot use the ledger database") as caught:
        Ledger.open(url, tmp_path)
    assert "hunter2-pw" not in caught.value.message
    assert "127.0.0.1:9" in caught.value.message


def test_unsupported_databases_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SQLite and PostgreSQL, not mysql"):
        Ledger.open("mysql://db/x", tmp_path)
    with pytest.raises(ConfigError, match="not a database URL"):
        Ledger.open("db.example.com", tmp_path)


def test_from_settings_follows_env_then_settings_then_state_dir(tmp_path: Path) -> None:
    from bot.config.model import Settings
    from bot.ledger.location import resolve_db_url, resolve_state_dir

    settings = Settings.model_validate(
        {"ledger": {"url": "postgresql://db/a"}, "state_dir": str(tmp_path / "cfg")}
    )
    env = {"SWITCHYARD_DB_URL": "postgresql://db/b", "SWITCHYARD_STATE": str(tmp_path / "env")}
    assert resolve_db_url(settings, env) == "postgresql://db/b"
    assert resolve_db_url(settings, {}) == "postgresql://db/a"
    assert resolve_db_url(Settings(), {}) is None
    assert resolve_state_dir(settings, env) == tmp_path / "env"
    assert resolve_state_dir(settings, {}) == tmp_path / "cfg"
    home = {"HOME": str(tmp_path)}
    assert resolve_state_dir(Settings(), home) == tmp_path / ".local/state/switchyard"

    with Ledger.from_settings(Settings(), {"SWITCHYARD_STATE": str(tmp_path / "s")}) as ledger:
        assert ledger.where == str(tmp_path / "s" / "ledger.sqlite3")
    assert (tmp_path / "s" / "ledger.sqlite3").is_file()
