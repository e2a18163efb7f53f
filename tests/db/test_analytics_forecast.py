"""The forecast: the chain's arithmetic by hand, its Monte Carlo range, its estimation from a
hand-built history, and the backtest columns."""

from __future__ import annotations

import datetime as dt

import pytest

from isdesk.analytics import History, forecast_report
from isdesk.analytics.forecast import Chain, estimate, project, shift_months
from isdesk.analytics.history import local_midnight
from isdesk.rules import load_rules
from tests.support.analytics_data import Builder, jst

RULES = load_rules(None)

# proposal → opportunity half the time a month; opportunity → order 40 % a month.
STATES = ("proposal", "opportunity", "order", "out")
CHAIN = Chain(
    states=STATES,
    P=(
        (0.5, 0.5, 0.0, 0.0),
        (0.0, 0.6, 0.4, 0.0),
        (0.0, 0.0, 1.0, 0.0),
        (0.0, 0.0, 0.0, 1.0),
    ),
    p_sql=(0.2, 0.0, 0.0, 0.0),
    observed=(100, 100, 0, 0),
    entry=(0.0, 0.0, 0.0, 0.0),
    entry_sql=(0.0, 0.0, 0.0, 0.0),
    arrivals=0.0,
    stage_of=(1, 2, 4, -1),
)


def test_expected_orders_follow_the_chain_by_hand() -> None:
    proj = project(CHAIN, [100, 0, 0, 0], [100, 0, 0, 0], [1000.0, 0, 0, 0], months=3, runs=200)
    # Month 1: nobody is in opportunity yet → 0 orders. Month 2: 50 in opportunity × 0.4 = 20.
    # Month 3: opportunity holds 50 × 0.6 + 25 (new from proposal) = 55 → 22 orders.
    assert proj.orders == pytest.approx((0.0, 20.0, 22.0))
    assert proj.value == pytest.approx((0.0, 20_000.0, 22_000.0))
    # SQLs: 20 % of the 100 non-SQL proposals; then of the 80 left, half are still in
    # proposal (40 × 0.2 = 8); of those 40, 32 stay non-SQL and half of them remain in
    # proposal (16 × 0.2 = 3.2).
    assert proj.sqls == pytest.approx((20.0, 8.0, 3.2))


def test_the_monte_carlo_range_holds_the_expectation_and_repeats_with_the_seed() -> None:
    args = ([100, 0, 0, 0], [100, 0, 0, 0], [1000.0, 0, 0, 0])
    one = project(CHAIN, *args, months=3, runs=400, seed=7)
    again = project(CHAIN, *args, months=3, runs=400, seed=7)
    other = project(CHAIN, *args, months=3, runs=400, seed=8)
    assert one == again
    assert one.runs_orders != other.runs_orders
    totals = sorted(sum(run) for run in zip(*one.runs_orders, strict=True))
    p10, p90 = totals[len(totals) // 10], totals[len(totals) * 9 // 10]
    assert p10 <= 42 <= p90
    mean = sum(totals) / len(totals)
    assert mean == pytest.approx(42, abs=1.5)  # 400 runs: the mean is close to the arithmetic


def test_shift_months_clamps_the_day() -> None:
    assert shift_months(dt.datetime(2026, 1, 31), 1) == dt.datetime(2026, 2, 28)
    assert shift_months(dt.datetime(2026, 3, 15), -3) == dt.datetime(2025, 12, 15)


def _pipeline(db) -> History:
    """Four leads enter proposal mid-April; two move to opportunity in May; one of those is
    quoted and ordered in July (after as_of: the backtest sees it)."""
    b = Builder()
    leads = []
    for i in range(4):
        lead = b.lead(jst(2026, 4, 10), company=f"会社{i}", extra='{"amount": 3000000}')
        b.sql(lead, jst(2026, 4, 12))
        b.hand_off(lead, jst(2026, 4, 15))
        leads.append(lead)
    for lead in leads[:2]:
        b.stage(lead, jst(2026, 5, 20), "proposal", "opportunity", b.field)
    b.stage(leads[0], jst(2026, 7, 5), "opportunity", "quote", b.field)
    b.stage(leads[0], jst(2026, 7, 10), "quote", "order", b.field)
    return History(RULES, local_midnight(dt.date(2026, 7, 1), RULES))


def test_rates_are_estimated_from_month_steps_of_the_history(db) -> None:
    with db.connection_context():
        h = _pipeline(db)
        chain, now, _ = estimate(h, lookback=2)
    # Steps 1 May → 1 June → 1 July. At 1 May four leads are in proposal (age 0): two go to
    # opportunity, two stay (age 1); at 1 June those two stay again (age 2), and the two in
    # opportunity stay. Too few to split by age, so proposal pools: 4 stays, 2 moves.
    s = chain.states.index
    assert chain.P[s("proposal·0")][s("opportunity·0")] == pytest.approx(2 / 6)
    assert chain.P[s("proposal·0")][s("proposal·1")] == pytest.approx(4 / 6)
    assert chain.P[s("proposal·3+")][s("proposal·3+")] == pytest.approx(4 / 6)
    assert chain.P[s("opportunity·0")][s("opportunity·1")] == 1.0
    assert chain.p_sql == (0.0,) * len(chain.states)  # all were SQL before the window
    assert chain.arrivals == 0.0
    states = sorted(chain.states[x] for _, x, _ in now)
    assert states == ["opportunity·1", "opportunity·1", "proposal·2", "proposal·2"]


def test_forecast_report_with_its_backtest(db) -> None:
    with db.connection_context():
        h = _pipeline(db)
        actual = History(RULES, jst(2026, 11, 1))
        report = forecast_report(h, months=2, lookback=2, runs=100, arrivals=False, actual=actual)
    first, second = report.forecast
    # Month 1: the two opportunities never moved on in the window → 0 expected orders; the
    # proposals reach opportunity but cannot order within the same month.
    assert first.orders == 0.0 and second.orders == 0.0
    assert first.start == dt.date(2026, 7, 1) and first.end == dt.date(2026, 8, 1)
    assert (first.actual_orders, first.actual_value, first.actual_sqls) == (1, 3_000_000, 0)
    assert second.actual_orders == 0
    assert report.total.actual_orders == 1
    assert report.start_counts[report.chain.states.index("proposal·2")] == 2
    rows = report.table("rates").dicts()
    assert {r["state"] for r in rows} >= {"proposal·0", "order", "out"}
    # Not over yet at "now": no actual figure.
    late = forecast_report(
        h, months=2, lookback=2, runs=10, actual=History(RULES, jst(2026, 7, 20))
    )
    assert late.forecast[0].actual_orders is None and late.total.actual_orders is None


def test_forecast_rejects_a_horizon_beyond_six_months(db) -> None:
    with db.connection_context(), pytest.raises(ValueError, match="1 to 6"):
        forecast_report(History(RULES), months=7)
