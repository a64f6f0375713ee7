"""Fixtures: every store test runs against a real SQLite file and the real PostgreSQL server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from orderbridge.adapters.store import SqlStore

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _postgres_required() -> bool:
    """CI sets ORDERBRIDGE_REQUIRE_POSTGRES=1 so a missing server fails instead of skipping."""
    return os.environ.get("ORDERBRIDGE_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="session")
def postgres_server_url() -> URL:
    """The PostgreSQL server URL, after checking the server answers."""
    url = make_url(os.environ.get("ORDERBRIDGE_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        reason = (
            f"PostgreSQL at {url.render_as_string(hide_password=True)} is unreachable "
            f"({type(error).__name__}); set ORDERBRIDGE_TEST_POSTGRES_URL to test against it"
        )
        if _postgres_required():
            pytest.fail(f"{reason} (ORDERBRIDGE_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    finally:
        engine.dispose()
    return url


@pytest.fixture
def postgres_url(postgres_server_url: URL) -> Iterator[str]:
    """A URL whose search_path points at a fresh schema, dropped after the test."""
    schema = f"ob_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(postgres_server_url, poolclass=NullPool)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = postgres_server_url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An empty database (not yet migrated): a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('store') / 'orderbridge.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def store(database_url: str) -> Iterator[SqlStore]:
    """A migrated store on ``database_url``."""
    opened = SqlStore.open(database_url)
    try:
        yield opened
    finally:
        opened.close()
