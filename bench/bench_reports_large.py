"""The long-view reports at the scale of a whole sales floor: 1,000,000 leads and about
10,000,000 history rows, on PostgreSQL and SQLite, beside the plain SQL of each report's main
aggregate in the same run.

    python -m bench.bench_reports_large [--leads 1000000] [--backend both|postgresql|sqlite]
                                        [--keep DIR | --reuse DIR] [--runs 1]

Builds the history (bench._history_copy: COPY on PostgreSQL, executemany on SQLite, into a
throwaway PostgreSQL cluster started here and a SQLite file) and says how long that took;
``--keep DIR`` keeps both in DIR and ``--reuse DIR`` measures them again without building
(the way to iterate on a report). Each report runs in a fresh process — ``History`` of the
database as of the build's day, the report built and its tables made — so its wall and CPU
seconds and its peak memory (ru_maxrss) are its own; the goal is ≤ 3 s and ≤ 1.5 GB on
PostgreSQL, ≤ 6 s on SQLite. A report that fails or runs over --timeout is reported as such.
Writes bench/results/reports_large.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("periods", "cohorts", "campaigns", "funnel", "stages", "forecast")
OPTIONS: dict[str, dict] = {"forecast": {"runs": 200}}
GOAL_S = {"postgresql": 3.0, "sqlite": 6.0}
GOAL_MB = 1536

# Each report's main aggregate in plain SQL (JST is UTC+9 all year).
_JST_PG = "(at AT TIME ZONE 'UTC' AT TIME ZONE 'Asia/Tokyo')"
PLAIN_PG = {
    "periods": [
        "SELECT to_char(acquired_at AT TIME ZONE 'UTC' AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM') m, "
        'COUNT(*) FROM "lead" GROUP BY m',
        f"SELECT to_char({_JST_PG}, 'YYYY-MM') m, COUNT(DISTINCT lead_id) FROM lead_event "
        "WHERE kind = 'sql' AND new_value = 'true' GROUP BY m",
        f"SELECT to_char({_JST_PG}, 'YYYY-MM') m, COUNT(*) FROM activity "
        "WHERE kind = 'appointment' GROUP BY m",
    ],
    "cohorts": [
        "SELECT to_char(l.acquired_at, 'YYYY-MM') c, to_char(f.at, 'YYYY-MM') k, COUNT(*) "
        'FROM "lead" l JOIN (SELECT lead_id, MIN(at) at FROM activity WHERE kind = '
        "'appointment' GROUP BY lead_id) f ON f.lead_id = l.id GROUP BY c, k",
    ],
    "campaigns": [
        'SELECT l.campaign_id, COUNT(*), COUNT(s.lead_id) FROM "lead" l LEFT JOIN '
        "(SELECT DISTINCT lead_id FROM lead_event WHERE kind = 'sql' AND new_value = 'true') s "
        "ON s.lead_id = l.id GROUP BY l.campaign_id",
    ],
    "funnel": [
        "SELECT new_value, COUNT(DISTINCT lead_id) FROM lead_event WHERE kind = 'stage' "
        "GROUP BY new_value",
    ],
    "stages": [
        "SELECT stage, COUNT(*), AVG(days) FROM (SELECT old_value stage, EXTRACT(EPOCH FROM "
        "at - LAG(at) OVER (PARTITION BY lead_id ORDER BY at, id)) / 86400 days "
        "FROM lead_event WHERE kind = 'stage') s GROUP BY stage",
    ],
    "forecast": [
        "SELECT old_value, new_value, COUNT(*) FROM lead_event WHERE kind IN ('stage', 'status') "
        "AND at >= now() - interval '12 months' GROUP BY old_value, new_value",
    ],
}


def _child(url: str, kind: str, as_of: int) -> None:
    """One report in this process; prints its figures as JSON."""
    sys.path.insert(0, str(ROOT))
    start, start_cpu = time.perf_counter(), time.process_time()
    from isdesk.analytics import History, build_report
    from isdesk.rules import load_rules
    from isdesk.store.db import open_database

    rules = load_rules(None)
    db = open_database(url)
    imported = time.perf_counter()
    with db.connection_context():
        report = build_report(kind, History(rules, dt.datetime.fromtimestamp(as_of, dt.UTC)),
                              **OPTIONS.get(kind, {}))  # fmt: skip
        rows = sum(len(t.rows) for t in report.tables())
    wall = time.perf_counter() - imported
    print(json.dumps({
        "wall": wall, "cpu": time.process_time() - start_cpu, "rows": rows,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "startup": imported - start,
    }))  # fmt: skip


def _start_pg(root: Path):
    from tests.support.pg_server import PgServer, _free_port, find_pg_bin

    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise SystemExit("PostgreSQL binaries not found")
    server = PgServer(bin_dir)
    shutil.rmtree(server.root, ignore_errors=True)
    server.root, server.data, server.port = root, root / "data", _free_port()
    if not server.data.exists():
        root.mkdir(parents=True, exist_ok=True)
        server.start()
        return server, True
    opts = (
        f"-c listen_addresses=127.0.0.1 -c port={server.port} "
        f"-c unix_socket_directories={root} -c fsync=off -c synchronous_commit=off"
    )
    server._run("pg_ctl", "-D", str(server.data), "-o", opts, "-l", str(root / "log"), "-w",
                "-t", "60", "start")  # fmt: skip
    return server, False


def _build(backend: str, url: str, leads: int, now: int) -> dict:
    from bench import _history_copy as gen
    from isdesk.store.db import open_database
    from isdesk.store.schema import upgrade

    db = open_database(url)
    upgrade(db)
    db.close_all() if hasattr(db, "close_all") else db.close()
    start = time.perf_counter()

    def progress(done: int) -> None:
        if done % 100_000 == 0:
            print(f"  {backend}: {done:,} leads, {time.perf_counter() - start:.0f} s", flush=True)

    if backend == "postgresql":
        import psycopg2

        conn = psycopg2.connect(url)
        counts = gen.write_postgres(conn, leads, now, progress)
        conn.close()
    else:
        import sqlite3

        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        counts = gen.write_sqlite(conn, leads, now, progress)
        conn.close()
    return {"counts": counts, "build_s": time.perf_counter() - start}


def _plain(backend: str, url: str) -> dict[str, float]:
    from bench.bench_reports import PLAIN

    queries = PLAIN_PG if backend == "postgresql" else PLAIN
    if backend == "postgresql":
        import psycopg2

        conn = psycopg2.connect(url)
    else:
        import sqlite3

        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    out = {}
    for kind in KINDS:
        cur = conn.cursor()
        start = time.perf_counter()
        for sql in queries[kind]:
            cur.execute(sql.replace("FROM lead ", 'FROM "lead" '))
            cur.fetchall()
        out[kind] = time.perf_counter() - start
    conn.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("both", "postgresql", "sqlite"), default="both")
    parser.add_argument("--keep", type=Path, help="build into DIR and keep it")
    parser.add_argument("--reuse", type=Path, help="measure the build kept in DIR")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child[0], args.child[1], int(args.child[2]))
        return 0
    sys.path.insert(0, str(ROOT))
    base = args.reuse or args.keep or Path(tempfile.mkdtemp(prefix="isdesk-large-"))
    base.mkdir(parents=True, exist_ok=True)
    meta_path = base / "meta.json"
    meta = json.loads(meta_path.read_text()) if args.reuse and meta_path.exists() else {}
    if not meta:
        today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        meta = {"leads": args.leads, "now": int(today.timestamp()), "backends": {}}
    backends = ("postgresql", "sqlite") if args.backend == "both" else (args.backend,)
    load_start = os.getloadavg()[0]
    server = None
    results: dict[str, dict] = {}
    try:
        for backend in backends:
            if backend == "postgresql":
                server, fresh = _start_pg(base / "pg")
                if fresh:
                    server.create_database("isdesk_large")
                url = server.url("isdesk_large")
            else:
                url = f"sqlite:///{base / 'large.sqlite3'}"
            if backend not in meta["backends"]:
                print(f"building {meta['leads']:,} leads on {backend} …", flush=True)
                meta["backends"][backend] = _build(backend, url, meta["leads"], meta["now"])
                meta_path.write_text(json.dumps(meta))
            rows = {}
            for kind in KINDS:
                cmd = [sys.executable, "-m", "bench.bench_reports_large", "--child", url, kind,
                       str(meta["now"])]  # fmt: skip
                try:
                    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT,
                                          timeout=args.timeout)  # fmt: skip
                    if done.returncode:
                        rows[kind] = {"error": done.stderr.strip().splitlines()[-1][:120]}
                    else:
                        rows[kind] = json.loads(done.stdout.strip().splitlines()[-1])
                except subprocess.TimeoutExpired:
                    rows[kind] = {"error": f"over {args.timeout:.0f} s"}
                print(f"  {backend} {kind}: {rows[kind]}", flush=True)
            plain = _plain(backend, url)
            results[backend] = {"rows": rows, "plain": plain}
            if server is not None:
                server._run("pg_ctl", "-D", str(server.data), "-m", "fast", "stop")
                server = None
    finally:
        if server is not None:
            server._run("pg_ctl", "-D", str(server.data), "-m", "immediate", "stop")
        if not (args.keep or args.reuse):
            shutil.rmtree(base, ignore_errors=True)
    text = _render(meta, results, load_start, os.getloadavg()[0])
    print(text)
    out = ROOT / "bench" / "results" / "reports_large.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return 0


def _render(meta: dict, results: dict, load_start: float, load_end: float) -> str:
    lines = [f"## Reports at {meta['leads']:,} leads", ""]
    for backend, res in results.items():
        built = meta["backends"][backend]
        counts = built["counts"]
        history = counts["lead_event"] + counts["activity"] + counts["touch"]
        how = "COPY" if backend == "postgresql" else "executemany"
        lines += [
            f"### {'PostgreSQL' if backend == 'postgresql' else 'SQLite'}",
            "",
            f"Built with {how} in {built['build_s']:.0f} s: {counts['lead']:,} leads, "
            f"{counts['lead_event']:,} events, {counts['activity']:,} activities, "
            f"{counts['touch']:,} touches ({history:,} history rows). Goal per report: "
            f"≤ {GOAL_S[backend]:.0f} s"
            + (f", ≤ {GOAL_MB / 1024:.1f} GB" if backend == "postgresql" else "")
            + ".",
            "",
            "| report | wall s | CPU s | peak MB | plain SQL of its main aggregate s | ratio "
            "| goal |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for kind in KINDS:
            row, plain = res["rows"][kind], res["plain"][kind]
            if "error" in row:
                lines.append(f"| {kind} | {row['error']} | | | {plain:.2f} | | **no** |")
                continue
            ok = row["wall"] <= GOAL_S[backend] and (
                backend != "postgresql" or row["rss_mb"] <= GOAL_MB
            )
            lines.append(
                f"| {kind} | {row['wall']:.2f} | {row['cpu']:.2f} | {row['rss_mb']:.0f} "
                f"| {plain:.2f} | {row['wall'] / plain:.1f}× | {'yes' if ok else '**no**'} |"
            )
        lines.append("")
    lines.append(
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{dt.date.today()}; load average {load_start:.1f} at the start, {load_end:.1f} at the "
        "end. Wall seconds count from the database opened to the tables made (the process's "
        "start-up is apart); CPU seconds are the report process's own (the database server's "
        "work is in the wall clock)."
    )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
