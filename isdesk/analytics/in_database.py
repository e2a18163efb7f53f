"""SQL building blocks for the reports that aggregate where the data is.

With ``History(in_database=True)`` (the default) the reports group and count in the database
and bring back only their cells: a million leads cost the database a few grouped scans, not
Python a million tuples. The replay (``in_database=False``) stays as the reference: tests hold
both ways to the same figures on SQLite and PostgreSQL.

- :func:`bucket_case`: an epoch-seconds expression → the index of its calendar bucket, as a
  nested CASE that halves the bounds at each level (the bounds are the buckets' local month
  starts as epoch seconds, so a zone with summer time needs no zone arithmetic in SQL);
- :func:`first_owner_sql`, :func:`first_campaign_sql`: a lead's first owner and the campaign
  it arrived through, as SQL over the same rows History reads;
- :func:`group_sql`: the SQL of a report's group key for ``per`` and its joins;
- :func:`middle_values`: the two middle values of each group (a median exactly as
  :func:`~isdesk.analytics.report.quantile` computes it, from the same two numbers).

Every number in the SQL text is an integer this module computed (bounds, stage indexes); every
value from a user or the rules is a parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from isdesk.analytics.report import quantile

if TYPE_CHECKING:
    from isdesk.analytics.history_tables import HistoryTables

NONE_GROUP = "(none)"


def bucket_case(expr: str, bounds: Sequence[int]) -> str:
    """SQL giving 0 where ``expr`` < bounds[0], i where bounds[i-1] <= expr < bounds[i] and
    len(bounds) from the last bound on (``bounds`` ascending epoch seconds).

    A balanced tree of CASEs: log2(buckets) comparisons a row. ``expr`` appears once per
    level, so give it a column computed once (a subquery's) rather than a function call.
    """

    def node(lo: int, hi: int) -> str:  # the answer lies in lo..hi
        if lo == hi:
            return str(lo)
        mid = (lo + hi) // 2  # the answer is at most mid exactly when expr < bounds[mid]
        return (
            f"CASE WHEN {expr} < {int(bounds[mid])} THEN {node(lo, mid)} "
            f"ELSE {node(mid + 1, hi)} END"
        )

    return node(0, len(bounds))


def first_owner_sql() -> str:
    """(lead_id, op): the operator each lead was first assigned to — its earliest owner event
    naming a known operator (History.first_owner). Params: as_of."""
    return (
        "SELECT lead_id, op FROM (SELECT e.lead_id, o.id AS op, ROW_NUMBER() OVER "
        "(PARTITION BY e.lead_id ORDER BY e.at, e.id) AS k FROM lead_event e "
        "JOIN operator o ON o.name = e.new_value WHERE e.kind = 'owner' AND e.at < ?) fo "
        "WHERE k = 1"
    )


def first_campaign_sql(lead: str) -> str:
    """The campaign lead ``lead`` (an alias) arrived through: its campaign, else its earliest
    arrival touch's (History.first_touch_campaign). Params: as_of."""
    return (
        f"COALESCE({lead}.campaign_id, (SELECT t.campaign_id FROM touch t "
        f"WHERE t.lead_id = {lead}.id AND t.kind = 'new' AND t.at < ? "
        "ORDER BY t.at, t.id LIMIT 1))"
    )


@dataclass(frozen=True)
class GroupSql:
    """A report's group key in SQL: ``expr`` over the aliases ``l`` (the lead) and ``g`` (the
    operator joined by ``joins``), with ``params`` for the joins and the expression, in the
    order they appear (joins first)."""

    expr: str
    joins: str
    join_params: tuple[object, ...]
    expr_params: tuple[object, ...]


def group_sql(per: str, operator: str, cutoff: object) -> GroupSql:
    """The group key of ``per`` (none, operator, team, source, campaign, segment) for a row
    whose operator is the SQL ``operator`` and whose lead is ``l``. NULL means no group:
    :func:`group_label` names it. ``segment`` gives the source (mapped by the report)."""
    if per in ("operator", "team"):
        column = "name" if per == "operator" else "team"
        return GroupSql(f"g.{column}", f" LEFT JOIN operator g ON g.id = {operator}", (), ())
    if per in ("source", "segment"):
        return GroupSql("l.source", "", (), ())
    if per == "campaign":
        return GroupSql("g.name", f" LEFT JOIN campaign g ON g.id = {first_campaign_sql('l')}",
                        (cutoff,), ())  # fmt: skip
    return GroupSql("''", "", (), ())


def group_label(per: str, key: object) -> str:
    """The group a key of :func:`group_sql` names (segment: the source; see the report)."""
    if per == "none":
        return "all"
    if per in ("source", "segment"):
        return str(key) if key else NONE_GROUP
    return NONE_GROUP if key is None else str(key)


def middle_values(
    history: HistoryTables, values_sql: str, params: Sequence[object]
) -> dict[object, tuple[int, int, int]]:
    """group -> (n, low, high): the count and the two middle values (ranks floor((n-1)/2) and
    the next, 0-based) of ``values_sql``'s (group, value) rows. Ties order by value alone,
    so any two rows of equal value are interchangeable."""
    rows = history._rows(
        "SELECT grp, n, MIN(v), MAX(v) FROM (SELECT grp, v, "
        "ROW_NUMBER() OVER (PARTITION BY grp ORDER BY v) - 1 AS r, "
        f"COUNT(*) OVER (PARTITION BY grp) AS n FROM ({values_sql}) vals) ranked "
        "WHERE r = (n - 1) / 2 OR r = (n - 1) / 2 + 1 GROUP BY grp, n",
        params,
    )
    out: dict[object, tuple[int, int, int]] = {}
    for grp, n, low, high in rows:
        n = int(n)
        # n odd: rank (n-1)/2 is the median and the next rank only its neighbour.
        out[grp] = (n, int(low), int(high) if n % 2 == 0 else int(low))
    return out


def median_of(found: tuple[int, int, int] | None, scale: float) -> float | None:
    """The median of the values ``found`` describes (n, low, high), each divided by ``scale``,
    computed as :func:`~isdesk.analytics.report.median` computes it over all of them."""
    if found is None:
        return None
    n, low, high = found
    if n % 2:
        return quantile([low / scale], 0.5)
    return quantile([low / scale, high / scale], 0.5)
