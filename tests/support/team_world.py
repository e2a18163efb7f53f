"""One team database for the permission matrix and the attack tests: the operators, the logins
and real rows of every kind (own, same team, other team, unassigned, handed off, accepted,
rejected), written by the administrator. README's "Cell by cell" section names the same rows.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg2

from isdesk.domain.text import lead_search_key
from isdesk.teamdb import grant, setup
from tests.support.pg_server import PgServer

PEOPLE = {
    # name: (team, role, active, has a login)
    "sato": ("inbound", "operator", True, True),
    "suzuki": ("inbound", "operator", True, False),
    "yamada": ("inbound", "lead", True, True),
    "tanaka": ("outbound", "operator", True, False),
    "field1": ("field", "field", True, True),
    "field2": ("field", "field", True, False),
    "gone": ("inbound", "operator", False, True),
}
# lead label: (owner, status, hand-off (sender, addressee, status) or None)
LEADS = {
    "sato": ("sato", "open", None),
    "suzuki": ("suzuki", "open", None),
    "yamada": ("yamada", "open", None),
    "tanaka": ("tanaka", "open", None),
    "free": (None, "open", None),
    "handed": ("field1", "handed_off", ("sato", "field1", "pending")),
    "accepted": ("field1", "handed_off", ("suzuki", "field1", "accepted")),
    "rejected": ("sato", "open", ("sato", "field1", "rejected")),
    "field2": ("field2", "handed_off", ("tanaka", "field2", "pending")),
    "gone": ("gone", "open", None),
}
CHILD_TABLES = ("answer", "activity", "lead_event", "touch")
# Calls and appointments belong to the inside-sales operator who made them: per lead label,
# its owner in inside sales, else the sender of its hand-off (free: sato). Appointments are
# attended by the lead's field user, if any.
CALL_TABLES = ("phone_call", "appointment")
CALLERS = {
    "sato": "sato", "suzuki": "suzuki", "yamada": "yamada", "tanaka": "tanaka", "free": "sato",
    "handed": "sato", "accepted": "suzuki", "rejected": "sato", "field2": "tanaka",
    "gone": "gone",
}  # fmt: skip
ATTENDEES = {"handed": "field1", "accepted": "field1", "rejected": "field1", "field2": "field2"}


@dataclass
class World:
    server: PgServer
    dbname: str
    operators: dict[str, int]
    leads: dict[str, int]
    handoffs: dict[str, int]  # by lead label
    children: dict[tuple[str, str], int]  # (table, lead label) -> row id
    columns: dict[str, list[str]]  # table -> columns, in order

    @contextlib.contextmanager
    def connect(self, login: str) -> Iterator[psycopg2.extensions.connection]:
        conn = psycopg2.connect(
            host="127.0.0.1", port=self.server.port, user=login, dbname=self.dbname
        )
        try:
            yield conn
        finally:
            conn.rollback()
            conn.close()


def _seed(admin_url: str) -> dict:
    """The rows, written by the administrator (who bypasses the policies) through the models."""
    import datetime as dt

    from isdesk.store.calls import Appointment, PhoneCall
    from isdesk.store.db import open_database
    from isdesk.store.models import (
        Activity,
        Answer,
        Campaign,
        ImportRun,
        Lead,
        LeadEvent,
        Operator,
        Touch,
    )
    from isdesk.store.pipeline import Handoff

    now = dt.datetime(2026, 11, 20, 6, 0, tzinfo=dt.UTC)
    db = open_database(admin_url)
    try:
        with db.connection_context():
            ops = {
                name: Operator.create(
                    name=name, display_name=name, team=team, role=role, active=active
                ).id
                for name, (team, role, active, _login) in PEOPLE.items()
            }
            Campaign.create(name="展示会2026")
            run = ImportRun.create(digest="d").id
            leads: dict[str, int] = {}
            handoffs: dict[str, int] = {}
            children: dict[tuple[str, str], int] = {}
            # Children written by field2 (no login, no team rights): who may read them depends
            # on the lead alone.
            author = ops["field2"]
            for label, (owner, status, handoff) in LEADS.items():
                lead = leads[label] = Lead.create(
                    company=f"{label}の会社",
                    # As the app writes it, so the filter's bigram rows exist (lead_gram).
                    search_text=lead_search_key(f"{label}の会社", "", "", ""),
                    acquired_at=now,
                    owner=ops[owner] if owner else None,
                    status=status,
                ).id
                if handoff:
                    sender, to, state = handoff
                    handoffs[label] = Handoff.create(
                        lead=lead, from_operator=ops[sender], to_user=ops[to], status=state
                    ).id
                children[("answer", label)] = Answer.create(
                    lead=lead, item="pain", value="secret", updated_by=author
                ).id
                children[("activity", label)] = Activity.create(
                    lead=lead, operator=author, kind="call"
                ).id
                children[("lead_event", label)] = LeadEvent.create(
                    lead=lead, actor=author, kind="rank", old_value="D", new_value="C"
                ).id
                children[("touch", label)] = Touch.create(lead=lead, at=now, import_run=run).id
                caller = ops[CALLERS[label]]
                children[("phone_call", label)] = PhoneCall.create(
                    lead=lead, operator=caller, started_at=now, last_seen_at=now
                ).id
                attendee = ATTENDEES.get(label)
                children[("appointment", label)] = Appointment.create(
                    lead=lead,
                    operator=caller,
                    attendee=ops[attendee] if attendee else None,
                    starts_at=now,
                ).id
            cursor = db.execute_sql(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
            )
            columns: dict[str, list[str]] = {}
            for table, column in cursor.fetchall():
                columns.setdefault(table, []).append(column)
    finally:
        db.close_all()
    return dict(operators=ops, leads=leads, handoffs=handoffs, children=children, columns=columns)


@contextlib.contextmanager
def team_world(pg_server: PgServer) -> Iterator[World]:
    """One database set up by `isdesk teamdb setup`, with the logins and the rows above."""
    name = f"isdesk_matrix{os.getpid()}"
    admin_url = pg_server.create_database(name)
    try:
        setup(admin_url)
        for login, (*_, has_login) in PEOPLE.items():
            if has_login:
                grant(admin_url, login)
        yield World(pg_server, name, **_seed(admin_url))
    finally:
        from isdesk.store.db import database_proxy

        if database_proxy.obj is not None and hasattr(database_proxy.obj, "close_all"):
            database_proxy.obj.close_all()
        pg_server.drop_database(name)
