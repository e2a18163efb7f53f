"""SQLite writers queue for an flock beside the database (store.db._SqliteStore.begin): one
writer at a time, released at commit and rollback, a wait given up after the busy timeout."""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from pathlib import Path

import pytest
from peewee import OperationalError

from isdesk.store import db as store_db
from isdesk.store.db import open_database
from isdesk.store.models import Operator
from isdesk.store.schema import upgrade


@pytest.fixture
def sqlite_db(tmp_path: Path):
    database = open_database(f"sqlite:///{tmp_path / 'w.sqlite3'}")
    upgrade(database)
    yield database
    if not database.is_closed():
        database.close()


def _held(path: str) -> bool:
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also releases it when this probe took it
    return False


def test_a_write_transaction_holds_the_lock_until_commit_or_rollback(sqlite_db) -> None:
    lock = sqlite_db.database + "-isdesk-lock"
    with sqlite_db.connection_context():
        with sqlite_db.atomic():
            Operator.create(name="a", team="t", display_name="a")
            assert _held(lock)
        assert not _held(lock)
        with pytest.raises(RuntimeError), sqlite_db.atomic():
            Operator.create(name="b", team="t", display_name="b")
            assert _held(lock)
            raise RuntimeError("rolled back")
        assert not _held(lock)
        assert [o.name for o in Operator.select()] == ["a"]
    assert oct(os.stat(lock).st_mode & 0o777) == "0o600"


def test_a_writer_waits_its_turn_and_gives_up_after_the_timeout(
    sqlite_db, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_S", 0.3)
    lock = sqlite_db.database + "-isdesk-lock"
    holder = os.open(lock, os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)  # another isdesk process mid-transaction
    try:
        start = time.monotonic()
        with (
            sqlite_db.connection_context(),
            pytest.raises(OperationalError, match="locked"),
            sqlite_db.atomic(),
        ):
            Operator.create(name="late", team="t", display_name="late")
        assert 0.25 < time.monotonic() - start < 3
        # Released soon: the next writer waits, then writes.
        threading.Timer(0.1, os.close, (holder,)).start()
        with sqlite_db.connection_context(), sqlite_db.atomic():
            Operator.create(name="patient", team="t", display_name="patient")
    finally:
        with contextlib.suppress(OSError):  # the timer closed it
            os.close(holder)
    time.sleep(0.05)  # the given-up wait's thread took the lock and let it go
    assert not _held(lock)
    with sqlite_db.connection_context():
        assert [o.name for o in Operator.select()] == ["patient"]
