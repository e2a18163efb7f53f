"""The attacks of issue 12, each tried with raw SQL as the attacker's own login, each refused.

They run on the permission matrix's database (the `world` fixture of tests/db/conftest.py),
every attack in its own transaction that is rolled back, so the rows stay as seeded.
"""

from __future__ import annotations

import contextlib
import dataclasses
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg2
import psycopg2.errors
import pytest

from isdesk.rules import load_rules
from isdesk.teamdb import setup
from tests.support.team_world import World

REFUSED = psycopg2.errors.InsufficientPrivilege
ME = "(SELECT id FROM operator WHERE name = CURRENT_USER)"
EVENT = (
    "INSERT INTO lead_event (lead_id, actor_id, at, kind, field, old_value, new_value, note) "
    "VALUES (%s, {actor}, {at}, %s, %s, %s, %s, '') RETURNING at, actor_id"
)


def _refused(cur, sql: str, params: tuple = ()) -> bool:
    cur.execute("SAVEPOINT a")
    try:
        cur.execute(sql, params)
    except REFUSED:
        cur.execute("ROLLBACK TO SAVEPOINT a")
        return True
    rowcount = cur.rowcount
    cur.execute("ROLLBACK TO SAVEPOINT a")
    return rowcount == 0  # the row is not the login's to touch


def test_a_field_user_cannot_take_over_a_lead_through_a_hand_off(world: World) -> None:
    L, H, ops = world.leads, world.handoffs, world.operators
    with world.connect("field1") as conn, conn.cursor() as cur:
        # 1. re-point a hand-off at another team's lead, or rewrite its sender or addressee
        for column, value in (
            ("lead_id", L["tanaka"]),
            ("from_operator_id", ops["tanaka"]),
            ("to_user_id", ops["field1"]),
        ):
            assert _refused(
                cur,
                f"UPDATE handoff SET {column} = %s WHERE to_user_id = {ME}",
                (value,),
            )
        # ... so another team's answers stay hidden
        cur.execute("SELECT value FROM answer WHERE lead_id = %s", (L["tanaka"],))
        assert cur.fetchall() == []
        # 2. the lead itself: neither the other team's nor, after a rejection, the sender's
        for label in ("tanaka", "rejected"):
            assert _refused(
                cur,
                f"UPDATE lead SET owner_id = {ME}, status = 'open' WHERE id = %s",
                (L[label],),
            )
        assert _refused(
            cur, "UPDATE lead SET company = 'stolen by field' WHERE id = %s", (L["handed"],)
        )
        # 3. a rejection is final: no reopening it, no second decision
        for status in ("pending", "accepted", "rejected"):
            assert _refused(
                cur, "UPDATE handoff SET status = %s WHERE id = %s", (status, H["rejected"])
            )
        # a decision must be one: leaving it pending with a rewritten comment is refused
        assert _refused(cur, "UPDATE handoff SET comment = 'x' WHERE id = %s", (H["handed"],))
        # the real decision still goes through
        cur.execute(
            "UPDATE handoff SET status = 'accepted', decided_at = now() WHERE id = %s",
            (H["handed"],),
        )
        assert cur.rowcount == 1


def test_history_is_stamped_by_the_database_and_cannot_be_forged(world: World) -> None:
    L, ops = world.leads, world.operators
    at_now = EVENT.format(actor=ME, at="now()")
    with world.connect("sato") as conn, conn.cursor() as cur:
        # the order on a lead already handed to field sales (the forged report)
        assert _refused(cur, at_now, (L["handed"], "stage", "", "list", "order"))
        # a field user's decision, forged by the operator on their own lead
        assert _refused(cur, at_now, (L["sato"], "handoff", "rejected", "sato", "timing"))
        # an import's kinds, and kinds isdesk never writes
        for kind in ("created", "touch", "won_big"):
            assert _refused(cur, at_now, (L["sato"], kind, "", "", ""))
        # in another operator's name
        assert _refused(
            cur, EVENT.format(actor="%s", at="now()"),
            (L["sato"], ops["suzuki"], "rank", "", "D", "A"),
        )  # fmt: skip
        # back-dated: the row is written, with the server's time instead
        cur.execute("SELECT now() AT TIME ZONE 'UTC'")
        server_now = cur.fetchone()[0]
        cur.execute(
            EVENT.format(actor="NULL", at="'2020-01-01'"), (L["sato"], "rank", "", "D", "C")
        )
        at, actor = cur.fetchone()
        assert (at, actor) == (server_now, ops["sato"])
        conn.rollback()
    with world.connect("field1") as conn, conn.cursor() as cur:
        # a field user writes decisions and stages on their own leads, not hearing results
        for kind, field in (("answer", "pain"), ("rank", ""), ("sql", ""), ("handoff", "sent")):
            assert _refused(cur, at_now, (L["accepted"], kind, field, "", "x"))
        assert _refused(cur, at_now, (L["rejected"], "stage", "", "list", "order"))
        cur.execute(at_now, (L["accepted"], "stage", "", "opportunity", "order"))
        assert cur.fetchone()[1] == ops["field1"]


def test_a_lead_registers_operators_of_their_own_team_only(world: World) -> None:
    insert = (
        "INSERT INTO operator (name, display_name, team, role, active, created_at) "
        "VALUES ('newbie', 'newbie', %s, %s, true, now())"
    )
    with world.connect("yamada") as conn, conn.cursor() as cur:
        for team in ("outbound", "field"):
            for role in ("lead", "operator"):
                assert _refused(cur, insert, (team, role))
        # and no moving one of theirs to another team, where they would lead it
        assert _refused(cur, "UPDATE operator SET team = 'outbound' WHERE name = 'suzuki'")
        assert _refused(cur, "UPDATE operator SET role = 'lead' WHERE name = 'tanaka'")
        cur.execute(insert, ("inbound", "operator"))
        assert cur.rowcount == 1


def _isdesk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "isdesk", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )


def test_operator_add_refuses_another_team_on_both_backends(world: World, tmp_path: Path) -> None:
    team_url = f"postgresql://yamada@127.0.0.1:{world.server.port}/{world.dbname}"
    sqlite_url = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    first = _isdesk("--db", sqlite_url, "operator", "add", "yamada", "--team", "inbound",
                    "--role", "lead")  # fmt: skip
    assert first.returncode == 0, first.stderr
    for url in (team_url, sqlite_url):
        done = _isdesk(
            "--db", url, "--as", "yamada",
            "operator", "add", "newbie", "--team", "outbound", "--role", "lead",
        )  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert "yamada leads team inbound" in done.stderr and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("login", ["sato", "yamada", "field1", "gone"])
def test_nobody_creates_temporary_objects(world: World, login: str) -> None:
    with world.connect(login) as conn, conn.cursor() as cur:
        for sql in (
            "CREATE TEMP TABLE mine (id int)",
            "CREATE TEMP VIEW mine AS SELECT 1",
            "CREATE FUNCTION pg_temp.mine() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            "CREATE TABLE public.mine (id int)",
        ):
            assert _refused(cur, sql), sql


def test_two_sessions_of_one_operator_stay_under_the_holding_cap(world: World) -> None:
    """Session one is mid-take (holding the operator's lock, its claim not yet committed);
    session two's take must wait and then count that claim."""
    from isdesk.services.assignment import claim_next_lead
    from isdesk.services.operators import find_operator
    from isdesk.store.db import open_database

    rules = load_rules(None)
    admin = psycopg2.connect(
        host="127.0.0.1", port=world.server.port, user=world.server.user, dbname=world.dbname
    )
    admin.autocommit = True
    extra: list[int] = []
    with admin.cursor() as cur:
        for n in range(2):
            cur.execute(
                "INSERT INTO lead (company, contact, title, phone, email, source, acquired_at, "
                "status, stage, rank, is_sql, heard, next_action, search_text, extra, version, "
                "updated_at) VALUES (%s, '', '', '', '', '資料請求', '2020-01-01', 'open', "
                "'list', 'D', false, 0, '', '', '{}', 1, now()) RETURNING id",
                (f"cap{n}",),
            )
            extra.append(cur.fetchone()[0])
        cur.execute(
            "SELECT count(*) FROM lead WHERE owner_id = %s AND status = 'open'",
            (world.operators["sato"],),
        )
        held = cur.fetchone()[0]
    rules = dataclasses.replace(
        rules, assignment=dataclasses.replace(rules.assignment, holding_cap=held + 1)
    )
    db = open_database(f"postgresql://sato@127.0.0.1:{world.server.port}/{world.dbname}")
    sato = find_operator("sato")
    result: list[object] = []
    try:
        with world.connect("sato") as one, one.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", (0x7A4E, sato.id))
            cur.execute(
                "UPDATE lead SET owner_id = %s WHERE id = %s", (sato.id, extra[0])
            )  # session one's claim, not yet committed
            two = threading.Thread(
                target=lambda: result.append(claim_next_lead(sato, rules, now=_now()))
            )
            two.start()
            with admin.cursor() as watch:
                for _ in range(200):  # until session two waits for the lock
                    watch.execute(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    )
                    if watch.fetchone()[0] or not two.is_alive():
                        break
                    time.sleep(0.05)
            one.commit()
            two.join(30)
        assert result == [None]  # at the cap: session two claims nothing
    finally:
        db.close_all()
        with admin.cursor() as cur:
            cur.execute("DELETE FROM lead_event WHERE lead_id = ANY(%s)", (extra,))
            cur.execute("DELETE FROM lead WHERE id = ANY(%s)", (extra,))
        admin.close()


def _now():
    from isdesk.store.db import utcnow

    return utcnow()


def test_setup_upgrades_an_existing_team_database_keeping_its_data(pg_server) -> None:
    """A database set up by the version before (table-wide UPDATE, TEMP for everyone, no
    history trigger) is brought to today's grants by running setup again; rows are kept."""
    import os

    from isdesk.teamdb import grant

    name = f"isdesk_upgrade{os.getpid()}"
    url = pg_server.create_database(name)
    try:
        setup(url)
        grant(url, "sato", team="inbound", role="operator")
        conn = psycopg2.connect(
            host="127.0.0.1", port=pg_server.port, user=pg_server.user, dbname=name
        )
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("GRANT SELECT, INSERT, UPDATE ON lead, handoff, answer TO isdesk_user")
            cur.execute(f'GRANT TEMPORARY ON DATABASE "{name}" TO PUBLIC')
            cur.execute("DROP TRIGGER isdesk_stamp_event ON lead_event")
            cur.execute(
                "INSERT INTO lead (company, contact, title, phone, email, source, acquired_at, "
                "owner_id, status, stage, rank, is_sql, heard, next_action, search_text, extra,"
                " version, updated_at) SELECT '残る会社', '', '', '', '', '', now(), id, 'open',"
                " 'list', 'D', false, 0, '', '', '{}', 1, now() FROM operator "
                "WHERE name = 'sato' RETURNING id"
            )
            lead = cur.fetchone()[0]
        with (
            contextlib.closing(
                psycopg2.connect(host="127.0.0.1", port=pg_server.port, user="sato", dbname=name)
            ) as sato,
            sato.cursor() as cur,
        ):
            assert not _refused(cur, "UPDATE lead SET company = 'x' WHERE id = %s", (lead,))
        setup(url)  # the upgrade
        with (
            contextlib.closing(
                psycopg2.connect(host="127.0.0.1", port=pg_server.port, user="sato", dbname=name)
            ) as sato,
            sato.cursor() as cur,
        ):
            assert _refused(cur, "UPDATE lead SET company = 'x' WHERE id = %s", (lead,))
            assert _refused(cur, "CREATE TEMP TABLE t (id int)")
            cur.execute(EVENT.format(actor="NULL", at="'2020-01-01'"), (lead, "rank", "", "D", "C"))
            assert cur.fetchone()[0].year >= 2026
            cur.execute("SELECT company FROM lead WHERE id = %s", (lead,))
            assert cur.fetchone() == ("残る会社",)
        conn.close()
    finally:
        pg_server.drop_database(name)
