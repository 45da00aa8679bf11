"""The ledger's tables as the code expects them now (the result of every migration).

Times are naive UTC (`TIMESTAMP WITHOUT TIME ZONE`): SQLite has no time zones, and one
convention on both engines keeps comparisons portable. The store converts at the edges.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

SCHEMA_VERSION = 2

# Free-text limits, also enforced by the store: long text is where code and secrets hide.
SHORT = 200  # identifiers: repository, change ref, target, model, task, item
REASON_CHARS = 300
ERROR_CHARS = 200

metadata = MetaData()

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("repository", String(SHORT), nullable=False, default=""),
    Column("change_ref", String(SHORT), nullable=False, default=""),
    Column("source", String(SHORT), nullable=False, default=""),
    Column("task", String(SHORT), nullable=False, default=""),
    Column("data_class", String(16), nullable=False),
    Column("outcome", String(32), nullable=False, default="running"),
    Column("findings", Integer, nullable=False, default=0),
    Column("notes", Integer, nullable=False, default=0),
)
Index("ix_runs_started_at", runs.c.started_at)

calls = Table(
    "calls",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE")),
    Column("at", DateTime, nullable=False),
    Column("repository", String(SHORT), nullable=False, default=""),
    Column("change_ref", String(SHORT), nullable=False, default=""),
    Column("task", String(SHORT), nullable=False),
    Column("item", String(SHORT), nullable=False, default=""),
    Column("target", String(SHORT), nullable=False),
    Column("model", String(SHORT), nullable=False),
    Column("location", String(8), nullable=False),  # local | cloud
    Column("data_class", String(16), nullable=False),
    Column("tokens_in", Integer, nullable=False, default=0),
    Column("tokens_out", Integer, nullable=False, default=0),
    Column("cost_usd", Float, nullable=False, default=0.0),
    # What this call would have cost on the all-cloud reference model.
    Column("cloud_equivalent_usd", Float, nullable=False, default=0.0),
    Column("latency_s", Float, nullable=False, default=0.0),
    Column("cache_hit", Boolean, nullable=False, default=False),
    Column("route", String(REASON_CHARS), nullable=False, default=""),  # "local>openai"
    Column("reason", String(REASON_CHARS), nullable=False, default=""),
    Column("outcome", String(32), nullable=False, default="ok"),
    Column("error", String(ERROR_CHARS)),
    Column("prompt_sha256", String(64)),
    Column("redactions", Integer, nullable=False, server_default="0"),  # since version 2
)
Index("ix_calls_at", calls.c.at)
Index("ix_calls_location_at", calls.c.location, calls.c.at)
Index("ix_calls_target_at", calls.c.target, calls.c.at)
Index("ix_calls_run_id", calls.c.run_id)

cache = Table(
    "cache",
    metadata,
    Column("key", String(64), primary_key=True),  # sha256 hex of model, prompt, parameters
    Column("model", String(SHORT), nullable=False),
    Column("task", String(SHORT), nullable=False, default=""),
    Column("data_class", String(16), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("hits", Integer, nullable=False, default=0),
    Column("value", Text, nullable=False),
)
Index("ix_cache_expires_at", cache.c.expires_at)

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", DateTime, nullable=False),
)
