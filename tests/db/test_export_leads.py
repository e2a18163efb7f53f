"""`isdesk export leads`: who may export which leads, the filters, and each CRM's columns,
on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import openpyxl
import pytest

from isdesk.export.crm import render_leads, split_name
from isdesk.export.daily import ExportError
from isdesk.export.leads import lead_export
from isdesk.i18n import set_language
from isdesk.rules import load_rules
from isdesk.services.handoff import hand_off, reject_handoff
from isdesk.services.leads import save_answer
from isdesk.services.operators import Actor
from tests.support import factories as f

RULES = load_rules(None)
TODAY = dt.date(2026, 11, 20)
JST = dt.timezone(dt.timedelta(hours=9))
SQL_ANSWERS = {
    "pain": "Excel管理が限界",
    "budget": "300万",
    "timing": "2026-12-10",
    "authority": "情報システム部長",
    "competitors": "Salesforce",
    "purpose": "属人化の解消",
}


@dataclass
class Desk:
    lead: Actor
    sato: Actor
    suzuki: Actor
    field: Actor
    other_lead: Actor
    handed: int  # sato's SQL, handed to field on 11-18
    sql_only: int  # sato's SQL, not handed off
    plain: int  # sato's, nothing heard
    suzuki_handed: int  # suzuki's, handed on 11-20
    sent_back: int  # handed off and rejected by field sales
    other_team: int


def _sql_lead(owner: Actor, **fields: object) -> int:
    lead_id = f.lead(owner, **fields)
    for key, value in SQL_ANSWERS.items():
        save_answer(owner, lead_id, key, value, base_version=0, rules=RULES, today=TODAY)
    return lead_id


def build_desk() -> Desk:
    lead = f.operator("lee", role="lead", display="李")
    sato = f.operator("sato", display="佐藤")
    suzuki = f.operator("suzuki", display="鈴木")
    field = f.operator("mori", team="field", role="field", display="森 営業")
    other_lead = f.operator("ota", team="outbound", role="lead", display="太田")
    outsider = f.operator("kato", team="outbound", display="加藤")
    handed = _sql_lead(sato, company="株式会社アクメ", contact="山本 太郎",
                       email="yamamoto@acme.example", phone="03-1234-5678", title="部長",
                       source="展示会")  # fmt: skip
    sql_only = _sql_lead(sato, company="=HYPERLINK(\"x\")", contact="高橋　花子",
                         email="takahashi@b.example")  # fmt: skip
    plain = f.lead(sato, company="株式会社シー", contact="", phone="06-1111-2222")
    suzuki_handed = _sql_lead(suzuki, company="ディー株式会社", contact="佐々木",
                              email="sasaki@d.example")  # fmt: skip
    sent_back = _sql_lead(sato, company="イー株式会社", contact="伊藤 次郎", email="ito@e.example")
    other_team = _sql_lead(outsider, company="エフ株式会社", contact="F", email="f@f.example")
    hand_off(sato, handed, "mori", "予算確保済み。12月に決裁。", RULES,
             now=dt.datetime(2026, 11, 18, 10, tzinfo=JST))  # fmt: skip
    hand_off(suzuki, suzuki_handed, "mori", "至急", RULES,
             now=dt.datetime(2026, 11, 20, 23, 30, tzinfo=JST))  # fmt: skip
    hand_off(sato, sent_back, "mori", "どうぞ", RULES,
             now=dt.datetime(2026, 11, 19, 9, tzinfo=JST))  # fmt: skip
    from isdesk.store.pipeline import Handoff

    back = Handoff.get(Handoff.lead == sent_back).id
    reject_handoff(field, back, "not_qualified", RULES, comment="予算なし",
                   now=dt.datetime(2026, 11, 19, 12, tzinfo=JST))  # fmt: skip
    return Desk(lead, sato, suzuki, field, other_lead, handed, sql_only, plain, suzuki_handed,
                sent_back, other_team)  # fmt: skip


def ids(export) -> list[int]:
    return [r.id for r in export.leads]


def test_each_role_exports_what_is_theirs(db) -> None:
    d = build_desk()
    everything = lead_export(d.lead, RULES)
    assert ids(everything) == sorted([d.handed, d.sql_only, d.plain, d.suzuki_handed,
                                      d.sent_back])  # fmt: skip
    assert d.other_team not in ids(everything)  # another team's lead
    assert ids(lead_export(d.sato, RULES)) == [d.handed, d.sql_only, d.plain, d.sent_back]
    assert ids(lead_export(d.field, RULES)) == [d.handed, d.suzuki_handed, d.sent_back]
    assert ids(lead_export(d.other_lead, RULES)) == [d.other_team]
    with pytest.raises(ExportError, match="only it"):
        lead_export(d.lead, RULES, team="outbound")
    with pytest.raises(ExportError, match="--team is for team leads"):
        lead_export(d.sato, RULES, team="inbound")


def test_filters_combine(db) -> None:
    d = build_desk()
    assert ids(lead_export(d.lead, RULES, handed_off=True)) == [d.handed, d.suzuki_handed]
    assert ids(lead_export(d.lead, RULES, sql=True)) == [d.handed, d.sql_only, d.suzuki_handed,
                                                         d.sent_back]  # fmt: skip
    # The range is of local (JST) days: 23:30 JST on 11-20 is still the 20th.
    day = dt.date(2026, 11, 20)
    assert ids(lead_export(d.lead, RULES, handed_off=True, start=day, end=day)) == [d.suzuki_handed]
    early = lead_export(d.lead, RULES, handed_off=True, end=dt.date(2026, 11, 19))
    assert ids(early) == [d.handed]
    assert ids(lead_export(d.lead, RULES, team="inbound", handed_off=True, sql=True)) == [
        d.handed, d.suzuki_handed,
    ]  # fmt: skip
    with pytest.raises(ExportError, match="before"):
        lead_export(d.lead, RULES, start=day, end=dt.date(2026, 11, 1))


def test_the_description_carries_bant_answers_and_the_note(db) -> None:
    set_language("ja")
    d = build_desk()
    record = next(r for r in lead_export(d.lead, RULES).leads if r.id == d.handed)
    assert record.team == "inbound" and record.owner == "mori"  # field owns it now
    assert record.handoff is not None and record.handoff.to_user == "mori"
    assert record.handoff.at == dt.datetime(2026, 11, 18, 10, tzinfo=JST)
    text = record.description
    assert text.startswith("【BANT】")
    for value in ("300万", "情報システム部長", "2026-12-10", "Excel管理が限界", "Salesforce"):
        assert value in text
    assert "予算確保済み。12月に決裁。" in text
    assert {key for key, _, _ in record.answers} == set(SQL_ANSWERS)


def _csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    return list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def test_salesforce_columns(db) -> None:
    d = build_desk()
    rows = _csv(render_leads(lead_export(d.lead, RULES), "salesforce", "csv", "ja"))
    assert list(rows[0])[:5] == ["Isdesk_Lead_Id__c", "LastName", "FirstName", "Company", "Title"]
    by_id = {int(r["Isdesk_Lead_Id__c"]): r for r in rows}
    acme = by_id[d.handed]
    assert (acme["LastName"], acme["FirstName"], acme["Company"]) == (
        "山本",
        "太郎",
        "株式会社アクメ",
    )
    assert (acme["Email"], acme["Phone"], acme["Title"]) == (
        "yamamoto@acme.example", "03-1234-5678", "部長",
    )  # fmt: skip
    assert acme["LeadSource"] == "Trade Show"  # 展示会 as Salesforce's picklist has it
    assert acme["Status"] == "Qualified" and acme["Rating"] in ("Hot", "Warm", "Cold")
    assert "【BANT】" in acme["Description"] and "300万" in acme["Description"]
    takahashi = by_id[d.sql_only]
    assert (takahashi["LastName"], takahashi["FirstName"]) == ("高橋", "花子")  # full-width space
    assert takahashi["Company"] == '\'=HYPERLINK("x")'  # neutralised like every isdesk CSV
    assert takahashi["Status"] == "Working"
    assert by_id[d.plain]["LastName"] == "不明"  # Salesforce requires a last name


def test_hubspot_columns_and_a_workbook(db) -> None:
    d = build_desk()
    export = lead_export(d.lead, RULES, handed_off=True)
    rows = _csv(render_leads(export, "hubspot", "csv", "en"))
    assert list(rows[0]) == [
        "isdesk Lead ID", "First Name", "Last Name", "Email", "Phone Number", "Company Name",
        "Job Title", "Lifecycle Stage", "Lead Status", "isdesk Notes",
    ]  # fmt: skip
    first = rows[0]
    assert first["isdesk Lead ID"] == str(d.handed)
    assert first["Lifecycle Stage"] == "Sales Qualified Lead"
    assert first["Lead Status"] == "Open Deal"
    assert "BANT" in first["isdesk Notes"]
    book = openpyxl.load_workbook(io.BytesIO(render_leads(export, "isdesk", "xlsx")))
    ws = book["leads"]
    header = [c.value for c in ws[1]]
    values = dict(zip(header, ws[2], strict=True))
    assert values["lead_id"].value == d.handed and values["lead_id"].data_type == "n"
    assert values["sql"].value is True
    assert values["handed_off_at"].value == dt.datetime(2026, 11, 18, 10)  # local time
    assert values["acquired_at"].is_date
    assert render_leads(export, "isdesk", "xlsx") == render_leads(export, "isdesk", "xlsx")


def test_split_name() -> None:
    assert split_name("山田 太郎") == ("山田", "太郎")
    assert split_name("山田　太郎") == ("山田", "太郎")
    assert split_name("佐々木") == ("佐々木", "")
    assert split_name("  ") == ("", "")
    assert split_name("Mary Ann Smith") == ("Mary", "Ann Smith")
