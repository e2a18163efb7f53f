"""Every benchmark in one command, written to docs/benchmarks.md.

    python -m bench.run_all [--quick]

Each benchmark measures isdesk beside a baseline taken in the same run (a bare Textual start,
raw SQL, a raw executemany) and writes its table to bench/results/NAME.md; this script runs
them one after the other (never in parallel: they would measure each other) and gathers the
tables, with the machine they ran on, into docs/benchmarks.md. --quick uses small sizes to
check the scripts themselves; its figures are not the published ones.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

# (module, full-size arguments, quick arguments, what it answers)
BENCHES = [
    (
        "bench_queue",
        [],
        ["--leads", "5000", "--runs", "3"],
        "Does the queue open at once and filter as you type with 100,000 leads?",
    ),
    (
        "bench_kpi",
        [],
        ["--activities", "50000", "--runs", "3"],
        "Does the KPI screen open at once with a year of activity for 50 operators?",
    ),
    (
        "bench_take_next",
        [],
        ["--leads", "400", "--workers", "4"],
        "How fast is 'take next lead' with 8 operators pressing it at once?",
    ),
    (
        "bench_next_cli",
        [],
        ["--leads", "2000", "--runs", "3", "--requests", "30"],
        "What does a dialer pay per lead for `isdesk next`, per process and with --serve?",
    ),
    ("bench_import", [], ["--rows", "5000"], "Do 100,000 rows import in seconds?"),
    (
        "bench_reports",
        [],
        ["--leads", "3000"],
        "Does every long-term report answer within a second on the large demo?",
    ),
    (
        "bench_reports_large",
        ["--leads", "1000000"],
        ["--leads", "5000"],
        "Do the reports hold at a million leads and ten million history rows?",
    ),
    (
        "bench_lead",
        [],
        ["--leads", "3000", "--keys", "20"],
        "Does the lead screen keep up with typing at 100,000 leads (rank badge, saved ✓)?",
    ),
    (
        "bench_load",
        [],
        ["--procs", "4", "--seconds", "5"],
        "20 operators working for a minute: throughput, slowest response, no lost write?",
    ),
]
RESULT_NAMES = {
    "bench_queue": "queue",
    "bench_kpi": "kpi",
    "bench_take_next": "take_next",
    "bench_next_cli": "next_cli",
    "bench_import": "import",
    "bench_reports": "reports",
    "bench_reports_large": "reports_large",
    "bench_load": "load",
    "bench_lead": "lead",
}


def _version(module: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module)
    except PackageNotFoundError:
        return "?"


def machine() -> list[str]:
    cpu = platform.processor() or "?"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "?"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.0f} GiB"
    pg = (
        subprocess.run(
            [
                "sh",
                "-c",
                "initdb --version 2>/dev/null || /usr/lib/postgresql/15/bin/initdb --version",
            ],
            capture_output=True,
            text=True,
        ).stdout.strip()
        or "not found"
    )
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory {memory}; {platform.system()} "
        f"{platform.release()}",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {pg}",
        f"- textual {_version('textual')}, peewee {_version('peewee')}, "
        f"psycopg2 {_version('psycopg2-binary')}",
    ]


def _demote(body: str) -> str:
    """Each result starts with its own "# Title"; put it under this page's headings."""
    return "\n".join(("#" + line) if line.startswith("#") else line for line in body.splitlines())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes (checks the scripts)")
    parser.add_argument("--only", nargs="*", help="run only these benchmarks")
    parser.add_argument(
        "--note", action="append", default=[], help="a line under the header (e.g. the load)"
    )
    args = parser.parse_args()
    sections = []
    failed = []
    for module, full, quick, question in BENCHES:
        table = RESULTS / f"{RESULT_NAMES[module]}.md"
        if args.only and module not in args.only:
            # Not run this time: keep the figures of the last run, if there are any.
            if table.exists():
                body = _demote(table.read_text(encoding="utf-8").strip())
                sections.append(
                    f"## {question}\n\n`python -m bench.{module}` (earlier run)\n\n{body}"
                )
            continue
        if not (ROOT / "bench" / f"{module}.py").exists():
            failed.append(f"{module}: script missing")
            continue
        started = time.perf_counter()
        print(f"== {module} …", file=sys.stderr, flush=True)
        result = subprocess.run(
            [sys.executable, "-m", f"bench.{module}", *(quick if args.quick else full)], cwd=ROOT
        )
        took = time.perf_counter() - started
        if result.returncode != 0 or not table.exists():
            failed.append(f"{module}: exit code {result.returncode}")
            continue
        body = _demote(table.read_text(encoding="utf-8").strip())
        sections.append(f"## {question}\n\n`python -m bench.{module}` ({took:.0f} s)\n\n{body}")
    lines = [
        "# isdesk benchmarks",
        "",
        f"Generated by `python -m bench.run_all{' --quick' if args.quick else ''}` on "
        f"{time.strftime('%Y-%m-%d')}. Each figure stands beside a baseline measured in the "
        "same run; the ratio is isdesk ÷ baseline.",
        "",
        *[f"> {note}" for note in args.note],
        *([""] if args.note else []),
        "## Machine",
        "",
        *machine(),
        "",
        *("\n\n".join(sections).splitlines()),
    ]
    if failed:
        lines += ["", "## Not measured", "", *[f"- {f}" for f in failed]]
    out = ROOT / "docs" / "benchmarks.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
