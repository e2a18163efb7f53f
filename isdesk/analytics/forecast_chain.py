"""The forecast's monthly Markov chain, estimated from the pipeline's own history.

States: each stage before the last while worked, with its age (steps already spent in it:
0, 1, 2, 3+), ``order`` (the last stage; absorbing) and ``out`` (lost or nurturing). The
chain is estimated over the ``lookback`` calendar-month steps that end at as_of; see
isdesk.analytics.forecast for the model, isdesk.analytics.forecast_sim for its projection.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
from dataclasses import dataclass

from isdesk.analytics.history import History, Timeline, epoch

INF = 1 << 62
AGE_CAP = 3  # a worked stage's state counts the steps spent in it: 0, 1, 2, 3+
RECENT_STEPS = 3  # arrivals per step: the mean of the last three (lead flow changes)
MIN_OBSERVED = 30  # a (stage, age) row seen less often uses its stage's pooled rates


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
