"""Team mode and the call table (phone_call, migration 0007): an operator's calls are theirs,
their team lead reads them, nobody else sees or changes them (row-level security)."""

from __future__ import annotations

import psycopg2
import psycopg2.errors
import pytest

from isdesk.services.activities import ActivityInput, log_activity
from isdesk.services.call_sessions import call_seen, cancel_call, end_call, open_calls, start_call
from tests.db.test_teamdb import Team, _as, team  # noqa: F401  (team is a fixture)


def test_a_call_flows_through_row_level_security(team: Team) -> None:  # noqa: F811
    L = team.leads
    db, sato = _as(team, "sato")
    call = start_call(sato, L["sato"])
    call_seen(sato, call.id)
    ended = end_call(sato, call.id)
    log_activity(
        sato, L["sato"], ActivityInput("call", "connected", ended.duration_s, call_id=call.id)
    )
    second = start_call(sato, L["sato"])
    cancel_call(sato, second.id)
    assert open_calls(sato) == ()
    db.close_all()

    with team.connect("sato") as conn, conn.cursor() as cur:
        cur.execute("SELECT status FROM phone_call ORDER BY id")
        assert [r[0] for r in cur.fetchall()] == ["logged", "cancelled"]
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):  # a call on someone else's
            cur.execute(
                "INSERT INTO phone_call (lead_id, operator_id, started_at, last_seen_at, status,"
                " duration_s) VALUES (%s, %s, now(), now(), 'running', 0)",
                (L["suzuki"], team.ids["sato"]),
            )
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):  # whose call it is: fixed
            cur.execute("UPDATE phone_call SET operator_id = %s", (team.ids["suzuki"],))
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("DELETE FROM phone_call")
    with team.connect("suzuki") as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM phone_call")
        assert cur.fetchone()[0] == 0  # another operator's calls are invisible
        cur.execute("UPDATE phone_call SET status = 'cancelled'")
        assert cur.rowcount == 0
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):  # a call in my colleague's name
            cur.execute(
                "INSERT INTO phone_call (lead_id, operator_id, started_at, last_seen_at, status,"
                " duration_s) VALUES (%s, %s, now(), now(), 'running', 0)",
                (L["suzuki"], team.ids["sato"]),
            )
    with team.connect("yamada.lead") as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM phone_call")
        assert cur.fetchone()[0] == 2  # the team lead reads the team's calls
    with team.connect("tanaka") as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM phone_call")
        assert cur.fetchone()[0] == 0


def test_an_appointment_is_read_by_its_setter_attendee_and_team_lead_only(
    team: Team,  # noqa: F811
) -> None:
    import datetime as dt

    from isdesk.services.appointments import AppointmentInput, book_appointment

    db, sato = _as(team, "sato")
    start = dt.datetime(2026, 12, 10, 6, 0, tzinfo=dt.UTC)
    book_appointment(sato, team.leads["sato"], AppointmentInput(start, 60, team.ids["field1"]))
    db.close_all()
    seen = {}
    for login in ("sato", "suzuki", "yamada.lead", "tanaka", "field1"):
        with team.connect(login) as conn, conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM appointment")
            seen[login] = cur.fetchone()[0]
    assert seen == {"sato": 1, "suzuki": 0, "yamada.lead": 1, "tanaka": 0, "field1": 1}
    denied = pytest.raises(psycopg2.errors.InsufficientPrivilege)
    with team.connect("suzuki") as conn, conn.cursor() as cur, denied:  # in another's name
        cur.execute(
            "INSERT INTO appointment (lead_id, operator_id, starts_at, minutes, place, note,"
            " created_at) VALUES (%s, %s, now(), 60, '', '', now())",
            (team.leads["sato"], team.ids["sato"]),
        )
    denied = pytest.raises(psycopg2.errors.InsufficientPrivilege)
    with team.connect("sato") as conn, conn.cursor() as cur, denied:  # never rewritten
        cur.execute("UPDATE appointment SET minutes = 5")
