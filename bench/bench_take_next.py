"""Taking the next lead under concurrency, against baselines measured in the same run.

    python -m bench.bench_take_next [--leads 2000] [--workers 8] [--skip-pg]

On a SQLite file and on a throwaway PostgreSQL cluster (tests.support.pg_server), each case on
a fresh database holding --leads unassigned leads of one group:

1. isdesk, N processes: --workers taker processes (tests/take_worker.py --claim-only, i.e.
   isdesk.services.assignment.claim_next_lead: load read before the transaction, then the
   claim with the cap check as one UPDATE … RETURNING and the owner event, in one transaction)
   released at the same instant, each looping until the queue is empty;
2. isdesk, 1 process: the same number of takes by one process;
3. raw SQL, N processes and 1 process: the bare claim through the DB-API (SQLite:
   BEGIN IMMEDIATE + UPDATE … WHERE id = (SELECT …) RETURNING; PostgreSQL: SELECT … FOR UPDATE
   SKIP LOCKED + UPDATE), no event, no cap check.

Reports takes/s (all takes / time from release to the last process done), the latency of one
take (p50, p99, max) and duplicates (must be 0). Writes bench/results/take_next.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2026, 11, 2, 3, 0, tzinfo=dt.UTC)


@dataclass
class Result:
    backend: str
    case: str
    procs: int
    takes: int
    duplicates: int
    wall: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.takes / self.wall if self.wall else 0.0

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _prepare(url: str, leads: int, workers: int) -> list[str]:
    """Migrate a fresh database and fill it: `workers` inbound operators, `leads` leads."""
    from isdesk.services.operators import add_operator
    from isdesk.store.db import open_database
    from isdesk.store.models import Lead
    from isdesk.store.schema import upgrade

    db = open_database(url)
    upgrade(db)
    names = [f"taker{i}" for i in range(workers)]
    with db.connection_context():
        for name in names:
            add_operator(name, team="inbound")
        rows = [
            {
                "company": f"株式会社ベンチ{i}",
                "source": "資料請求",
                "acquired_at": NOW - dt.timedelta(minutes=leads - i),
            }
            for i in range(leads)
        ]
        with db.atomic():
            for start in range(0, leads, 500):
                Lead.insert_many(rows[start : start + 500]).execute()
        # A team database in use has statistics (autovacuum analyses a table once a tenth of
        # it changed); one filled a moment ago has none, and PostgreSQL's planner then guesses
        # one row for every condition: it sorts every unassigned lead on each take and counts
        # an operator's load through the index of every open lead, for raw and isdesk alike.
        db.execute_sql("ANALYZE")
    if hasattr(db, "close_all"):
        db.close_all()
    else:
        db.close()
    return names


def _run(cmds: list[list[str]]) -> tuple[list[int], list[float], float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )
        for cmd in cmds
    ]
    for p in procs:
        line = p.stdout.readline().strip()
        if line != "READY":
            raise RuntimeError(f"worker failed to start: {line} {p.stderr.read()}")
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    ids: list[int] = []
    latencies: list[float] = []
    spans: list[tuple[float, float]] = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        if p.returncode != 3:
            raise RuntimeError(f"worker exited {p.returncode}: {err}")
        for line in out.splitlines():
            parts = line.split()
            if parts[0] == "TAKE":
                ids.append(int(parts[1]))
                latencies.append(float(parts[2]))
            elif parts[0] == "SPAN":
                spans.append((float(parts[1]), float(parts[2])))
    wall = max(end for _, end in spans) - min(start for start, _ in spans)
    return ids, latencies, wall


def _rules_file(folder: Path, leads: int) -> Path:
    """The shipped rules with a holding cap above --leads, so one process may take them all."""
    text = (ROOT / "rules.yaml").read_text(encoding="utf-8")
    assert "  holding_cap: 150\n" in text
    path = folder / "rules.yaml"
    path.write_text(text.replace("  holding_cap: 150\n", f"  holding_cap: {leads + 1}\n"))
    return path


def _case(
    backend: str, case: str, url: str, leads: int, procs: int, raw: bool, rules: Path
) -> Result:
    names = _prepare(url, leads, procs)
    if raw:
        cmds = [
            [sys.executable, "-m", "bench.bench_take_next", "--raw-worker", url, n] for n in names
        ]
    else:
        worker = str(ROOT / "tests" / "support" / "take_worker.py")
        cmds = [
            [sys.executable, worker, url, n, NOW.isoformat(), "--claim-only", "--rules", str(rules)]
            for n in names
        ]
    ids, latencies, wall = _run(cmds)
    if len(set(ids)) != leads:
        raise RuntimeError(f"{backend} {case}: {len(set(ids))} distinct of {leads} leads taken")
    return Result(backend, case, procs, len(ids), len(ids) - len(set(ids)), wall, latencies)


# --- the raw-SQL worker ----------------------------------------------------------------------

_SQLITE_CLAIM = (
    'UPDATE "lead" SET owner_id = ?, version = version + 1 WHERE id = (SELECT id FROM "lead" '
    "WHERE status = 'open' AND owner_id IS NULL ORDER BY acquired_at, id LIMIT 1) "
    "AND owner_id IS NULL RETURNING id"
)
_PG_PICK = (
    "SELECT id FROM lead WHERE status = 'open' AND owner_id IS NULL "
    "ORDER BY acquired_at, id LIMIT 1 FOR UPDATE SKIP LOCKED"
)
_PG_CLAIM = "UPDATE lead SET owner_id = %s, version = version + 1 WHERE id = %s"


def raw_worker(url: str, name: str) -> int:
    from isdesk.store.db import parse_database_url

    target = parse_database_url(url)
    if target.is_sqlite:
        conn = sqlite3.connect(str(target.path), isolation_level=None, timeout=10)
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("PRAGMA synchronous = normal")
        me = conn.execute('SELECT id FROM "operator" WHERE name = ?', (name,)).fetchone()[0]

        def claim() -> int | None:
            conn.execute("BEGIN IMMEDIATE")
            row = conn.execute(_SQLITE_CLAIM, (me,)).fetchone()
            conn.execute("COMMIT")
            return row[0] if row else None

    else:
        import psycopg2

        conn = psycopg2.connect(**target.dsn)  # type: ignore[arg-type]
        cur = conn.cursor()
        cur.execute('SELECT id FROM "operator" WHERE name = %s', (name,))
        me = cur.fetchone()[0]
        conn.commit()

        def claim() -> int | None:
            cur.execute(_PG_PICK)
            row = cur.fetchone()
            if row is not None:
                cur.execute(_PG_CLAIM, (me, row[0]))
            conn.commit()
            return row[0] if row else None

    print("READY", flush=True)
    sys.stdin.readline()
    began = time.time()
    out = []
    while True:
        start = time.perf_counter()
        lead_id = claim()
        elapsed = time.perf_counter() - start
        if lead_id is None:
            break
        out.append(f"TAKE {lead_id} {elapsed:.6f}")
    out.append(f"SPAN {began:.6f} {time.time():.6f}")
    sys.stdout.write("".join(line + "\n" for line in out))
    return 3


# --- main ------------------------------------------------------------------------------------


def _table(results: list[Result]) -> str:
    lines = [
        "| backend | case | processes | takes | duplicates | takes/s | p50 ms | p99 ms | max ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.backend} | {r.case} | {r.procs} | {r.takes} | {r.duplicates} | "
            f"{r.rate:,.0f} | {r.pct(0.5):.2f} | {r.pct(0.99):.2f} | "
            f"{max(r.latencies) * 1000:.1f} |"
        )
    return "\n".join(lines)


def _postgres(cases, leads: int, rules: Path) -> list[Result]:
    from tests.support.pg_server import PgServer, find_pg_bin

    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise SystemExit("PostgreSQL binaries not found (use --skip-pg)")
    server = PgServer(bin_dir)
    server.start()
    results = []
    try:
        for i, (case, procs, raw) in enumerate(cases):
            url = server.create_database(f"take{i}")
            results.append(_case("PostgreSQL", case, url, leads, procs, raw, rules))
            print(_table(results[-1:]).splitlines()[-1], file=sys.stderr)
    finally:
        server.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--raw-worker", nargs=2, metavar=("URL", "NAME"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.raw_worker:
        sys.exit(raw_worker(*args.raw_worker))
    results: list[Result] = []
    cases = [
        ("isdesk claim_next_lead", args.workers, False),
        ("isdesk claim_next_lead", 1, False),
        ("raw SQL claim", args.workers, True),
        ("raw SQL claim", 1, True),
    ]
    with tempfile.TemporaryDirectory(prefix="isdesk-bench-take-") as tmp:
        rules = _rules_file(Path(tmp), args.leads)
        for i, (case, procs, raw) in enumerate(cases):
            url = f"sqlite:///{Path(tmp) / f'take{i}.sqlite3'}"
            results.append(_case("SQLite", case, url, args.leads, procs, raw, rules))
            print(_table(results[-1:]).splitlines()[-1], file=sys.stderr)
        if not args.skip_pg:
            results += _postgres(cases, args.leads, rules)
    machine = f"{os.cpu_count()} cores, Python {platform.python_version()}"
    sqlite_v = sqlite3.sqlite_version
    report = (
        "# Take next under concurrency\n\n"
        f"`python -m bench.bench_take_next --leads {args.leads} --workers {args.workers}` "
        f"({machine}, SQLite {sqlite_v}, PostgreSQL cluster with fsync off as in the tests). "
        "Each row is a fresh database of unassigned leads emptied by the given number of "
        "processes released at the same instant; takes/s = takes / time from release to the "
        "last process done; latency is one claim as the caller sees it. isdesk rows include the "
        "cap check and the owner event in the same transaction; raw rows are the bare claim.\n\n"
        + _table(results)
        + "\n"
    )
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "take_next.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
