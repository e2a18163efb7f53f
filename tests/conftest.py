"""Shared fixtures: every test gets its own data dir, and store tests run on both backends.

PostgreSQL tests need no running server: the suite starts a throwaway cluster once. When the
binaries are missing the postgres half is skipped locally, but fails under CI
(``ISDESK_REQUIRE_PG=1``, set by .ci/run): a skip is not a pass.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.pg_server import PgServer, find_pg_bin
from tests.support.team_world import World
from tests.support.team_world import team_world as _team_world

_db_counter = itertools.count()


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep tests off the developer's real data dir, database, rules and locale."""
    data = tmp_path / "data"
    monkeypatch.setenv("ISDESK_DATA_DIR", str(data))
    monkeypatch.setenv("ISDESK_CONFIG_DIR", str(tmp_path / "config"))  # no real settings.yaml
    for name in (
        "ISDESK_DB",
        "ISDESK_RULES",
        "ISDESK_OPERATOR",
        "ISDESK_LANG",
        "ISDESK_SETTINGS",
        "ISDESK_THEME",
        "ISDESK_DIAL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    from isdesk.i18n import set_display_zone, set_language

    set_language("en")  # process-wide UI state: every test starts from the same
    set_display_zone(None)
    return data


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    bin_dir = find_pg_bin()
    if bin_dir is None:
        if os.environ.get("ISDESK_REQUIRE_PG") == "1":
            pytest.fail("PostgreSQL binaries not found but ISDESK_REQUIRE_PG=1")
        pytest.skip("PostgreSQL binaries not found")
    server = PgServer(bin_dir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    server: PgServer = request.getfixturevalue("pg_server")
    name = f"isdesk_t{os.getpid()}_{next(_db_counter)}"
    url = server.create_database(name)
    try:
        yield url
    finally:
        from isdesk.store.db import database_proxy

        db = database_proxy.obj
        if db is not None and hasattr(db, "close_all"):
            db.close_all()
        server.drop_database(name)


@pytest.fixture
def db(db_url: str):
    """An opened and migrated database on each backend."""
    from isdesk.store.db import open_database
    from isdesk.store.schema import upgrade

    database = open_database(db_url)
    upgrade(database)
    yield database
    if hasattr(database, "close_all"):
        database.close_all()
    elif not database.is_closed():
        database.close()


@pytest.fixture(scope="session")
def world(pg_server: PgServer) -> Iterator[World]:
    """Team mode's permission-matrix database (tests/support/team_world.py), set up once for
    the session; tests that change it roll back or put it back."""
    with _team_world(pg_server) as team:
        yield team
