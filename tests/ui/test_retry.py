"""A lost database: writes are retried until it is back; the operator is told meanwhile."""

from __future__ import annotations

import asyncio

import pytest
from peewee import IntegrityError, InterfaceError, OperationalError

from isdesk.screens.lead import LeadScreen
from isdesk.services.retry import run_with_retry
from isdesk.store.db import open_database
from isdesk.store.models import Answer
from isdesk.store.schema import upgrade
from tests.support import factories as f
from tests.support.pg_server import PgServer, find_pg_bin
from tests.support.ui import SIZE, make_app, settle


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_connection_errors_are_retried_until_they_stop() -> None:
    clock = FakeClock()
    failures = [OperationalError("server closed the connection"), InterfaceError("closed")]
    waits: list[int] = []

    def flaky() -> str:
        if failures:
            raise failures.pop(0)
        return "saved"

    result = run_with_retry(
        flaky, on_wait=lambda e, n: waits.append(n), sleep=clock.sleep, clock=clock
    )
    assert result == "saved" and waits == [1, 2]


def test_the_deadline_ends_the_retries_with_the_last_error() -> None:
    clock = FakeClock()

    def down() -> None:
        raise OperationalError("could not connect")

    with pytest.raises(OperationalError):
        run_with_retry(down, deadline_s=10, sleep=clock.sleep, clock=clock, rand=lambda: 0.5)
    assert 7 <= clock.now <= 10


def test_other_errors_are_not_retried() -> None:
    calls = []

    def conflict() -> None:
        calls.append(1)
        raise IntegrityError("duplicate")

    with pytest.raises(IntegrityError):
        run_with_retry(conflict)
    assert calls == [1]


@pytest.fixture
def own_pg_server():
    """A cluster of this test's own: it gets restarted under the app."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL binaries not found")
    server = PgServer(bin_dir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_a_postgres_restart_under_the_app_loses_no_answer(own_pg_server) -> None:
    url = own_pg_server.create_database("restart")
    db = open_database(url)
    upgrade(db)
    me = f.operator("sato")
    lead_id = f.lead(me)
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.push_screen(LeadScreen(app.ctx, lead_id))
        await settle(pilot)
        await pilot.press("escape", "1")  # pain point
        own_pg_server._run("pg_ctl", "-D", str(own_pg_server.data), "-m", "immediate", "stop")
        await pilot.press(*"再起動中でも", "enter")
        await asyncio.sleep(1.0)
        await pilot.pause()
        messages = " ".join(n.message for n in app._notifications)
        assert "データベースに接続できません" in messages  # the banner
        opts = (
            f"-c listen_addresses=127.0.0.1 -c port={own_pg_server.port} "
            f"-c unix_socket_directories={own_pg_server.root} -c fsync=off"
        )
        own_pg_server._run(
            "pg_ctl",
            "-D",
            str(own_pg_server.data),
            "-o",
            opts,
            "-l",
            str(own_pg_server.root / "log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        await settle(pilot, rounds=6)
        messages = " ".join(n.message for n in app._notifications)
        assert "再接続" in messages
    with db.connection_context():
        stored = Answer.get((Answer.lead == lead_id) & (Answer.item == "pain")).value
    assert stored == "再起動中でも"
    db.close_all()
