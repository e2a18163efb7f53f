"""The periods report's counts, grouped by the database (History(in_database=True)).

Leads, first contacts, first reaches, appointments and SQLs are each one grouped query over
(bucket, group): the rows never leave the database. Hand-offs, orders and what field sales
decided after a hand-off depend on the pipeline's state (a status change to handed_off counts
only from another status; an order only from another stage), so they come from the same
replay as ever (isdesk.analytics.replay), run only over the leads that have such an event —
the handed-off and the ordered, a small share of all — and are then credited and counted as
the replay path counts them (isdesk.analytics.periods).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from isdesk.analytics.in_database import NONE_GROUP, bucket_case, group_label, group_sql
from isdesk.analytics.periods_counts import _count_decided, _grouper, _segments_of, _Tally
from isdesk.analytics.rows import _HISTORY_IN, _NOT_TRUE, CONTACT_KINDS, REACHED_SQL
from isdesk.analytics.timebase import Months

if TYPE_CHECKING:
    from isdesk.analytics.history import History

Counts = dict[tuple[str, str], list[int]]


def grouped_counts(
    history: History,
    per: str,
    lo: int,
    hi: int,
    bounds: list[int],
    labels: list[str],
    counts: Counts,
    width: int,
    map_group: Callable[[str], str],
) -> None:
    """Add the first five measures (leads … SQLs) of [lo, hi) to ``counts``.

    ``bounds`` are the starts of ``labels[1:]`` (epoch seconds); ``map_group`` turns a group
    label into the report's (the source into its segment, for ``per='segment'``).
    """
    h = history
    cutoff = h._cutoff
    lo_at, hi_at = h._at(lo), h._at(hi)

    def add(measure: int, sql: str, params: list[object]) -> None:
        for b, key, n in h._rows(sql, params):
            label = (labels[int(b)], map_group(group_label(per, key)))
            row = counts.get(label)
            if row is None:
                row = counts[label] = [0] * width
            row[measure] += int(n)

    def query(inner: str, count: str = "COUNT(*)") -> str:
        return f"SELECT b, grp, {count} FROM ({inner}) x GROUP BY b, grp"

    # Leads acquired: a lead's operator is its first owner.
    g = group_sql(per, "fo.op", cutoff)
    owner = ""
    owner_params: list[object] = []
    if per in ("operator", "team"):
        from isdesk.analytics.in_database import first_owner_sql

        owner = f" LEFT JOIN ({first_owner_sql()}) fo ON fo.lead_id = l.id"
        owner_params = [cutoff]
    add(
        0,
        query(
            f"SELECT {bucket_case('ep', bounds)} AS b, grp FROM (SELECT "
            f'{h._epoch("l.acquired_at")} AS ep, {g.expr} AS grp FROM "lead" l{owner}{g.joins} '
            "WHERE l.acquired_at < ? AND l.acquired_at >= ? AND l.acquired_at < ?) e"
        ),
        [*owner_params, *g.join_params, cutoff, lo_at, hi_at],
    )

    # First contact attempts and first reaches: the first such activity's operator.
    kinds = ", ".join(f"'{k}'" for k in CONTACT_KINDS)
    by_operator = per in ("operator", "team")  # else the first one's operator is not read
    for measure, condition in ((1, f"kind IN ({kinds})"), (2, REACHED_SQL)):
        g = group_sql(per, "f.operator_id", cutoff)
        add(
            measure,
            query(
                f"SELECT {bucket_case('f.at', bounds)} AS b, {g.expr} AS grp "
                f"FROM ({h._first_activity_sql(condition, by_operator)}) f "
                f'JOIN "lead" l ON l.id = f.lead_id'
                f"{g.joins} WHERE l.acquired_at < ? AND f.at >= ? AND f.at < ?"
            ),
            [cutoff, *g.join_params, cutoff, lo, hi],
        )

    # Appointments: every one, by who booked it.
    g = group_sql(per, "a.operator_id", cutoff)
    add(
        3,
        query(
            f"SELECT {bucket_case('ep', bounds)} AS b, grp FROM (SELECT {h._epoch('a.at')} AS ep, "
            f'{g.expr} AS grp FROM activity a JOIN "lead" l ON l.id = a.lead_id{g.joins} '
            "WHERE a.kind = 'appointment' AND a.at < ? AND a.at >= ? AND a.at < ? "
            "AND l.acquired_at < ?) e"
        ),
        [*g.join_params, cutoff, lo_at, hi_at, cutoff],
    )

    # SQLs: each lead once per bucket and group, by who heard it.
    g = group_sql(per, "s.actor_id", cutoff)
    add(
        4,
        query(
            f"SELECT {bucket_case('ep', bounds)} AS b, grp, lead_id FROM (SELECT "
            f"{h._epoch('s.at')} AS ep, {g.expr} AS grp, s.lead_id FROM lead_event s "
            f'JOIN "lead" l ON l.id = s.lead_id{g.joins} WHERE s.kind IN {_HISTORY_IN} '
            f"AND s.kind = 'sql' AND s.new_value = 'true' AND {_NOT_TRUE} "
            "AND s.at < ? AND s.at >= ? AND s.at < ? AND l.acquired_at < ?) e",
            "COUNT(DISTINCT lead_id)",
        ),
        [*g.join_params, cutoff, lo_at, hi_at, cutoff],
    )


def decided_leads(history: History) -> tuple[str, list[object]]:
    """SQL selecting the leads with a pipeline event whose count depends on the replay's
    state or on a hand-off: a hand-off (sent, or a status change to handed_off), an order
    (a stage event to the last stage) or field sales' rejection. Read once, as a list."""
    h = history
    cutoff = h._cutoff
    rows = h._rows(
        "SELECT lead_id FROM lead_event WHERE kind = 'status' AND new_value = 'handed_off' "
        "AND at < ? UNION SELECT lead_id FROM lead_event WHERE kind = 'handoff' "
        "AND field IN ('sent', 'rejected') AND at < ? UNION SELECT lead_id FROM lead_event "
        "WHERE kind = 'stage' AND new_value = ? AND at < ?",
        [cutoff, cutoff, h.stages[-1], cutoff],
    )
    return h.id_list(row[0] for row in rows)


def lead_groups(history: History, per: str, ids_sql: str, params: list[object]) -> dict[int, str]:
    """lead -> its group label for a lead-based ``per`` (source, segment before mapping,
    campaign), for the leads ``ids_sql`` selects."""
    g = group_sql(per, "NULL", history._cutoff)
    rows = history._rows(
        f'SELECT l.id, {g.expr} FROM "lead" l{g.joins} WHERE l.id IN ({ids_sql})',
        [*g.join_params, *params],
    )
    return {lead: group_label(per, key) for lead, key in rows}


def count_in_database(
    history: History,
    per: str,
    lo: int,
    hi: int,
    months: Months,
    bucket_names: dict[int, str],
    buckets: list[str],
    counts: dict[tuple[str, str], list[int]],
    width: int,
) -> None:
    """Count leads … SQLs by grouped queries and the rest from the replay of the leads they
    depend on alone (isdesk.analytics.periods_sql)."""
    # The first month of each bucket after the first, as bounds for the database's CASE.
    bounds: list[int] = []
    previous = None
    for m, label in sorted(bucket_names.items()):
        if previous is not None and label != previous:
            bounds.append(months.start(m))
        previous = label
    segment = _segments_of(history) if per == "segment" else None

    def map_group(label: str) -> str:
        return segment(label if label != NONE_GROUP else "") if segment else label

    grouped_counts(history, per, lo, hi, bounds, buckets, counts, width, map_group)
    only = decided_leads(history)
    of_lead: dict[int, str] | None = None
    if per in ("source", "segment", "campaign"):
        of_lead = lead_groups(history, per, *only)
        if segment is not None:
            of_lead = {lead: map_group(label) for lead, label in of_lead.items()}
    tally = _Tally(lo, hi, months, bucket_names, counts, width, _grouper(history, per, of_lead))
    _, _, handoffs, orders = history.pipeline.replay_only(*only)
    _count_decided(history, tally, handoffs, orders, history.amounts_of(*only), only)
