"""A real PostgreSQL for ledger tests: a fresh schema per test, dropped afterwards.

.ci/run starts the server (`eval "$(.ci/services.sh)"`) and sets SWITCHYARD_TEST_PG_URL.
Without it, PostgreSQL cases are skipped on a developer's machine and fail in CI.

Use from a test module (a fixture imported by name would shadow itself):

    @pytest.fixture(params=BACKENDS)
    def db_url(request, tmp_path):
        with database_url(request.param, tmp_path) as url:
            yield url
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

PG_ENV = "SWITCHYARD_TEST_PG_URL"
BACKENDS = ["sqlite", "postgresql"]


def pg_base_url() -> str:
    url = os.environ.get(PG_ENV, "").strip()
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail(
            f'{PG_ENV} is not set: .ci/run must start PostgreSQL first (eval "$(.ci/services.sh)")',
            pytrace=False,
        )
    pytest.skip(f"no PostgreSQL: set {PG_ENV} (see .ci/services.sh)")


@contextmanager
def fresh_pg_url() -> Iterator[str]:
    """A URL whose search_path is a new, empty schema; the schema is dropped on exit."""
    from sqlalchemy import create_engine

    from bot.ledger.engine import normalise_url

    base = pg_base_url()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(normalise_url(base), poolclass=_null_pool())
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        sep = "&" if "?" in base else "?"
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


@contextmanager
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'state' / 'ledger.sqlite3'}"
        return
    with fresh_pg_url() as url:
        yield url


def _null_pool() -> type:
    from sqlalchemy.pool import NullPool

    return NullPool
