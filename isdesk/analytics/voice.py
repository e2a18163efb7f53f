"""顧客の声 (the customers' voice) for marketing: every activity note an operator tagged as the
customer's own words, with who said it and where they came from.

Per note: its local date, the lead (id, company), the campaign the lead arrived through (the
attribution rule of :attr:`~isdesk.analytics.history.History.first_touch_campaign`), the
lead's source, its product of interest (the latest answer to the hearing item ``product``
before as_of), the operator who wrote it, and the note. Filters, all optional and combined:
``start``/``end`` (local days of the note, inclusive), ``campaign`` (its name), ``product``,
``operator`` (login name) and ``search`` (text in the note, company, product or campaign name);
text filters match case- and width-insensitively (NFKC + casefold). Newest first.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from dataclasses import dataclass

from isdesk.analytics.history import History, from_epoch, local_midnight, without_gc
from isdesk.analytics.report import TEXT, Column, ReportBase, Table

PRODUCT_ITEM = "product"  # the hearing item whose answer is the product of interest


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True)
class VoiceNote:
    day: dt.date
    lead: int
    company: str
    campaign: str
    source: str
    product: str
    operator: str
    note: str


@dataclass(frozen=True)
class VoiceReport(ReportBase):
    as_of: dt.datetime
    start: dt.date | None
    end: dt.date | None
    filters: tuple[tuple[str, str], ...]  # (name, value) of the filters given
    notes: tuple[VoiceNote, ...]

    kind = "voice"

    def tables(self) -> tuple[Table, ...]:
        shown = ", ".join(f"{k} {v}" for k, v in self.filters) or "all"
        main = Table(
            "voice",
            f"顧客の声: {len(self.notes)} notes ({shown})",
            (
                Column("date", "日付", "Date", TEXT),
                Column("lead", "ID", "Lead"),
                Column("company", "会社名", "Company", TEXT),
                Column("campaign", "キャンペーン", "Campaign", TEXT),
                Column("source", "流入元", "Source", TEXT),
                Column("product", "興味のある商材", "Product", TEXT),
                Column("operator", "担当", "Operator", TEXT),
                Column("note", "顧客の声", "Voice", TEXT),
            ),
            tuple(
                (
                    n.day.isoformat(),
                    n.lead,
                    n.company,
                    n.campaign,
                    n.source,
                    n.product,
                    n.operator,
                    n.note,
                )
                for n in self.notes
            ),
        )
        counts = Counter(n.campaign for n in self.notes)
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        by_campaign = Table(
            "by_campaign",
            "notes per campaign",
            (
                Column("campaign", "キャンペーン", "Campaign", TEXT),
                Column("notes", "件数", "Notes"),
            ),
            tuple(ranked),
        )
        return (main, by_campaign)


@without_gc
def voice_report(
    history: History,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    campaign: str | None = None,
    product: str | None = None,
    operator: str | None = None,
    search: str | None = None,
) -> VoiceReport:
    """The tagged 顧客の声 notes before as_of that pass every filter given, newest first."""
    rules = history.rules
    zone = rules.calendar.zone
    params: list[object] = [history._cutoff]
    where = ""
    if start is not None:
        where += " AND a.at >= ?"
        params.append(_stored(history, local_midnight(start, rules)))
    if end is not None:
        where += " AND a.at < ?"
        params.append(_stored(history, local_midnight(end + dt.timedelta(days=1), rules)))
    rows = history._rows(
        f"SELECT a.lead_id, {history._epoch('a.at')}, a.operator_id, a.note, l.company, "
        'l.source FROM activity a JOIN "lead" l ON l.id = a.lead_id '
        f"WHERE a.customer_voice AND a.at < ?{where} ORDER BY a.at DESC, a.id DESC",
        params,
    )
    products: dict[int, str] = {}
    if any(item.key == PRODUCT_ITEM for item in rules.hearing):
        products = dict(
            history._rows(
                "SELECT lead_id, new_value FROM lead_event WHERE kind = 'answer' AND field = ? "
                "AND at < ? ORDER BY at, id",
                (PRODUCT_ITEM, history._cutoff),
            )
        )
    names = history.campaigns
    arrived = history.first_touch_campaign
    ops = history.operators.names
    wanted = {
        "campaign": _fold(campaign) if campaign else None,
        "product": _fold(product) if product else None,
        "search": _fold(search) if search else None,
    }
    notes = []
    for lead, at, op, note, company, source in rows:
        cid = arrived.get(lead)
        name = names[cid][0] if cid in names else ""
        said = products.get(lead) or ""
        if wanted["campaign"] is not None and _fold(name) != wanted["campaign"]:
            continue
        if wanted["product"] is not None and wanted["product"] not in _fold(said):
            continue
        if operator is not None and ops.get(op) != operator:
            continue
        if wanted["search"] is not None and wanted["search"] not in _fold(
            f"{note}\n{company}\n{said}\n{name}"
        ):
            continue
        day = from_epoch(at).astimezone(zone).date()
        notes.append(VoiceNote(day, lead, company, name, source, said, ops.get(op, ""), note))
    given = (
        ("campaign", campaign),
        ("product", product),
        ("operator", operator),
        ("search", search),
    )
    return VoiceReport(
        history.as_of_dt,
        start,
        end,
        tuple((k, v) for k, v in given if v),
        tuple(notes),
    )


def _stored(history: History, moment: dt.datetime) -> object:
    """A UTC instant as the database compares it with a stored timestamp (see _cutoff)."""
    naive = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return naive if history.postgres else naive.isoformat(sep=" ")
