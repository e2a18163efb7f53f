"""Calibrating the forecast's range by its backtests, on hand-made backtest results."""

from __future__ import annotations

import pytest

from isdesk.analytics.forecast_backtest import MAX_SCALE, Checked, calibrate, ratio, widen


def sqls(origin: int, actual: float) -> Checked:
    return Checked(origin, "sqls", mean=10.0, low=8.0, high=12.0, actual=actual)


def test_ratio_is_the_miss_in_halves_of_the_range_on_its_side() -> None:
    assert ratio(sqls(1, 10)) == 0.0
    assert ratio(sqls(1, 11)) == 0.5
    assert ratio(sqls(1, 16)) == 3.0
    assert ratio(sqls(1, 4)) == 3.0  # below: over the lower half
    flat = Checked(1, "orders", mean=0.0, low=0.0, high=0.0, actual=1.0)
    assert ratio(flat) == MAX_SCALE  # a range of nothing cannot hold a miss


def test_the_scale_holds_the_nominal_share_and_is_scored_leave_one_out() -> None:
    checked = [sqls(k, a) for k, a in enumerate((10, 11, 14, 16, 20), start=1)]
    (cov, orders, value) = calibrate(checked)
    # ratios 0, 0.5, 2, 3, 5: the 0.8-quantile (interpolated) is 3 + 0.2 * 2 = 3.4
    assert cov.scale == pytest.approx(3.4)
    assert (cov.origins, cov.checked, cov.held_raw) == (5, 5, 2)
    # Leaving each origin out: scales 3.8, 3.8, 3.8, 3.2, 2.4 → the last (ratio 5) misses.
    assert cov.held_calibrated == 4
    assert (orders.checked, orders.scale, value.checked) == (0, 1.0, 0)


def test_the_scale_never_narrows_the_range() -> None:
    (cov, *_) = calibrate([sqls(k, 10) for k in range(1, 4)])
    assert cov.scale == 1.0 and cov.held_raw == cov.held_calibrated == 3
    assert widen(10.0, 8.0, 12.0, 3.0) == (4.0, 16.0)
    assert widen(1.0, 0.0, 3.0, 2.0) == (0.0, 5.0)  # never below zero
