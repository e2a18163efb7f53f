"""A medium-term forecast from the pipeline's own history: SQLs, orders and order value.

The model is a monthly Markov chain over the lead's state — each stage before the last while
worked, ``order`` (the last stage; absorbing) and ``out`` (lost or nurturing; leads may come
back). It is estimated from the history of the ``lookback`` months before as_of, stepping by
calendar months that end at as_of (as_of − 12 months, …, as_of − 1 month, as_of):

- ``P[X][Y]``: of the leads in state X at a step's start, the share in state Y at its end;
- ``p_sql[X]``: of the leads in X at a step's start that had never been SQL, the share that
  became SQL (for the first time) during the step;
- arrivals: leads acquired per step (the mean of the last three steps: lead flow changes),
  and where a new lead stands at the end of its first (partial) step — its state, and
  whether it is already SQL;
- a worked stage's state carries its age (steps already spent in it: 0, 1, 2, 3+), since a
  lead that has sat in a stage for months moves on far less often than a fresh one.

The projection starts from every lead's state at as_of and steps the chain ``months`` times.
Expected values are exact arithmetic (counts times probabilities, summed); the range is the
10th–90th percentile of ``runs`` Monte Carlo simulations of the same chain (binomial draws per
state, ``random.Random(seed)``: the same data and seed give the same numbers), widened by the
scale its own backtests over the past ``coverage`` months call for
(isdesk.analytics.forecast_backtest; the report shows the coverage they had). An order's value
is its lead's ``Lead.extra`` ``amount``, else its budget answer, else ``default_value``
(arrivals: the mean over the leads acquired in the lookback); a lead's value follows it from
the state it starts in.

Run with an as_of in the past to set each month beside what actually happened after it (the
backtest columns; None for months not over yet). Actual SQLs are leads becoming SQL for the
first time, actual orders leads reaching the last stage, among the leads the forecast covers
(with arrivals: all leads).

The chain and its estimation are in isdesk.analytics.forecast_chain, the projection and its
Monte Carlo in isdesk.analytics.forecast_sim, the report's months and tables in
isdesk.analytics.forecast_result; this module builds the report, backtest columns included.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import replace

from isdesk.analytics.forecast_backtest import Coverage, calibrate, run_backtests, widened
from isdesk.analytics.forecast_chain import (
    AGE_CAP,
    INF,
    MIN_OBSERVED,
    RECENT_STEPS,
    Chain,
    estimate,
    shift_months,
    step_bounds,
)
from isdesk.analytics.forecast_result import ForecastMonth, ForecastReport
from isdesk.analytics.forecast_sim import Projection, project
from isdesk.analytics.history import History, without_gc
from isdesk.analytics.report import quantile

# The chain, the projection and the report's types are imported from here too (tests,
# callers of the old module).
__all__ = [
    "AGE_CAP",
    "DEFAULT_VALUE",
    "INF",
    "MIN_OBSERVED",
    "RECENT_STEPS",
    "Chain",
    "ForecastMonth",
    "ForecastReport",
    "Projection",
    "estimate",
    "forecast_report",
    "project",
    "shift_months",
    "step_bounds",
]

DEFAULT_VALUE = 1_000_000  # yen, when a lead has neither an amount nor a budget answer


# --- the report -------------------------------------------------------------------------------


@without_gc
def forecast_report(
    history: History,
    *,
    months: int = 3,
    lookback: int = 12,
    runs: int = 500,
    seed: int = 42,
    default_value: int = DEFAULT_VALUE,
    arrivals: bool = True,
    actual: History | None = None,
    coverage: int = 6,
) -> ForecastReport:
    """Forecast ``months`` (1–6) steps from ``history``'s as_of; ``actual`` (the same database
    read up to now) fills the backtest columns for steps that are over. ``coverage``: the
    months before as_of whose backtests calibrate the range and report its coverage
    (isdesk.analytics.forecast_backtest; 0: the raw Monte Carlo range)."""
    if not 1 <= months <= 6:
        raise ValueError("months: forecast 1 to 6 months ahead")
    if lookback < 1 or runs < 1:
        raise ValueError("lookback and runs must be at least 1")
    if not 0 <= coverage <= 36:
        raise ValueError("coverage: 0 to 36 months of backtests")
    chain, now_states, window_ids = estimate(history, lookback)
    n = len(chain.states)
    amounts = history.amounts
    counts, nonsql, worth = [0] * n, [0] * n, [0.0] * n
    covered: set[int] = set()
    for lead_id, x, is_sql in now_states:
        counts[x] += 1
        nonsql[x] += not is_sql
        worth[x] += amounts.get(lead_id, default_value)
        covered.add(lead_id)
    values = [worth[x] / counts[x] if counts[x] else float(default_value) for x in range(n)]
    arrival_value = (
        sum(amounts.get(i, default_value) for i in window_ids) / len(window_ids)
        if window_ids
        else float(default_value)
    )
    proj = project(
        chain,
        counts,
        nonsql,
        values,
        months=months,
        runs=runs,
        seed=seed,
        arrivals=arrivals,
        arrival_value=arrival_value,
    )
    bounds = step_bounds(history, 0, months)
    zone = history.rules.calendar.zone

    def day(ts: int) -> dt.date:
        return dt.datetime.fromtimestamp(ts, zone).date()

    actuals = None
    if actual is not None:
        actuals = _actuals(actual, bounds, None if arrivals else covered, default_value)

    def month(k: int, sq, od, val, sq_runs, od_runs, val_runs, start: int, end: int, act):
        return ForecastMonth(
            k,
            day(start),
            day(end),
            round(sq, 2),
            _q(sq_runs, 0.1),
            _q(sq_runs, 0.9),
            round(od, 2),
            _q(od_runs, 0.1),
            _q(od_runs, 0.9),
            round(val),
            round(_q(val_runs, 0.1)),
            round(_q(val_runs, 0.9)),
            *(act if act else (None, None, None)),
        )

    out = []
    for k in range(months):
        act = actuals[k] if actuals else None
        out.append(
            month(
                k + 1,
                proj.sqls[k],
                proj.orders[k],
                proj.value[k],
                proj.runs_sqls[k],
                proj.runs_orders[k],
                proj.runs_value[k],
                bounds[k],
                bounds[k + 1],
                act,
            )
        )
    sq_runs, od_runs, val_runs = (
        tuple(map(sum, zip(*series, strict=True)))
        for series in (proj.runs_sqls, proj.runs_orders, proj.runs_value)
    )
    total_act = None
    over = [a for a in actuals if a is not None] if actuals else []
    if actuals and len(over) == len(actuals):  # every step is over
        total_act = tuple(sum(a[i] for a in over) for i in range(3))
    total = month(
        0,
        sum(proj.sqls),
        sum(proj.orders),
        sum(proj.value),
        sq_runs,
        od_runs,
        val_runs,
        bounds[0],
        bounds[-1],
        total_act,
    )
    checked: tuple[Coverage, ...] = ()
    if coverage:
        checked = calibrate(
            run_backtests(
                history,
                coverage,
                months=months,
                lookback=lookback,
                runs=runs,
                seed=seed,
                default_value=default_value,
                arrivals=arrivals,
            )
        )
        scales = {c.figure: c.scale for c in checked}
        out = [replace(m, **widened(m, scales)) for m in out]
        total = replace(total, **widened(total, scales))
    return ForecastReport(
        history.as_of_dt,
        months,
        lookback,
        runs,
        seed,
        default_value,
        arrivals,
        chain,
        tuple(counts),
        tuple(nonsql),
        tuple(out),
        total,
        checked,
    )


def _q(values, q: float) -> float:
    v = quantile(list(values), q)
    return round(v, 2) if v is not None else 0.0


def _actuals(
    actual: History, bounds: list[int], only: set[int] | None, default: int
) -> list[tuple[int, int, int] | None]:
    """Per step: (first-time SQLs, orders, order value) that happened, or None if not over."""
    amounts = actual.amounts
    steps = len(bounds) - 1
    sqls = [0] * steps
    orders = [0] * steps
    value = [0] * steps
    for tl in actual.timelines.values():
        if only is not None and tl.lead not in only:
            continue
        if tl.first_sql is not None:
            k = bisect.bisect_right(bounds, tl.first_sql) - 1
            if 0 <= k < steps:
                sqls[k] += 1
    for lead, at, _ in actual.orders:
        if only is not None and lead not in only:
            continue
        k = bisect.bisect_right(bounds, at) - 1
        if 0 <= k < steps:
            orders[k] += 1
            value[k] += amounts.get(lead, default)
    return [
        (sqls[k], orders[k], value[k]) if bounds[k + 1] <= actual.as_of else None
        for k in range(steps)
    ]
