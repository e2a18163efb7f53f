"""KPI screen and daily export at a year of activity for 50 operators (~1,000,000 rows).

    python -m bench.bench_kpi [--activities 1000000] [--runs 7]

1. the scorecard (everything the KPI screen shows) vs the same main aggregate in raw SQL on
   the DB-API cursor;
2. the KPI screen from key press to numbers on screen, in the real app (Pilot);
3. one day's export for the 50 operators (query + CSV render) vs a raw SELECT of that day.
Writes bench/results/kpi.md and prints it.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPERATORS = 50
LEADS = 20_000


def _median(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def build(db, activities: int, today: dt.date) -> None:
    """Operators, leads and a year of weekday activity, written in bulk."""
    from isdesk.demo.writer import Writer
    from isdesk.domain.kpi import ACTIVITY_KINDS, CALL_OUTCOMES
    from isdesk.store.models import Activity, Lead, Operator

    rng = random.Random(1)
    now = dt.datetime(2026, 1, 1)
    ops = [
        (
            i,
            f"op{i:02d}",
            f"担当{i:02d}",
            "inbound" if i <= 25 else "outbound",
            "lead" if i in (1, 26) else "operator",
            True,
            now,
        )
        for i in range(1, OPERATORS + 1)
    ]
    leads = []
    for i in range(1, LEADS + 1):
        leads.append(
            (
                i,
                f"株式会社ベンチ{i}",
                f"顧客{i}",
                "",
                "",
                "",
                "資料請求",
                None,
                (i % OPERATORS) + 1,
                now,
                "open",
                "list",
                "D",
                False,
                0,
                None,
                None,
                "",
                f"ベンチ{i}",
                "{}",
                1,
                now,
            )
        )
    days = []
    day = today - dt.timedelta(days=364)
    while day <= today:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    kinds = [*ACTIVITY_KINDS]
    weights = [70, 15, 4, 3, 8]
    rows = []
    for n in range(1, activities + 1):
        op = (n % OPERATORS) + 1
        d = days[rng.randrange(len(days))]
        at = dt.datetime.combine(d, dt.time(0)) + dt.timedelta(seconds=rng.randrange(9 * 3600))
        kind = rng.choices(kinds, weights)[0]
        outcome = rng.choice(CALL_OUTCOMES) if kind == "call" else ""
        rows.append(
            (
                n,
                rng.randrange(1, LEADS + 1),
                op,
                at,
                kind,
                outcome,
                rng.randrange(30, 600) if outcome == "connected" else 0,
                "",
                False,
                "D",
                False,
            )
        )
    writer = Writer()
    with db.connection_context(), db.atomic():
        writer.write(Operator, ops)
        writer.write(Lead, leads)
        writer.write(Activity, rows)
        writer.reset_sequences()


async def _screen_open(db, actor, rules, today, runs: int) -> float:
    from isdesk.app import IsdeskApp
    from isdesk.screens.kpi import KpiScreen
    from isdesk.services.context import WorkContext

    app = IsdeskApp(WorkContext(db=db, rules=rules, actor=actor, clock=lambda: today))
    times = []
    async with app.run_test(size=(120, 45)) as pilot:
        await app.workers.wait_for_complete()
        for _ in range(runs):
            start = time.perf_counter()
            await pilot.press("K")
            while not (isinstance(app.screen, KpiScreen) and app.screen.card is not None):
                await asyncio.sleep(0.001)
            await pilot.pause()
            times.append(time.perf_counter() - start)
            await pilot.press("escape")
            await pilot.pause()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="isdesk-bench-kpi-"))
    os.environ["ISDESK_DATA_DIR"] = str(workdir)
    from isdesk.domain.kpi import day_bounds_utc
    from isdesk.export.daily import daily_export
    from isdesk.export.writer import render
    from isdesk.rules import load_rules
    from isdesk.services.operators import find_operator
    from isdesk.services.scorecard import operator_scorecard
    from isdesk.store.db import open_database
    from isdesk.store.schema import upgrade

    rules = load_rules(None)
    today = dt.date(2026, 11, 20)
    db = open_database(f"sqlite:///{workdir / 'kpi.sqlite3'}")
    upgrade(db)
    start = time.perf_counter()
    build(db, args.activities, today)
    built = time.perf_counter() - start
    actor = find_operator("op05")
    lead = find_operator("op01")
    assert actor is not None and lead is not None

    db.connection_context().__enter__()  # held open: the services' nested contexts reuse it
    card = lambda: operator_scorecard(actor, actor.name, today, rules)  # noqa: E731
    ours = _median(card, args.runs)
    q_start, _ = day_bounds_utc(card().quarter.start, rules.calendar)
    _, end = day_bounds_utc(today, rules.calendar)
    cursor = db.connection().cursor()

    def raw() -> None:
        cursor.execute(
            "SELECT date(at, '+540 minutes') AS d, kind, outcome, COUNT(id) FROM activity "
            "WHERE operator_id = ? AND at >= ? AND at < ? GROUP BY d, kind, outcome",
            (actor.id, q_start.replace(tzinfo=None), end.replace(tzinfo=None)),
        )
        cursor.fetchall()

    base = _median(raw, args.runs)
    screen = asyncio.run(_screen_open(db, actor, rules, today, args.runs))
    export = _median(
        lambda: render(daily_export(lead, today, rules, team="inbound"), "csv", lang="ja"),
        args.runs,
    )
    d_start, d_end = day_bounds_utc(today, rules.calendar)

    def raw_day() -> None:
        cursor.execute(
            "SELECT a.*, l.company, l.contact, o.name FROM activity a JOIN lead l ON "
            "l.id = a.lead_id JOIN operator o ON o.id = a.operator_id WHERE o.team = 'inbound' "
            "AND a.at >= ? AND a.at < ? ORDER BY a.at, a.id",
            (d_start.replace(tzinfo=None), d_end.replace(tzinfo=None)),
        )
        cursor.fetchall()

    raw_export = _median(raw_day, args.runs)
    rows = len(daily_export(lead, today, rules, team="inbound").rows)
    lines = [
        f"# KPI benchmark ({args.activities:,} activities, {OPERATORS} operators, a year, SQLite)",
        "",
        f"- data built in {built:.1f} s",
        "",
        "| measure | isdesk | baseline | ratio |",
        "|---|---|---|---|",
        f"| scorecard (all KPI screen numbers) for one operator | {ours * 1000:.1f} ms | "
        f"the main aggregate in raw SQL {base * 1000:.1f} ms | {ours / base:.2f}× |",
        f"| `K` → KPI screen with its numbers, in the app | {screen * 1000:.0f} ms | "
        f"scorecard alone {ours * 1000:.1f} ms | {screen / ours:.1f}× |",
        f"| one day's export, team of 25 ({rows} rows), query + Japanese CSV | "
        f"{export * 1000:.1f} ms | raw SELECT of the day's rows {raw_export * 1000:.1f} ms | "
        f"{export / raw_export:.2f}× |",
        "",
        f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"{time.strftime('%Y-%m-%d')}",
    ]
    report = "\n".join(lines) + "\n"
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "kpi.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
