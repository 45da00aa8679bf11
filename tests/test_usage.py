"""Usage figures: grouping, percentiles, cache and local shares, all-cloud cost, renderers."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from bot.config.routing import BudgetConfig
from bot.ledger.rows import CallRow
from bot.ledger.store import Ledger
from bot.ledger.usage import percentile, usage, usage_report
from bot.ledger.usage_render import CSV_FIELDS, print_table, render_csv, render_json
from tests.postgres import BACKENDS, database_url

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path) as url:
        yield url


def seed(ledger: Ledger) -> None:
    """Ten local review calls on acme/shop (1..10 s, one a cache hit), three cloud calls."""
    for i in range(1, 11):
        ledger.record_call(
            None,
            CallRow(
                task="review",
                target="local",
                model="qwen",
                location="local",
                repository="acme/shop",
                tokens_in=1000,
                tokens_out=100,
                cost_usd=0.001,
                cloud_equivalent_usd=0.01,
                latency_s=float(i),
                at=NOW - DAY,
            ),
        )
    ledger.record_call(
        None,
        CallRow(
            task="review",
            target="local",
            model="qwen",
            location="local",
            repository="acme/shop",
            cache_hit=True,
            cloud_equivalent_usd=0.01,
            latency_s=0.0,
            at=NOW - DAY,
        ),
    )
    for latency, outcome in [(2.0, "ok"), (4.0, "ok"), (30.0, "failed")]:
        ledger.record_call(
            None,
            CallRow(
                task="describe",
                target="openai",
                model="gpt-4o-mini",
                location="cloud",
                repository="acme/api",
                tokens_in=500,
                tokens_out=50,
                cost_usd=0.02,
                latency_s=latency,
                outcome=outcome,
                redactions=2,  # two secret values taken out of each cloud prompt
                at=NOW,
            ),
        )
    # Outside the window: never counted.
    ledger.record_call(
        None, CallRow(task="review", target="local", model="q", location="local", at=NOW - 60 * DAY)
    )


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger.open(None, tmp_path) as ledger:
        seed(ledger)
        yield ledger


def test_percentiles_interpolate_between_ranks() -> None:
    values = [float(v) for v in range(1, 11)]
    assert percentile(values, 50) == pytest.approx(5.5)
    assert percentile(values, 95) == pytest.approx(9.55)
    assert percentile(values, 99) == pytest.approx(9.91)
    assert percentile([3.0], 99) == 3.0
    assert percentile([], 50) is None


def test_usage_by_provider(db_url: str, tmp_path: Path) -> None:
    with Ledger.open(db_url, tmp_path) as ledger:
        seed(ledger)
        cloud, local = usage(ledger, NOW - 30 * DAY, "provider")
    assert (cloud.key, local.key) == ("openai", "local")  # the costlier group first
    assert (local.calls, local.answered, local.failed) == (11, 11, 0)
    assert (local.tokens_in, local.tokens_out) == (10_000, 1_000)
    # The cache hit is left out of latency: 1..10 s.
    assert (local.p50_s, local.p95_s, local.p99_s) == pytest.approx((5.5, 9.55, 9.91))
    assert local.cache_hit_ratio == pytest.approx(1 / 11)
    assert local.local_share == 1.0
    assert local.cost_usd == pytest.approx(0.01)
    assert local.all_cloud_usd == pytest.approx(0.11)
    assert local.saved_usd == pytest.approx(0.10)

    assert (cloud.calls, cloud.answered, cloud.failed) == (3, 2, 1)
    assert cloud.p50_s == pytest.approx(4.0)  # failures keep their time: 2, 4, 30
    assert cloud.local_share == 0.0
    assert cloud.all_cloud_usd == pytest.approx(cloud.cost_usd) == pytest.approx(0.06)
    assert (cloud.redactions, local.redactions) == (6, 0)


def test_usage_by_task_repo_and_day(seeded: Ledger) -> None:
    since = NOW - 30 * DAY
    by_task = {r.key: r.calls for r in usage(seeded, since, "task")}
    assert by_task == {"review": 11, "describe": 3}
    by_repo = {r.key: r.calls for r in usage(seeded, since, "repo")}
    assert by_repo == {"acme/shop": 11, "acme/api": 3}
    by_day = [(r.key, r.calls) for r in usage(seeded, since, "day")]
    assert by_day == [("2025-06-14", 11), ("2025-06-15", 3)]
    assert usage(seeded, NOW - timedelta(hours=1), "day") == [
        r for r in usage(seeded, since, "day") if r.key == "2025-06-15"
    ]
    with pytest.raises(ValueError, match="provider, task, repo, day"):
        usage(seeded, since, "colour")


def test_report_totals_all_cloud_ratio_and_budget_burn(seeded: Ledger) -> None:
    budgets = BudgetConfig(monthly_usd=0.05, per_provider_usd={"openai": 1.0, "anthropic": 2.0})
    report = usage_report(seeded, NOW - 30 * DAY, "provider", budgets=budgets, now=NOW)
    total = report.total
    assert total.calls == 14
    assert total.local_share == pytest.approx(11 / 13)
    assert total.cost_usd == pytest.approx(0.07)
    assert total.all_cloud_usd == pytest.approx(0.17)
    # Same calls, all-cloud: 0.17 against 0.07 paid.
    assert total.all_cloud_usd / total.cost_usd == pytest.approx(0.17 / 0.07)

    burns = {b.scope: b for b in report.budget}
    assert burns["all cloud"].spent_usd == pytest.approx(0.06)
    assert burns["all cloud"].state == "exhausted"
    assert burns["openai"].share == pytest.approx(0.06)
    assert burns["openai"].state == "ok"
    assert burns["anthropic"].spent_usd == 0.0
    assert usage_report(seeded, NOW - 30 * DAY, "task", now=NOW).budget == []


def test_csv_has_one_line_per_group_and_a_total(seeded: Ledger) -> None:
    report = usage_report(seeded, NOW - 30 * DAY, "task", now=NOW)
    lines = list(csv.reader(io.StringIO(render_csv(report))))
    assert lines[0] == ["task", *CSV_FIELDS]
    assert [line[0] for line in lines[1:]] == ["describe", "review", "(total)"]
    assert all(len(line) == len(lines[0]) for line in lines)
    review = dict(zip(lines[0], lines[2], strict=True))
    assert (review["calls"], review["p50_s"], review["local_share"]) == ("11", "5.5", "1.0")
    total = dict(zip(lines[0], lines[3], strict=True))
    assert total["redactions"] == "6"


def test_json_shape(seeded: Ledger) -> None:
    budgets = BudgetConfig(monthly_usd=1.0)
    doc = json.loads(
        render_json(usage_report(seeded, NOW - 30 * DAY, "day", budgets=budgets, now=NOW))
    )
    assert set(doc) == {"since", "until", "by", "rows", "total", "budget"}
    assert doc["by"] == "day"
    assert [r["day"] for r in doc["rows"]] == ["2025-06-14", "2025-06-15"]
    assert set(doc["rows"][0]) == {"day", *CSV_FIELDS}
    assert doc["total"]["calls"] == 14
    assert doc["budget"] == [
        {"scope": "all cloud", "spent_usd": 0.06, "cap_usd": 1.0, "share": 0.06, "state": "ok"}
    ]


def test_table_lists_groups_total_and_budget(seeded: Ledger) -> None:
    budgets = BudgetConfig(per_provider_usd={"openai": 0.07})
    report = usage_report(seeded, NOW - 30 * DAY, "provider", budgets=budgets, now=NOW)
    out = io.StringIO()
    print_table(report, Console(file=out, width=160, color_system=None))
    text = out.getvalue()
    for expected in ("openai", "local", "(total)", "5.5s", "85%", "$0.17", "budget openai"):
        assert expected in text, expected
    assert "(86%, warning)" in text
    assert "secret values redacted from cloud prompts: 6" in text


def test_an_empty_period_says_so(tmp_path: Path) -> None:
    with Ledger.open(None, tmp_path) as ledger:
        report = usage_report(ledger, NOW - DAY, "provider", now=NOW)
    out = io.StringIO()
    print_table(report, Console(file=out, width=160, color_system=None))
    assert "no calls recorded" in out.getvalue()
    assert report.total.p50_s is None and report.total.local_share is None
