"""The append-only history, loaded once into plain tuples for the long-view reports.

Every report reads the same few grouped and ordered queries (no per-lead queries), timestamps
as whole UTC epoch seconds computed by the database (``unixepoch`` / ``EXTRACT(EPOCH …)``), and
only rows before ``as_of``: a report "as of" a past day sees exactly what was known then.

:class:`History` loads lazily: a report touches only the tables and columns it needs (most
need a lead's id and acquisition time only: :attr:`History.acquired`). The pipeline events
(stage, status, sql, hand-off) are replayed once per lead into a :class:`Timeline`: the stays
in each stage (entered, left, moved on or dropped), when each stage was first reached, when
the lead first became SQL; plus the dated SQL, hand-off and order events the period views
count. What does not depend on the replay's state — when a lead first became SQL or reached a
stage, the funnel's furthest stage, a campaign's counts — also comes from grouped queries, so
a report that needs no stays does not pay for the replay. The covering indexes of migration
0006 serve these reads.

Bulk reads and the replay run with the cyclic garbage collector paused (:func:`gc_paused`):
the rows are plain tuples, and on the 100k-lead demo collections walking them cost more than
the replay itself.

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
import functools
import gc
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple, ParamSpec, TypeVar

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
    "gc_paused",
    "without_gc",
]

DAY_S = 86_400
CONTACT_KINDS = ("call", "email", "meeting")  # a lead's first contact is the first of these
ACTIVE_STATUSES = frozenset({"open", "handed_off"})  # a lead in one of these is being worked
HISTORY_KINDS = ("stage", "status", "sql", "handoff")  # as in migration 0006's partial index
# The partial index's condition, written out as it is so that SQLite sees the query implies it.
_HISTORY_IN = "(" + ", ".join(f"'{k}'" for k in HISTORY_KINDS) + ")"
_NOT_TRUE = "COALESCE(old_value, '') <> 'true'"
# Event codes of History._events (a stage event's code is its target stage index, 0 or more).
_STATUS, _SQL, _SENT, _NOTHING = -1, -2, -3, -4


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


_P = ParamSpec("_P")
_R = TypeVar("_R")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while loading or replaying rows.

    The rows are tuples of numbers and strings (no cycles to find), but each allocation
    counts towards a collection, and a collection walks every tuple already loaded: on the
    100k-lead demo that tripled the replay's time. Resumed only if this call paused it.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def without_gc(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``fn`` under :func:`gc_paused` (for the report builders)."""

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with gc_paused():
            return fn(*args, **kwargs)

    return wrapper


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
        """All rows of one parameterised query, straight from the DB-API cursor."""
        sql = sql.replace("?", self.db.param)
        cursor = self.db.cursor()
        try:
            cursor.execute(sql, tuple(params))
            with gc_paused():
                return cursor.fetchall()
        finally:
            cursor.close()

    # --- tables ---------------------------------------------------------------------------

    @cached_property
    def acquired(self) -> dict[int, int]:
        """lead id -> acquired (epoch seconds) of every lead acquired before as_of, in id
        order: what most reports need of a lead, without its text columns."""
        return dict(
            self._rows(
                f'SELECT id, {self._epoch("acquired_at")} FROM "lead" WHERE acquired_at < ? '
                "ORDER BY id",
                (self._cutoff,),
            )
        )

    @cached_property
    def sources(self) -> dict[int, str]:
        """lead id -> source, for the leads of :attr:`acquired`."""
        if "leads" in self.__dict__:
            return {lead.id: lead.source for lead in self.leads}
        return dict(
            self._rows('SELECT id, source FROM "lead" WHERE acquired_at < ?', (self._cutoff,))
        )

    def details(self, ids: Iterable[int]) -> dict[int, tuple[str, int | None]]:
        """lead id -> (company, current owner) of the given leads, for listing them."""
        if "leads" in self.__dict__:
            leads = self.lead_by_id
            return {i: (leads[i].company, leads[i].owner) for i in ids if i in leads}
        out: dict[int, tuple[str, int | None]] = {}
        wanted = sorted(set(ids))
        for k in range(0, len(wanted), 500):
            chunk = wanted[k : k + 500]
            marks = ", ".join("?" * len(chunk))
            for lead_id, company, owner in self._rows(
                f'SELECT id, company, owner_id FROM "lead" WHERE id IN ({marks})', chunk
            ):
                out[lead_id] = (company, owner)
        return out

    @cached_property
    def leads(self) -> list[LeadRow]:
        """Every lead acquired before as_of, in id order (every column a report may show)."""
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
        if "leads" in self.__dict__:
            out = {lead.id: lead.campaign for lead in self.leads if lead.campaign is not None}
        else:
            out = dict(
                self._rows(
                    'SELECT id, campaign_id FROM "lead" '
                    "WHERE campaign_id IS NOT NULL AND acquired_at < ? ORDER BY id",
                    (self._cutoff,),
                )
            )
        rows = self._rows(
            "SELECT lead_id, campaign_id FROM touch WHERE at < ? ORDER BY lead_id, at, id",
            (self._cutoff,),
        )
        first: dict[int, int | None] = {}
        for lead_id, cid in rows:
            if lead_id not in out and lead_id not in first:
                first[lead_id] = cid
        acquired = self.acquired if first else {}
        for lead_id, cid in first.items():
            if cid is not None and lead_id in acquired:
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
            latest = dict(rows)  # each lead's last answer decides (unreadable: no amount)
            parsed: dict[str, int | None] = {}  # answers repeat: read each text once
            for lead, value in latest.items():
                text = value or ""
                amount = (
                    parsed[text] if text in parsed else parsed.setdefault(text, parse_amount(text))
                )
                if amount is not None:
                    out[lead] = amount
        for lead, extra in self._rows(
            'SELECT id, extra FROM "lead" '
            "WHERE extra <> '{}' AND extra <> '' AND acquired_at < ?",
            (self._cutoff,),
        ):
            amount = _extra_amount(extra)
            if amount is not None:
                out[lead] = amount
        return out

    # --- milestones from grouped queries (no replay) -------------------------------------

    @cached_property
    def first_sql(self) -> dict[int, int]:
        """lead -> when it first became SQL (its timeline's ``first_sql``), for leads that did.

        One grouped query unless the timelines are already replayed: the first sql false → true
        event does not depend on the lead's state. May hold leads acquired after as_of; look
        leads up, do not iterate.
        """
        if "_replayed" in self.__dict__:
            return {
                lead: tl.first_sql
                for lead, tl in self.timelines.items()
                if tl.first_sql is not None
            }
        return dict(
            self._rows(
                f"SELECT lead_id, {self._epoch('MIN(at)')} FROM lead_event "
                f"WHERE kind = 'sql' AND new_value = 'true' AND {_NOT_TRUE} AND at < ? "
                "GROUP BY lead_id",
                (self._cutoff,),
            )
        )

    def reached_at(self, stage: int) -> dict[int, int]:
        """lead -> when it first reached stage index ``stage`` (its timeline's
        ``reached[stage]``), for leads that did. Like :attr:`first_sql`: one grouped query
        unless the timelines are already replayed; may hold leads acquired after as_of."""
        if stage == 0:
            return self.acquired
        cache = self.__dict__.setdefault("_reached_at", {})
        if stage in cache:
            return cache[stage]
        if "_replayed" in self.__dict__:
            out = {
                lead: tl.reached[stage]
                for lead, tl in self.timelines.items()
                if tl.reached[stage] is not None
            }
        else:
            out = dict(
                self._rows(
                    f"SELECT lead_id, {self._epoch('MIN(at)')} "
                    f"FROM lead_event{self._history_index} WHERE kind IN {_HISTORY_IN} "
                    "AND kind = 'stage' AND new_value = ? AND at < ? "
                    "GROUP BY lead_id",
                    (self.stages[stage], self._cutoff),
                )
            )
        cache[stage] = out
        return out

    def furthest_by_source(
        self, lo: int | None = None, hi: int | None = None
    ) -> list[tuple[str, int, int]]:
        """(source, furthest stage index reached, leads) of the leads acquired in [lo, hi)
        (epoch seconds; None: unbounded) before as_of: the funnel as one grouped query.

        A lead's furthest stage is the highest its stage events ever named (its timeline's
        last non-empty ``reached``); a lead without one has reached only the first stage.
        """
        whens = " ".join(f"WHEN ? THEN {i}" for i in range(len(self.stages)))
        acquired = self._epoch("l.acquired_at")
        where, params = "", [*self.stages, self._cutoff, self._cutoff]
        if lo is not None:
            where += f" AND {acquired} >= ?"
            params.append(lo)
        if hi is not None:
            where += f" AND {acquired} < ?"
            params.append(hi)
        return self._rows(
            f'SELECT l.source, COALESCE(f.top, 0), COUNT(*) FROM "lead" l LEFT JOIN '
            f"(SELECT lead_id, MAX(CASE new_value {whens} END) AS top "
            f"FROM lead_event{self._history_index} "
            f"WHERE kind IN {_HISTORY_IN} AND kind = 'stage' AND at < ? GROUP BY lead_id) f "
            f"ON f.lead_id = l.id WHERE l.acquired_at < ?{where} "
            "GROUP BY l.source, COALESCE(f.top, 0)",
            params,
        )

    def campaign_counts(
        self, lo: int | None = None, hi: int | None = None
    ) -> dict[int, tuple[int, int, int, int, int]]:
        """campaign -> (leads, contacted, with an appointment, became SQL, reached the last
        stage) of the leads acquired in [lo, hi) (epoch seconds; None: unbounded) before
        as_of whose first touch was the campaign (see :attr:`first_touch_campaign`).

        One grouped query: each figure is whether the lead has a row of its kind before
        as_of (:attr:`first_contact`, :attr:`first_appointment`, :attr:`first_sql`,
        :meth:`reached_at` of the last stage), which needs no replay. May hold campaigns
        since deleted.
        """
        kinds = ", ".join(f"'{k}'" for k in CONTACT_KINDS)
        cutoff = self._cutoff
        index = self._history_index
        acquired = self._epoch("l.acquired_at")
        params: list[object] = [cutoff, cutoff, cutoff, cutoff]
        ordered = "1"
        if self.last_stage > 0:
            ordered = (
                f"CASE WHEN EXISTS (SELECT 1 FROM lead_event e{index} WHERE e.lead_id = l.id "
                f"AND e.kind IN {_HISTORY_IN} AND e.kind = 'stage' AND e.new_value = ? "
                "AND e.at < ?) THEN 1 ELSE 0 END"
            )
            params += [self.stages[-1], cutoff]
        where = ""
        params.append(cutoff)
        if lo is not None:
            where += f" AND {acquired} >= ?"
            params.append(lo)
        if hi is not None:
            where += f" AND {acquired} < ?"
            params.append(hi)
        rows = self._rows(
            "SELECT cid, COUNT(*), SUM(contacted), SUM(appointment), SUM(is_sql), SUM(ordered) "
            "FROM (SELECT COALESCE(l.campaign_id, (SELECT t.campaign_id FROM touch t "
            "WHERE t.lead_id = l.id AND t.at < ? ORDER BY t.at, t.id LIMIT 1)) AS cid, "
            "CASE WHEN EXISTS (SELECT 1 FROM activity a WHERE a.lead_id = l.id "
            f"AND a.kind IN ({kinds}) AND a.at < ?) THEN 1 ELSE 0 END AS contacted, "
            "CASE WHEN EXISTS (SELECT 1 FROM activity a WHERE a.lead_id = l.id "
            "AND a.kind = 'appointment' AND a.at < ?) THEN 1 ELSE 0 END AS appointment, "
            f"CASE WHEN EXISTS (SELECT 1 FROM lead_event e{index} WHERE e.lead_id = l.id "
            f"AND e.kind IN {_HISTORY_IN} AND e.kind = 'sql' AND e.new_value = 'true' "
            f"AND {_NOT_TRUE} AND e.at < ?) THEN 1 ELSE 0 END AS is_sql, "
            f"{ordered} AS ordered "
            f'FROM "lead" l WHERE l.acquired_at < ?{where}) per_lead '
            "WHERE cid IS NOT NULL GROUP BY cid",
            params,
        )
        return {cid: tuple(int(v) for v in counts) for cid, *counts in rows}  # type: ignore[misc]

    # --- the replayed pipeline ------------------------------------------------------------

    def _events(self) -> list[tuple]:
        """The pipeline events that change a replay, in lead then time order, as
        (lead, at, code, actor, status): code is the target stage index of a stage event,
        _STATUS for a status change (status: its new value), _SQL for sql false → true and
        _SENT for a hand-off sent. Events that change nothing (other hand-off fields, sql
        true → false, stage keys the rules do not know) are left in the database — unless
        there is only one stage: then a lead's first stay is in the last stage, and any batch
        of events, even of those alone, ends it; so they come, as _NOTHING."""
        keys = self.stages
        whens = " ".join(f"WHEN ? THEN {i}" for i in range(len(keys)))
        marks = ", ".join("?" * len(keys))
        params: list[object] = [*keys, self._cutoff]
        only = ""
        if self.last_stage > 0:
            only = (
                f" AND (kind = 'status' OR (kind = 'stage' AND new_value IN ({marks})) "
                f"OR (kind = 'sql' AND new_value = 'true' AND {_NOT_TRUE}) "
                "OR (kind = 'handoff' AND field = 'sent'))"
            )
            params.extend(keys)
        return self._rows(
            f"SELECT lead_id, {self._epoch('at')}, CASE kind "
            f"WHEN 'stage' THEN COALESCE(CASE new_value {whens} END, {_NOTHING}) "
            f"WHEN 'status' THEN {_STATUS} "
            f"WHEN 'sql' THEN CASE WHEN new_value = 'true' AND {_NOT_TRUE} THEN {_SQL} "
            f"ELSE {_NOTHING} END "
            f"ELSE CASE WHEN field = 'sent' THEN {_SENT} ELSE {_NOTHING} END END, "
            "actor_id, CASE WHEN kind = 'status' THEN new_value END "
            f"FROM lead_event{self._history_index} WHERE kind IN {_HISTORY_IN} AND at < ?"
            f"{only} ORDER BY lead_id, at, id",
            params,
        )

    @cached_property
    def _replayed(self) -> tuple[dict[int, Timeline], list[Dated], list[Dated], list[Dated]]:
        with gc_paused():
            return _replay(self)

    @property
    def timelines(self) -> dict[int, Timeline]:
        """lead -> Timeline, for leads with any pipeline event; see :meth:`timeline`."""
        return self._replayed[0]

    def timeline(self, lead: LeadRow) -> Timeline:
        """The lead's timeline; a lead without pipeline events has sat in the first stage."""
        return self.timeline_of(lead.id, lead.acquired)

    def timeline_of(self, lead: int, acquired: int) -> Timeline:
        """:meth:`timeline` of lead id ``lead`` acquired at ``acquired``."""
        found = self._replayed[0].get(lead)
        if found is not None:
            return found
        reached = (acquired,) + (None,) * self.last_stage
        stay = _new(Stay, (0, acquired, None, None, None))
        return _new(Timeline, (lead, (stay,), reached, None, 0, "open", acquired))

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
    """Replay each lead's pipeline events, batch by batch (events of one second together).

    A stay ends when a batch changes the stage or makes the lead inactive (lost, nurturing,
    won): "moved" when the stage moved forward (or the lead was won), else "dropped". A new
    stay starts when the lead is active in a stage other than the last after the batch.

    One pass over the coded rows of :meth:`History._events` with the state in local
    variables: a batch is applied when the next row's (lead, second) differs, a lead's
    timeline is stored when the next row's lead differs (a sentinel row ends the last).
    """
    last = history.last_stage
    acquired_of = history.acquired
    timelines: dict[int, Timeline] = {}
    sqls: list[Dated] = []
    handoffs: list[Dated] = []
    orders: list[Dated] = []
    add_sql, add_handoff, add_order = sqls.append, handoffs.append, orders.append
    new = _new
    active_statuses = ACTIVE_STATUSES
    STATUS, SQL, SENT = _STATUS, _SQL, _SENT
    rows = history._events()
    rows.append((None, None, _NOTHING, None, None))  # the sentinel: ends the last lead

    cur = None  # the lead being replayed; None: none (or one acquired after as_of)
    batch_at = None
    # per lead
    stage, status, in_stay, start = 0, "open", True, 0
    reached: list[int | None] = []
    stays: list[Stay] = []
    first_sql = None
    # per batch
    new_stage, new_status, handed, handoff_actor = 0, "open", False, None
    for lead_id, at, code, actor, text in rows:
        if at != batch_at or lead_id != cur:
            if cur is not None:
                # apply the batch that ends here
                if handed:
                    add_handoff(new(Dated, (cur, batch_at, handoff_actor)))
                active = new_status in active_statuses and new_stage != last
                if in_stay and (new_stage != stage or not active):
                    if new_stage > stage:
                        stays.append(new(Stay, (stage, start, batch_at, "moved", new_stage)))
                    elif new_status == "won":
                        stays.append(new(Stay, (stage, start, batch_at, "moved", last)))
                    else:
                        stays.append(new(Stay, (stage, start, batch_at, "dropped", None)))
                if new_stage != stage or (active and not in_stay):
                    start = batch_at
                stage, status, in_stay = new_stage, new_status, active
                if lead_id != cur:  # and the lead
                    if in_stay:
                        stays.append(new(Stay, (stage, start, None, None, None)))
                    timelines[cur] = new(
                        Timeline,
                        (cur, tuple(stays), tuple(reached), first_sql, stage, status, start),
                    )
            if lead_id != cur:
                acquired = acquired_of.get(lead_id)  # type: ignore[arg-type]
                if acquired is None:  # not acquired before as_of (or the sentinel): skip
                    cur = None
                    continue
                cur = lead_id
                stage, status, in_stay, start = 0, "open", True, acquired
                reached = [acquired] + [None] * last
                stays = []
                first_sql = None
            batch_at = at
            new_stage, new_status, handed, handoff_actor = stage, status, False, None
        elif cur is None:
            continue
        if code >= 0:  # a stage event to stage index ``code``
            new_stage = code
            if reached[code] is None:
                reached[code] = at
            if code == last and stage != last:
                add_order(new(Dated, (lead_id, at, actor)))
        elif code == STATUS:
            new_status = text or ""
            if new_status == "handed_off" and status != "handed_off":
                handed = True
                if handoff_actor is None:
                    handoff_actor = actor
        elif code == SQL:
            add_sql(new(Dated, (lead_id, at, actor)))
            if first_sql is None:
                first_sql = at
        elif code == SENT:
            handed = True
            handoff_actor = actor
    return timelines, sqls, handoffs, orders
