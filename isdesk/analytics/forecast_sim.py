"""The forecast's projection: the estimated chain stepped month by month from the leads'
states at as_of, as exact expected values and as ``runs`` seeded Monte Carlo simulations
(binomial draws per state, Poisson arrivals, ``random.Random(seed)``: the same data and seed
give the same numbers). See isdesk.analytics.forecast for the model.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from isdesk.analytics.forecast_chain import Chain

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
    counts: Sequence[float],
    nonsql: Sequence[float],
    values: Sequence[float],
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
            order_value = mean_value[k]  # per state
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
                            value += moved * order_value[x]
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
