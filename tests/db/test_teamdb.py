"""Team mode where PostgreSQL itself enforces the roles (isdesk teamdb): row-level security.

Every test gets a fresh database set up by `isdesk teamdb setup`, with the logins of
two inbound operators, an inbound lead, an outbound operator and a field user. The raw-SQL
tests connect as each login with psycopg2 directly (no isdesk service checks in the way) and
prove the server refuses; the service tests run isdesk's own flows as each login.
The throwaway server trusts 127.0.0.1, so logins need no password here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import psycopg2.errors
import pytest

from isdesk.rules import load_rules
from isdesk.teamdb import (
    OWNER_ROLE,
    USER_ROLE,
    TeamDbError,
    check_login_name,
    grant,
    ident,
    literal,
    policy_statements,
    setup,
)
from tests.support.pg_server import PgServer

RULES = load_rules(None)  # 資料請求 → inbound, 展示会 → outbound
NOW = dt.datetime(2026, 11, 20, 6, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 20)
SQL_ANSWERS = {
    "pain": "Excel管理が限界",
    "budget": "300万",
    "timing": "2026-12-10",
    "authority": "情報システム部長",
    "competitors": "Salesforce",
    "purpose": "属人化の解消",
}
PEOPLE = {
    # login: (team, role)
    "sato": ("inbound", "operator"),
    "suzuki": ("inbound", "operator"),
    "yamada.lead": ("inbound", "lead"),
    "tanaka": ("outbound", "operator"),
    "field1": ("field", "field"),
}
_counter = iter(range(10**6))


@dataclass
class Team:
    server: PgServer
    dbname: str
    admin_url: str
    ids: dict[str, int]  # operator ids by name (plus field2, who has no login)
    leads: dict[str, int]  # lead ids by label

    def url(self, login: str) -> str:
        return f"postgresql://{login}@127.0.0.1:{self.server.port}/{self.dbname}"

    def connect(self, login: str):
        """An autocommit connection as ``login``; use as a context manager (it closes)."""
        conn = psycopg2.connect(
            host="127.0.0.1", port=self.server.port, user=login, dbname=self.dbname
        )
        conn.autocommit = True
        return contextlib.closing(conn)


def _set(cur, sql: str, params=()) -> set:
    cur.execute(sql, params)
    return {r[0] for r in cur.fetchall()}


def _seed(admin_url: str) -> tuple[dict[str, int], dict[str, int]]:
    """Operators and leads, written as the administrator (who bypasses the policies)."""
    from isdesk.store.db import open_database
    from isdesk.store.models import Lead
    from tests.support import factories as f

    db = open_database(admin_url)
    try:
        actors = {
            name: f.operator(name, team=team, role=role)
            for name, (team, role) in PEOPLE.items()
            if name not in ("sato",)  # sato was registered by `teamdb grant --team`
        }
        actors["field2"] = f.operator("field2", team="field", role="field")
        from isdesk.services.operators import find_operator

        actors["sato"] = find_operator("sato")
        ids = {name: a.id for name, a in actors.items()}
        later = {"last_touch_days": 17, "next_action_days": 30}  # not due: take_next claims
        leads = {
            "sato": f.lead(actors["sato"], company="佐藤の会社", **later),
            "suzuki": f.lead(actors["suzuki"], company="鈴木の会社", **later),
            "tanaka": f.lead(actors["tanaka"], company="田中の会社", source="展示会", **later),
            "free_old": f.lead(None, company="古い資料請求", acquired_days=-3),
            "free_new": f.lead(None, company="新しい資料請求", acquired_days=-1),
            "free_out": f.lead(None, company="展示会の名刺", source="展示会", acquired_days=-2),
            "to_field2": f.lead(actors["suzuki"], company="別の営業へ", status="handed_off"),
        }
        from isdesk.store.pipeline import Handoff

        with db.connection_context():
            Lead.update(owner=ids["field2"]).where(Lead.id == leads["to_field2"]).execute()
            Handoff.create(
                lead=leads["to_field2"],
                from_operator=ids["suzuki"],
                to_user=ids["field2"],
                note="BANT",
            )
            from isdesk.store.models import Activity, Answer, LeadEvent

            for label in ("sato", "suzuki", "tanaka"):
                owner = ids[label]
                Answer.create(lead=leads[label], item="pain", value="secret", updated_by=owner)
                Activity.create(lead=leads[label], operator=owner, kind="call", outcome="absent")
                LeadEvent.create(
                    lead=leads[label], actor=owner, kind="rank", old_value="D", new_value="C"
                )
    finally:
        db.close_all()
    return ids, leads


@pytest.fixture
def team(pg_server: PgServer) -> Iterator[Team]:
    name = f"isdesk_rls{os.getpid()}_{next(_counter)}"
    admin_url = pg_server.create_database(name)
    try:
        setup(admin_url)
        grant(admin_url, "sato", team="inbound", role="operator", display_name="佐藤")
        for login in PEOPLE:
            grant(admin_url, login)
        ids, leads = _seed(admin_url)
        yield Team(pg_server, name, admin_url, ids, leads)
    finally:
        from isdesk.store.db import database_proxy

        db = database_proxy.obj
        if db is not None and hasattr(db, "close_all"):
            db.close_all()
        pg_server.drop_database(name)


# --- pure statement builders ------------------------------------------------------------------


def test_names_are_quoted_and_checked() -> None:
    assert ident('a"b') == '"a""b"'
    assert literal("it's") == "'it''s'"
    assert check_login_name("sato.misaki") == "sato.misaki"
    for bad in ("", "-x", "a b", "x;drop", "a" * 64, OWNER_ROLE, USER_ROLE, "pg_monitor"):
        with pytest.raises(TeamDbError):
            check_login_name(bad)
    sql = "\n".join(s.sql for s in policy_statements("public", ["lead", "answer", "unknown"]))
    assert "ENABLE ROW LEVEL SECURITY" in sql and "FOR DELETE" not in sql
    assert '"public"."unknown"' not in sql  # a table isdesk does not know gets no policy


# --- the database refuses, whatever the client ------------------------------------------------


def test_an_operator_sees_and_changes_only_their_own_and_unassigned_leads(team: Team) -> None:
    L = team.leads
    with team.connect("sato") as conn, conn.cursor() as cur:
        seen = _set(cur, "SELECT id FROM lead")
        assert seen == {L["sato"], L["free_old"], L["free_new"], L["free_out"]}
        cur.execute("SELECT * FROM lead WHERE id = %s", (L["suzuki"],))
        assert cur.fetchall() == []
        cur.execute("UPDATE lead SET next_action = 'x' WHERE id = %s", (L["suzuki"],))
        assert cur.rowcount == 0
        cur.execute("UPDATE lead SET owner_id = %s WHERE id = %s", (team.ids["sato"], L["tanaka"]))
        assert cur.rowcount == 0
        # the children of other operators' leads are hidden too
        assert _set(cur, "SELECT lead_id FROM answer") == {L["sato"]}
        assert _set(cur, "SELECT lead_id FROM activity") == {L["sato"]}
        assert _set(cur, "SELECT lead_id FROM lead_event") == {L["sato"]}
        assert _set(cur, "SELECT id FROM handoff") == set()
        # operator names are readable by all
        assert "suzuki" in _set(cur, "SELECT name FROM operator")
        # their own lead may not be given away, nor written in another's name
        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="row-level security"):
            cur.execute(
                "UPDATE lead SET owner_id = %s WHERE id = %s", (team.ids["suzuki"], L["sato"])
            )
        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="row-level security"):
            cur.execute(
                "INSERT INTO activity (lead_id, operator_id, at, kind, outcome, duration_s, note,"
                " customer_voice, rank_after, sql_after) VALUES (%s, %s, now(), 'call', '', 0, "
                "'', false, '', false)",
                (L["suzuki"], team.ids["sato"]),
            )
        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="row-level security"):
            cur.execute(
                "INSERT INTO lead_event (lead_id, actor_id, at, kind, field, note) "
                "VALUES (%s, %s, now(), 'rank', '', '')",
                (L["sato"], team.ids["suzuki"]),
            )
        # an operator cannot promote themselves
        cur.execute("UPDATE operator SET role = 'lead' WHERE name = 'sato'")
        assert cur.rowcount == 0


@pytest.mark.parametrize("login", ["sato", "yamada.lead", "field1"])
def test_nobody_deletes_edits_history_or_creates_tables(team: Team, login: str) -> None:
    with team.connect(login) as conn, conn.cursor() as cur:
        for table in (
            "lead",
            "answer",
            "activity",
            "lead_event",
            "handoff",
            "operator",
            "touch",
            "campaign",
            "import_run",
            "schema_migration",
        ):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(f"DELETE FROM {table}")
        for sql in (
            "UPDATE lead_event SET note = 'rewritten'",
            "UPDATE activity SET outcome = 'connected'",
            "INSERT INTO lead (company, acquired_at) VALUES ('x', now())",
            "CREATE TABLE mine (id int)",
            "TRUNCATE lead_event",
        ):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(sql)


def test_a_lead_sees_their_team_but_not_another(team: Team) -> None:
    L = team.leads
    with team.connect("yamada.lead") as conn, conn.cursor() as cur:
        seen = _set(cur, "SELECT id FROM lead")
        assert {L["sato"], L["suzuki"], L["free_old"], L["to_field2"]} <= seen
        assert L["tanaka"] not in seen
        cur.execute("UPDATE lead SET next_action = 'x' WHERE id = %s", (L["suzuki"],))
        assert cur.rowcount == 1
        cur.execute("UPDATE lead SET next_action = 'x' WHERE id = %s", (L["tanaka"],))
        assert cur.rowcount == 0
        # activities of the team (the team view), not of other teams
        ops = _set(cur, "SELECT operator_id FROM activity")
        assert ops == {team.ids["sato"], team.ids["suzuki"]}
        # operators of their own team only
        cur.execute("UPDATE operator SET display_name = 'S' WHERE name = 'suzuki'")
        assert cur.rowcount == 1
        cur.execute("UPDATE operator SET display_name = 'T' WHERE name = 'tanaka'")
        assert cur.rowcount == 0
    with team.connect("tanaka") as conn, conn.cursor() as cur:
        assert _set(cur, "SELECT id FROM lead") == {
            L["tanaka"],
            L["free_old"],
            L["free_new"],
            L["free_out"],
        }


def test_a_field_user_sees_only_hand_offs_to_them(team: Team) -> None:
    from isdesk.store.db import open_database
    from isdesk.store.pipeline import Handoff

    L = team.leads
    db = open_database(team.admin_url)
    with db.connection_context():
        mine = Handoff.create(
            lead=L["sato"], from_operator=team.ids["sato"], to_user=team.ids["field1"], note="n"
        ).id
    db.close_all()
    with team.connect("field1") as conn, conn.cursor() as cur:
        assert _set(cur, "SELECT id FROM handoff") == {mine}
        # the lead of the hand-off, not the unassigned queue nor field2's
        assert _set(cur, "SELECT id FROM lead") == {L["sato"]}
        cur.execute("UPDATE lead SET next_action = 'x' WHERE id = %s", (L["sato"],))
        assert cur.rowcount == 0  # handed to them is not theirs until it moves to them
        cur.execute("UPDATE handoff SET status = 'accepted' WHERE id <> %s", (mine,))
        assert cur.rowcount == 0


# --- isdesk's own flows still work, run as each login -----------------------------------------


def _as(team: Team, login: str):
    from isdesk.services.operators import find_operator
    from isdesk.store.db import database_proxy, open_database
    from isdesk.store.schema import upgrade

    old = database_proxy.obj
    if old is not None and hasattr(old, "close_all"):
        old.close_all()
    db = open_database(team.url(login))
    assert upgrade(db) == []  # up to date: an operator login never migrates
    return db, find_operator(login)


def test_isdesk_flows_through_row_level_security(team: Team) -> None:
    from isdesk.services.activities import ActivityInput, log_activity
    from isdesk.services.assignment import take_next_lead
    from isdesk.services.handoff import (
        accept_handoff,
        hand_off,
        inbox,
        move_stage,
        reject_handoff,
    )
    from isdesk.services.leads import LeadNotFoundError, load_lead, save_answer
    from isdesk.services.team import team_overview
    from isdesk.store.models import Lead

    L = team.leads
    # take next with SKIP LOCKED: suzuki holds the oldest unassigned lead, sato gets the next
    with team.connect("suzuki") as locker, locker.cursor() as cur:
        cur.execute("BEGIN")
        cur.execute("SELECT id FROM lead WHERE id = %s FOR UPDATE", (L["free_old"],))
        assert cur.fetchall() == [(L["free_old"],)]
        db, sato = _as(team, "sato")
        taken = take_next_lead(sato, RULES, now=NOW)
        cur.execute("ROLLBACK")
    assert taken is not None and taken.id == L["free_new"] and taken.claimed
    lead_id = taken.id
    for key, value in SQL_ANSWERS.items():
        out = save_answer(sato, lead_id, key, value, base_version=0, rules=RULES, today=TODAY)
        assert out.saved
    assert out.is_sql
    log_activity(sato, lead_id, ActivityInput(kind="call", outcome="connected"), now=NOW)
    with pytest.raises(LeadNotFoundError):  # the server hides it: the service cannot even see it
        load_lead(sato, L["suzuki"])
    handoff_id = hand_off(sato, lead_id, "field1", "BANT ok", RULES, now=NOW)
    with db.connection_context():
        row = Lead.get_by_id(lead_id)  # still readable by its sender, no longer writable
        assert (row.owner_id, row.status) == (team.ids["field1"], "handed_off")
        assert Lead.update(next_action="x").where(Lead.id == lead_id).execute() == 0

    db, field1 = _as(team, "field1")
    assert [h.id for h in inbox(field1)] == [handoff_id]
    follow = NOW + dt.timedelta(days=30)
    reject_handoff(
        field1, handoff_id, "timing", RULES, comment="来月", follow_up_at=follow, now=NOW
    )
    with db.connection_context():
        row = Lead.get_by_id(lead_id)
        assert (row.owner_id, row.status) == (team.ids["sato"], "nurturing")
        assert row.next_action_at == follow  # written after the owner moved back

    # accepted this time: field sales moves it on to the last stage (won)
    db, sato = _as(team, "sato")
    for key, value in SQL_ANSWERS.items():
        save_answer(sato, L["sato"], key, value, base_version=0, rules=RULES, today=TODAY)
    second = hand_off(sato, L["sato"], "field1", "BANT ok", RULES, now=NOW)
    db, field1 = _as(team, "field1")
    accept_handoff(field1, second, RULES, now=NOW)
    move_stage(field1, L["sato"], RULES.stages.keys[-1], RULES, now=NOW)
    with db.connection_context():
        row = Lead.get_by_id(L["sato"])
        assert (row.owner_id, row.status) == (team.ids["field1"], "won")

    # the team view through row-level security counts what the administrator counts
    from isdesk.domain.kpi import local_day
    from isdesk.store.db import utcnow

    now = utcnow()  # save_answer stamps its events with the real clock
    today = local_day(now, RULES.calendar)
    db, yamada = _as(team, "yamada.lead")
    seen = team_overview(yamada, "inbound", RULES, today, now)
    _as(team, team.server.user)
    full = team_overview(yamada, "inbound", RULES, today, now)
    assert seen.to_json() == full.to_json()
    by_name = {r.name: r for r in seen.rows}
    assert by_name["sato"].load.open_leads == 0  # one won by field sales, one nurturing
    assert by_name["suzuki"].load.open_leads == 1
    assert by_name["sato"].sql_quarter == 2
    assert sum(g.depth for g in seen.groups) == 2  # free_old and free_out still wait

    # a lead adds operators through the policies; an operator cannot
    from peewee import ProgrammingError

    from isdesk.services.operators import add_operator

    _as(team, "yamada.lead")
    assert add_operator("kimura", team="inbound").role == "operator"
    _as(team, "sato")
    with pytest.raises(ProgrammingError, match="row-level security"):
        add_operator("sato2", team="inbound", role="lead")

    db, tanaka = _as(team, "tanaka")
    taken = take_next_lead(tanaka, RULES, now=NOW)
    assert taken is not None and taken.id == L["free_out"]


def test_operators_never_migrate_the_owner_does(team: Team) -> None:
    from peewee import ProgrammingError

    from isdesk.store.db import open_database
    from isdesk.store.schema import upgrade

    with team.connect(team.server.user) as owner, owner.cursor() as cur:
        cur.execute("DELETE FROM schema_migration WHERE name = '0002_kpi_indexes'")
        cur.execute(
            "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = relnamespace WHERE nspname = 'public' AND relkind IN ('r', 'S', 'i')"
        )
        assert cur.fetchall() == [(OWNER_ROLE,)]
    db = open_database(team.url("sato"))
    with pytest.raises(ProgrammingError, match=r"permission denied|must be owner"):
        upgrade(db)
    db.close_all()
    db = open_database(team.url(OWNER_ROLE))
    assert upgrade(db) == ["0002_kpi_indexes"]
    db.close_all()


# --- the command ----------------------------------------------------------------------------


def _isdesk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "isdesk", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )


def test_teamdb_command_is_idempotent(pg_server: PgServer, tmp_path: Path) -> None:
    name = f"isdesk_cli{os.getpid()}_{next(_counter)}"
    url = pg_server.create_database(name)
    secret = tmp_path / "pw"
    secret.write_text("s3cret-パス\n", encoding="utf-8")
    try:
        for _ in range(2):
            done = _isdesk("--db", url, "teamdb", "setup")
            assert done.returncode == 0, done.stderr
            assert "row-level security on: operator" in done.stdout
            done = _isdesk(
                "--db",
                url,
                "teamdb",
                "grant",
                "kato.lead",
                "--password-file",
                str(secret),
                "--team",
                "inbound",
                "--role",
                "lead",
            )
            assert done.returncode == 0, done.stderr
        assert "login kato.lead: exists, password set" in done.stdout
        done = _isdesk("--db", url, "teamdb", "grant", "ito")  # no terminal, no password
        assert done.returncode == 2 and "--no-password" in done.stderr
        conn = psycopg2.connect(
            host="127.0.0.1", port=pg_server.port, user=pg_server.user, dbname=name
        )
        with conn.cursor() as cur:
            cur.execute(
                "SELECT rolpassword LIKE 'SCRAM-SHA-256$%%', pg_has_role('kato.lead', %s, "
                "'MEMBER') FROM pg_authid WHERE rolname = 'kato.lead'",
                (USER_ROLE,),
            )
            assert cur.fetchone() == (True, True)
            cur.execute("SELECT rolconfig FROM pg_roles WHERE rolname = 'kato.lead'")
            assert cur.fetchone() == (["jit=off"],)
            cur.execute("SELECT count(*), min(role) FROM operator WHERE name = 'kato.lead'")
            assert cur.fetchone() == (1, "lead")
        conn.close()
        sqlite = _isdesk("--db", f"sqlite:///{tmp_path / 'x.sqlite3'}", "teamdb", "setup")
        assert sqlite.returncode == 2 and "needs PostgreSQL" in sqlite.stderr
    finally:
        pg_server.drop_database(name)


def test_the_filter_index_tells_an_operator_only_about_leads_they_may_read(team: Team) -> None:
    """sato's own lead and the unassigned ones are found through lead_gram; suzuki's and
    tanaka's bigrams are neither readable nor counted in the filter's plan."""
    from isdesk.services.queue import QueueQuery, QueueScope, count_queue
    from isdesk.services.search import gram_counts

    L = team.leads
    with team.connect("sato") as conn, conn.cursor() as cur:
        readable = {L["sato"], L["free_old"], L["free_new"], L["free_out"]}
        assert _set(cur, "SELECT lead_id FROM lead_gram") == readable
        assert _set(cur, "SELECT lead_id FROM lead_gram WHERE gram = '鈴木'") == set()
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("INSERT INTO lead_gram (gram, lead_id) VALUES ('xx', %s)", (L["sato"],))
    db, sato = _as(team, "sato")
    with db.connection_context():
        assert dict(gram_counts("鈴木の会社"))["鈴木"] == 0  # suzuki's lead is not counted
        assert count_queue(QueueQuery(sato, QueueScope.MINE, "佐藤の")) == 1
        assert count_queue(QueueQuery(sato, QueueScope.UNASSIGNED, "資料請求")) == 2
    db.close_all()
    # Operators may not rewrite the search text; the owner does (a search-key rebuild), and
    # the operator's filter follows at once through the index the owner's trigger kept.
    with (
        team.connect("sato") as conn,
        conn.cursor() as cur,
        pytest.raises(psycopg2.errors.InsufficientPrivilege),
    ):
        cur.execute("UPDATE lead SET search_text = 'x' WHERE id = %s", (L["sato"],))
    with team.connect(team.server.user) as admin, admin.cursor() as cur:
        cur.execute("UPDATE lead SET search_text = 'さとうしょうじ' WHERE id = %s", (L["sato"],))
    db, sato = _as(team, "sato")
    with db.connection_context():
        assert count_queue(QueueQuery(sato, QueueScope.MINE, "しょうじ")) == 1
        assert count_queue(QueueQuery(sato, QueueScope.MINE, "佐藤の")) == 0
    db.close_all()


def test_the_phone_and_do_not_call_through_row_level_security(team: Team, tmp_path) -> None:
    """Migration 0009's columns through the grants: an operator's login marks their lead
    do-not-call (its columns and event kind granted), logs calls with a recording by number,
    and finds only the leads it may read."""
    from isdesk.services.assignment import take_next_lead
    from isdesk.services.calls import import_call_log, log_call
    from isdesk.services.contact import find_leads_by_phone, set_do_not_call
    from isdesk.store.models import Activity, Lead

    L = team.leads
    with team.connect(team.server.user) as admin, admin.cursor() as cur:
        for label, number in (("sato", "03-1234-5678"), ("suzuki", "03-1234-5678")):
            cur.execute(
                "UPDATE lead SET phone = %s, search_text = search_text || %s WHERE id = %s",
                (number, "|0312345678", L[label]),
            )
        cur.execute("UPDATE lead SET do_not_call = true WHERE id = %s", (L["free_new"],))
    db, sato = _as(team, "sato")
    # suzuki's lead has the same number, but sato's login cannot even see it
    assert [m.lead_id for m in find_leads_by_phone("0312345678")] == [L["sato"]]
    logged = log_call(sato, lead_id=None, phone="0312345678", outcome="connected",
                      duration_s=60, recording_url="https://rec.example.jp/1", at=NOW)  # fmt: skip
    assert logged.lead_id == L["sato"]
    log = tmp_path / "log.csv"
    log.write_text("日時,相手先電話番号,通話時間\n2026/11/20 10:00,03-1234-5678,30\n")
    assert import_call_log(log, sato, zone=RULES.calendar.zone).recorded == 1
    change = set_do_not_call(sato, L["sato"], True, now=NOW)
    assert change.do_not_call
    with db.connection_context():
        assert Lead.get_by_id(L["sato"]).do_not_call
        assert Activity.select().where(Activity.recording_url != "").count() == 1
    # the do-not-call unassigned lead is skipped: take next claims the older one
    taken = take_next_lead(sato, RULES, now=NOW)
    assert taken is not None and taken.id == L["free_old"]


def test_a_leads_assignment_flows_write_their_history_through_row_level_security(
    team: Team,
) -> None:
    """Assigning and deactivating as the lead's own login: the owner events are appended by
    the database's rules (a lead's kinds, leads of their team, stamped with the server's time)."""
    from isdesk.services.assignment import assign_unassigned, deactivate_operator
    from isdesk.store.db import utcnow

    L = team.leads
    _db, yamada = _as(team, "yamada.lead")
    before = utcnow()
    report = assign_unassigned(RULES, now=NOW, actor=yamada)
    assigned = {r.lead_id for r in report.rows}
    assert L["free_old"] in assigned and L["free_out"] not in assigned  # outbound's stays
    done = deactivate_operator(yamada, "suzuki", RULES, now=NOW)
    assert L["suzuki"] in {r.lead_id for r in done.report.rows} | {
        u.lead_id for u in done.report.unassigned
    }
    with team.connect(team.server.user) as admin, admin.cursor() as cur:
        cur.execute(
            "SELECT count(*), min(at) FROM lead_event WHERE kind = 'owner' AND actor_id = %s",
            (team.ids["yamada.lead"],),
        )
        count, first = cur.fetchone()
    assert count >= len(assigned) + 1
    assert first >= before.replace(tzinfo=None) - dt.timedelta(seconds=5)  # not NOW: server time
