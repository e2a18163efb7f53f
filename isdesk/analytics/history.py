"""The append-only history, loaded once into plain tuples for the long-view reports.

Every report reads the same few grouped and ordered queries (no per-lead queries), timestamps
as whole UTC epoch seconds computed by the database (``unixepoch`` / ``EXTRACT(EPOCH …)``), and
only rows before ``as_of``: a report "as of" a past day sees exactly what was known then.

:class:`History` loads lazily: a report touches only the tables it needs. The pipeline events
(stage, status, sql, hand-off) are replayed once per lead into a :class:`Timeline`: the stays
in each stage (entered, left, moved on or dropped), when each stage was first reached, when
the lead first became SQL; plus the dated SQL, hand-off and order events the period views
count. The covering indexes of migration 0006 serve these reads.

Event conventions (isdesk.services.handoff, isdesk.demo): stage events old → new with stage
keys; status events to open | handed_off | nurturing | won | lost; sql events "false" →
"true"; ``kind='handoff'`` with ``field`` sent | accepted | rejected. A hand-off is a
``handoff/sent`` event or a status change to ``handed_off`` (the service writes both at the
same instant; older or imported histories may have only the status change) — one per lead and
instant. An order is a stage event to the last stage.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from peewee import Database

from isdesk.rules import Rules
from isdesk.store.db import is_postgres, utcnow

__all__ = [
    "ACTIVE_STATUSES",
    "CONTACT_KINDS",
    "DAY_S",
    "History",
    "LeadRow",
    "Months",
    "Stay",
    "Timeline",
    "epoch",
    "from_epoch",
]

DAY_S = 86_400
CONTACT_KINDS = ("call", "email", "meeting")  # a lead's first contact is the first of these
ACTIVE_STATUSES = frozenset({"open", "handed_off"})  # a lead in one of these is being worked
HISTORY_KINDS = ("stage", "status", "sql", "handoff")  # as in migration 0006's partial index


class LeadRow(NamedTuple):
    id: int
    acquired: int  # epoch seconds, UTC
    source: str
    campaign: int | None
    owner: int | None  # the current owner: for listing who to call, never for counting
    status: str  # current (for listing)
    stage: str  # current (for listing)
    company: str


class Stay(NamedTuple):
    """A lead's time in one stage while being worked (status open or handed_off)."""

    stage: int  # index into rules.stages.keys
    start: int
    end: int | None  # None: still there at as_of
    outcome: str | None  # "moved" (to a later stage) | "dropped" (back, lost, nurturing) | None
    dest: int | None  # the stage moved to, for "moved"


class Timeline(NamedTuple):
    """One lead's pipeline history replayed up to as_of."""

    lead: int
    stays: tuple[Stay, ...]
    reached: tuple[int | None, ...]  # first time each stage was reached (index 0: acquired)
    first_sql: int | None
    stage: int  # at as_of
    status: str  # at as_of
    since: int  # when the lead entered its as_of stage (its last stage move)


class Dated(NamedTuple):
    lead: int
    at: int
    actor: int | None


# NamedTuple's generated __new__ costs a Python call per row; tuple.__new__ with the class
# builds the same object in C (the replay makes a few hundred thousand of them).
_new = tuple.__new__


def epoch(moment: dt.datetime) -> int:
    """Whole epoch seconds of an aware (or naive UTC) datetime, floored like the database."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp() // 1)


def from_epoch(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


class Months:
    """Local calendar months as integers (year * 12 + month - 1) and their UTC bounds.

    ``index(ts)`` is a bisect over precomputed month starts, so bucketing a million instants
    costs no time-zone arithmetic per instant.
    """

    def __init__(self, rules: Rules, first: int, last: int) -> None:
        self.zone = rules.calendar.zone
        self.first = first - 1  # one spare month each side: instants just outside still map
        self.last = last + 1
        self.starts = [self.start(m) for m in range(self.first, self.last + 2)]

    @staticmethod
    def of_date(day: dt.date) -> int:
        return day.year * 12 + day.month - 1

    @staticmethod
    def to_date(month: int) -> dt.date:
        return dt.date(month // 12, month % 12 + 1, 1)

    @staticmethod
    def label(month: int) -> str:
        return f"{month // 12:04d}-{month % 12 + 1:02d}"

    def start(self, month: int) -> int:
        return epoch(dt.datetime.combine(self.to_date(month), dt.time(), tzinfo=self.zone))

    def index(self, ts: int) -> int:
        i = bisect.bisect_right(self.starts, ts) - 1
        if i < 0 or i >= len(self.starts) - 1:  # outside the prepared range: slow and exact
            day = dt.datetime.fromtimestamp(ts, self.zone).date()
            return self.of_date(day)
        return self.first + i

    @classmethod
    def spanning(cls, rules: Rules, lo: int, hi: int) -> Months:
        zone = rules.calendar.zone
        first = cls.of_date(dt.datetime.fromtimestamp(lo, zone).date())
        last = cls.of_date(dt.datetime.fromtimestamp(hi, zone).date())
        return cls(rules, first, last)


def local_midnight(day: dt.date, rules: Rules) -> dt.datetime:
    """The start of local day ``day`` as an aware UTC datetime."""
    return dt.datetime.combine(day, dt.time(), tzinfo=rules.calendar.zone).astimezone(dt.UTC)


def _sqlite_epoch(column: str) -> str:
    if sqlite3.sqlite_version_info >= (3, 38):
        return f"unixepoch({column})"
    return f"CAST(strftime('%s', {column}) AS INTEGER)"


@dataclass
class Operators:
    names: dict[int, str]
    display: dict[int, str]
    teams: dict[int, str]
    roles: dict[int, str]
    by_name: dict[str, int]


class History:
    """Lazily loaded history of one database up to ``as_of`` (default: now).

    Open a connection around its use (``with db.connection_context(): …``); every property
    runs its query once.
    """

    def __init__(self, db: Database, rules: Rules, as_of: dt.datetime | None = None) -> None:
        self.db = db
        self.rules = rules
        self.as_of_dt = (as_of or utcnow()).astimezone(dt.UTC)
        self.as_of = epoch(self.as_of_dt)
        self.postgres = is_postgres(db)
        self.stages = rules.stages.keys
        self.stage_index = {key: i for i, key in enumerate(self.stages)}
        self.last_stage = len(self.stages) - 1

    # --- SQL helpers ----------------------------------------------------------------------

    def _epoch(self, column: str) -> str:
        if self.postgres:
            return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT)"
        return _sqlite_epoch(column)

    @property
    def _history_index(self) -> str:
        """SQLite's planner prefers (kind, at) plus a sort; the partial covering index of
        migration 0006 reads the same rows already in order, without the table."""
        return "" if self.postgres else ' INDEXED BY "lead_event_history"'

    @property
    def _cutoff(self) -> object:
        """as_of as the database compares it with a stored UTC timestamp."""
        naive = self.as_of_dt.replace(tzinfo=None)
        return naive if self.postgres else naive.isoformat(sep=" ")

    def _rows(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        sql = sql.replace("?", self.db.param)
        return self.db.execute_sql(sql, tuple(params)).fetchall()

    # --- tables ---------------------------------------------------------------------------

    @cached_property
    def leads(self) -> list[LeadRow]:
        """Every lead acquired before as_of, in id order."""
        rows = self._rows(
            f"SELECT id, {self._epoch('acquired_at')}, source, campaign_id, owner_id, status, "
            'stage, company FROM "lead" WHERE acquired_at < ? ORDER BY id',
            (self._cutoff,),
        )
        return [_new(LeadRow, row) for row in rows]

    @cached_property
    def lead_by_id(self) -> dict[int, LeadRow]:
        return {lead.id: lead for lead in self.leads}

    @cached_property
    def operators(self) -> Operators:
        rows = self._rows('SELECT id, name, display_name, team, role FROM "operator"')
        return Operators(
            names={r[0]: r[1] for r in rows},
            display={r[0]: r[2] for r in rows},
            teams={r[0]: r[3] for r in rows},
            roles={r[0]: r[4] for r in rows},
            by_name={r[1]: r[0] for r in rows},
        )

    @cached_property
    def campaigns(self) -> dict[int, tuple[str, str, dt.date | None]]:
        """id -> (name, kind, held_on)."""
        rows = self._rows('SELECT id, name, kind, held_on FROM "campaign"')
        out = {}
        for cid, name, kind, held in rows:
            if held is not None and not isinstance(held, dt.date):
                held = dt.date.fromisoformat(str(held)[:10])
            out[cid] = (name, kind or "", held)
        return out

    @cached_property
    def first_touch_campaign(self) -> dict[int, int]:
        """lead -> the campaign of its first touch, for leads whose first touch was one.

        The first touch is the earliest of the lead's arrival (through ``Lead.campaign``, if
        set) and its Touch rows; ties go to the arrival.
        """
        out: dict[int, int] = {}
        seen: set[int] = set()
        for lead in self.leads:
            if lead.campaign is not None:
                out[lead.id] = lead.campaign
                seen.add(lead.id)
        rows = self._rows(
            f"SELECT lead_id, {self._epoch('at')}, campaign_id FROM touch WHERE at < ? "
            "ORDER BY lead_id, at, id",
            (self._cutoff,),
        )
        first: dict[int, tuple[int, int | None]] = {}
        for lead_id, at, cid in rows:
            if lead_id not in seen and lead_id not in first:
                first[lead_id] = (at, cid)
        leads = self.lead_by_id
        for lead_id, (_, cid) in first.items():
            if cid is not None and lead_id in leads:
                out[lead_id] = cid
        return out

    @cached_property
    def first_contact(self) -> dict[int, tuple[int, int]]:
        """lead -> (at, operator) of its first call, e-mail or meeting."""
        kinds = ", ".join(f"'{k}'" for k in CONTACT_KINDS)
        if self.postgres:
            sql = (
                f"SELECT DISTINCT ON (lead_id) lead_id, {self._epoch('at')}, operator_id "
                f"FROM activity WHERE kind IN ({kinds}) AND at < ? ORDER BY lead_id, at, id"
            )
        else:
            # SQLite documents that a bare column next to MIN() comes from the minimum's row.
            sql = (
                f"SELECT lead_id, {self._epoch('MIN(at)')}, operator_id FROM activity "
                f"WHERE kind IN ({kinds}) AND at < ? GROUP BY lead_id"
            )
        return {lead: (at, op) for lead, at, op in self._rows(sql, (self._cutoff,))}

    @cached_property
    def appointments(self) -> list[Dated]:
        """Every appointment activity, in time order."""
        rows = self._rows(
            f"SELECT lead_id, {self._epoch('at')}, operator_id FROM activity "
            "WHERE kind = 'appointment' AND at < ? ORDER BY at, id",
            (self._cutoff,),
        )
        return [_new(Dated, row) for row in rows]

    @cached_property
    def first_appointment(self) -> dict[int, int]:
        out: dict[int, int] = {}
        for lead, at, _ in self.appointments:
            if lead not in out:
                out[lead] = at
        return out

    @cached_property
    def last_touch(self) -> dict[int, int]:
        """lead -> its latest activity or touch (an import met it again) before as_of."""
        out = dict(
            self._rows(
                f"SELECT lead_id, {self._epoch('MAX(at)')} FROM activity WHERE at < ? "
                "GROUP BY lead_id",
                (self._cutoff,),
            )
        )
        for lead, at in self._rows(
            f"SELECT lead_id, {self._epoch('MAX(at)')} FROM touch WHERE at < ? GROUP BY lead_id",
            (self._cutoff,),
        ):
            if at > out.get(lead, 0):
                out[lead] = at
        return out

    @cached_property
    def first_owner(self) -> dict[int, int]:
        """lead -> the operator it was first assigned to (the first owner event)."""
        by_name = self.operators.by_name
        out: dict[int, int] = {}
        rows = self._rows(
            "SELECT lead_id, new_value FROM lead_event WHERE kind = 'owner' AND at < ? "
            "ORDER BY at, id",
            (self._cutoff,),
        )
        for lead, name in rows:
            if lead not in out and name:
                op = by_name.get(name)
                if op is not None:
                    out[lead] = op
        return out

    @cached_property
    def amounts(self) -> dict[int, int]:
        """lead -> order value in yen: ``Lead.extra`` key ``amount``, else the budget answer.

        The budget answer is the latest answer event of the hearing item marked BANT "B"
        before as_of (so a backtest sees the budget as it was known then).
        """
        from isdesk.answers import parse_amount

        out: dict[int, int] = {}
        budget = next((i.key for i in self.rules.hearing if i.bant == "B"), None)
        if budget is not None:
            rows = self._rows(
                "SELECT lead_id, new_value FROM lead_event WHERE kind = 'answer' AND field = ? "
                "AND at < ? ORDER BY at, id",
                (budget, self._cutoff),
            )
            for lead, value in rows:
                amount = parse_amount(value or "")
                if amount is not None:
                    out[lead] = amount
                else:
                    out.pop(lead, None)
        for lead, extra in self._rows(
            'SELECT id, extra FROM "lead" '
            "WHERE extra <> '{}' AND extra <> '' AND acquired_at < ?",
            (self._cutoff,),
        ):
            amount = _extra_amount(extra)
            if amount is not None:
                out[lead] = amount
        return out

    # --- the replayed pipeline ------------------------------------------------------------

    def _events(self) -> Iterator[tuple]:
        kinds = ", ".join(f"'{k}'" for k in HISTORY_KINDS)
        return iter(
            self._rows(
                f"SELECT lead_id, {self._epoch('at')}, id, kind, field, old_value, new_value, "
                f"actor_id FROM lead_event{self._history_index} WHERE kind IN ({kinds}) AND at < ? "
                "ORDER BY lead_id, at, id",
                (self._cutoff,),
            )
        )

    @cached_property
    def _replayed(self) -> tuple[dict[int, Timeline], list[Dated], list[Dated], list[Dated]]:
        return _replay(self)

    @property
    def timelines(self) -> dict[int, Timeline]:
        """lead -> Timeline, for leads with any pipeline event; see :meth:`timeline`."""
        return self._replayed[0]

    def timeline(self, lead: LeadRow) -> Timeline:
        """The lead's timeline; a lead without pipeline events has sat in the first stage."""
        found = self._replayed[0].get(lead.id)
        if found is not None:
            return found
        reached = (lead.acquired,) + (None,) * self.last_stage
        stay = _new(Stay, (0, lead.acquired, None, None, None))
        return _new(Timeline, (lead.id, (stay,), reached, None, 0, "open", lead.acquired))

    @property
    def sql_events(self) -> list[Dated]:
        """Every sql false → true event, in lead then time order."""
        return self._replayed[1]

    @property
    def handoffs(self) -> list[Dated]:
        """Every hand-off (one per lead and instant), in lead then time order."""
        return self._replayed[2]

    @property
    def orders(self) -> list[Dated]:
        """Every stage change to the last stage, in lead then time order."""
        return self._replayed[3]


def _extra_amount(extra: str) -> int | None:
    try:
        data = json.loads(extra)
    except (TypeError, ValueError):
        return None
    value = data.get("amount") if isinstance(data, dict) else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return int(value) if value >= 0 else None
    from isdesk.answers import parse_amount

    return parse_amount(str(value))


def _replay(history: History) -> tuple[dict[int, Timeline], list[Dated], list[Dated], list[Dated]]:
    """Replay each lead's pipeline events, batch by batch (events of one instant together).

    A stay ends when a batch changes the stage or makes the lead inactive (lost, nurturing,
    won): "moved" when the stage moved forward (or the lead was won), else "dropped". A new
    stay starts when the lead is active in a stage other than the last after the batch.
    """
    index = history.stage_index
    last = history.last_stage
    leads = history.lead_by_id
    timelines: dict[int, Timeline] = {}
    sqls: list[Dated] = []
    handoffs: list[Dated] = []
    orders: list[Dated] = []
    rows = history._events()
    row = next(rows, None)
    while row is not None:
        lead_id = row[0]
        lead = leads.get(lead_id)
        batch_lead = lead_id
        # one lead's events
        events = []
        while row is not None and row[0] == batch_lead:
            events.append(row)
            row = next(rows, None)
        if lead is None:
            continue
        acquired = lead.acquired
        stage, status, in_stay, start = 0, "open", True, acquired
        reached: list[int | None] = [acquired] + [None] * last
        stays: list[Stay] = []
        first_sql = None
        i, n = 0, len(events)
        while i < n:
            at = events[i][1]
            new_stage, new_status = stage, status
            handoff_actor: int | None = None
            handed = False
            while i < n and events[i][1] == at:
                _, _, _, kind, field, old, new, actor = events[i]
                i += 1
                if kind == "stage":
                    target = index.get(new or "")
                    if target is None:
                        continue
                    new_stage = target
                    if reached[target] is None:
                        reached[target] = at
                    if target == last and stage != last:
                        orders.append(_new(Dated, (lead_id, at, actor)))
                elif kind == "status":
                    new_status = new or ""
                    if new_status == "handed_off" and status != "handed_off":
                        handed = True
                        if handoff_actor is None:
                            handoff_actor = actor
                elif kind == "sql":
                    if new == "true" and old != "true":
                        sqls.append(_new(Dated, (lead_id, at, actor)))
                        if first_sql is None:
                            first_sql = at
                elif kind == "handoff" and field == "sent":
                    handed = True
                    handoff_actor = actor
            if handed:
                handoffs.append(_new(Dated, (lead_id, at, handoff_actor)))
            active = new_status in ACTIVE_STATUSES and new_stage != last
            if in_stay and (new_stage != stage or not active):
                if new_stage > stage:
                    stays.append(_new(Stay, (stage, start, at, "moved", new_stage)))
                elif new_status == "won":
                    stays.append(_new(Stay, (stage, start, at, "moved", last)))
                else:
                    stays.append(_new(Stay, (stage, start, at, "dropped", None)))
            if (active and (not in_stay or new_stage != stage)) or new_stage != stage:
                start = at
            stage, status, in_stay = new_stage, new_status, active
        if in_stay:
            stays.append(_new(Stay, (stage, start, None, None, None)))
        timelines[lead_id] = _new(
            Timeline, (lead_id, tuple(stays), tuple(reached), first_sql, stage, status, start)
        )
    return timelines, sqls, handoffs, orders
