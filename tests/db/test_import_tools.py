"""Imports from the tools around the desk, on SQLite and PostgreSQL: business cards (Sansan,
Eight), phones that are phones, CRM record ids and re-exports, do-not-call, kana search."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

from isdesk.importer import Options, import_file
from isdesk.rules import load_rules
from isdesk.services.assignment import (
    assign_unassigned,
    claim_next_lead,
    route_returning_leads,
    take_next_lead,
)
from isdesk.services.contact import set_do_not_call
from isdesk.services.queue import QueueQuery, QueueScope, count_queue, queue_page
from isdesk.store.models import Lead, LeadEvent, Touch
from tests.support import factories as f
from tests.unit.test_import import copy

RULES = load_rules(None)
NOW = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)


def run(db, path: Path, **kwargs):
    kwargs.setdefault("now", NOW)
    return import_file(path, rules=RULES, **kwargs)


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def found(actor, text: str, scope: QueueScope = QueueScope.UNASSIGNED) -> list[str]:
    rows = queue_page(QueueQuery(actor=actor, scope=scope, text=text, now=NOW), 0, 50)
    return sorted(r.contact for r in rows)


# --- business cards ------------------------------------------------------------------------


def test_a_sansan_export_keeps_every_number_the_department_and_the_exchange_day(
    db, tmp_path: Path
) -> None:
    summary = run(db, copy("sansan_cards.csv", tmp_path), assign=False)
    assert (summary.mapping, summary.mapping_detected) == ("sansan", True)
    assert (summary.read, summary.created, summary.rejected) == (4, 4, 0)
    # the junk number is reported, kept in extra, and never a phone of the lead
    assert summary.phones_invalid["rows"] == 1
    assert summary.phones_invalid["samples"] == [{"row": 5, "values": ["電話番号='0000000000'"]}]
    with db.connection_context():
        saito = Lead.get(Lead.email == "k.saito@takashima-ss.co.jp")
        assert (saito.contact, saito.department, saito.title) == (
            "齋藤 健一", "営業本部 第一営業部", "課長"
        )  # fmt: skip
        assert saito.phone == "03-5436-1234"  # 直通 first
        assert json.loads(saito.phones) == [
            {"kind": "direct", "number": "03-5436-1234"},
            {"kind": "mobile", "number": "090-3456-7812"},
            {"kind": "company", "number": "03-5436-1200"},
        ]
        # 名刺交換日 2026/10/22 (Tokyo) is when the lead was acquired
        assert saito.acquired_at == dt.datetime(2026, 10, 21, 15, 0, tzinfo=dt.UTC)
        assert saito.external_key == "sansan:CB0000001847"
        assert saito.source == "展示会"  # a business card: the trade-show group's source
        watanabe = Lead.get(Lead.email == "m.watanabe@sakura-sys.jp")
        assert watanabe.phone == "080-2222-9090"  # no 直通: 携帯, then 会社
        ocean = Lead.get(Lead.email == "nakamura@ocean-logi.co.jp")
        assert (ocean.phone, json.loads(ocean.phones)) == ("", [])
        assert json.loads(ocean.extra)["電話番号"] == "0000000000"
    boss = f.operator("boss", role="lead")
    # every number finds the lead, with or without hyphens; variant kanji fold (髙/高, 齋/斎)
    for text in ("0354361234", "03-5436-1234", "09034567812", "0354361200", "高島", "斎藤"):
        assert found(boss, text) == ["齋藤 健一"], text
    assert found(boss, "0000000000") == []


def test_an_eight_export_is_not_taken_for_salesforce(db, tmp_path: Path) -> None:
    summary = run(db, copy("eight_cards.csv", tmp_path), assign=False)
    assert (summary.mapping, summary.read, summary.created) == ("eight", 3, 3)
    with db.connection_context():
        yamada = Lead.get(Lead.email == "t.yamada@sakura-sys.jp")
        kinds = [p["kind"] for p in json.loads(yamada.phones)]
        assert kinds == ["direct", "mobile", "department", "company"]
        assert yamada.department == "営業企画部"
        ito = Lead.get(Lead.email == "ito@bayside-shoji.jp")
        assert ito.phone == "045-211-5012 内線 204"  # the extension is kept
        takahashi = Lead.get(Lead.contact == "高橋 あゆみ")
        assert takahashi.phone == "080-7777-1234" and takahashi.email == ""
    boss = f.operator("boss", role="lead")
    assert found(boss, "0452115012") == ["伊藤 隆"]
    # ｻｸﾗｼｽﾃﾑ (half-width), サクラシステム and さくらしすてむ are one name
    assert found(boss, "さくらしすてむ") == ["山田 太郎"]
    assert found(boss, "サクラシステム") == ["山田 太郎"]


# --- phones that are phones ----------------------------------------------------------------


def test_a_junk_number_never_merges_two_companies(db, tmp_path: Path) -> None:
    rows = [
        ["company", "contact", "phone", "email"],
        ["株式会社アルファ", "田中 一郎", "0000000000", "tanaka@alpha.example.jp"],
        ["ベータ株式会社", "佐藤 花子", "0000000000", "sato@beta.example.jp"],
        ["ガンマ株式会社", "鈴木 次郎", "090-1234-567", ""],  # one digit short: no way to reach
    ]
    summary = run(db, write_csv(tmp_path / "junk.csv", rows), assign=False)
    assert (summary.created, summary.merged, summary.rejected) == (2, 0, 1)
    assert summary.phones_invalid["rows"] == 2  # reported; the third row's reject says why
    assert "090-1234-567" in summary.reject_samples[0]["reason"]
    with db.connection_context():
        assert Lead.select().count() == 2
        assert {lead.phone for lead in Lead.select()} == {""}


# --- a re-export is not a return -----------------------------------------------------------


def test_a_weekly_re_export_with_one_new_row_creates_one_and_touches_nobody(
    db, tmp_path: Path
) -> None:
    owner = f.operator("d1", team="outbound")
    first = run(db, copy("salesforce_leads.csv", tmp_path), assign=False)
    assert first.created == 5
    with db.connection_context():
        Lead.update(owner=owner.id).execute()
        touches = Touch.select().count()
    lines = copy("salesforce_leads.csv", tmp_path).read_text(encoding="utf-8").splitlines()
    lines.append(
        '"00Q5j00000AbCdE6","六郎","山本","ゼータ株式会社","","yamamoto@zeta.example.jp",'
        '"03-7777-8888","","Web","Open - Not Contacted","","IT","10","2026-10-30T01:00:00.000Z"'
    )
    again = tmp_path / "salesforce_week2.csv"
    again.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = run(db, again, assign=False)
    assert (summary.read, summary.created, summary.merged, summary.unchanged) == (6, 1, 0, 5)
    assert summary.unchanged_by == {"external": 5}
    assert summary.routing.get("routed", 0) == 0
    report = summary.to_json()
    assert (report["created"], report["merged"], report["unchanged"]) == (1, 0, 5)
    with db.connection_context():
        assert Touch.select().count() == touches + 1  # only the new lead's arrival
        assert Lead.select().where(Lead.owner == owner.id).count() == 5  # nobody moved

    # a row that brings something new (a campaign the lead was never in) is a return
    week3 = tmp_path / "salesforce_week3.csv"
    week3.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    seminar = run(db, week3, assign=False, options=Options(campaign="秋のセミナー"))
    assert (seminar.created, seminar.merged, seminar.unchanged) == (0, 6, 0)


def test_a_re_export_that_now_says_do_not_call_marks_the_known_lead(db, tmp_path: Path) -> None:
    header = ["Id", "LastName", "Company", "Email", "Phone", "DoNotCall", "CreatedDate"]
    first = [header, ["00Q1", "田中", "アクメ", "t@acme.example.jp", "03-1234-5678", "false",
                      "2026-10-01"]]  # fmt: skip
    run(db, write_csv(tmp_path / "week1.csv", first), assign=False)
    second = [header, ["00Q1", "田中", "アクメ", "t@acme.example.jp", "03-1234-5678", "true",
                       "2026-10-01"]]  # fmt: skip
    summary = run(db, write_csv(tmp_path / "week2.csv", second), assign=False)
    assert (summary.unchanged, summary.do_not_call) == (1, 1)
    with db.connection_context():
        lead = Lead.get()
        assert lead.do_not_call and lead.do_not_call_note == "DoNotCall=true"
        event = LeadEvent.get(LeadEvent.kind == "do_not_call")
        assert (event.lead_id, event.new_value) == (lead.id, "yes")


# --- do-not-call ---------------------------------------------------------------------------


def test_do_not_call_leads_are_never_handed_out_nor_taken(db, tmp_path: Path) -> None:
    rows = [
        ["Record ID", "Last Name", "Company Name", "Email", "Phone Number", "Create Date",
         "Opted out of all email"],
        ["51", "山田", "アルファ", "yamada@alpha.example.jp", "03-1111-2222", "2026-10-01", "true"],
        ["52", "佐藤", "ベータ", "sato@beta.example.jp", "03-3333-4444", "2026-10-02", "false"],
    ]  # fmt: skip
    summary = run(db, write_csv(tmp_path / "hubspot.csv", rows), assign=False)
    assert (summary.mapping, summary.created, summary.do_not_call) == ("hubspot", 2, 1)
    with db.connection_context():
        opted = Lead.get(Lead.external_key == "hubspot:51")
        assert opted.do_not_call and "Opted out of all email" in opted.do_not_call_note
    op = f.operator("sato", team="inbound")
    report = assign_unassigned(RULES, now=NOW, dry_run=True)
    assert [r.company for r in report.rows] == ["ベータ"]
    taken = take_next_lead(op, RULES, now=NOW)
    assert taken is not None and taken.company == "ベータ"
    assert claim_next_lead(op, RULES, now=NOW) is None  # the opted-out lead is never claimed
    with db.connection_context():
        assert Lead.get_by_id(opted.id).owner_id is None

    # set on the lead screen's service: the operator's own lead leaves take-next, says why
    change = set_do_not_call(op, taken.id, True, now=NOW, reason="先方より架電拒否")
    assert change.do_not_call and "先方より架電拒否" in change.note and "sato" in change.note
    assert take_next_lead(op, RULES, now=NOW) is None
    assert count_queue(QueueQuery(actor=op, now=NOW)) == 1  # still in the list, marked
    row = queue_page(QueueQuery(actor=op, now=NOW), 0, 1)[0]
    assert row.do_not_call
    set_do_not_call(op, taken.id, False, now=NOW)
    again = take_next_lead(op, RULES, now=NOW)
    assert again is not None and again.id == taken.id


# --- returning leads go to someone who can work them ---------------------------------------


def _returning_setup(others: int, cap_full: bool = False):
    d1 = f.operator("d1", team="outbound")
    lead_id = f.lead(d1, source="展示会", acquired_days=-400, last_touch_days=-200)
    for i in range(others):
        other = f.operator(f"d{i + 2}", team="outbound")
        if cap_full:
            for j in range(RULES.assignment.holding_cap):
                f.lead(other, contact=f"保持 {i}-{j}", source="展示会", email=f"h{i}{j}@x.jp")
    return lead_id


def test_a_returning_lead_whose_only_operator_is_its_owner_stays_with_them(db) -> None:
    lead_id = _returning_setup(others=0)
    (route,) = route_returning_leads([lead_id], RULES, now=NOW)
    assert (route.action, route.rule, route.owner_after) == (
        "keep", "returning.no_other_operator", "d1"
    )  # fmt: skip
    assert "no active operator" not in route.message and "stays with d1" in route.message
    with db.connection_context():
        assert Lead.get_by_id(lead_id).owner.name == "d1"
    # nothing is left for the next `isdesk assign` to hand straight back
    assert assign_unassigned(RULES, now=NOW, dry_run=True).rows == ()


def test_a_returning_lead_goes_to_another_operator_with_room(db) -> None:
    lead_id = _returning_setup(others=1)
    (route,) = route_returning_leads([lead_id], RULES, now=NOW)
    assert (route.action, route.owner_before, route.owner_after) == ("reassign", "d1", "d2")


def test_a_returning_lead_stays_when_everyone_else_is_at_the_cap(db) -> None:
    lead_id = _returning_setup(others=1, cap_full=True)
    (route,) = route_returning_leads([lead_id], RULES, now=NOW)
    assert (route.action, route.owner_after) == ("keep", "d1")
    assert "at the cap" in route.message
