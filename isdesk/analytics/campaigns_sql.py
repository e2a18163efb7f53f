"""The campaigns report's per-lead figures, grouped by the database.

:meth:`~isdesk.analytics.milestones.GroupedMilestones.campaign_counts` already counts each
campaign's leads and milestones in one grouped query; what the replay path still read into
Python — every lead's campaign, acquisition and first SQL for the rates at the same age, every
budget answer for the order values — is grouped here: the rates at each age as one GROUP BY,
the order values read for the ordered leads alone.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from isdesk.analytics.in_database import first_campaign_sql
from isdesk.analytics.rows import _HISTORY_IN, _NOT_TRUE
from isdesk.analytics.timebase import DAY_S

if TYPE_CHECKING:
    from isdesk.analytics.history import History


def _range(history: History, lo: int | None, hi: int | None) -> tuple[str, list[object]]:
    where, params = "", []
    if lo is not None:
        where += " AND l.acquired_at >= ?"
        params.append(history._at(lo))
    if hi is not None:
        where += " AND l.acquired_at < ?"
        params.append(history._at(hi))
    return where, params


def aged_counts(
    history: History, ages: tuple[int, ...], lo: int | None, hi: int | None
) -> dict[int, list[list[int]]]:
    """campaign -> per age in days: [leads at least that old, of them SQL within that many
    days of arriving], over the leads acquired in [lo, hi) before as_of."""
    h = history
    now = h.as_of
    sums = []
    for days in ages:
        span = days * DAY_S
        sums.append(f"SUM(CASE WHEN {now} - acq >= {span} THEN 1 ELSE 0 END)")
        sums.append(
            f"SUM(CASE WHEN {now} - acq >= {span} AND fs IS NOT NULL AND fs - acq <= {span} "
            "THEN 1 ELSE 0 END)"
        )
    first_sql = h._epoch(
        f"(SELECT MIN(e.at) FROM lead_event e{h._history_index} WHERE e.lead_id = l.id "
        f"AND e.kind IN {_HISTORY_IN} AND e.kind = 'sql' AND e.new_value = 'true' "
        f"AND {_NOT_TRUE.replace('old_value', 'e.old_value')} AND e.at < ?)"
    )
    where, params = _range(h, lo, hi)
    rows = h._rows(
        f"SELECT cid, {', '.join(sums)} FROM (SELECT {first_campaign_sql('l')} AS cid, "
        f'{h._epoch("l.acquired_at")} AS acq, {first_sql} AS fs FROM "lead" l '
        f"WHERE l.acquired_at < ?{where}) x WHERE cid IS NOT NULL GROUP BY cid",
        [h._cutoff, h._cutoff, h._cutoff, *params],
    )
    return {
        int(cid): [[int(v[2 * a] or 0), int(v[2 * a + 1] or 0)] for a in range(len(ages))]
        for cid, *v in rows
    }


def order_worth(history: History, lo: int | None, hi: int | None) -> dict[int, int]:
    """campaign -> the value in yen of its leads (acquired in [lo, hi)) that reached the
    last stage, read for those leads alone."""
    h = history
    ordered = (
        f"SELECT lead_id FROM lead_event{h._history_index} WHERE kind IN {_HISTORY_IN} "
        "AND kind = 'stage' AND new_value = ? AND at < ?"
    )
    ordered_params: list[object] = [h.stages[-1], h._cutoff]
    where, params = _range(h, lo, hi)
    rows = h._rows(
        f'SELECT l.id, {first_campaign_sql("l")} FROM "lead" l WHERE l.id IN ({ordered}) '
        f"AND l.acquired_at < ?{where}",
        [h._cutoff, *ordered_params, h._cutoff, *params],
    )
    amounts = h.amounts_of(ordered, ordered_params)
    worth: dict[int, int] = defaultdict(int)
    for lead_id, cid in rows:
        if cid is not None:
            worth[int(cid)] += amounts.get(lead_id, 0)
    return worth
