"""Many operators at once: throughput, latency and a check that nothing was lost.

    python -m bench.bench_load [--procs 20] [--seconds 60] [--leads 12000] [--skip-pg]

On a SQLite file and on a throwaway PostgreSQL cluster (tests.support.pg_server), each case on
a fresh database of --leads unassigned leads (sources routed to team inbound, 1 in 20 routed to
team outbound as a control nobody here may take) and inbound operators:

1. --procs operator processes (tests/load_operator.py) released at the same instant, each
   working leads for --seconds with no pause: take the next lead, open it, answer 3–6 hearing
   items (keystroke saves, then the settled save), log the call with a follow-up a week out,
   sometimes an e-mail or a note;
2. the baseline, measured in the same run: the same workload by 1 process.

After each case the database is checked against every process's journal (tests.support.load_operator
.verify: every answer's last value and version, every activity, one owner event per taken
lead, no lead taken twice, lead versions, SQLite integrity_check / foreign_key_check) and the
run fails if anything is off. The holding cap is raised to --leads so that the 1-process
baseline is not stopped by it. Writes bench/results/load.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.support.load_operator import RunResult, Verification

ROOT = Path(__file__).resolve().parent.parent
SLOW_MS = 1000.0


@dataclass
class Case:
    backend: str
    procs: int
    run: RunResult
    verification: Verification
    load: tuple[float, float]  # the machine's 1-minute load average before and after the run


def _rules_file(folder: Path, cap: int) -> Path:
    text = (ROOT / "rules.yaml").read_text(encoding="utf-8")
    assert "  holding_cap: 150\n" in text, "rules.yaml changed: update bench_load._rules_file"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "rules.yaml"
    path.write_text(
        text.replace("  holding_cap: 150\n", f"  holding_cap: {cap}\n"), encoding="utf-8"
    )
    return path


def _case(backend: str, url: str, procs: int, args: argparse.Namespace, folder: Path) -> Case:
    from isdesk.rules import load_rules
    from isdesk.store.db import open_database
    from isdesk.store.schema import upgrade
    from tests.support.load_operator import run_operators, seed, verify

    rules_path = _rules_file(folder, args.leads)
    db = open_database(url)
    upgrade(db)
    names = seed(db, procs, args.leads)
    _close(db)
    print(f"{backend}: {procs} process(es) x {args.seconds:g} s …", file=sys.stderr)
    before = os.getloadavg()[0]
    run = run_operators(url, names, args.seconds, folder / f"journals-{procs}", rules=rules_path)
    after = os.getloadavg()[0]
    db = open_database(url)
    verification = verify(db, run, load_rules(rules_path))
    _close(db)
    print(f"  {verification.describe()}", file=sys.stderr)
    return Case(backend, procs, run, verification, (before, after))


def _close(db) -> None:
    if hasattr(db, "close_all"):
        db.close_all()
    elif not db.is_closed():
        db.close()


def _stats(case: Case) -> dict[str, tuple[int, float, float, float, float, int]]:
    """kind → (ops, ops/s, p50, p99, max, slow)."""
    from tests.support.load_operator import KINDS

    run = case.run
    lat = run.latencies()
    wall = run.wall
    out = {}
    every: list[float] = []
    for kind in KINDS:
        values = lat.get(kind, [])
        every += values
        out[kind] = _row(values, wall)
    out["all steps"] = _row(every, wall)
    leads = case.verification.counts["leads taken"]
    out["leads worked"] = (leads, leads / wall, 0.0, 0.0, 0.0, 0)
    return out


def _row(values: list[float], wall: float) -> tuple[int, float, float, float, float, int]:
    from tests.support.load_operator import pct

    if not values:
        return (0, 0.0, 0.0, 0.0, 0.0, 0)
    slow = sum(1 for v in values if v > SLOW_MS)
    return (
        len(values), len(values) / wall, pct(values, 0.5), pct(values, 0.99), max(values), slow,
    )  # fmt: skip


def _table(many: Case, one: Case) -> str:
    a, b = _stats(many), _stats(one)
    n = many.procs
    lines = [
        f"| step | {n} procs: ops | ops/s | p50 ms | p99 ms | max ms | > 1 s "
        "| 1 proc: ops | ops/s | p50 ms | p99 ms | max ms | ops/s ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in a:
        x, y = a[kind], b[kind]
        ratio = f"{x[1] / y[1]:.2f}x" if y[1] else "—"
        if kind == "leads worked":
            lines.append(
                f"| **{kind}** | {x[0]:,} | {x[1]:,.1f} | | | | | {y[0]:,} | {y[1]:,.1f} "
                f"| | | | {ratio} |"
            )
            continue
        label = f"**{kind}**" if kind == "all steps" else kind
        lines.append(
            f"| {label} | {x[0]:,} | {x[1]:,.1f} | {x[2]:.1f} | {x[3]:.1f} | {x[4]:,.0f} "
            f"| {x[5]} | {y[0]:,} | {y[1]:,.1f} | {y[2]:.1f} | {y[3]:.1f} | {y[4]:,.0f} "
            f"| {ratio} |"
        )
    out = ["\n".join(lines), ""]
    for case in (many, one):
        run, v = case.run, case.verification
        ms, kind, who = run.slowest()
        errors = sum(s["errors"] for s in run.summaries.values())
        exhausted = [s["name"] for s in run.summaries.values() if s["exhausted"]]
        out.append(
            f"- {case.procs} process(es), {run.wall:.1f} s, load average "
            f"{case.load[0]:.1f} → {case.load[1]:.1f}: errors **{errors}**; "
            f"slowest response {ms:,.0f} ms ({kind}, {who}); "
            f"verification **{v.describe()}**"
            + (f"; ran out of leads: {', '.join(exhausted)}" if exhausted else "")
        )
    return "\n".join(out)


def _postgres(args: argparse.Namespace, folder: Path) -> list[Case]:
    from tests.support.pg_server import PgServer, find_pg_bin

    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise SystemExit("PostgreSQL binaries not found (use --skip-pg)")
    server = PgServer(bin_dir)
    server.start()
    try:
        cases = []
        for procs in (args.procs, 1):
            url = server.create_database(f"load{procs}")
            cases.append(_case("PostgreSQL", url, procs, args, folder / f"pg{procs}"))
        return cases
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procs", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--leads", type=int, default=12000)
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    sections = []
    failed = False
    with tempfile.TemporaryDirectory(prefix="isdesk-bench-load-") as tmp:
        backends: list[list[Case]] = []
        if not args.skip_sqlite:
            backends.append(
                [
                    _case(
                        "SQLite",
                        f"sqlite:///{Path(tmp) / f'load{procs}.sqlite3'}",
                        procs,
                        args,
                        Path(tmp) / f"sqlite{procs}",
                    )
                    for procs in (args.procs, 1)
                ]
            )
        if not args.skip_pg:
            backends.append(_postgres(args, Path(tmp)))
        for many, one in backends:
            sections.append(f"## {many.backend}\n\n{_table(many, one)}\n")
            failed |= not (many.verification.ok and one.verification.ok)
    machine = f"{os.cpu_count()} cores, Python {platform.python_version()}"
    report = (
        "# Operators under load\n\n"
        f"`python -m bench.bench_load --procs {args.procs} --seconds {args.seconds:g} "
        f"--leads {args.leads}` ({machine}, SQLite {sqlite3.sqlite_version} in WAL mode, "
        "busy_timeout 5 s as isdesk sets it; PostgreSQL cluster with fsync off as in the tests). "
        "The load average under each run says how busy the machine was: other work on it "
        "slows both cases and skews the ratio.\n\n"
        f"{args.procs} operator processes (tests/load_operator.py) released at the same instant "
        f"work leads for {args.seconds:g} s with no pause between steps — take the next lead "
        "(take_next_lead), open it (load_lead), answer 3–6 hearing items as the lead screen "
        "saves them (1–3 keystroke saves with record=False, then the settled save), log the "
        "call with a follow-up a week out, sometimes an e-mail (40%) or a note (30%) — then "
        "the same workload by 1 process, on a fresh database each. ops/s = steps / time from "
        "release to the last process done; latency is one step as the caller sees it; "
        "> 1 s counts the steps that took longer than a second; ops/s ratio = N processes / 1 "
        "process. Each run is checked against every process's journal of what it wrote "
        "(tests.support.load_operator.verify). Real operators pause for seconds between steps, so "
        f"{args.procs} processes without pauses are far more load than {args.procs} people.\n\n"
        + "\n".join(sections)
    )
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "load.md").write_text(report, encoding="utf-8")
    print(report)
    if failed:
        raise SystemExit("verification failed: see the tables above")


if __name__ == "__main__":
    main()
