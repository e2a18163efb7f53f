"""The cohorts report's figures, computed by the database in one statement.

Each cohort lead's five milestones (first contact attempt, first reach, first appointment,
first SQL, order) are looked up by index per lead (the leads of the cohorts only, not the whole
history), materialised once; the statement returns the histogram of the month each milestone
was reached in per cohort, and the two middle values of the days to an appointment and to SQL
(the medians, computed in Python from the same two numbers as the reference computes them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from isdesk.analytics.in_database import bucket_case, median_of
from isdesk.analytics.rows import _HISTORY_IN, _NOT_TRUE, CONTACT_KINDS, REACHED_SQL
from isdesk.analytics.timebase import DAY_S, Months

if TYPE_CHECKING:
    from isdesk.analytics.cohorts import CohortFigures
    from isdesk.analytics.history import History

_MILESTONE_COLUMNS = ("contact", "reach", "appt", "is_sql", "ord")


def cohort_figures(
    history: History, cal: Months, first_month: int, last_month: int, as_of_month: int
) -> CohortFigures:
    h = history
    cutoff = h._cutoff
    index = h._history_index
    kinds = ", ".join(f"'{k}'" for k in CONTACT_KINDS)

    def first(table: str, condition: str) -> str:
        alias = "a" if table == "activity" else "e"
        hint = index if table == "lead_event" else ""
        return h._epoch(
            f"(SELECT MIN({alias}.at) FROM {table} {alias}{hint} WHERE {alias}.lead_id = l.id "
            f"AND {condition} AND {alias}.at < ?)"
        )

    reached = REACHED_SQL.replace("kind", "a.kind").replace("outcome", "a.outcome")
    milestones = [
        (first("activity", f"a.kind IN ({kinds})"), [cutoff]),
        (first("activity", reached), [cutoff]),
        (first("activity", "a.kind = 'appointment'"), [cutoff]),
        (
            first(
                "lead_event",
                f"e.kind IN {_HISTORY_IN} AND e.kind = 'sql' AND e.new_value = 'true' "
                f"AND {_NOT_TRUE.replace('old_value', 'e.old_value')}",
            ),
            [cutoff],
        ),
        (
            first(
                "lead_event", f"e.kind IN {_HISTORY_IN} AND e.kind = 'stage' AND e.new_value = ?"
            ),
            [h.stages[-1], cutoff],
        ),
    ]
    cohort_bounds = [cal.start(m) for m in range(first_month + 1, last_month + 1)]
    month_bounds = [cal.start(m) for m in range(first_month + 1, as_of_month + 2)]
    columns = ", ".join(
        f"{sql} AS {name}" for (sql, _), name in zip(milestones, _MILESTONE_COLUMNS, strict=True)
    )
    params: list[object] = [p for _, ps in milestones for p in ps]
    per_lead = (
        f"SELECT {bucket_case('acq', cohort_bounds)} AS c, acq, {columns} FROM "
        f'(SELECT id, {h._epoch("acquired_at")} AS acq FROM "lead" '
        "WHERE acquired_at >= ? AND acquired_at < ? AND acquired_at < ?) l"
    )
    params += [h._at(cal.start(first_month)), h._at(cal.start(last_month + 1)), cutoff]
    histograms = " UNION ALL ".join(
        f"SELECT {i} AS kind, c, {bucket_case(name, month_bounds)} AS v, COUNT(*) AS n, "
        f"0 AS extra FROM p WHERE {name} IS NOT NULL GROUP BY 2, 3"
        for i, name in enumerate(_MILESTONE_COLUMNS)
    )
    # The days to an appointment (kind 5) and to SQL (6): rank r of n per cohort.
    values = (
        "SELECT 5 AS kind, c, appt - acq AS v FROM p WHERE appt IS NOT NULL UNION ALL "
        "SELECT 6 AS kind, c, is_sql - acq AS v FROM p WHERE is_sql IS NOT NULL"
    )
    middles = (
        "SELECT kind, c, MIN(v) AS v, n, MAX(v) AS extra FROM (SELECT kind, c, v, "
        "ROW_NUMBER() OVER (PARTITION BY kind, c ORDER BY v) - 1 AS r, "
        f"COUNT(*) OVER (PARTITION BY kind, c) AS n FROM ({values}) vals) ranked "
        "WHERE r = (n - 1) / 2 OR r = (n - 1) / 2 + 1 GROUP BY kind, c, n"
    )
    sizes = "SELECT 7 AS kind, c, 0 AS v, COUNT(*) AS n, 0 AS extra FROM p GROUP BY c"
    rows = h._rows(
        f"WITH p AS MATERIALIZED ({per_lead}) {histograms} UNION ALL {middles} UNION ALL {sizes}",
        params,
    )
    out: dict[int, list] = {}

    def cohort(c: int) -> list:
        month = first_month + int(c)
        if month not in out:
            out[month] = [0, [{} for _ in _MILESTONE_COLUMNS], None, None]
        return out[month]

    for kind, c, v, n, extra in rows:
        row = cohort(c)
        kind, n = int(kind), int(n)
        if kind < 5:
            # month_bounds start after first_month: bucket 0 is first_month or before
            row[1][kind][first_month + int(v)] = n
        elif kind < 7:
            row[kind - 3] = median_of((n, int(v), int(extra) if n % 2 == 0 else int(v)), DAY_S)
        else:
            row[0] = n
    return {month: (r[0], r[1], r[2], r[3]) for month, r in out.items()}
