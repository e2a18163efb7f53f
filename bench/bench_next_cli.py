"""`isdesk next` as a dialer calls it, against a bare Python process in the same run.

    python -m bench.bench_next_cli [--leads 20000] [--runs 9] [--requests 200]

On one SQLite file holding --leads unassigned leads:

1. baseline: a fresh ``python`` process that imports only sqlite3, opens the same database with
   the same PRAGMAs and runs the same claim in raw SQL (the cap count, UPDATE … RETURNING, the
   owner event, in BEGIN IMMEDIATE), printing the lead as JSON;
2. isdesk: a fresh ``python -m isdesk next --format json`` process (rules validated, schema
   checked, operator looked up, the claim);
3. ``isdesk next --serve``: one process, --requests requests on its stdin, each answered by one
   JSON line; per-request latency (the dialer's cost per lead once it has started isdesk).

Every process claims: each run acts as an operator holding nothing, and between --serve
requests the driver marks the lead worked (untimed), as the operator would. Wall clock from
spawn to exit, median of --runs. Writes bench/results/next_cli.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RAW = r"""
import json, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
for pragma in ("journal_mode = wal", "foreign_keys = 1", "busy_timeout = 5000",
               "synchronous = normal"):
    conn.execute("PRAGMA " + pragma)
me = conn.execute('SELECT id FROM "operator" WHERE name = ? AND active',
                  (sys.argv[2],)).fetchone()[0]
cap = 500
load = conn.execute('SELECT COUNT(*) FROM (SELECT 1 FROM "lead" WHERE "owner_id" = ? '
                    "AND \"status\" = 'open' LIMIT ?)", (me, cap)).fetchone()[0]
conn.execute("BEGIN IMMEDIATE")
row = conn.execute(
    'UPDATE "lead" SET "owner_id" = ?, "version" = "version" + 1, "updated_at" = datetime() '
    'WHERE "id" = (SELECT "id" FROM "lead" WHERE "status" = \'open\' AND "owner_id" IS NULL '
    'ORDER BY "acquired_at", "id" LIMIT 1) AND "owner_id" IS NULL '
    'RETURNING "id", "company", "contact", "phone", "rank", "source", "acquired_at"', (me,)
).fetchone()
conn.execute('INSERT INTO "lead_event" ("lead_id", "at", "actor_id", "kind", "field", '
             '"old_value", "new_value", "note") VALUES (?, datetime(), ?, \'owner\', \'\', '
             "'', ?, '{}')", (row[0], me, sys.argv[2]))
conn.execute("COMMIT")
print(json.dumps(dict(zip(("id", "company", "contact", "phone", "rank", "source",
                           "acquired_at"), row)), ensure_ascii=False))
"""


def _prepare(path: Path, leads: int, operators: int) -> None:
    from isdesk.services.operators import add_operator
    from isdesk.store.db import open_database
    from isdesk.store.schema import upgrade
    from tests.support.factories import lead

    db = open_database(f"sqlite:///{path}")
    upgrade(db)
    for i in range(operators):
        add_operator(f"dialer{i}", team="inbound", display_name=f"dialer {i}")
    with db.connection_context(), db.atomic():
        for i in range(min(leads, 2000)):
            lead(None, company=f"株式会社テスト{i}", acquired_days=-i / 100)
    if leads > 2000:  # the rest in bulk: the claim's cost depends on the index, not the rows
        with db.connection_context(), db.atomic():
            db.execute_sql(
                'INSERT INTO "lead" ("company", "contact", "title", "phone", "email", "source", '
                '"acquired_at", "status", "stage", "rank", "is_sql", "heard", "next_action", '
                '"search_text", "extra", "version", "updated_at") '
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
                "SELECT '株式会社' || i, '', '', '', '', '資料請求', datetime('2026-01-01', "
                "'+' || i || ' minutes'), 'open', 'list', 'D', 0, 0, '', '株式会社' || i, '{}', "
                "1, datetime() FROM n",
                (leads - 2000,),
            )
    db.close()


def _wall(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    if done.returncode != 0 or not done.stdout.strip().startswith("{"):
        raise RuntimeError(f"{cmd[:4]} failed: {done.stdout[-300:]} {done.stderr[-500:]}")
    return took


def _serve(path: Path, name: str, requests: int, env: dict[str, str]) -> tuple[float, list[float]]:
    url = f"sqlite:///{path}"
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "isdesk", "--db", url, "--as", name, "next", "--serve"],
        cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    side = sqlite3.connect(str(path), isolation_level=None, timeout=10)
    times: list[float] = []
    first = 0.0
    for i in range(requests):
        began = time.perf_counter()
        proc.stdin.write("next\n")
        proc.stdin.flush()
        answer = json.loads(proc.stdout.readline())
        if i == 0:
            first = time.perf_counter() - start
        else:
            times.append(time.perf_counter() - began)
        lead = answer["lead"]
        assert lead is not None and lead["claimed"], answer
        # The operator works the lead and puts it to nurturing: not theirs to work now, not
        # counted against the holding cap, so the next request claims again.
        side.execute(
            "UPDATE lead SET status = 'nurturing', last_touch_at = datetime(), "
            "next_action_at = '2099-01-01' WHERE id = ?",
            (lead["id"],),
        )
    proc.stdin.write("quit\n")
    proc.stdin.flush()
    proc.wait(timeout=30)
    return first, times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    load = os.getloadavg()[0]

    folder = Path(tempfile.mkdtemp(prefix="isdesk-bench-next-"))
    env = {**os.environ, "ISDESK_DATA_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    # An installed isdesk starts from compiled bytecode; a shell with PYTHONDONTWRITEBYTECODE
    # would make every process compile isdesk from source, which no user pays.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["ISDESK_DATA_DIR"] = str(folder)
    path = folder / "next.sqlite3"
    _prepare(path, args.leads, 2 * args.runs + 2)
    url = f"sqlite:///{path}"
    _wall([sys.executable, "-c", RAW, str(path), f"dialer{2 * args.runs + 1}"], env)  # warm-up
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "isdesk")], env=env)
    bare, ours = [], []
    for i in range(args.runs):  # interleaved, so both meet the same load on a shared machine
        bare.append(_wall([sys.executable, "-c", RAW, str(path), f"dialer{2 * i}"], env))
        ours.append(
            _wall(
                [sys.executable, "-m", "isdesk", "--db", url, "--as", f"dialer{2 * i + 1}",
                 "next", "--format", "json"],
                env,
            )
        )  # fmt: skip
    first, served = _serve(path, f"dialer{2 * args.runs}", args.requests, env)
    b, o = statistics.median(bare), statistics.median(ours)
    s50 = statistics.median(served)
    s99 = sorted(served)[min(len(served) - 1, int(0.99 * len(served)))]
    lines = [
        f"# `isdesk next` per process ({args.leads:,} leads, SQLite)",
        "",
        "| measure | isdesk | baseline | ratio |",
        "|---|---|---|---|",
        f"| `isdesk next` process, spawn → exit (median of {args.runs}) | {o * 1000:.0f} ms | "
        f"bare Python: sqlite3 + the same claim in raw SQL {b * 1000:.0f} ms | {o / b:.2f}× |",
        f"| `isdesk next --serve`: one request → its JSON line (p50 / p99 of "
        f"{len(served)}) | {s50 * 1000:.1f} / {s99 * 1000:.1f} ms | bare Python process "
        f"{b * 1000:.0f} ms | {s50 / b:.3f}× |",
        f"| `isdesk next --serve`: spawn → first answer | {first * 1000:.0f} ms | "
        f"`isdesk next` process {o * 1000:.0f} ms | {first / o:.2f}× |",
        "",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}; load average {load:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end"
        + (" (shared with other work: absolute times are inflated, the ratios hold better)"
           if load > 1.5 else ""),
    ]  # fmt: skip
    report = "\n".join(lines) + "\n"
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "next_cli.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
