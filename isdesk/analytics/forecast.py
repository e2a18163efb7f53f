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
state, ``random.Random(seed)``: the same data and seed give the same numbers). An order's value
is its lead's ``Lead.extra`` ``amount``, else its budget answer, else ``default_value``
(arrivals: the mean over the leads acquired in the lookback); a lead's value follows it from
the state it starts in.

Run with an as_of in the past to set each month beside what actually happened after it (the
backtest columns; None for months not over yet). Actual SQLs are leads becoming SQL for the
first time, actual orders leads reaching the last stage, among the leads the forecast covers
(with arrivals: all leads).
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import math
import random
from dataclasses import dataclass

from isdesk.analytics.history import History, Timeline, epoch, without_gc
from isdesk.analytics.report import FLOAT, PCT, TEXT, YEN, Column, ReportBase, Table, quantile

INF = 1 << 62
AGE_CAP = 3  # a worked stage's state counts the steps spent in it: 0, 1, 2, 3+
RECENT_STEPS = 3  # arrivals per step: the mean of the last three (lead flow changes)
MIN_OBSERVED = 30  # a (stage, age) row seen less often uses its stage's pooled rates
DEFAULT_VALUE = 1_000_000  # yen, when a lead has neither an amount nor a budget answer


@dataclass(frozen=True)
class Chain:
    """The estimated monthly chain. States: stage keys before the last, "order", "out"."""

    states: tuple[str, ...]
    P: tuple[tuple[float, ...], ...]
    p_sql: tuple[float, ...]
    observed: tuple[int, ...]  # lead-steps each row was estimated from
    entry: tuple[float, ...]  # where an arrival stands at the end of its first step
    entry_sql: tuple[float, ...]  # of the arrivals in each state, the share already SQL
    arrivals: float  # leads acquired per step
    stage_of: tuple[int, ...] = ()  # each state's stage index (order: the last; out: -1)

    @property
    def order(self) -> int:
        return len(self.states) - 2

    @property
    def out(self) -> int:
        return len(self.states) - 1


@dataclass(frozen=True)
class ForecastMonth:
    month: int  # 1..months; 0 for the total
    start: dt.date  # local day the step starts
    end: dt.date  # local day the step ends (exclusive)
    sqls: float
    sqls_p10: float
    sqls_p90: float
    orders: float
    orders_p10: float
    orders_p90: float
    value: float
    value_p10: float
    value_p90: float
    actual_sqls: int | None = None
    actual_orders: int | None = None
    actual_value: int | None = None


@dataclass(frozen=True)
class ForecastReport(ReportBase):
    as_of: dt.datetime
    months: int
    lookback: int
    runs: int
    seed: int
    default_value: int
    arrivals: bool
    chain: Chain
    start_counts: tuple[int, ...]  # leads per state at as_of
    start_nonsql: tuple[int, ...]
    forecast: tuple[ForecastMonth, ...]
    total: ForecastMonth

    kind = "forecast"

    def tables(self) -> tuple[Table, ...]:
        columns = (
            Column("month", "月", "Month", TEXT),
            Column("from", "開始", "From", TEXT),
            Column("sqls", "SQL予測", "SQLs", FLOAT),
            Column("sqls_range", "SQL幅(10-90%)", "SQL p10–p90", TEXT),
            Column("orders", "受注予測", "Orders", FLOAT),
            Column("orders_range", "受注幅", "Order p10–p90", TEXT),
            Column("value", "受注金額", "Value ¥", YEN),
            Column("value_range", "金額幅", "Value p10–p90", TEXT),
            Column("actual_sqls", "実績SQL", "Actual SQLs"),
            Column("actual_orders", "実績受注", "Actual orders"),
            Column("actual_value", "実績金額", "Actual ¥", YEN),
        )

        def row(m: ForecastMonth) -> tuple:
            return (
                f"+{m.month}" if m.month else "total",
                m.start.isoformat(),
                m.sqls,
                f"{m.sqls_p10:g}–{m.sqls_p90:g}",
                m.orders,
                f"{m.orders_p10:g}–{m.orders_p90:g}",
                m.value,
                f"{m.value_p10:,.0f}–{m.value_p90:,.0f}",
                m.actual_sqls,
                m.actual_orders,
                m.actual_value,
            )

        main = Table(
            "forecast",
            f"forecast from {self.as_of.date()} ({self.runs} runs, seed {self.seed})",
            columns,
            tuple(row(m) for m in (*self.forecast, self.total)),
        )
        c = self.chain
        rates = Table(
            "rates",
            f"monthly rates over the last {self.lookback} months",
            (
                Column("state", "状態", "State", TEXT),
                Column("leads", "現在", "Leads now"),
                Column("not_sql", "未SQL", "Not SQL"),
                Column("stay", "滞留", "Stay", PCT),
                Column("move_on", "前進", "Move on", PCT),
                Column("to_order", "受注へ", "To order", PCT),
                Column("drop", "脱落", "Drop", PCT),
                Column("p_sql", "SQL化", "Becomes SQL", PCT),
                Column("observed", "観測数", "Observed"),
            ),
            tuple(
                (
                    c.states[x],
                    self.start_counts[x],
                    self.start_nonsql[x],
                    sum(p for y, p in enumerate(c.P[x]) if c.stage_of[y] == c.stage_of[x]),
                    sum(p for y, p in enumerate(c.P[x]) if c.stage_of[y] > c.stage_of[x] >= 0),
                    c.P[x][c.order] if x != c.order else None,
                    sum(p for y, p in enumerate(c.P[x]) if c.stage_of[x] > c.stage_of[y]),
                    c.p_sql[x],
                    c.observed[x],
                )
                for x in range(len(c.states))
            ),
        )
        return (main, rates)


# --- calendar steps ---------------------------------------------------------------------------


def shift_months(moment: dt.datetime, months: int) -> dt.datetime:
    """The same local wall time ``months`` calendar months later (the day clamped to the
    month's end: Jan 31 + 1 month is Feb 28/29)."""
    y, m = divmod(moment.month - 1 + months, 12)
    year, month = moment.year + y, m + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def step_bounds(history: History, first: int, last: int) -> list[int]:
    """Epoch seconds of as_of shifted by first..last calendar months (local wall time)."""
    local = history.as_of_dt.astimezone(history.rules.calendar.zone)
    return [epoch(shift_months(local, k)) for k in range(first, last + 1)]


# --- estimation -------------------------------------------------------------------------------


def _segments(tl: Timeline, acquired: int, order: int, out: int) -> list[tuple[int, int, int]]:
    """The lead's state over time as contiguous (start, end, code) from acquisition on; code
    is the stage index while worked, ``order`` (the last stage) or ``out``."""
    segs: list[tuple[int, int, int]] = []
    t, gap = acquired, out
    for stay in tl.stays:
        if stay.start > t:
            segs.append((t, stay.start, gap))
        end = INF if stay.end is None else stay.end
        segs.append((stay.start, end, stay.stage))
        t = end
        gap = order if stay.outcome == "moved" and stay.dest == order else out
    if t < INF:
        segs.append((t, INF, gap))
    return segs


def _code_at(segs: list[tuple[int, int, int]], t: int, first: int = 0) -> int:
    for k in range(first, len(segs)):
        s, e, x = segs[k]
        if s <= t < e:
            return x
    return segs[-1][2]


def _add_range(
    diff: list[int], capped: list[int], x: int, a0: int, a1: int, times: int = 1
) -> None:
    """Count ages a0..a1 of stage x (``times`` leads): one each below AGE_CAP (difference
    array), the rest together in capped[x]."""
    top = a1 if a1 < AGE_CAP - 1 else AGE_CAP - 1
    if top >= a0:
        diff[x * (AGE_CAP + 1) + a0] += times
        diff[x * (AGE_CAP + 1) + top + 1] -= times
    if a1 >= AGE_CAP:
        capped[x] += (a1 - (a0 if a0 > AGE_CAP else AGE_CAP) + 1) * times


def _unroll(diff: list[int], capped: list[int], stages: int) -> list[int]:
    """Per (stage, age) counts from _add_range's difference array."""
    out = []
    for x in range(stages):
        running = 0
        for a in range(AGE_CAP):
            running += diff[x * (AGE_CAP + 1) + a]
            out.append(running)
        out.append(capped[x])
    return out


def estimate(history: History, lookback: int = 12) -> tuple[Chain, list, list]:
    """The chain over the ``lookback`` steps before as_of, and each lead's state at as_of.

    A worked stage's state carries its age: the steps the lead has already spent in it (0, 1,
    2, 3+), because a lead that has sat in a stage for months moves on far less often than a
    fresh one, and the stock at as_of is mostly old. A (stage, age) row seen fewer than
    MIN_OBSERVED times uses the stage's rates over all ages instead.

    Returns (chain, [(lead id, state at as_of, is SQL at as_of)], ids of the lookback's leads).
    """
    keys = history.stages
    last = history.last_stage
    width = AGE_CAP + 1
    names = [
        f"{keys[x]}·{a}" + ("+" if a == AGE_CAP else "") for x in range(last) for a in range(width)
    ]
    states = (*names, "order", "out")
    n = len(states)
    order, out = n - 2, n - 1
    codes = [*(x * width for x in range(last)), order, out]  # code -> state of age 0

    def sid(code: int, age: int) -> int:
        return code * width + min(age, AGE_CAP) if code < last else codes[code]

    B = step_bounds(history, -(lookback + AGE_CAP), 0)
    W, E = AGE_CAP, AGE_CAP + lookback  # the window's first boundary and as_of
    trans = [[0] * n for _ in range(n)]
    stay_diff, stay_cap = [0] * (last * width + 1), [0] * last
    risk_diff, risk_cap = [0] * (last * width + 1), [0] * last
    risk_flat = [0] * n  # order and out have no age
    sql_events = [0] * n
    entry = [0] * n
    entry_sql = [0] * n
    arrived = recent = 0
    now_states = []
    window_ids = []
    timelines = history.timelines
    timeline = history.timeline_of
    bisect_left, bisect_right = bisect.bisect_left, bisect.bisect_right
    # Leads without pipeline events (two in five on the demo) have sat in the first stage
    # since acquired: one segment (acquired, INF, 0), never SQL. What the loop below would
    # count for them depends only on the boundary their acquisition falls before (``lo``):
    # counted per lo, then added together. Their arrival and state at as_of are as below.
    quiet_by_lo: dict[int, int] = {}
    for lead_id, acquired in history.acquired.items():
        tl = timelines.get(lead_id)
        if tl is None and last > 0:
            lo = bisect_left(B, acquired)
            if lo <= E:
                quiet_by_lo[lo] = quiet_by_lo.get(lo, 0) + 1
            j = bisect_right(B, acquired) - 1
            if W <= j <= E - 1:
                arrived += 1
                if j >= E - RECENT_STEPS:
                    recent += 1
                window_ids.append(lead_id)
                entry[codes[0]] += 1
            if acquired <= B[E]:
                now_states.append((lead_id, sid(0, E - lo), False))
            continue
        if tl is None:
            tl = timeline(lead_id, acquired)
        segs = _segments(tl, acquired, last, last + 1)
        fs = tl.first_sql
        fs_j = bisect_right(B, fs) - 1 if fs is not None else INF
        for k, (s, e, c) in enumerate(segs):
            lo = bisect_left(B, s)
            hi = bisect_left(B, e)  # boundaries lo..hi-1 lie in [s, e)
            if hi <= lo or lo > E:
                continue
            # max/min written out: this runs for every segment of every lead
            i_from = lo if lo > W else W
            cap = hi - 1 if hi - 1 < E - 1 else E - 1  # the last step that starts inside
            i_to = cap if cap < hi - 2 else hi - 2
            if i_to >= i_from:  # steps that start and end inside the segment
                if c < last:
                    _add_range(stay_diff, stay_cap, c, i_from - lo, i_to - lo)
                else:
                    trans[codes[c]][codes[c]] += i_to - i_from + 1
            i = hi - 1  # the step from the last boundary inside leaves the segment
            if W <= i <= E - 1:
                trans[sid(c, i - lo)][codes[_code_at(segs, B[hi], k + 1)]] += 1
            top = fs_j if fs_j < cap else cap
            if top >= i_from:  # steps it starts not yet SQL
                if c < last:
                    _add_range(risk_diff, risk_cap, c, i_from - lo, top - lo)
                else:
                    risk_flat[codes[c]] += top - i_from + 1
            if fs is not None and i_from <= fs_j <= cap:
                sql_events[sid(c, fs_j - lo)] += 1
        j = bisect_right(B, acquired) - 1
        if W <= j <= E - 1:
            arrived += 1
            if j >= E - RECENT_STEPS:
                recent += 1
            window_ids.append(lead_id)
            y = codes[_code_at(segs, B[j + 1])]
            entry[y] += 1
            if fs is not None and fs < B[j + 1]:
                entry_sql[y] += 1
        for s, e, c in segs:
            if s <= B[E] < e:
                now_states.append((lead_id, sid(c, E - bisect_left(B, s)), fs is not None))
                break
    for lo, times in quiet_by_lo.items():
        i_from = max(lo, W)  # the segment reaches past as_of: steps i_from..E-1 stay in it
        if i_from <= E - 1:
            _add_range(stay_diff, stay_cap, 0, i_from - lo, E - 1 - lo, times)
            _add_range(risk_diff, risk_cap, 0, i_from - lo, E - 1 - lo, times)
    stays = _unroll(stay_diff, stay_cap, last)
    for x in range(last):
        for a in range(width):
            trans[x * width + a][x * width + min(a + 1, AGE_CAP)] += stays[x * width + a]
    at_risk = [*_unroll(risk_diff, risk_cap, last), risk_flat[order], risk_flat[out]]

    P: list[tuple[float, ...]] = []
    p_sql: list[float] = []
    for x in range(n):
        total = sum(trans[x])
        stage = x // width if x < order else None
        if x == order:
            P.append(tuple(1.0 if y == x else 0.0 for y in range(n)))
            p_sql.append(0.0)
            continue
        row, risk, events = trans[x], at_risk[x], sql_events[x]
        if stage is not None and total < MIN_OBSERVED:
            # Pool the stage's ages: staying keeps ageing this row; exits are shared.
            block = range(stage * width, stage * width + width)
            pooled = [0] * n
            stayed = 0
            for r in block:
                for y, v in enumerate(trans[r]):
                    if y in block:
                        stayed += v
                    else:
                        pooled[y] += v
            pooled[stage * width + min(x - stage * width + 1, AGE_CAP)] += stayed
            row, total = pooled, sum(pooled)
            risk = sum(at_risk[r] for r in block)
            events = sum(sql_events[r] for r in block)
        P.append(
            tuple(v / total for v in row)
            if total
            else tuple(1.0 if y == x else 0.0 for y in range(n))
        )
        p_sql.append(events / risk if risk else 0.0)
    chain = Chain(
        states,
        tuple(P),
        tuple(p_sql),
        tuple(sum(row) for row in trans),
        tuple(v / arrived if arrived else 0.0 for v in entry),
        tuple(entry_sql[y] / entry[y] if entry[y] else 0.0 for y in range(n)),
        recent / min(RECENT_STEPS, lookback),
        tuple([x // width for x in range(order)] + [last, -1]),
    )
    return chain, now_states, window_ids


# --- projection -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Projection:
    sqls: tuple[float, ...]
    orders: tuple[float, ...]
    value: tuple[float, ...]
    runs_sqls: tuple[tuple[float, ...], ...]  # per step, every run's figure
    runs_orders: tuple[tuple[float, ...], ...]
    runs_value: tuple[tuple[float, ...], ...]


def project(
    chain: Chain,
    counts: list[float],
    nonsql: list[float],
    values: list[float],
    *,
    months: int,
    runs: int = 500,
    seed: int = 42,
    arrivals: bool = True,
    arrival_value: float = 0.0,
) -> Projection:
    """Step the chain ``months`` times from ``counts`` leads per state (``nonsql`` of them
    never SQL; ``values[x]``: the mean order value of the leads starting in state x)."""
    n = len(chain.states)
    order = chain.order
    P = chain.P
    p_sql = chain.p_sql
    A = chain.arrivals if arrivals else 0.0
    # Expected values: counts per origin (the starting state; n = arrivals) and state.
    origin = [[counts[o] if x == o else 0.0 for x in range(n)] for o in range(n)] + [[0.0] * n]
    origin_value = [*values, arrival_value]
    nons = list(nonsql)
    exp_sql, exp_orders, exp_value = [], [], []
    mean_value: list[list[float]] = []  # per step, per state: the value of an order from it
    for _ in range(months):
        sql = sum(nons[x] * p_sql[x] for x in range(n)) + A * sum(
            chain.entry[y] * chain.entry_sql[y] for y in range(n)
        )
        kept = [nons[x] * (1 - p_sql[x]) for x in range(n)]
        nons = [sum(kept[x] * P[x][y] for x in range(n)) for y in range(n)]
        for y in range(n):
            nons[y] += A * chain.entry[y] * (1 - chain.entry_sql[y])
        step_value = []
        for x in range(n):
            mass = sum(origin[o][x] for o in range(n + 1))
            worth = sum(origin[o][x] * origin_value[o] for o in range(n + 1))
            step_value.append(worth / mass if mass else arrival_value)
        mean_value.append(step_value)
        orders = sum(
            sum(origin[o][x] for o in range(n + 1)) * P[x][order] for x in range(n) if x != order
        )
        value = sum(
            origin[o][x] * P[x][order] * origin_value[o]
            for o in range(n + 1)
            for x in range(n)
            if x != order
        )
        orders += A * chain.entry[order]
        value += A * chain.entry[order] * arrival_value
        origin = [[sum(row[x] * P[x][y] for x in range(n)) for y in range(n)] for row in origin]
        for y in range(n):
            origin[n][y] += A * chain.entry[y]
        exp_sql.append(sql)
        exp_orders.append(orders)
        exp_value.append(value)

    rng = random.Random(seed)
    rows = [[(y, P[x][y]) for y in range(n) if P[x][y] > 0] for x in range(n)]
    entry_row = [(y, chain.entry[y]) for y in range(n) if chain.entry[y] > 0]
    runs_sqls = [[0.0] * runs for _ in range(months)]
    runs_orders = [[0.0] * runs for _ in range(months)]
    runs_value = [[0.0] * runs for _ in range(months)]
    for r in range(runs):
        ns = [int(v) for v in nonsql]
        sq = [int(counts[x]) - ns[x] for x in range(n)]
        for k in range(months):
            sqls = 0
            for x in range(n):
                flips = _binomial(rng, ns[x], p_sql[x])
                ns[x] -= flips
                sq[x] += flips
                sqls += flips
            new_ns, new_sq = [0] * n, [0] * n
            orders, value = 0, 0.0
            worth = mean_value[k]
            for x in range(n):
                for group, target in ((ns, new_ns), (sq, new_sq)):
                    left = group[x]
                    remaining = 1.0
                    for y, p in rows[x]:
                        if left <= 0:
                            break
                        moved = left if p >= remaining else _binomial(rng, left, p / remaining)
                        remaining -= p
                        left -= moved
                        target[y] += moved
                        if y == order and x != order:
                            orders += moved
                            value += moved * worth[x]
            if A > 0:
                left = _poisson(rng, A)
                remaining = 1.0
                for y, p in entry_row:
                    if left <= 0:
                        break
                    arrived = left if p >= remaining else _binomial(rng, left, p / remaining)
                    remaining -= p
                    left -= arrived
                    already = _binomial(rng, arrived, chain.entry_sql[y])
                    sqls += already
                    new_sq[y] += already
                    new_ns[y] += arrived - already
                    if y == order:
                        orders += arrived
                        value += arrived * arrival_value
            ns, sq = new_ns, new_sq
            runs_sqls[k][r] = sqls
            runs_orders[k][r] = orders
            runs_value[k][r] = value
    return Projection(
        tuple(exp_sql),
        tuple(exp_orders),
        tuple(exp_value),
        tuple(tuple(v) for v in runs_sqls),
        tuple(tuple(v) for v in runs_orders),
        tuple(tuple(v) for v in runs_value),
    )


def _binomial(rng: random.Random, n: int, p: float) -> int:
    """A Binomial(n, p) draw: inversion for small means, the normal approximation above.

    For p above one half, n minus a Binomial(n, 1 - p) draw (the same draws as calling
    itself with 1 - p, without the call).
    """
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    flip = p > 0.5
    if flip:
        p = 1.0 - p
    mean = n * p
    if mean < 15:
        q = 1.0 - p
        s = p / q
        a = (n + 1) * s
        r = q**n
        u = rng.random()
        x = 0
        while u > r and x < n:
            u -= r
            x += 1
            r *= a / x - s
    else:
        x = round(rng.gauss(mean, math.sqrt(mean * (1.0 - p))))
        x = 0 if x < 0 else n if x > n else x
    return n - x if flip else x


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean < 30:
        limit, k, prod = math.exp(-mean), 0, rng.random()
        while prod > limit:
            k += 1
            prod *= rng.random()
        return k
    return max(0, round(rng.gauss(mean, math.sqrt(mean))))


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
) -> ForecastReport:
    """Forecast ``months`` (1–6) steps from ``history``'s as_of; ``actual`` (the same database
    read up to now) fills the backtest columns for steps that are over."""
    if not 1 <= months <= 6:
        raise ValueError("months: forecast 1 to 6 months ahead")
    if lookback < 1 or runs < 1:
        raise ValueError("lookback and runs must be at least 1")
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
    sums = [
        tuple(map(sum, zip(*series, strict=True)))
        for series in (proj.runs_sqls, proj.runs_orders, proj.runs_value)
    ]
    total_act = None
    if actuals and all(a is not None for a in actuals):
        total_act = tuple(sum(a[i] for a in actuals) for i in range(3))  # type: ignore[index]
    total = month(
        0,
        sum(proj.sqls),
        sum(proj.orders),
        sum(proj.value),
        *sums,
        bounds[0],
        bounds[-1],
        total_act,
    )
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
    )


def _q(values, q: float) -> float:
    v = quantile(list(values), q)
    return round(v, 2) if v is not None else 0.0


def _actuals(actual: History, bounds: list[int], only: set[int] | None, default: int):
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
