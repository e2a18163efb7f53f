"""The replayed pipeline: each lead's stage, status, sql and hand-off events, replayed once
into a :class:`~isdesk.analytics.rows.Timeline` (its stays, when it reached each stage, when
it first became SQL) plus the dated SQL, hand-off and order events the period views count.

:class:`ReplayedPipeline` is the part of :class:`~isdesk.analytics.history.History` that
needs the replay (History holds one as ``history.pipeline``; it reads through History's SQL
helpers and :attr:`~isdesk.analytics.history.History.acquired`); :func:`_replay` is the replay
itself.
Event conventions: see isdesk.analytics.history.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from isdesk.analytics.rows import (
    _HISTORY_IN,
    _NOT_TRUE,
    ACTIVE_STATUSES,
    Dated,
    LeadRow,
    Stay,
    Timeline,
    _new,
    gc_paused,
)

if TYPE_CHECKING:
    from isdesk.analytics.history import History

# Event codes of History._events (a stage event's code is its target stage index, 0 or more).
_STATUS, _SQL, _SENT, _NOTHING, _IMPORTED = -1, -2, -3, -4, -5
# LeadEvent.field of the status a lead was imported in (isdesk.importer.write.IMPORT_FIELD).
_IMPORT_FIELD = "import"


class ReplayedPipeline:
    """The replayed pipeline of a :class:`~isdesk.analytics.history.History`, which holds one
    as ``history.pipeline`` and answers :attr:`timelines` and the rest through it.

    It reads through the history's SQL helpers (``_rows``, ``_epoch``, ``_cutoff``,
    ``_history_index``), its ``stages``, ``last_stage`` and ``acquired``.
    """

    def __init__(self, history: History) -> None:
        self.history = history

    @property
    def replayed(self) -> bool:
        """Whether the replay has run (then the grouped milestones read its timelines)."""
        return "_replayed" in self.__dict__

    def _events(
        self, only_leads: str = "", lead_params: list[object] | None = None
    ) -> list[tuple[Any, ...]]:
        """The pipeline events that change a replay, in lead then time order, as
        (lead, at, code, actor, status): code is the target stage index of a stage event,
        _STATUS for a status change (status: its new value), _SQL for sql false → true and
        _SENT for a hand-off sent, _IMPORTED for the status a lead was imported in. Events
        that change nothing (other hand-off fields, sql true → false, stage keys the rules
        do not know) are left in the database — unless
        there is only one stage: then a lead's first stay is in the last stage, and any batch
        of events, even of those alone, ends it; so they come, as _NOTHING."""
        h = self.history
        keys = h.stages
        whens = " ".join(f"WHEN ? THEN {i}" for i in range(len(keys)))
        marks = ", ".join("?" * len(keys))
        params: list[object] = [*keys, _IMPORT_FIELD, h._cutoff]
        only = ""
        if h.last_stage > 0:
            only = (
                f" AND (kind = 'status' OR (kind = 'stage' AND new_value IN ({marks})) "
                f"OR (kind = 'sql' AND new_value = 'true' AND {_NOT_TRUE}) "
                "OR (kind = 'handoff' AND field = 'sent'))"
            )
            params.extend(keys)
        if only_leads:
            only += f" AND lead_id IN ({only_leads})"
            params.extend(lead_params or ())
        return h._rows(
            f"SELECT lead_id, {h._epoch('at')}, CASE kind "
            f"WHEN 'stage' THEN COALESCE(CASE new_value {whens} END, {_NOTHING}) "
            f"WHEN 'status' THEN CASE WHEN field = ? THEN {_IMPORTED} ELSE {_STATUS} END "
            f"WHEN 'sql' THEN CASE WHEN new_value = 'true' AND {_NOT_TRUE} THEN {_SQL} "
            f"ELSE {_NOTHING} END "
            f"ELSE CASE WHEN field = 'sent' THEN {_SENT} ELSE {_NOTHING} END END, "
            "actor_id, CASE WHEN kind = 'status' THEN new_value END "
            f"FROM lead_event{h._history_index} WHERE kind IN {_HISTORY_IN} AND at < ?"
            f"{only} ORDER BY lead_id, at, id",
            params,
        )

    @cached_property
    def _replayed(self) -> tuple[dict[int, Timeline], list[Dated], list[Dated], list[Dated]]:
        with gc_paused():
            return _replay(self.history, self._events())

    def replay_only(
        self, ids_sql: str, params: list[object]
    ) -> tuple[dict[int, Timeline], list[Dated], list[Dated], list[Dated]]:
        """The replay of only the leads ``ids_sql`` selects (and acquired before as_of): the
        same timelines and dated events as :attr:`timelines` and the rest give for them, at
        the cost of those leads alone. Not cached."""
        h = self.history
        if self.replayed:
            timelines, sqls, handoffs, orders = self._replayed
            wanted = {row[0] for row in h._rows(ids_sql, params)}
            return (
                {lead: tl for lead, tl in timelines.items() if lead in wanted},
                [row for row in sqls if row.lead in wanted],
                [row for row in handoffs if row.lead in wanted],
                [row for row in orders if row.lead in wanted],
            )
        acquired = dict(
            h._rows(
                f'SELECT id, {h._epoch("acquired_at")} FROM "lead" WHERE acquired_at < ? '
                f"AND id IN ({ids_sql})",
                [h._cutoff, *params],
            )
        )
        with gc_paused():
            return _replay(h, self._events(ids_sql, params), acquired)

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
        reached = (acquired,) + (None,) * self.history.last_stage
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


def _replay(
    history: History, rows: list[tuple[Any, ...]], only: dict[int, int] | None = None
) -> tuple[dict[int, Timeline], list[Dated], list[Dated], list[Dated]]:
    """Replay each lead's pipeline events, batch by batch (events of one second together).

    A stay ends when a batch changes the stage or makes the lead inactive (lost, nurturing,
    won): "moved" when the stage moved forward (or the lead was won), else "dropped". A new
    stay starts when the lead is active in a stage other than the last after the batch.

    One pass over the coded ``rows`` of :meth:`ReplayedPipeline._events` with the state in local
    variables: a batch is applied when the next row's (lead, second) differs, a lead's
    timeline is stored when the next row's lead differs (a sentinel row ends the last).
    """
    last = history.last_stage
    acquired_of = history.acquired if only is None else only  # only: the leads replayed
    timelines: dict[int, Timeline] = {}
    sqls: list[Dated] = []
    handoffs: list[Dated] = []
    orders: list[Dated] = []
    add_sql, add_handoff, add_order = sqls.append, handoffs.append, orders.append
    new = _new
    active_statuses = ACTIVE_STATUSES
    STATUS, SQL, SENT, IMPORTED = _STATUS, _SQL, _SENT, _IMPORTED
    rows.append((None, None, _NOTHING, None, None))  # the sentinel: ends the last lead

    cur = None  # the lead being replayed; None: none (or one acquired after as_of)
    batch_at: Any = None  # the batch's second, from the rows; None: before the first row
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
                acquired = acquired_of.get(lead_id)
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
        elif code == IMPORTED:
            # The status the lead arrived in (an import's status event, at its acquisition):
            # where its history starts, not a change — no stay ends, no hand-off is counted.
            status = new_status = text or "open"
            in_stay = status in active_statuses and stage != last
        elif code == SQL:
            add_sql(new(Dated, (lead_id, at, actor)))
            if first_sql is None:
                first_sql = at
        elif code == SENT:
            handed = True
            handoff_actor = actor
    return timelines, sqls, handoffs, orders
