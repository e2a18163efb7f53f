"""What a forecast holds: its months (expectation, range, what happened) and its tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from isdesk.analytics.forecast_backtest import NOMINAL, Coverage
from isdesk.analytics.forecast_chain import Chain
from isdesk.analytics.report import FLOAT, PCT, TEXT, YEN, Column, ReportBase, Table
from isdesk.i18n import tr


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
    coverage: tuple[Coverage, ...] = ()  # the backtests that calibrated the range (none: raw)

    kind = "forecast"

    def tables(self) -> tuple[Table, ...]:
        columns = (
            Column("month", "月", "Month", TEXT),
            Column("from", "開始", "From", TEXT),
            Column("sqls", "SQL予測", "SQLs", FLOAT),
            Column("sqls_range", "SQL幅(10-90%)", "SQL 10–90%", TEXT),
            Column("orders", "受注予測", "Orders", FLOAT),
            Column("orders_range", "受注幅", "Order 10–90%", TEXT),
            Column("value", "受注金額", "Value ¥", YEN),
            Column("value_range", "金額幅", "Value 10–90%", TEXT),
            Column("actual_sqls", "実績SQL", "Actual SQLs"),
            Column("actual_orders", "実績受注", "Actual orders"),
            Column("actual_value", "実績金額", "Actual ¥", YEN),
        )

        def row(m: ForecastMonth) -> tuple:
            return (
                f"+{m.month}" if m.month else tr("report.total"),
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
            tr("report.forecast.title", day=self.as_of.date(), runs=self.runs, seed=self.seed),
            columns,
            tuple(row(m) for m in (*self.forecast, self.total)),
        )
        c = self.chain
        rates = Table(
            "rates",
            tr("report.rates.title", months=self.lookback),
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
        checked = Table(
            "coverage",
            "the range's coverage in backtests over the past months "
            f"(nominal {NOMINAL:.0%}; calibrated: leave one month out)",
            (
                Column("figure", "指標", "Figure", TEXT),
                Column("origins", "検証月数", "Months"),
                Column("checked", "検証数", "Checked"),
                Column("held_raw", "的中(補正前)", "Held (raw)"),
                Column("raw_share", "的中率(補正前)", "Raw %", PCT),
                Column("held_calibrated", "的中(補正後)", "Held (calibrated)"),
                Column("calibrated_share", "的中率(補正後)", "Calibrated %", PCT),
                Column("scale", "幅の倍率", "Scale", FLOAT),
            ),
            tuple(
                (
                    c.figure,
                    c.origins,
                    c.checked,
                    c.held_raw,
                    c.held_raw / c.checked if c.checked else None,
                    c.held_calibrated,
                    c.held_calibrated / c.checked if c.checked else None,
                    c.scale,
                )
                for c in self.coverage
            ),
        )
        return (main, rates, checked) if self.coverage else (main, rates)
