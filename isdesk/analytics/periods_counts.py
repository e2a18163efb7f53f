"""The periods report's counting, from the history read into Python and the full replay
(``History(in_database=False)``: the reference), and the parts both ways share: who a figure
belongs to, the bucketing of dated rows, and the hand-offs, orders and outcomes credited to
whoever handed the lead off (see isdesk.analytics.periods for what each measure counts).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from isdesk.analytics.in_database import NONE_GROUP
from isdesk.analytics.rows import _HISTORY_IN, Dated
from isdesk.analytics.timebase import Months

if TYPE_CHECKING:
    from isdesk.analytics.history import History

MEASURES = ("leads", "contacts", "reached", "appointments", "sqls", "handoffs", "orders")
# Beside MEASURES in each row (not in counts(): the figures of the first reports).
OUTCOMES = ("rejected", "lost", "order_value")


def _events(
    history: History, kind: str, condition: str, only: tuple[str, list[object]] = ("", [])
) -> list[tuple[int, int, int | None]]:
    """(lead, at, actor) of the pipeline events of ``kind`` matching ``condition`` (SQL text
    over lead_event's columns) before as_of, in time order (``only``: of the leads its SQL
    selects)."""
    ids_sql, params = only
    where = f" AND lead_id IN ({ids_sql})" if ids_sql else ""
    return history._rows(
        f"SELECT lead_id, {history._epoch('at')}, actor_id FROM lead_event{history._history_index} "
        f"WHERE kind IN {_HISTORY_IN} AND kind = ? AND {condition} AND at < ?{where} "
        "ORDER BY at, id",
        (kind, history._cutoff, *params),
    )


Group = Callable[[int, int | None], str] | None


def _grouper(history: History, per: str, of_lead: dict[int, str] | None) -> Group:
    """``group(lead, op)``: who a figure belongs to — by operator (or their team) the figure's
    operator, by source, segment or campaign the lead's (``of_lead``); None when every figure
    is in group "all"."""
    if per in ("operator", "team"):
        ops = history.operators
        of_op = ops.teams if per == "team" else ops.names
        return lambda lead_id, op: NONE_GROUP if op is None else of_op.get(op, NONE_GROUP)
    if of_lead is not None:
        return lambda lead_id, op: of_lead.get(lead_id, NONE_GROUP)
    return None


class _Tally:
    """Counts (lead, at, operator) rows into ``counts`` by bucket and group."""

    def __init__(
        self,
        lo: int,
        hi: int,
        months: Months,
        bucket_names: dict[int, str],
        counts: dict[tuple[str, str], list[int]],
        width: int,
        group: Group,
    ) -> None:
        self.lo, self.hi, self.months, self.bucket_names = lo, hi, months, bucket_names
        self.counts, self.width, self.group = counts, width, group

    def bucket(self, at: int) -> str:
        months = self.months
        i = bisect_right(months.starts, at) - 1
        top = len(months.starts) - 1
        return self.bucket_names[months.first + i if 0 <= i < top else months.index(at)]

    def add(
        self,
        measure: int,
        rows: Iterable[tuple[int, int, int | None]],
        worth: dict[int, int] | None = None,
    ) -> None:
        """Count each (lead, at, operator) row in [lo, hi) in its bucket and group (``worth``:
        add the lead's value instead of 1)."""
        lo, hi, counts, group, width = self.lo, self.hi, self.counts, self.group, self.width
        months, names = self.months, self.bucket_names
        starts, first, top = months.starts, months.first, len(months.starts) - 1
        for lead_id, at, op in rows:
            if lo <= at < hi:
                i = bisect_right(starts, at) - 1
                label = names[first + i if 0 <= i < top else months.index(at)]
                key = (label, "all" if group is None else group(lead_id, op))
                row = counts.get(key)
                if row is None:
                    row = counts[key] = [0] * width
                row[measure] += 1 if worth is None else worth.get(lead_id, 0)


def _count_decided(
    history: History,
    tally: _Tally,
    handoffs: list[Dated],
    orders: list[Dated],
    amounts: dict[int, int],
    only: tuple[str, list[object]] = ("", []),
) -> None:
    """Hand-offs, orders, rejections, losses after a hand-off and order values: an order, its
    value, a rejection or a loss is credited to the operator who last handed the lead off
    before it (else whoever recorded it)."""
    tally.add(5, handoffs)
    handed_by: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    for lead_id, at, actor in handoffs:
        handed_by[lead_id].append((at, actor))

    def credit(rows: Iterable[tuple[int, int, int | None]], after_handoff: bool = False) -> list:
        out = []
        for lead_id, at, actor in rows:
            credited, handed = actor, False
            for sent_at, sender in handed_by.get(lead_id, ()):
                if sent_at <= at:
                    handed = True
                    if sender is not None:
                        credited = sender
            if handed or not after_handoff:
                out.append((lead_id, at, credited))
        return out

    credited_orders = credit(orders)
    tally.add(6, credited_orders)
    base = len(MEASURES)
    tally.add(base, credit(_events(history, "handoff", "field = 'rejected'")))
    lost = _events(history, "status", "new_value = 'lost'", only)
    tally.add(base + 1, credit(lost, after_handoff=True))
    tally.add(base + 2, credited_orders, worth=amounts)


def _segments_of(history: History) -> Callable[[str], str]:
    from isdesk.analytics.funnel import segment_of

    cache: dict[str, str] = {}

    def segment(source: str) -> str:
        if source not in cache:
            cache[source] = segment_of(history, source)
        return cache[source]

    return segment


def count_replayed(
    history: History,
    per: str,
    lo: int,
    hi: int,
    months: Months,
    bucket_names: dict[int, str],
    counts: dict[tuple[str, str], list[int]],
    width: int,
) -> None:
    """Count every measure from the history read into Python and the full replay (the
    reference the grouped queries are held to)."""
    leads = history.acquired
    of_lead: dict[int, str] | None = None
    if per == "source":
        of_lead = {i: source or NONE_GROUP for i, source in history.sources.items()}
    elif per == "segment":
        segment = _segments_of(history)
        of_lead = {i: segment(source) for i, source in history.sources.items()}
    elif per == "campaign":
        campaigns = history.campaigns
        of_lead = {
            i: campaigns[cid][0]
            for i, cid in history.first_touch_campaign.items()
            if cid in campaigns
        }
    group = _grouper(history, per, of_lead)
    tally = _Tally(lo, hi, months, bucket_names, counts, width, group)
    if per in ("operator", "team"):
        owners = history.first_owner
        tally.add(0, [(i, at, owners.get(i)) for i, at in leads.items()])
    else:
        tally.add(0, [(i, at, None) for i, at in leads.items()])
    tally.add(1, [(i, at, op) for i, (at, op) in history.first_contact.items() if i in leads])
    tally.add(2, [(i, at, op) for i, (at, op) in history.first_reach.items() if i in leads])
    tally.add(3, [row for row in history.appointments if row[0] in leads])
    seen: set[tuple[str, str, int]] = set()
    for lead_id, at, actor in history.sql_events:
        if lo <= at < hi:
            key = (tally.bucket(at), "all" if group is None else group(lead_id, actor), lead_id)
            if key not in seen:
                seen.add(key)
                tally.add(4, [(lead_id, at, actor)])
    _count_decided(history, tally, history.handoffs, history.orders, history.amounts)
