"""The forecast's range calibrated by its own backtests, and the coverage it reports.

The Monte Carlo range of isdesk.analytics.forecast holds only the chain's own chance (binomial
draws with the estimated rates); the rates themselves move from month to month, so the raw
10–90% range is too narrow. Before forecasting from as_of, the same forecast is run from each
of the ``origins`` month starts before it (as_of − 1 month, …, as_of − N months; the history
read as it was then) for the months that are over by as_of, and each month-figure (SQLs,
orders, order value) is set beside what happened:

- a miss's *ratio*: how far the actual figure fell from the expectation, over the range's
  half on that side (inside the range: ratio ≤ 1);
- the figure's *scale*: the ratios' 80th percentile (the range's nominal share), never below 1
  (the chain's own chance stays in) nor above :data:`MAX_SCALE`; the forecast's range is the
  expectation ± scale × its raw halves;
- its *coverage*: of the month-figures checked, how many the raw range held, and how many the
  calibrated range held with the scale estimated from the other origins only (leave one origin
  out: the figure is not scored on the data that set its own scale).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from isdesk.analytics.forecast_chain import shift_months
from isdesk.analytics.report import quantile

if TYPE_CHECKING:
    from isdesk.analytics.forecast import ForecastMonth
    from isdesk.analytics.history import History

FIGURES = ("sqls", "orders", "value")
NOMINAL = 0.8  # the 10th–90th percentile range holds 80%
MAX_SCALE = 10.0
BACKTEST_RUNS = 200  # Monte Carlo runs per backtest (the range's halves, not the expectation)


@dataclass(frozen=True)
class Coverage:
    figure: str  # sqls | orders | value
    origins: int  # backtest origins that had at least one month over
    checked: int  # month-figures with an actual figure
    held_raw: int  # of them, inside the raw Monte Carlo range
    held_calibrated: int  # inside the calibrated range (scale from the other origins)
    scale: float  # applied to this forecast's range


@dataclass(frozen=True)
class Checked:
    origin: int  # months before as_of
    figure: str
    mean: float
    low: float
    high: float
    actual: float


def ratio(c: Checked) -> float:
    """How far the actual figure fell from the expectation, in halves of the raw range."""
    if c.actual >= c.mean:
        half, off = c.high - c.mean, c.actual - c.mean
    else:
        half, off = c.mean - c.low, c.mean - c.actual
    if off <= 1e-9:
        return 0.0
    return off / half if half > 1e-9 else MAX_SCALE


def scale_of(ratios: list[float]) -> float:
    """The calibration scale from backtest ratios (1.0 without any)."""
    q = quantile(ratios, NOMINAL) if ratios else None
    return min(max(q or 1.0, 1.0), MAX_SCALE)


def widen(mean: float, low: float, high: float, scale: float) -> tuple[float, float]:
    """The range around ``mean`` with its halves times ``scale`` (never below zero)."""
    return max(0.0, mean - scale * (mean - low)), mean + scale * (high - mean)


def inside(c: Checked, scale: float) -> bool:
    low, high = widen(c.mean, c.low, c.high, scale)
    return low - 1e-9 <= c.actual <= high + 1e-9


def run_backtests(history: History, origins: int, **options: Any) -> list[Checked]:
    """Forecasts from each of ``origins`` month starts before ``history``'s as_of, for the
    months over by then, with the figures that happened (read from ``history``)."""
    from isdesk.analytics.forecast import forecast_report
    from isdesk.analytics.history import History

    months = int(options.pop("months"))
    runs = min(int(options.pop("runs")), BACKTEST_RUNS)
    local = history.as_of_dt.astimezone(history.rules.calendar.zone)
    out: list[Checked] = []
    for k in range(1, origins + 1):
        then = History(history.rules, shift_months(local, -k))
        report = forecast_report(
            then, months=min(months, k), runs=runs, coverage=0, actual=history, **options
        )
        for m in report.forecast:
            for figure in FIGURES:
                actual = getattr(m, f"actual_{figure}")
                if actual is None:
                    continue
                mean, low, high = (getattr(m, figure + s) for s in ("", "_p10", "_p90"))
                out.append(Checked(k, figure, mean, low, high, float(actual)))
    return out


def calibrate(checked: list[Checked]) -> tuple[Coverage, ...]:
    """Per figure: the scale from every origin, coverage raw and leave-one-origin-out."""
    by_figure: dict[str, list[Checked]] = defaultdict(list)
    for c in checked:
        by_figure[c.figure].append(c)
    out = []
    for figure in FIGURES:
        rows = by_figure.get(figure, [])
        held_cal = 0
        for c in rows:
            others = [ratio(o) for o in rows if o.origin != c.origin]
            held_cal += inside(c, scale_of(others))
        out.append(
            Coverage(
                figure,
                len({c.origin for c in rows}),
                len(rows),
                sum(inside(c, 1.0) for c in rows),
                held_cal,
                scale_of([ratio(c) for c in rows]),
            )
        )
    return tuple(out)


def widened(month: ForecastMonth, scales: dict[str, float]) -> dict[str, float]:
    """The p10/p90 fields of ``month`` with the calibrated ranges (for dataclasses.replace)."""
    out: dict[str, float] = {}
    for figure in FIGURES:
        mean = getattr(month, figure)
        low, high = widen(mean, getattr(month, figure + "_p10"), getattr(month, figure + "_p90"),
                          scales.get(figure, 1.0))  # fmt: skip
        digits = 0 if figure == "value" else 2
        out[figure + "_p10"], out[figure + "_p90"] = round(low, digits), round(high, digits)
    return out
