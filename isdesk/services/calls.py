"""Calls from outside the workstation: one logged by a dialer or phone system
(``isdesk log call``) and a phone system's call log (MiiTel-style CSV, ``isdesk log calls``).

Both find the lead by phone number (any of its numbers, digits compared) when no lead id is
given, and record an ordinary ``call`` activity, so the calls count in the KPIs like any other.
A call log imported twice records each call once (same lead, time and length: skipped).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from isdesk.domain.kpi import CALL_OUTCOMES
from isdesk.importer import normalize as n
from isdesk.importer.convert import parse_when
from isdesk.importer.reader import read_table
from isdesk.rules.mappings import header_key
from isdesk.services.activities import ActivityError, ActivityInput, LoggedActivity, log_activity
from isdesk.services.contact import PhoneMatch, find_leads_by_phone
from isdesk.services.operators import Actor
from isdesk.store.db import current_database
from isdesk.store.models import Activity, Lead, Operator

__all__ = ["CallLogError", "CallLogSummary", "import_call_log", "lead_for_phone", "log_call"]


class CallLogError(ValueError):
    """A call that cannot be recorded as given; the message says what to change."""


def lead_for_phone(number: str, actor: Actor) -> PhoneMatch:
    """The one lead a number belongs to; the actor's own wins when several share it (a
    company's main number). CallLogError when the number is no number or nobody has it."""
    key = n.phone_key(number)
    if not key:
        raise CallLogError(f"--phone {number!r} is not a phone number")
    found = find_leads_by_phone(key)
    if not found:
        raise CallLogError(f"no lead has the number {number}: give --lead ID")
    mine = [m for m in found if m.owner_id == actor.id]
    if len(mine) == 1 or len(found) == 1:
        return (mine or found)[0]
    ids = ", ".join(str(m.lead_id) for m in (mine or found)[:5])
    raise CallLogError(f"{len(found)} leads have the number {number} (ids {ids}): give --lead ID")


def log_call(
    actor: Actor,
    *,
    lead_id: int | None,
    phone: str | None,
    outcome: str,
    duration_s: int,
    recording_url: str = "",
    note: str = "",
    at: dt.datetime | None = None,
) -> LoggedActivity:
    """Record one call on the lead (by id, or by one of its numbers)."""
    if lead_id is None:
        if not phone:
            raise CallLogError("give --lead ID or --phone NUMBER")
        lead_id = lead_for_phone(phone, actor).lead_id
    entry = ActivityInput(
        kind="call",
        outcome=outcome,
        duration_s=duration_s,
        note=note,
        recording_url=recording_url,
    )
    return log_activity(actor, lead_id, entry, now=at)


def parse_duration(text: str) -> int:
    """Seconds from ``95``, ``1:35``, ``00:01:35``, ``95s``, ``1分35秒``; ValueError else."""
    value = n.nfkc(text).lower().replace("秒", "s").replace("分", ":").rstrip("s").strip()
    if value.endswith(":"):
        value += "0"
    parts = value.split(":")
    if not value or not all(p.strip().isdigit() for p in parts) or len(parts) > 3:
        raise ValueError(text)
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + int(part)
    return seconds


# MiiTel's call history export and the usual headers of other phone systems' logs.
_COLUMNS = {
    "at": ("通話開始日時", "開始日時", "日時", "通話日時", "発信日時", "着信日時", "start time",
           "started at", "date", "time", "datetime"),
    "number": ("相手先電話番号", "相手電話番号", "相手番号", "電話番号", "顧客電話番号", "phone",
               "phone number", "number", "customer number"),
    "duration": ("通話時間", "通話時間(秒)", "通話秒数", "duration", "duration (s)", "talk time"),
    "direction": ("発着信", "発着信区分", "方向", "種別", "direction", "type"),
    "recording": ("録音url", "録音", "通話url", "recording url", "recording", "url"),
    "user": ("ユーザー", "ユーザー名", "担当者", "担当者名", "オペレーター", "user", "agent"),
    "outcome": ("結果", "通話結果", "outcome", "result"),
}  # fmt: skip
_OUTCOMES = {
    "connected": "connected", "接続": "connected", "通話": "connected", "応答": "connected",
    "answered": "connected", "no_answer": "no_answer", "不在": "no_answer", "未応答": "no_answer",
    "応答なし": "no_answer", "no answer": "no_answer", "missed": "no_answer",
    "voicemail": "voicemail", "留守電": "voicemail", "留守番電話": "voicemail",
    "wrong_number": "wrong_number", "番号違い": "wrong_number", "refused": "refused",
    "拒否": "refused", "お断り": "refused",
}  # fmt: skip
_INBOUND = frozenset({"着信", "inbound", "incoming", "in", "受信"})


@dataclass
class CallLogSummary:
    """What a call-log import did: read = recorded + already + unmatched + rejected."""

    file: str
    read: int = 0
    recorded: int = 0
    already: int = 0  # the same call was recorded before (the same file imported again)
    unmatched: int = 0  # no lead has the number
    rejected: int = 0  # unreadable time, duration or number
    by_operator: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)  # "row N: why" of unmatched and rejected

    def to_json(self) -> dict[str, object]:
        return {
            "read": self.read,
            "recorded": self.recorded,
            "already": self.already,
            "unmatched": self.unmatched,
            "rejected": self.rejected,
            "details": {"file": self.file, "by_operator": self.by_operator,
                        "samples": self.samples},
        }  # fmt: skip


def import_call_log(path: Path, actor: Actor, *, zone: ZoneInfo) -> CallLogSummary:
    """Attach the calls of a phone system's log to leads by phone number, all or nothing.

    Each row's operator is its user column (isdesk login or display name), else the actor;
    only a team lead imports calls made by others. Times without a zone are the team's.
    """
    table = read_table(path)
    positions = _positions(table.columns)
    for needed in ("at", "number"):
        if needed not in positions:
            names = " / ".join(_COLUMNS[needed][:4])
            raise CallLogError(f"{path}: no {needed} column (e.g. {names}) in the header")
    summary = CallLogSummary(file=str(path), read=len(table.rows))
    db = current_database()
    with db.connection_context():
        operators = {o.name: o for o in Operator.select()}
        by_display = {o.display_name: o for o in operators.values()}
        counted: Counter[str] = Counter()
        rows: list[dict[str, object]] = []
        for number, cells in table.rows:

            def cell(name: str, cells: list[str] = cells) -> str:
                index = positions.get(name)
                return cells[index].strip() if index is not None else ""

            try:
                at = parse_when(cell("at"), None, zone)
                duration = parse_duration(cell("duration")) if cell("duration") else 0
            except ValueError:
                summary.rejected += 1
                _sample(summary, number, f"time {cell('at')!r} or duration {cell('duration')!r}")
                continue
            key = n.phone_key(cell("number"))
            if not key:
                summary.rejected += 1
                _sample(summary, number, f"{cell('number')!r} is not a phone number")
                continue
            matches = find_leads_by_phone(key)
            if not matches:
                summary.unmatched += 1
                _sample(summary, number, f"no lead has {cell('number')}")
                continue
            user = cell("user")
            operator = operators.get(user) or by_display.get(user) if user else None
            operator_id = operator.id if operator is not None else actor.id
            if operator_id != actor.id and not actor.is_lead:
                raise CallLogError(
                    f"{path}: row {number} is {user}'s call: only a team lead imports others' "
                    "calls (or remove the user column)"
                )
            mine = [m for m in matches if m.owner_id == operator_id]
            lead = (mine or matches)[0]
            outcome = _OUTCOMES.get(n.nfkc(cell("outcome")).casefold())
            if outcome is None:
                outcome = "connected" if duration > 0 else "no_answer"
            inbound = n.nfkc(cell("direction")).casefold() in _INBOUND
            rows.append({
                "lead": lead.lead_id, "operator": operator_id, "at": at, "kind": "call",
                "outcome": outcome, "duration_s": duration,
                "note": "着信" if inbound else "", "recording_url": cell("recording"),
            })  # fmt: skip
            counted[operator.name if operator is not None else actor.name] += 1
        with db.atomic():
            for row in rows:
                if _recorded_before(row):
                    summary.already += 1
                    continue
                _record(row)
                summary.recorded += 1
        summary.by_operator = dict(sorted(counted.items()))
    return summary


def _positions(columns: tuple[str, ...]) -> dict[str, int]:
    keys = [header_key(c) for c in columns]
    found: dict[str, int] = {}
    for name, aliases in _COLUMNS.items():
        for alias in aliases:
            if header_key(alias) in keys:
                found[name] = keys.index(header_key(alias))
                break
    return found


def _sample(summary: CallLogSummary, row: int, why: str) -> None:
    if len(summary.samples) < 10:
        summary.samples.append(f"row {row}: {why}")


def _recorded_before(row: dict[str, object]) -> bool:
    return (
        Activity.select()
        .where(
            (Activity.lead == row["lead"])
            & (Activity.kind == "call")
            & (Activity.at == row["at"])
            & (Activity.duration_s == row["duration_s"])
        )
        .exists()
    )


def _record(row: dict[str, object]) -> None:
    lead = Lead.get_by_id(row["lead"])
    Activity.create(rank_after=lead.rank, sql_after=bool(lead.is_sql), **row)
    at = row["at"]
    assert isinstance(at, dt.datetime)
    changes: dict[object, object] = {Lead.version: Lead.version + 1}
    if lead.last_touch_at is None or at > lead.last_touch_at:
        changes[Lead.last_touch_at] = at
    Lead.update(changes).where(Lead.id == lead.id).execute()


def check_outcome(outcome: str) -> str:
    if outcome not in CALL_OUTCOMES:
        raise ActivityError(f"--outcome {outcome!r}: one of {', '.join(CALL_OUTCOMES)}")
    return outcome
