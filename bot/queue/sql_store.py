"""The job store on SQL: a SQLite file (the embedded default) or PostgreSQL.

One table; a row is a job, queued (`run_at`) or leased (`owner`, `lease_until`), and is
deleted when the job is done, so nothing is left to prune. A take is a select and an update
in one transaction that holds the writer's lock: `BEGIN IMMEDIATE` on SQLite, a
transaction-scoped advisory lock on PostgreSQL. Takes are therefore one at a time across
every worker process and machine, which is what makes "no two leases for one pull
request" exact (row locks such as `FOR UPDATE SKIP LOCKED` lock the row taken, not its
pull request's other rows). A take costs milliseconds and a job seconds to minutes.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    create_engine,
    delete,
    event,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine

from bot.ledger.engine import normalise_url
from bot.queue.store import Taken, redact_url

QUEUED = "queued"
LEASED = "leased"
# Any constant: the key of PostgreSQL's advisory lock that serialises takes and adds.
_PG_LOCK_KEY = 0x5317C4A4


class SqlJobStore:
    def __init__(self, url: str, name: str, *, where: str | None = None) -> None:
        self.where = where or redact_url(url)
        self.engine: Engine = _engine(url)
        self.jobs = _table(MetaData(), f"{name}_jobs")
        self._pg = self.engine.dialect.name == "postgresql"
        # Under the lock: servers and workers starting together on a new database would
        # otherwise race to create the table.
        with self._locked() as conn:
            self.jobs.metadata.create_all(conn)

    # -- writes, each in one locked transaction -----------------------------------------------

    def add(self, job_id: str, key: str, pr: str, head_sha: str, data: str) -> str | None:
        t = self.jobs
        now = time.time()
        with self._locked() as conn:
            conn.execute(
                t.insert().values(
                    id=job_id,
                    key=key,
                    pr=pr,
                    head_sha=head_sha,
                    data=data,
                    state=QUEUED,
                    run_at=now,
                    attempts=0,
                    enqueued_at=now,
                )
            )
            if not head_sha:
                return None
            older = and_(
                t.c.key == key, t.c.state == QUEUED, t.c.head_sha != "", t.c.head_sha != head_sha
            )
            dropped = [r[0] for r in conn.execute(select(t.c.id).where(older).order_by(t.c.seq))]
            if dropped:
                conn.execute(delete(t).where(t.c.id.in_(dropped)))
            return dropped[-1] if dropped else None

    def take(self, owner: str, lease_s: float) -> Taken | None:
        t = self.jobs
        other = t.alias("other")
        now = time.time()
        runnable = or_(
            and_(t.c.state == QUEUED, t.c.run_at <= now),
            and_(t.c.state == LEASED, t.c.lease_until < now),
        )
        pr_busy = (
            select(other.c.seq)
            .where(
                other.c.pr == t.c.pr,
                other.c.seq != t.c.seq,
                other.c.state == LEASED,
                other.c.lease_until >= now,
            )
            .exists()
        )
        query = select(t.c.seq, t.c.id, t.c.key, t.c.head_sha, t.c.data, t.c.attempts)
        query = query.where(runnable, ~pr_busy).order_by(t.c.seq).limit(1)
        with self._locked() as conn:
            row = conn.execute(query).first()
            if row is None:
                return None
            conn.execute(
                update(t)
                .where(t.c.seq == row.seq)
                .values(
                    state=LEASED, owner=owner, lease_until=now + lease_s, attempts=t.c.attempts + 1
                )
            )
            superseded = False
            if row.head_sha:
                newer = select(t.c.seq).where(
                    t.c.key == row.key,
                    t.c.seq > row.seq,
                    t.c.head_sha != "",
                    t.c.head_sha != row.head_sha,
                )
                superseded = conn.execute(newer.exists().select()).scalar_one()
        return Taken(row.id, row.data, int(row.attempts) + 1, bool(superseded))

    def renew(self, job_id: str, owner: str, lease_s: float) -> bool:
        return self._held(job_id, owner, lease_until=time.time() + lease_s)

    def finish(self, job_id: str, owner: str) -> bool:
        t = self.jobs
        with self.engine.begin() as conn:
            mine = and_(t.c.id == job_id, t.c.owner == owner, t.c.state == LEASED)
            return bool(conn.execute(delete(t).where(mine)).rowcount)

    def retry(self, job_id: str, owner: str, delay_s: float) -> bool:
        return self._held(
            job_id, owner, state=QUEUED, owner=None, lease_until=None, run_at=time.time() + delay_s
        )

    def release(self, job_id: str, owner: str) -> bool:
        return self._held(
            job_id,
            owner,
            state=QUEUED,
            owner=None,
            lease_until=None,
            run_at=time.time(),
            attempts=self.jobs.c.attempts - 1,
        )

    # -- reads -------------------------------------------------------------------------------

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(self.jobs)).scalar_one())

    def queued(self, limit: int | None = None) -> list[str]:
        t = self.jobs
        query = select(t.c.data).where(t.c.state == QUEUED).order_by(t.c.seq).limit(limit)
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(query)]

    def close(self) -> None:
        self.engine.dispose()

    # -- helpers -----------------------------------------------------------------------------

    def _held(self, job_id: str, holder: str, **values: Any) -> bool:
        t = self.jobs
        mine = and_(t.c.id == job_id, t.c.owner == holder, t.c.state == LEASED)
        with self.engine.begin() as conn:
            return bool(conn.execute(update(t).where(mine).values(**values)).rowcount)

    def _locked(self) -> Any:
        return _Locked(self.engine, self._pg)


class _Locked:
    """A transaction holding the store's writer lock (see the module's docstring)."""

    def __init__(self, engine: Engine, pg: bool) -> None:
        self._cm = engine.begin()
        self._pg = pg

    def __enter__(self) -> Connection:
        conn = self._cm.__enter__()
        if self._pg:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
        return conn

    def __exit__(self, *exc: Any) -> None:
        self._cm.__exit__(*exc)


def _table(metadata: MetaData, name: str) -> Table:
    return Table(
        name,
        metadata,
        Column("seq", Integer, primary_key=True, autoincrement=True),
        Column("id", String(64), nullable=False, unique=True),
        Column("key", String(512), nullable=False, index=True),
        Column("pr", String(512), nullable=False, index=True),
        Column("head_sha", String(64), nullable=False, default=""),
        Column("data", Text, nullable=False),
        Column("state", String(16), nullable=False),
        Column("run_at", Float, nullable=False),
        Column("lease_until", Float),
        Column("owner", String(128)),
        Column("attempts", Integer, nullable=False, default=0),
        Column("enqueued_at", Float, nullable=False),
    )


def _engine(url: str) -> Engine:
    parsed = normalise_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    engine = create_engine(parsed, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite's own transaction handling is off so that BEGIN IMMEDIATE below is ours
        # (SQLAlchemy's documented recipe): a writer takes SQLite's lock when it begins.
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("pragma journal_mode=WAL")
        dbapi_conn.execute("pragma synchronous=NORMAL")  # WAL: survives a killed process

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
