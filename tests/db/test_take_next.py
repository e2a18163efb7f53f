"""Take next: own urgent leads first, then an atomic claim allowed by the group rules and the
cap; many processes at once never get the same lead; `isdesk next` and `isdesk assign`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from peewee import fn

from isdesk.rules import load_rules
from isdesk.rules.routing import AssignmentGroup, AssignmentRules, OperatorSelector
from isdesk.services.assignment import TakeNextRefused, claim_next_lead, take_next_lead
from isdesk.services.assignment import take as take_module
from isdesk.store.db import current_database, is_postgres
from isdesk.store.models import Lead, LeadEvent, Operator
from tests.support.factories import BASE, lead, operator

ROOT = Path(__file__).resolve().parents[2]
NOW = BASE + dt.timedelta(hours=3)
RULES = load_rules()  # the shipped rules: 資料請求 → inbound, 展示会 → outbound


def capped(cap: int):
    return dataclasses.replace(
        RULES, assignment=dataclasses.replace(RULES.assignment, holding_cap=cap)
    )


def test_own_overdue_then_own_new_then_oldest_allowed_unassigned(db) -> None:
    me = operator("a")
    operator("o", "outbound")
    later = lead(me, acquired_days=-1, last_touch_days=-1, next_action_days=3)
    untouched = lead(me, acquired_days=-2)
    overdue = lead(me, acquired_days=-3, last_touch_days=-2, next_action_days=-1)
    trade_show = lead(source="展示会", acquired_days=-30)  # older, but group B: outbound
    oldest_mine = lead(source="無料トライアル", acquired_days=-10)
    lead(source="資料請求", acquired_days=-5)
    taken = take_next_lead(me, RULES, now=NOW)
    assert (taken.id, taken.claimed, taken.reason) == (overdue, False, "own_overdue")
    Lead.update(next_action_at=None).where(Lead.id == overdue).execute()
    taken = take_next_lead(me, RULES, now=NOW)
    assert (taken.id, taken.reason) == (untouched, "own_new")
    Lead.update(last_touch_at=NOW).where(Lead.id == untouched).execute()
    assert not LeadEvent.select().exists()  # giving one's own lead writes nothing
    taken = take_next_lead(me, RULES, now=NOW)
    assert (taken.id, taken.claimed, taken.reason, taken.group) == (
        oldest_mine, True, "claimed", "A",
    )  # fmt: skip
    assert Lead.get_by_id(oldest_mine).owner_id == me.id
    event = LeadEvent.get(LeadEvent.lead == oldest_mine)
    assert (event.kind, event.old_value, event.new_value, event.actor_id) == (
        "owner",
        "",
        "a",
        me.id,
    )
    assert json.loads(event.note)["reason"] == "take_next"
    assert Lead.get_by_id(trade_show).owner_id is None and later


def test_cap_gives_only_own_leads(db) -> None:
    me = operator("a")
    mine = lead(me, acquired_days=-1, last_touch_days=-1, next_action_days=-1)
    lead(me, acquired_days=-1, last_touch_days=-1, next_action_days=5)
    waiting = lead(source="資料請求", acquired_days=-9)
    assert take_next_lead(me, capped(2), now=NOW).id == mine
    Lead.update(next_action_at=NOW + dt.timedelta(days=1)).where(Lead.id == mine).execute()
    assert take_next_lead(me, capped(2), now=NOW) is None  # at the cap: no claim
    assert take_next_lead(me, capped(3), now=NOW).id == waiting


def test_group_rules_limit_what_can_be_taken(db) -> None:
    inbound, outbound = operator("a"), operator("o", "outbound")
    fs = operator("fs", "field", "field")
    show = lead(source="展示会", acquired_days=-3)
    other = lead(source="謎のソース", acquired_days=-2)
    doc = lead(source="資料請求", acquired_days=-1)
    assert claim_next_lead(inbound, RULES, now=NOW).id == other  # 'any' group, then A
    assert claim_next_lead(inbound, RULES, now=NOW).id == doc
    assert claim_next_lead(inbound, RULES, now=NOW) is None  # 展示会 is outbound's
    assert claim_next_lead(outbound, RULES, now=NOW).id == show
    with pytest.raises(TakeNextRefused):
        take_next_lead(fs, RULES, now=NOW)
    names_only = dataclasses.replace(
        RULES, assignment=AssignmentRules()
    )  # one 'any' group: everyone takes everything
    lead(source="展示会", acquired_days=0)
    assert claim_next_lead(inbound, names_only, now=NOW) is not None


def test_sources_are_parameters_and_the_claim_returns_the_lead(db) -> None:
    me = operator("a")
    odd = "O'Reilly\"); DROP TABLE lead; --"
    rules = dataclasses.replace(
        RULES,
        assignment=AssignmentRules(
            groups=(
                AssignmentGroup("odd", (odd,), OperatorSelector(team="inbound")),
                AssignmentGroup("default", None, OperatorSelector(team="outbound")),
            )
        ),
    )
    lead(source="資料請求", acquired_days=-9)  # the `any` group is outbound's
    x = lead(source=odd, acquired_days=-1, company="株式会社'引用符'", phone="03-1111-2222")
    taken = claim_next_lead(me, rules, now=NOW)
    assert (taken.id, taken.group, taken.source, taken.company) == (
        x,
        "odd",
        odd,
        "株式会社'引用符'",
    )
    assert taken.acquired_at == Lead.get_by_id(x).acquired_at and taken.load == 1
    row = Lead.get_by_id(x)
    assert (row.owner_id, row.version, row.updated_at) == (me.id, 2, NOW)
    event = LeadEvent.get(LeadEvent.lead == x)
    assert (event.at, event.kind, event.field, event.actor_id) == (NOW, "owner", "", me.id)
    assert json.loads(event.note) == {
        "reason": "take_next", "rule": "take_next", "group": "odd", "policy": "take_next",
        "load": 0, "cap": 150,
    }  # fmt: skip
    assert claim_next_lead(me, rules, now=NOW) is None
    nobody = dataclasses.replace(
        rules, assignment=dataclasses.replace(rules.assignment, groups=rules.assignment.groups[1:])
    )
    assert claim_next_lead(me, nobody, now=NOW) is None  # no group admits them


def test_the_claim_checks_the_cap_itself(db, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite: the load read before the write lock may be stale (the same operator taking in
    two windows): the claim statement checks the cap again. PostgreSQL reads no load before:
    the claim statement counts it, after the operator's lock."""
    me = operator("a")
    lead(me)
    waiting = lead(source="資料請求", acquired_days=-1)
    real = take_module.claim_statements

    def stale(*args):  # the load query answers 0 whatever the operator holds
        sql = real(*args)
        return dataclasses.replace(sql, load=sql.load.replace("SELECT (", "SELECT 0 * (", 1))

    monkeypatch.setattr(take_module, "claim_statements", stale)
    assert claim_next_lead(me, capped(1), now=NOW) is None
    assert Lead.get_by_id(waiting).owner_id is None and not LeadEvent.select().exists()
    assert claim_next_lead(me, capped(2), now=NOW).id == waiting


def test_owner_note_around_load_splices_to_owner_note() -> None:
    from isdesk.services.assignment.state import owner_note, owner_note_around_load

    for group in ("A", "load", '"load": ', "987654321"):
        head, tail = owner_note_around_load("take_next", "take_next", group, "take_next", 150)
        for load in (0, 7, 149):
            assert head + str(load) + tail == owner_note(
                "take_next", "take_next", group, "take_next", load, 150
            )


def test_a_connection_that_lost_its_prepared_claim_still_claims(db) -> None:
    """PostgreSQL prepares the claim once per connection; a server session that lost it (a
    pooler's DISCARD ALL) gets the plain statement, and the next take prepares it again."""
    me = operator("a")
    first, second, third = (lead(source="資料請求", acquired_days=-9 + i) for i in range(3))
    database = current_database()
    with database.connection_context():
        assert claim_next_lead(me, RULES, now=NOW).id == first
        if is_postgres(database):
            database.execute_sql("DEALLOCATE ALL")
        assert claim_next_lead(me, RULES, now=NOW).id == second
        assert claim_next_lead(me, RULES, now=NOW).id == third
        if is_postgres(database):
            names = [n for (n,) in database.execute_sql("SELECT name FROM pg_prepared_statements")]
            assert len(names) == 1 and names[0].startswith("isdesk_take_")
    events = LeadEvent.select().where(LeadEvent.kind == "owner").order_by(LeadEvent.id)
    assert [json.loads(e.note)["load"] for e in events] == [0, 1, 2]
    assert [e.lead_id for e in events] == [first, second, third]


# --- many processes at once ------------------------------------------------------------------

WORKERS = 4
LEADS = 200


def _run_workers(url: str, names: list[str], *extra: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "tests" / "support" / "take_worker.py"),
                url,
                name,
                NOW.isoformat(),
                *extra,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        for name in names
    ]
    for p in procs:
        assert p.stdout.readline().strip() == "READY", p.stderr.read()
    for p in procs:  # release them together
        p.stdin.write("go\n")
        p.stdin.flush()
    outputs = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 3, err
        outputs.append(out)
    return outputs


@pytest.mark.parametrize("mode", [(), ("--claim-only",)], ids=["take_and_work", "claim_only"])
def test_concurrent_takers_never_share_a_lead(db, db_url: str, mode: tuple[str, ...]) -> None:
    names = [f"op{i}" for i in range(WORKERS)]
    for name in names:
        operator(name)
    rows = [
        {"company": f"会社{i}", "source": "資料請求", "acquired_at": BASE + dt.timedelta(minutes=i)}
        for i in range(LEADS)
    ]
    with current_database().connection_context():
        Lead.insert_many(rows).execute()
        queue = {x.id for x in Lead.select(Lead.id)}
    outputs = _run_workers(db_url, names, *mode)
    taken_by: dict[str, list[int]] = {}
    for name, out in zip(names, outputs, strict=True):
        taken_by[name] = [
            int(line.split()[1]) for line in out.splitlines() if line.startswith("TAKE")
        ]
    assert sum(1 for ids in taken_by.values() if ids) >= 2, "the takers did not overlap"
    every = [i for ids in taken_by.values() for i in ids]
    assert len(every) == len(set(every)), "a lead was given twice"
    assert set(every) == queue, "a lead was lost"
    with current_database().connection_context():
        owner = {x.id: x.owner_id for x in Lead.select(Lead.id, Lead.owner)}
        events = Counter(
            dict(
                LeadEvent.select(LeadEvent.lead, fn.COUNT(LeadEvent.id))
                .where(LeadEvent.kind == "owner")
                .group_by(LeadEvent.lead)
                .tuples()
            )
        )
        ids = {o.name: o.id for o in Operator.select()}
    assert all(events[i] == 1 for i in queue) and len(events) == LEADS
    for name, taken in taken_by.items():
        assert all(owner[i] == ids[name] for i in taken)
    # each process took leads in arrival order
    assert all(taken == sorted(taken) for taken in taken_by.values())


# --- the commands ----------------------------------------------------------------------------


def isdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "isdesk", *args],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip


def test_next_command_prints_the_lead_and_exits_3_when_none(db, db_url: str) -> None:
    operator("a")
    x = lead(source="資料請求", company="株式会社[b]テスト", phone="03-1234-5678")
    done = isdesk("next", "--as", "a", "--format", "json", "--db", db_url)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["id"], out["company"], out["phone"], out["rank"]) == (
        x, "株式会社[b]テスト", "03-1234-5678", "D",
    )  # fmt: skip
    assert out["claimed"] is True and out["contact"] == "田中 一郎"
    again = isdesk("next", "--as", "a", "--db", db_url)  # still untouched: it is theirs now
    assert again.returncode == 0 and again.stdout.startswith(f"{x}\t株式会社[b]テスト")
    Lead.update(next_action_at=NOW + dt.timedelta(days=400)).where(Lead.id == x).execute()
    none = isdesk("next", "--as", "a", "--format", "json", "--db", db_url)
    assert none.returncode == 3 and none.stdout == ""
    stranger = isdesk("next", "--as", "nobody", "--db", db_url)
    assert stranger.returncode == 2 and "not registered" in stranger.stderr


def test_assign_command_dry_run_then_apply(db, db_url: str) -> None:
    operator("boss", role="lead")
    operator("a")
    ids = [lead(source="資料請求", acquired_days=d) for d in range(3)]
    show = lead(source="展示会", acquired_days=5)
    dry = isdesk("assign", "--dry-run", "--format", "json", "--as", "boss", "--db", db_url)
    assert dry.returncode == 0, dry.stderr
    plan = json.loads(dry.stdout)
    assert plan["dry_run"] is True
    assert [r["lead_id"] for r in plan["assigned"]] == ids
    assert [u["lead_id"] for u in plan["unassigned"]] == [show]
    assert not LeadEvent.select().exists()
    done = isdesk("assign", "--as", "boss", "--db", db_url)
    assert done.returncode == 0, done.stderr
    assert (
        "assigned 3 lead(s) in team inbound" in done.stdout
        and "group B goes to team" in done.stdout
    )
    assert LeadEvent.select().where(LeadEvent.kind == "owner").count() == 3
    refused = isdesk("assign", "--as", "a", "--db", db_url)
    assert refused.returncode == 2 and "only a team lead" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_next_on_sqlite_loads_no_postgresql_driver_nor_migrations(db, db_url: str) -> None:
    """What `isdesk next` imports is most of what it costs: a SQLite database needs neither
    psycopg2 (peewee imports it whenever installed) nor the migration machinery (an up-to-date
    schema is one read); afterwards psycopg2 itself still imports."""
    if is_postgres(current_database()):
        pytest.skip("about a SQLite database")
    operator("a")
    lead(source="資料請求", acquired_days=-1)
    code = (
        "import sys\n"
        "from isdesk.cli.main import main\n"
        f"assert main(['--db', {db_url!r}, '--as', 'a', 'next', '--format', 'json']) == 0\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('psycopg2', 'playhouse'))\n"
        "assert not loaded, loaded\n"
        "import psycopg2\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["claimed"] is True
    opened = (
        "from isdesk.cli.common import _load_peewee_without_psycopg2 as load\n"
        "load()\n"
        "from isdesk.store.db import open_database\n"
        "try:\n"
        "    open_database('postgresql://nobody@127.0.0.1:1/none')\n"
        "except RuntimeError as error:\n"
        "    print(error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", opened], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert "open PostgreSQL in a new process" in done.stdout, done.stderr[-2000:]
