"""One file row → a clean lead record, or the reason it cannot be imported (pure, no I/O)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from isdesk.i18n import current_language
from isdesk.importer import normalize as n
from isdesk.importer.mappings import FieldMap, LeadMapping
from isdesk.rules.mappings import PHONE_FIELDS

__all__ = ["Options", "Record", "Reject", "convert_row", "parse_when"]

DEFAULT_SOURCE = "インポート"

_REASONS = {
    "unreachable": ("連絡先がありません (メールも電話番号も空か無効: {detail})",
                    "no way to reach the person (no usable e-mail or phone: {detail})"),
    "date": ("{column} の日付 {value!r} を読めません ({expected})",
             "{column}: {value!r} is not a date ({expected})"),
    "source": ("{column} の値 {value!r} はマッピング {mapping} の sources にありません",
               "{column}: {value!r} is not in the sources of mapping {mapping}"),
    "status": ("{column} の値 {value!r} はマッピング {mapping} の stages にありません",
               "{column}: {value!r} is not in the stages of mapping {mapping}"),
    "cost": ("{column} の費用 {value!r} を読めません (例: 350000, ¥350,000, 35万円)",
             "{column}: {value!r} is not an amount in yen (e.g. 350000, ¥350,000, 35万円)"),
    "long": ("{field} が長すぎます ({length} 文字、リードの項目は {limit} 文字まで)",
             "{field}: {length} characters is longer than a lead field holds ({limit})"),
}  # fmt: skip
# Lead fields are VARCHAR(255) on PostgreSQL (peewee's CharField): a longer value would fail the
# whole chunk there, and import on SQLite only, so the row is rejected on both.
MAX_FIELD_CHARS = 255
_LIMITED = ("company", "contact", "title", "department", "phone", "email", "source", "status",
            "campaign", "campaign_type", "external_key")  # fmt: skip
# Which phone field is which kind of number on the lead (LeadProfile.phones shows them).
PHONE_KINDS = {"phone_direct": "direct", "phone": "phone", "phone_mobile": "mobile",
               "phone_department": "department", "phone_company": "company"}  # fmt: skip
# What a do-not-call / opt-out column says when it is set (Salesforce writes true/1, HubSpot
# true, Japanese sheets ○ or はい).
_YES = frozenset({"true", "1", "yes", "y", "t", "x", "はい", "○", "◯", "●", "有", "済",
                  "on", "opted out", "optedout", "対象"})  # fmt: skip


def reason(key: str, **fields: object) -> str:
    ja, en = _REASONS[key]
    return (ja if current_language() == "ja" else en).format(**fields)


@dataclass(frozen=True)
class Options:
    """What the command line adds to every row."""

    source: str | None = None  # --source: overrides the file's source column
    campaign: str | None = None  # --campaign: overrides the file's campaign column
    campaign_type: str | None = None
    campaign_date: dt.date | None = None
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Tokyo"))

    def key(self) -> dict[str, str | None]:
        """The options that shape the rows, as stored with an import (resume checks them)."""
        return {
            "source": self.source,
            "campaign": self.campaign,
            "campaign_type": self.campaign_type,
            "campaign_date": self.campaign_date.isoformat() if self.campaign_date else None,
        }


@dataclass(slots=True)
class Record:
    row: int
    company: str
    contact: str
    title: str
    phone: str
    email: str
    source: str
    status: str
    campaign: str
    campaign_type: str
    campaign_date: dt.date | None
    acquired_at: dt.datetime | None  # aware UTC; None: when imported
    extra: dict[str, str]
    email_key: str
    phone_key: str
    company_key: str
    name_key: str
    department: str = ""
    phones: tuple[tuple[str, str], ...] = ()  # (kind, number as shown), the one to call first
    phone_keys: tuple[str, ...] = ()  # the digits of each, same order
    external_key: str = ""  # "salesforce:00Q…": the source's own record id
    do_not_call: bool = False
    do_not_call_note: str = ""  # which column said so
    bad_phones: tuple[str, ...] = ()  # "column=value" of numbers that are no phone number
    campaign_cost: int | None = None  # yen: a new campaign's cost (isdesk campaign set-cost)

    def as_fields(self) -> dict[str, object]:
        return {
            "company": self.company,
            "contact": self.contact,
            "title": self.title,
            "department": self.department,
            "phone": self.phone,
            "phones": " / ".join(number for _, number in self.phones),
            "email": self.email,
            "source": self.source,
            "status": self.status,
            "campaign": self.campaign,
            "campaign_type": self.campaign_type,
            "campaign_date": self.campaign_date.isoformat() if self.campaign_date else "",
            "acquired_at": self.acquired_at.isoformat() if self.acquired_at else "",
            "external_key": self.external_key,
            "do_not_call": "yes" if self.do_not_call else "",
        }


@dataclass(frozen=True, slots=True)
class Reject:
    row: int
    cells: Sequence[str]
    reason: str


# The common numeric forms, read without strptime (10x faster): 2026-10-01, 2026/10/01 9:30,
# 2026-10-01 09:30:00 (local time).
_NUMERIC = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
_FORMATS = (
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y-%m-%d", "%Y.%m.%d",
    "%Y年%m月%d日 %H:%M", "%Y年%m月%d日 %H時%M分", "%Y年%m月%d日", "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M %p", "%m/%d/%Y", "%Y%m%d",
)  # fmt: skip


def _kept(value: str) -> str:
    """An extra column's value: trimmed, line breaks kept (notes are often several lines)."""
    return value.replace("\r\n", "\n").strip()


def parse_when(text: str, fmt: str | None, zone: ZoneInfo) -> dt.datetime:
    """A date or date-time as aware UTC; a time without a zone is the team's local time.

    ``fmt`` (a mapping's date_format) is the only form accepted when given. ValueError if
    the text is not a date.
    """
    text = n.nfkc(text)
    moment: dt.datetime | None = None
    numeric = _NUMERIC.fullmatch(text) if fmt is None else None
    if numeric is not None:
        year, month, day, hour, minute, second = numeric.groups()  # the time is optional
        moment = dt.datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    elif fmt is not None:
        moment = dt.datetime.strptime(text, fmt)
    elif _ISO.fullmatch(text):
        iso = text.replace(" ", "T", 1)
        if iso.endswith("Z"):
            iso = iso[:-1] + "+00:00"
        elif re.search(r"[+-]\d{4}$", iso):
            iso = iso[:-2] + ":" + iso[-2:]
        moment = dt.datetime.fromisoformat(iso)
    else:
        for candidate in _FORMATS:
            try:
                moment = dt.datetime.strptime(text, candidate)
                break
            except ValueError:
                continue
    if moment is None or not 1900 <= moment.year <= 2999:  # year 1 or 9999: a typo, and
        raise ValueError(text)  # out of datetime's range once moved to UTC or local time
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(dt.UTC)


def value_is_yes(value: str) -> bool:
    """Whether a flag column (DoNotCall, an opt-out) is set: true, 1, yes, はい, ○ …"""
    return n.nfkc(value).casefold() in _YES


def convert_row(
    mapping: LeadMapping, fields: FieldMap, row: int, cells: Sequence[str], options: Options
) -> Record | Reject:
    """Map, clean and check one row."""
    columns = fields.fields
    headers = fields.headers
    extra = {headers[i]: _kept(cells[i]) for i in fields.extra if cells[i].strip()}

    def pick(name: str) -> tuple[str, str]:
        """(value, column) of the first non-empty column feeding ``name``."""
        found, column = "", ""
        for i in columns.get(name, ()):
            value = cells[i].strip()
            if not value:
                continue
            if not found:
                found, column = value, headers[i]
            elif value != found:
                extra[headers[i]] = _kept(value)  # e.g. MobilePhone beside Phone
        return found, column

    email_raw, email_column = pick("email")
    email = n.normalize_email(email_raw)
    if email and not n.is_email(email):
        extra[email_column] = email_raw
        email = ""
    phones: list[tuple[str, str]] = []
    keys: list[str] = []
    bad: list[str] = []
    phone_raws: list[str] = []
    for name in PHONE_FIELDS:
        for i in columns.get(name, ()):
            raw = cells[i].strip()
            if not raw:
                continue
            phone_raws.append(f"{headers[i]}={raw!r}")
            checked = n.check_phone(raw)
            if checked is None:
                bad.append(f"{headers[i]}={raw!r}")
                extra[headers[i]] = _kept(raw)  # kept with the lead, never a match key
            elif checked.key not in keys:
                phones.append((PHONE_KINDS[name], checked.display))
                keys.append(checked.key)
    phone = phones[0][1] if phones else ""
    phone_key = keys[0] if keys else ""
    if not email and not phone_key:
        detail = (
            ", ".join(([f"{email_column}={email_raw!r}"] if email_raw else []) + phone_raws) or "-"
        )
        return Reject(row, cells, reason("unreachable", detail=detail))

    source_raw, source_column = pick("source")
    if options.source:
        source = options.source
    elif source_raw and mapping.sources is not None:
        mapped = mapping.sources.lookup(source_raw)
        if mapped is None:
            return Reject(
                row,
                cells,
                reason("source", column=source_column, value=source_raw, mapping=mapping.name),
            )
        source = mapped
    else:
        source = source_raw
    source = n.clean_text(source) or mapping.default_source or DEFAULT_SOURCE

    status_raw, status_column = pick("status")
    status = "open"
    if status_raw and mapping.stages is not None:
        mapped = mapping.stages.lookup(status_raw)
        if mapped is None:
            return Reject(
                row,
                cells,
                reason("status", column=status_column, value=status_raw, mapping=mapping.name),
            )
        status = mapped

    expected = mapping.date_format or "YYYY-MM-DD, YYYY/MM/DD HH:MM, ISO 8601"
    acquired_at = None
    when_raw, when_column = pick("acquired_at")
    if when_raw:
        try:
            acquired_at = parse_when(when_raw, mapping.date_format, options.zone)
        except ValueError:
            return Reject(
                row, cells, reason("date", column=when_column, value=when_raw, expected=expected)
            )
    campaign_date = options.campaign_date
    day_raw, day_column = pick("campaign_date")
    if day_raw and campaign_date is None:
        try:
            campaign_date = (
                parse_when(day_raw, mapping.date_format, options.zone)
                .astimezone(options.zone)
                .date()
            )
        except ValueError:
            return Reject(
                row, cells, reason("date", column=day_column, value=day_raw, expected=expected)
            )

    campaign_cost = None
    cost_raw, cost_column = pick("campaign_cost")
    if cost_raw:
        from isdesk.rules.values import parse_amount

        campaign_cost = parse_amount(cost_raw)
        if campaign_cost is None:
            return Reject(row, cells, reason("cost", column=cost_column, value=cost_raw))

    contact_raw, _ = pick("contact")
    last, _ = pick("last_name")
    first, _ = pick("first_name")
    contact = n.clean_text(contact_raw) or n.join_name(last, first)
    company = n.clean_text(pick("company")[0])
    campaign = n.clean_text(options.campaign or pick("campaign")[0])
    campaign_type = n.clean_text(pick("campaign_type")[0]) or (options.campaign_type or "")
    external_raw, _ = pick("external_id")
    external = n.clean_text(external_raw)
    do_not_call, note = False, ""
    for i in columns.get("do_not_call", ()):
        if value_is_yes(cells[i]):
            do_not_call, note = True, f"{headers[i]}={cells[i].strip()}"
            break
    record = Record(
        row=row,
        company=company,
        contact=contact,
        title=n.clean_text(pick("title")[0]),
        phone=phone,
        email=email,
        source=source,
        status=status,
        campaign=campaign,
        campaign_type=campaign_type,
        campaign_date=campaign_date,
        acquired_at=acquired_at,
        extra=extra,
        email_key=email,
        phone_key=phone_key,
        company_key=n.company_key(company),
        name_key=n.name_key(contact),
        department=n.clean_text(pick("department")[0]),
        phones=tuple(phones),
        phone_keys=tuple(keys),
        external_key=f"{mapping.id_scope}:{external}" if external else "",
        do_not_call=do_not_call,
        do_not_call_note=note,
        bad_phones=tuple(bad),
        campaign_cost=campaign_cost,
    )
    for name in _LIMITED:
        length = len(getattr(record, name))
        if length > MAX_FIELD_CHARS:
            return Reject(
                row, cells, reason("long", field=name, length=length, limit=MAX_FIELD_CHARS)
            )
    return record
