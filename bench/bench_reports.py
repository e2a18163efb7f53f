"""The long-view reports (isdesk report …) on the 100k-lead demo vs plain SQL of their main
aggregate, in the same run.

    python -m bench.bench_reports [--leads 100000] [--runs 3] [--db PATH]

Builds the demo with isdesk.demo.build_demo into a temporary SQLite file (or reuses --db),
times every report from a fresh History (so loading the history is counted) and, beside it,
a plain-SQL query of the report's main aggregate (what a hand-written GROUP BY costs); then
all six in a row from one shared History (as the Reports screen builds them), each report's
share of that run in its own column. Wall-clock and CPU seconds both: on a busy machine the
wall clock also counts other processes' turns, so the load average is given at start and end.
Asserts nothing: prints a markdown table and writes bench/results/reports.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Plain-SQL equivalents (SQLite; JST is UTC+9 all year) of each report's main aggregate.
PLAIN = {
    "periods": [
        "SELECT strftime('%Y-%m', acquired_at, '+9 hours') m, COUNT(*) FROM lead GROUP BY m",
        "SELECT strftime('%Y-%m', at, '+9 hours') m, COUNT(*) FROM activity "
        "WHERE kind = 'appointment' GROUP BY m",
        "SELECT strftime('%Y-%m', at, '+9 hours') m, COUNT(DISTINCT lead_id) FROM lead_event "
        "WHERE kind = 'sql' AND new_value = 'true' GROUP BY m",
        "SELECT strftime('%Y-%m', at, '+9 hours') m, COUNT(*) FROM lead_event "
        "WHERE kind = 'stage' AND new_value = 'order' GROUP BY m",
    ],
    "cohorts": [
        "SELECT strftime('%Y-%m', l.acquired_at, '+9 hours') c, "
        "(CAST(strftime('%Y', f.at, '+9 hours') AS INT) * 12 + strftime('%m', f.at, '+9 hours')) "
        "- (CAST(strftime('%Y', l.acquired_at, '+9 hours') AS INT) * 12 "
        "+ strftime('%m', l.acquired_at, '+9 hours')) k, COUNT(*) "
        "FROM lead l JOIN (SELECT lead_id, MIN(at) at FROM activity WHERE kind = 'appointment' "
        "GROUP BY lead_id) f ON f.lead_id = l.id GROUP BY c, k",
    ],
    "campaigns": [
        "SELECT l.campaign_id, COUNT(*), COUNT(s.lead_id) FROM lead l LEFT JOIN "
        "(SELECT DISTINCT lead_id FROM lead_event WHERE kind = 'sql' AND new_value = 'true') s "
        "ON s.lead_id = l.id GROUP BY l.campaign_id",
    ],
    "funnel": [
        "SELECT new_value, COUNT(DISTINCT lead_id) FROM lead_event WHERE kind = 'stage' "
        "GROUP BY new_value",
    ],
    "stages": [
        "SELECT stage, COUNT(*), AVG(days) FROM (SELECT old_value stage, julianday(at) - "
        "julianday(LAG(at) OVER (PARTITION BY lead_id ORDER BY at, id)) days FROM lead_event "
        "WHERE kind = 'stage') GROUP BY stage",
    ],
    "forecast": [
        "SELECT old_value, new_value, COUNT(*) FROM lead_event WHERE kind IN ('stage', 'status') "
        "AND at >= datetime('now', '-12 months') GROUP BY old_value, new_value",
    ],
}


def _median(fn, runs: int) -> tuple[float, float, object]:
    """Median wall-clock and CPU seconds of ``runs`` calls, and the last result."""
    times, cpu, result = [], [], None
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(times), statistics.median(cpu), result


def _load() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", help="reuse this SQLite demo file (built if empty)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from isdesk.analytics import History, build_report
    from isdesk.demo import build_demo
    from isdesk.rules import load_rules
    from isdesk.store.db import open_database
    from isdesk.store.models import Lead
    from isdesk.store.schema import upgrade

    rules = load_rules(None)
    load_start = _load()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "demo.sqlite3"
        db = open_database(f"sqlite:///{path}")
        upgrade(db)
        with db.connection_context():
            empty = not Lead.select().exists()
        build_s = 0.0
        if empty:
            start = time.perf_counter()
            build_demo(leads=args.leads, seed=42, rules=rules)
            build_s = time.perf_counter() - start
        with db.connection_context():
            counts = {
                t: db.execute_sql(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
                for t in ("lead", "lead_event", "activity")
            }
            rows = []
            for kind, queries in PLAIN.items():

                def report(kind=kind):
                    return build_report(kind, History(rules))

                def plain(queries=queries):
                    return [db.execute_sql(q).fetchall() for q in queries]

                t_report, cpu_report, result = _median(report, args.runs)
                t_plain, _, _ = _median(plain, args.runs)
                n = sum(len(t.rows) for t in result.tables())
                rows.append([kind, t_report, cpu_report, t_plain, n])
            shared = History(rules)
            start = time.perf_counter()
            for row in rows:
                step = time.perf_counter()
                build_report(row[0], shared)
                row.append(time.perf_counter() - step)
            t_shared = time.perf_counter() - start
        db.close()

    slowest = max(rows, key=lambda r: r[1])
    load = _load()
    lines = [
        "# isdesk report on the demo database",
        "",
        f"{dt.date.today()}, SQLite, {counts['lead']:,} leads, {counts['lead_event']:,} events, "
        f"{counts['activity']:,} activities"
        + (f" (demo built in {build_s:.1f} s)" if build_s else "")
        + f"; median of {args.runs} runs, each from a fresh History (loading included); "
        f"{os.cpu_count()} CPUs, load average {load_start:.1f} at the start and {load:.1f} "
        "at the end"
        + (
            " (other work was running: the wall clock then counts its turns too; CPU seconds "
            "are this process's own)."
            if load_start >= 0.5
            else "."
        ),
        "",
        "| report | fresh History (s) | CPU (s) | plain SQL of its main aggregate (s) | ratio "
        "| in the shared run (s) | rows |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, t_report, cpu_report, t_plain, n, t_step in rows:
        lines.append(
            f"| {kind} | {t_report:.3f} | {cpu_report:.3f} | {t_plain:.3f} "
            f"| {t_report / t_plain:.1f}× | {t_step:.3f} | {n:,} |"
        )
    lines += [
        "",
        f"All six from one shared History (as the Reports screen does): {t_shared:.3f} s.",
        f"Slowest: **{slowest[0]}** ({slowest[1]:.3f} s).",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    out = ROOT / "bench" / "results" / "reports.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
