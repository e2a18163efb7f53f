"""Kaplan–Meier estimates on hand-worked examples."""

from __future__ import annotations

import pytest

from isdesk.analytics.survival import km_curve, km_quantile


def test_without_censoring_it_is_the_empirical_quantile() -> None:
    stays = [(d, True) for d in (1.0, 2.0, 3.0, 4.0)]
    assert km_curve(stays) == [(1.0, 0.75), (2.0, 0.5), (3.0, 0.25), (4.0, 0.0)]
    assert km_quantile(stays, 0.5) == 2.0 and km_quantile(stays, 0.8) == 4.0


def test_stays_in_progress_lengthen_the_estimate() -> None:
    # Two ended early (1 and 2 days); three still open at 10, 20 and 30 days.
    stays = [(1.0, True), (2.0, True), (10.0, False), (20.0, False), (30.0, False)]
    # S(1) = 4/5, S(2) = 4/5 * 3/4 = 0.6: half of the stays have not ended yet.
    curve = km_curve(stays)
    assert [t for t, _ in curve] == [1.0, 2.0]
    assert [s for _, s in curve] == pytest.approx([0.8, 0.6])
    assert km_quantile(stays, 0.5) is None
    # One more ends at 40 days and one is open at 50: at 40, two are at risk.
    more = [*stays, (40.0, True), (50.0, False)]
    # S(1) = 6/7, S(2) = 6/7 * 5/6 = 5/7, S(40) = 5/7 * 1/2 = 5/14: below one half.
    assert km_quantile(more, 0.5) == 40.0
    assert km_quantile(more, 0.8) is None


def test_censoring_at_an_event_time_counts_as_at_risk() -> None:
    stays = [(5.0, True), (5.0, False), (8.0, True)]
    curve = km_curve(stays)
    assert [t for t, _ in curve] == [5.0, 8.0]
    assert [s for _, s in curve] == pytest.approx([2 / 3, 0.0])


def test_no_stays() -> None:
    assert km_curve([]) == [] and km_quantile([], 0.5) is None
