"""Stage times: how long leads stay in each stage, how many move on, and what has stalled.

A stay is a lead's time in one stage while it is being worked (status open or handed_off; see
isdesk.analytics.history). It ends "moved on" (a later stage, or won), "dropped" (sent back to
an earlier stage, lost, or to nurturing) or is still going at as_of. Per stage: stays entered,
moved on, dropped, still there; the move-on rate over ended stays; the median and 80th
percentile of days spent in ended stays ("ended only"), and the median days of the stays that
moved on; beside them the Kaplan–Meier median and 80th percentile ("incl. in progress"): every
stay counts, one still going at as_of censored at its age (isdesk.analytics.survival), so a
stage where many leads sit for a long time does not look fast. None when the estimate never
gets there (too many stays still in progress to tell).
The last stage (order) is where the pipeline ends: it is only counted as entered.

Stalled: leads in a stage between the hand-off's acceptance (the third stage) and the last
(with the default stages: opportunity, quote) with no stage move in ``stalled_days`` — drop
them or push them on. Stale: open leads (status open at as_of) with no activity or touch for
``stale_days`` (counted from their acquisition if never touched) — refresh or let automated
nurturing take them. Both lists are oldest first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from isdesk.analytics.history import DAY_S, History, without_gc
from isdesk.analytics.report import (
    DAYS,
    PCT,
    TEXT,
    Column,
    ReportBase,
    Table,
    median,
    quantile,
    rate,
)
from isdesk.analytics.survival import km_quantile
from isdesk.i18n import pick, tr


@dataclass(frozen=True)
class StageTime:
    stage: str
    label: str
    entered: int
    moved_on: int
    dropped: int
    still_there: int
    move_on_rate: float | None  # moved on / ended stays
    median_days: float | None  # ended stays
    p80_days: float | None
    median_days_to_move_on: float | None
    km_median_days: float | None = None  # Kaplan–Meier, stays in progress censored
    km_p80_days: float | None = None


@dataclass(frozen=True)
class ListedLead:
    id: int
    company: str
    owner: str
    stage: str
    status: str
    days: float  # since the last stage move (stalled) or the last touch (stale)


@dataclass(frozen=True)
class StageTimesReport(ReportBase):
    as_of: dt.datetime
    stalled_days: int
    stale_days: int
    stages: tuple[StageTime, ...]
    stalled: tuple[ListedLead, ...]
    stale: tuple[ListedLead, ...]

    kind = "stages"

    def tables(self) -> tuple[Table, ...]:
        main = Table(
            "stages",
            tr("report.stages.title"),
            (
                Column("stage", "ステージ", "Stage", TEXT),
                Column("label", "名称", "Label", TEXT),
                Column("entered", "入った", "Entered"),
                Column("moved_on", "進んだ", "Moved on"),
                Column("dropped", "脱落", "Dropped"),
                Column("still_there", "滞留中", "Still there"),
                Column("move_on_rate", "移行率", "Move-on %", PCT),
                Column("median_days", "中央値(完了のみ)", "Median (ended)", DAYS),
                Column("km_median_days", "中央値(滞留込)", "Median (KM)", DAYS),
                Column("p80_days", "80%点(完了のみ)", "P80 (ended)", DAYS),
                Column("km_p80_days", "80%点(滞留込)", "P80 (KM)", DAYS),
                Column("median_days_to_move_on", "移行まで中央値", "Median to move", DAYS),
            ),
            tuple(
                (
                    s.stage,
                    s.label,
                    s.entered,
                    s.moved_on,
                    s.dropped,
                    s.still_there,
                    s.move_on_rate,
                    s.median_days,
                    s.km_median_days,
                    s.p80_days,
                    s.km_p80_days,
                    s.median_days_to_move_on,
                )
                for s in self.stages
            ),
        )
        listed = (
            Column("id", "ID", "ID"),
            Column("company", "会社名", "Company", TEXT),
            Column("owner", "担当", "Owner", TEXT),
            Column("stage", "ステージ", "Stage", TEXT),
            Column("status", "状態", "Status", TEXT),
            Column("days", "日数", "Days", DAYS),
        )

        def rows(items: tuple[ListedLead, ...]) -> tuple[tuple, ...]:
            return tuple((x.id, x.company, x.owner, x.stage, x.status, x.days) for x in items)

        return (
            main,
            Table(
                "stalled",
                tr("report.stalled.title", days=self.stalled_days, count=len(self.stalled)),
                listed,
                rows(self.stalled),
            ),
            Table(
                "stale",
                tr("report.stale.title", days=self.stale_days, count=len(self.stale)),
                listed,
                rows(self.stale),
            ),
        )


@without_gc
def stage_times_report(
    history: History, *, stalled_days: int = 60, stale_days: int = 90
) -> StageTimesReport:
    keys = history.rules.stages.keys
    labels = history.rules.stages.labels
    last = history.last_stage
    now = history.as_of
    entered = [0] * len(keys)
    moved = [0] * len(keys)
    dropped = [0] * len(keys)
    still = [0] * len(keys)
    ended_days: list[list[float]] = [[] for _ in keys]
    moved_days: list[list[float]] = [[] for _ in keys]
    lengths: list[list[tuple[float, bool]]] = [[] for _ in keys]  # (days, ended) for KM
    timelines = history.timelines
    acquired = history.acquired
    quiet = sum(1 for lead in acquired if lead not in timelines)
    # leads without pipeline events: one open stay in the first stage each
    entered[0] += quiet
    still[0] += quiet
    if last > 0:
        lengths[0].extend(
            ((now - at) / DAY_S, False) for lead, at in acquired.items() if lead not in timelines
        )
    for tl in timelines.values():
        if tl.reached[last] is not None:
            entered[last] += 1
        for stay in tl.stays:
            s = stay.stage
            entered[s] += 1
            if stay.end is None:
                still[s] += 1
                lengths[s].append(((now - stay.start) / DAY_S, False))
                continue
            days = (stay.end - stay.start) / DAY_S
            ended_days[s].append(days)
            lengths[s].append((days, True))
            if stay.outcome == "moved":
                moved[s] += 1
                moved_days[s].append(days)
            else:
                dropped[s] += 1
    stages = tuple(
        StageTime(
            keys[i],
            pick(labels[keys[i]]),
            entered[i],
            moved[i],
            dropped[i],
            still[i],
            rate(moved[i], moved[i] + dropped[i]) if i != last else None,
            median(ended_days[i]),
            quantile(ended_days[i], 0.8),
            median(moved_days[i]),
            km_quantile(lengths[i], 0.5) if i != last else None,
            km_quantile(lengths[i], 0.8) if i != last else None,
        )
        for i in range(len(keys))
    )

    # (lead, stage, status, days) first; company and owner read for the listed leads only
    watched = set(range(min(2, last), last)) if last >= 1 else set()
    stalled_at = []
    for tl in timelines.values():
        if tl.stage in watched and tl.status in ("open", "handed_off"):
            days = (now - tl.since) / DAY_S
            if days >= stalled_days:
                stalled_at.append((tl.lead, keys[tl.stage], tl.status, round(days, 1)))
    last_touch = history.last_touch
    stale_at = []
    limit = stale_days * DAY_S
    for lead_id, acquired_at in acquired.items():
        found = timelines.get(lead_id)
        status = found.status if found else "open"
        if status != "open":
            continue
        touched = max(last_touch.get(lead_id, 0), acquired_at)
        if now - touched >= limit:
            stage = keys[found.stage] if found else keys[0]
            stale_at.append((lead_id, stage, status, round((now - touched) / DAY_S, 1)))
    names = history.operators.names
    details = history.details([row[0] for row in (*stalled_at, *stale_at)])

    def listed(lead_id: int, stage: str, status: str, days: float) -> ListedLead:
        company, owner = details[lead_id]
        owner_name = names.get(owner, "") if owner is not None else ""
        return ListedLead(lead_id, company, owner_name, stage, status, days)

    stalled = [listed(*row) for row in stalled_at]
    stale = [listed(*row) for row in stale_at]
    stalled.sort(key=lambda x: (-x.days, x.id))
    stale.sort(key=lambda x: (-x.days, x.id))
    return StageTimesReport(
        history.as_of_dt, stalled_days, stale_days, stages, tuple(stalled), tuple(stale)
    )
