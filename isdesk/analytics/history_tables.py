"""The history's own tables: the SQL helpers and every per-lead read that needs no replay.

:class:`HistoryTables` is the base of :class:`~isdesk.analytics.history.History`: it holds the
database, the rules and as_of, runs the queries (whole UTC epoch seconds computed by the
database, only rows before as_of) and caches each table the first time a report asks for it:
the leads, operators and campaigns, first contacts and reaches, appointments, last touches,
first owners and order values. The parts that derive from the events (the grouped milestones,
the replayed pipeline) are History's.
"""

import datetime as dt
import json
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from isdesk.analytics.rows import (
    CONTACT_KINDS,
    REACHED_SQL,
    Dated,
    LeadRow,
    Operators,
    _new,
    gc_paused,
)
from isdesk.analytics.timebase import _sqlite_epoch, epoch
from isdesk.rules import Rules
from isdesk.store.db import current_database, is_postgres, utcnow


class HistoryTables:
    """The tables of one database up to ``as_of`` (default: now), each read once, lazily.

    Open a connection around its use; :class:`~isdesk.analytics.history.History` is what the
    reports are given.
    """

    def __init__(
        self, rules: Rules, as_of: dt.datetime | None = None, *, in_database: bool = True
    ) -> None:
        db = current_database()  # the one the models are bound to, from here on
        self.db = db
        # Reports group and count in the database (isdesk.analytics.in_database); False: the
        # replay in Python, the reference the tests hold the grouped queries to.
        self.in_database = in_database
        self.rules = rules
        self.as_of_dt = (as_of or utcnow()).astimezone(dt.UTC)
        self.as_of = epoch(self.as_of_dt)
        self.postgres = is_postgres(db)
        if self.postgres:
            # The reports' statements are costly enough for PostgreSQL's JIT to compile each
            # one, and compiling their CASE trees takes longer (1.5 s measured) than running
            # them. Off for this connection: isdesk's other statements are all short ones.
            db.execute_sql("SET jit = off")
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

    def _at(self, seconds: int) -> object:
        """Epoch seconds as the database compares them with a stored UTC timestamp
        (``column >= _at(s)`` exactly when the column's whole epoch seconds are >= s)."""
        naive = dt.datetime.fromtimestamp(seconds, dt.UTC).replace(tzinfo=None)
        return naive if self.postgres else naive.isoformat(sep=" ")

    def _rows(self, sql: str, params: Iterable[object] = ()) -> list[tuple[Any, ...]]:
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
    def first_acquired(self) -> int:
        """When the first lead was acquired (epoch seconds; as_of when there is none)."""
        if "acquired" in self.__dict__:
            return min(self.acquired.values(), default=self.as_of)
        rows = self._rows(
            'SELECT MIN(acquired_at) FROM "lead" WHERE acquired_at < ?', (self._cutoff,)
        )
        if not rows or rows[0][0] is None:
            return self.as_of
        return self._rows(
            f'SELECT {self._epoch("MIN(acquired_at)")} FROM "lead" WHERE acquired_at < ?',
            (self._cutoff,),
        )[0][0]

    def id_list(self, ids: Iterable[int]) -> tuple[str, list[object]]:
        """SQL selecting exactly ``ids`` (one parameter however many), to use as
        ``… IN (sql)``: a JSON array on SQLite, an array on PostgreSQL."""
        wanted = sorted(set(ids))
        if self.postgres:
            return "SELECT unnest(CAST(? AS BIGINT[]))", [wanted]
        return "SELECT value FROM json_each(?)", [json.dumps(wanted)]

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
        """lead -> the campaign it arrived through, for leads that arrived through one.

        The attribution rule (README, "Which campaign a lead belongs to"): ``Lead.campaign``
        when set, else the campaign of the lead's earliest arrival touch (``kind = 'new'``).
        A return touch never moves a lead: a lead with no arrival campaign (the demo's, or one
        imported before migration 0004 wrote touches) belongs to none, however it comes back;
        returns are counted per campaign apart
        (:meth:`~isdesk.analytics.history.History.return_counts`).
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
            "SELECT lead_id, campaign_id FROM touch WHERE kind = 'new' AND at < ? "
            "ORDER BY lead_id, at, id",
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
        """lead -> (at, operator) of its first contact attempt: a call (answered or not), an
        e-mail or a meeting."""
        kinds = ", ".join(f"'{k}'" for k in CONTACT_KINDS)
        return self._first_activity(f"kind IN ({kinds})")

    @cached_property
    def first_reach(self) -> dict[int, tuple[int, int]]:
        """lead -> (at, operator) of the first time somebody was reached: an answered call
        (outcome connected) or a meeting (:data:`~isdesk.analytics.rows.REACHED_SQL`)."""
        return self._first_activity(REACHED_SQL)

    def _first_activity(self, condition: str) -> dict[int, tuple[int, int]]:
        """lead -> (at, operator) of its first activity matching ``condition`` (SQL text)."""
        sql = self._first_activity_sql(condition)
        return {lead: (at, op) for lead, at, op in self._rows(sql, (self._cutoff,))}

    def _first_activity_sql(self, condition: str, operator: bool = True) -> str:
        """SQL of (lead_id, at, operator_id) of each lead's first activity matching
        ``condition``, at in epoch seconds (``operator=False``: operator_id NULL, for a
        plain grouped MIN rather than PostgreSQL's sort for DISTINCT ON). Params: as_of."""
        if not operator:
            return (
                f"SELECT lead_id, {self._epoch('MIN(at)')} AS at, NULL AS operator_id "
                f"FROM activity WHERE {condition} AND at < ? GROUP BY lead_id"
            )
        if self.postgres:
            return (
                f"SELECT DISTINCT ON (lead_id) lead_id, {self._epoch('at')} AS at, operator_id "
                f"FROM activity WHERE {condition} AND at < ? ORDER BY lead_id, at, id"
            )
        # SQLite documents that a bare column next to MIN() comes from the minimum's row.
        return (
            f"SELECT lead_id, {self._epoch('MIN(at)')} AS at, operator_id FROM activity "
            f"WHERE {condition} AND at < ? GROUP BY lead_id"
        )

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

    def amounts_of(self, ids_sql: str, params: list[object]) -> dict[int, int]:
        """:attr:`amounts` of only the leads ``ids_sql`` selects (read for those alone)."""
        if "amounts" in self.__dict__:
            wanted = {row[0] for row in self._rows(ids_sql, params)}
            return {lead: v for lead, v in self.amounts.items() if lead in wanted}
        return self._amounts(f" AND lead_id IN ({ids_sql})", f" AND id IN ({ids_sql})", params)

    @cached_property
    def amounts(self) -> dict[int, int]:
        """lead -> order value in yen: ``Lead.extra`` key ``amount``, else the budget answer.

        The budget answer is the latest answer event of the hearing item marked BANT "B"
        before as_of (so a backtest sees the budget as it was known then).
        """
        return self._amounts("", "", [])

    def _amounts(self, events_where: str, leads_where: str, params: list[object]) -> dict[int, int]:
        from isdesk.rules.values import parse_amount

        out: dict[int, int] = {}
        budget = next((i.key for i in self.rules.hearing if i.bant == "B"), None)
        if budget is not None:
            rows = self._rows(
                "SELECT lead_id, new_value FROM lead_event WHERE kind = 'answer' AND field = ? "
                f"AND at < ?{events_where} ORDER BY at, id",
                (budget, self._cutoff, *params),
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
            f"WHERE extra <> '{{}}' AND extra <> '' AND acquired_at < ?{leads_where}",
            (self._cutoff, *params),
        ):
            amount = _extra_amount(extra)
            if amount is not None:
                out[lead] = amount
        return out


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
    from isdesk.rules.values import parse_amount

    return parse_amount(str(value))
