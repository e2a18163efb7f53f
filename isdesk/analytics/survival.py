"""Kaplan–Meier survival estimates: how long stays last when some are still in progress.

A stay that has ended is an event at its length; a stay still going at as_of is censored at
its age (it lasted at least that long). The completed-only median leaves the living out and
so looks faster than the pipeline is; the survival estimate keeps them in the risk set.
"""

from __future__ import annotations

from collections.abc import Iterable


def km_curve(stays: Iterable[tuple[float, bool]]) -> list[tuple[float, float]]:
    """(time, survival just after time) at each distinct event time, in time order.

    ``stays``: (length, ended) pairs; ``ended`` False means censored at ``length``. At a
    time with both events and censorings, the censored stays count as at risk (the usual
    convention: censoring happens just after the events of its instant).
    """
    ordered = sorted(stays)
    at_risk = len(ordered)
    survival = 1.0
    curve: list[tuple[float, float]] = []
    i = 0
    while i < len(ordered):
        t = ordered[i][0]
        events = removed = 0
        while i < len(ordered) and ordered[i][0] == t:
            events += ordered[i][1]
            removed += 1
            i += 1
        if events:
            survival *= 1 - events / at_risk
            curve.append((t, survival))
        at_risk -= removed
    return curve


def km_quantile(stays: Iterable[tuple[float, bool]], share: float) -> float | None:
    """The time by which ``share`` of stays have ended (0.5: the median, 0.8: the 80th
    percentile) by the Kaplan–Meier estimate; None if the estimate never gets there (too
    many stays still in progress to tell)."""
    target = 1 - share
    for t, survival in km_curve(stays):
        if survival <= target + 1e-12:
            return t
    return None
