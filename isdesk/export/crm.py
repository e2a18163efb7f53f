"""Lead files for field sales' CRM: the columns Salesforce's and HubSpot's importers take.

- ``salesforce``: a Lead import for the Data Import Wizard or Data Loader, headed by field API
  names (the wizard maps them by itself). ``LastName`` and ``Company`` are required there, so a
  lead without a contact name gets ``LastName`` = 不明 / Unknown. ``Status`` uses the Lead Status
  values of a current org (New, Working, Nurturing, Qualified, Unqualified: a hand-off is
  Qualified), ``Rating`` is Hot / Warm / Cold from the rank (A / B / C–D), ``LeadSource`` the
  standard picklist value where isdesk's source has one. ``Isdesk_Lead_Id__c`` is the isdesk id,
  meant for a custom text field marked *External ID* so a second import updates instead of
  duplicating (create it once: Setup → Object Manager → Lead → Fields).
- ``hubspot``: a contacts import, headed by the property labels HubSpot matches on (First Name,
  Last Name, Email, Phone Number, Company Name, Job Title, Lifecycle Stage, Lead Status), plus
  ``isdesk Lead ID`` and ``isdesk Notes``, which the import wizard offers to create as custom
  properties (mark the id unique to deduplicate on it). A hand-off or SQL is a Sales Qualified
  Lead; HubSpot dedupes contacts on Email.
- ``isdesk``: isdesk's own lead list (the columns ``isdesk import`` reads with ``--mapping
  isdesk``), with rank, SQL, stage, owner, team and the hand-off.

Every mapping puts the BANT note and the hearing answers in its description column
(``Description`` / ``isdesk Notes`` / ``description``). Re-importing any of these files into
isdesk merges into the same leads (they match on e-mail, then phone).

CSV: UTF-8 with a BOM, CRLF, formulas neutralised with a leading ``'`` (as every isdesk CSV);
XLSX: one typed sheet, text kept as text (see :mod:`isdesk.export.xlsx`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from isdesk.export.writer import BOM, neutralize

if TYPE_CHECKING:  # the command line reads MAPPINGS without loading the query code
    from isdesk.export.leads import LeadExport, LeadRecord

MAPPINGS = ("salesforce", "hubspot", "isdesk")
FORMATS = ("csv", "xlsx")

Value = str | int | bool | dt.date | dt.datetime | None


@dataclass(frozen=True)
class CrmColumn:
    header: str
    kind: str  # an isdesk.export.xlsx kind: text, int, bool, date, datetime
    value: Callable[[LeadRecord, str], Value]  # (lead, language) -> cell


def split_name(contact: str) -> tuple[str, str]:
    """(last, first) from a Japanese-order name: 山田 太郎 / 山田　太郎 → (山田, 太郎)."""
    parts = contact.replace("\u3000", " ").split(None, 1)
    if not parts:
        return "", ""
    return parts[0], parts[1] if len(parts) > 1 else ""


def _last_name(lead: LeadRecord, lang: str) -> str:
    return split_name(lead.contact)[0] or ("不明" if lang == "ja" else "Unknown")


# isdesk's source labels → Salesforce's standard LeadSource picklist (the reverse of the import
# preset's map); anything else is written as it is.
_SALESFORCE_SOURCES: Mapping[str, str] = {
    "Webサイト": "Web", "問い合わせ": "Phone Inquiry", "紹介": "Partner Referral",
    "テレアポリスト": "Purchased List", "展示会": "Trade Show", "セミナー": "Seminar - Internal",
    "ウェビナー": "Webinar",
}  # fmt: skip
_SALESFORCE_STATUS = {
    "open": "Working", "handed_off": "Qualified", "nurturing": "Nurturing", "won": "Qualified",
    "lost": "Unqualified",
}  # fmt: skip
_RATING = {"A": "Hot", "B": "Warm"}
_HUBSPOT_STATUS = {
    "open": "In Progress", "handed_off": "Open Deal", "nurturing": "Bad Timing",
    "lost": "Unqualified", "won": "Open Deal",
}  # fmt: skip


def _sf_status(lead: LeadRecord, _: str) -> str:
    return _SALESFORCE_STATUS.get(lead.status, "Working")


def _lifecycle(lead: LeadRecord, _: str) -> str:
    if lead.status == "won":
        return "Customer"
    if lead.status == "handed_off" or lead.is_sql:
        return "Sales Qualified Lead"
    return "Lead"


def _col(header: str, value: Callable[[LeadRecord, str], Value], kind: str = "text") -> CrmColumn:
    return CrmColumn(header, kind, value)


_SALESFORCE = (
    _col("Isdesk_Lead_Id__c", lambda r, _: str(r.id)),
    _col("LastName", _last_name),
    _col("FirstName", lambda r, _: split_name(r.contact)[1]),
    _col("Company", lambda r, _: r.company),
    _col("Title", lambda r, _: r.title),
    _col("Email", lambda r, _: r.email),
    _col("Phone", lambda r, _: r.phone),
    _col("LeadSource", lambda r, _: _SALESFORCE_SOURCES.get(r.source, r.source)),
    _col("Status", _sf_status),
    _col("Rating", lambda r, _: _RATING.get(r.rank, "Cold")),
    _col("Description", lambda r, _: r.description),
)
_HUBSPOT = (
    _col("isdesk Lead ID", lambda r, _: str(r.id)),
    _col("First Name", lambda r, _: split_name(r.contact)[1]),
    _col("Last Name", _last_name),
    _col("Email", lambda r, _: r.email),
    _col("Phone Number", lambda r, _: r.phone),
    _col("Company Name", lambda r, _: r.company),
    _col("Job Title", lambda r, _: r.title),
    _col("Lifecycle Stage", _lifecycle),
    _col("Lead Status", lambda r, _: _HUBSPOT_STATUS.get(r.status, "In Progress")),
    _col("isdesk Notes", lambda r, _: r.description),
)
_ISDESK = (
    _col("lead_id", lambda r, _: r.id, "int"),
    _col("company", lambda r, _: r.company),
    _col("contact", lambda r, _: r.contact),
    _col("title", lambda r, _: r.title),
    _col("phone", lambda r, _: r.phone),
    _col("email", lambda r, _: r.email),
    _col("source", lambda r, _: r.source),
    _col("campaign", lambda r, _: r.campaign),
    _col("acquired_at", lambda r, _: r.acquired_at, "datetime"),
    _col("status", lambda r, _: r.status),
    _col("stage", lambda r, _: r.stage),
    _col("rank", lambda r, _: r.rank),
    _col("sql", lambda r, _: r.is_sql, "bool"),
    _col("owner", lambda r, _: r.owner),
    _col("team", lambda r, _: r.team),
    _col("handed_off_at", lambda r, _: r.handoff.at if r.handoff else None, "datetime"),
    _col("handed_to", lambda r, _: r.handoff.to_user if r.handoff else ""),
    _col("description", lambda r, _: r.description),
)
COLUMNS: Mapping[str, tuple[CrmColumn, ...]] = {
    "salesforce": _SALESFORCE,
    "hubspot": _HUBSPOT,
    "isdesk": _ISDESK,
}


def table(
    export: LeadExport, mapping: str, lang: str = "en"
) -> tuple[list[str], list[list[Value]]]:
    """(header, rows) of ``export`` in ``mapping``'s columns."""
    columns = COLUMNS[mapping]
    rows = [[c.value(lead, lang) for c in columns] for lead in export.leads]
    return [c.header for c in columns], rows


def _csv_value(value: Value) -> str | int:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return value
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")  # local; Excel and the importers read it
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralize(value)


def render_leads(export: LeadExport, mapping: str, fmt: str = "csv", lang: str = "en") -> bytes:
    """The file's bytes; the same leads give the same bytes."""
    if mapping not in COLUMNS:
        raise ValueError(f"mapping {mapping!r}: choose one of {', '.join(MAPPINGS)}")
    header, rows = table(export, mapping, lang)
    if fmt == "xlsx":
        from isdesk.export import xlsx

        kinds = [c.kind for c in COLUMNS[mapping]]
        sheet = xlsx.Sheet(
            "leads",
            tuple(xlsx.SheetColumn(h, k) for h, k in zip(header, kinds, strict=True)),
            tuple(tuple(row) for row in rows),
        )
        return xlsx.render_workbook(
            [sheet], created=dt.datetime(2000, 1, 1), title=f"isdesk leads for {mapping}"
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return BOM + buffer.getvalue().encode("utf-8")
