"""The sales funnel: list → proposal → opportunity → quote → order, and its weakest step.

For the leads acquired in a period (or one acquisition month, a cohort), how many reached each
stage by as_of: from the stage events, a lead counts for every stage up to the furthest it
ever reached (an opportunity sent back to nurturing still reached proposal and opportunity).
The conversion rate (CV率) of each adjacent pair is reached[next] / reached[stage]; the
weakest step is the lowest of them (among steps with leads to convert) — the bottleneck to
raise first.

Inbound / outbound: a lead's segment is the team its source's group in ``rules.assignment``
routes to (``operators: {team: inbound}`` → "inbound"); a group that routes to named
operators or to everyone is "other". So the split follows the team's own routing rules,
whatever its teams are called.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from isdesk.analytics.history import History, Months, local_midnight, without_gc
from isdesk.analytics.report import BAR, PCT, TEXT, Column, ReportBase, Table, rate
from isdesk.i18n import pick, tr

OTHER = "other"


@dataclass(frozen=True)
class FunnelStep:
    stage: str
    label: str
    reached: int
    share_of_first: float | None  # reached / leads in the funnel
    conversion: float | None  # from the previous stage; None for the first
    weakest: bool


@dataclass(frozen=True)
class Funnel:
    segment: str  # "all", or a routed team / "other"
    leads: int
    steps: tuple[FunnelStep, ...]
    weakest_step: str | None  # "list→proposal"


@dataclass(frozen=True)
class FunnelReport(ReportBase):
    as_of: dt.datetime
    start: dt.date | None
    end: dt.date | None
    cohort: str | None
    funnel: Funnel
    segments: tuple[Funnel, ...]

    kind = "funnel"

    def tables(self) -> tuple[Table, ...]:
        columns = (
            Column("stage", "ステージ", "Stage", TEXT),
            Column("label", "名称", "Label", TEXT),
            Column("reached", "到達", "Reached"),
            Column("share", "対リスト", "Of list", PCT),
            Column("conversion", "CV率", "CV rate", PCT),
            Column("weakest", "最弱", "Weakest", TEXT),
            Column("bar", "", "", BAR),
        )

        def rows(f: Funnel) -> list[tuple]:
            return [
                (
                    s.stage,
                    s.label,
                    s.reached,
                    s.share_of_first,
                    s.conversion,
                    tr("report.weakest") if s.weakest else "",
                    s.share_of_first or 0.0,
                )
                for s in f.steps
            ]

        main = Table(
            "funnel",
            tr("report.funnel.title", leads=self.funnel.leads),
            columns,
            tuple(rows(self.funnel)),
        )
        seg_rows = [(f.segment, *row) for f in self.segments for row in rows(f)]
        segments = Table(
            "segments",
            tr("report.segments.title"),
            (Column("segment", "区分", "Segment", TEXT), *columns),
            tuple(seg_rows),
        )
        return (main, segments)


def segment_of(history: History, source: str) -> str:
    group = history.rules.assignment.group_for(source)
    return group.operators.team or OTHER


def _funnel(history: History, segment: str, furthest: dict[int, int]) -> Funnel:
    """The funnel of leads whose furthest stage index is k, ``furthest[k]`` of them."""
    stages = history.rules.stages
    keys = stages.keys
    labels = stages.labels
    reached = [sum(n for f, n in furthest.items() if f >= i) for i in range(len(keys))]
    conversions: list[float | None] = [
        None,
        *(rate(reached[i], reached[i - 1]) for i in range(1, len(keys))),
    ]
    weakest_i: int | None = None
    weakest = 0.0  # conversions[weakest_i], once there is one
    for i in range(1, len(keys)):
        c = conversions[i]
        if c is not None and (weakest_i is None or c < weakest):
            weakest_i, weakest = i, c
    steps = tuple(
        FunnelStep(
            keys[i],
            pick(labels[keys[i]]),
            reached[i],
            rate(reached[i], reached[0]),
            conversions[i],
            i == weakest_i,
        )
        for i in range(len(keys))
    )
    name = f"{keys[weakest_i - 1]}→{keys[weakest_i]}" if weakest_i else None
    return Funnel(segment, sum(furthest.values()), steps, name)


@without_gc
def funnel_report(
    history: History,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    cohort: dt.date | None = None,
) -> FunnelReport:
    """The funnel of leads acquired start..end (local days, inclusive) or in ``cohort``'s
    month; default every lead acquired before as_of."""
    rules = history.rules
    if cohort is not None:
        month = Months.of_date(cohort)
        start = Months.to_date(month)
        end = Months.to_date(month + 1) - dt.timedelta(days=1)
    lo = int(local_midnight(start, rules).timestamp()) if start else None
    hi = int(local_midnight(end + dt.timedelta(days=1), rules).timestamp()) if end else None
    # One grouped query: the furthest stage is the highest any stage event named, which needs
    # no replay (see History.furthest_by_source).
    furthest: dict[int, int] = defaultdict(int)
    by_segment: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for source, top, n in history.furthest_by_source(lo, hi):
        furthest[top] += n
        by_segment[segment_of(history, source)][top] += n
    order = {name: i for i, name in enumerate(("inbound", "outbound"))}
    return FunnelReport(
        history.as_of_dt,
        start,
        end,
        Months.label(Months.of_date(cohort)) if cohort else None,
        _funnel(history, "all", furthest),
        tuple(
            _funnel(history, seg, values)
            for seg, values in sorted(
                by_segment.items(), key=lambda kv: (order.get(kv[0], 9), kv[0] == OTHER, kv[0])
            )
        ),
    )
