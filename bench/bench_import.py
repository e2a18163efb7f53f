"""`isdesk import` speed at 100,000 rows, against raw ``executemany`` in the same run.

    python -m bench.bench_import [--rows 100000] [--seed 7]

1. a 100,000-row lead list (Japanese companies and people from isdesk's demo generator, UTF-8
   with BOM, Japanese headers, a notes column kept as extra) imported into a fresh SQLite file;
2. baselines: the very rows it wrote (lead; lead + lead_event + touch), inserted by raw
   ``cursor.executemany`` into fresh tables of the same schema, one transaction;
3. 100,000 rows of which half are existing leads written differently (upper-case e-mail,
   full-width phone, company legal form moved), imported into the database of step 1:
   without the returning-lead rules, and with them (route_returning_leads once per chunk: the
   loads read once, every returning lead decided in memory, owners and events written in bulk).
The assignment pass that hands out an import's new leads afterwards is off (``assign=False``):
these rows time the import itself. Writes bench/results/import.md and prints it.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["会社名", "氏名", "役職", "電話番号", "メールアドレス", "流入元", "キャンペーン",
          "獲得日時", "備考"]  # fmt: skip
SOURCES = (("資料請求", 30), ("展示会", 25), ("ウェビナー", 20), ("セミナー", 10),
           ("問い合わせ", 10), ("紹介", 5))  # fmt: skip
CAMPAIGNS = (
    "営業DX最新事例ウェビナー",
    "展示会2026秋",
    "SFA定着のコツ資料DL",
    "ABM入門セミナー",
    "",
)
NOTES = ("", "", "", "来期予算で検討", "資料送付希望", "競合比較中\n(kintone)", "折り返し希望")
FULL = str.maketrans("0123456789-", "０１２３４５６７８９－")


def make_rows(rng: random.Random, count: int) -> list[list[str]]:
    from isdesk.demo.companies import make_contact, plan_companies, weighted

    companies = plan_companies(rng, count)
    start = dt.datetime(2026, 4, 1, 9, 0)
    rows = []
    for i in range(count):
        company = companies[int(len(companies) * rng.random() ** 1.4)]
        source = weighted(rng, SOURCES)
        contact, title, phone, email = make_contact(rng, company, source)
        when = start + dt.timedelta(minutes=i * 3)
        rows.append([company.name, contact, title, phone, email, source, rng.choice(CAMPAIGNS),
                     when.strftime("%Y/%m/%d %H:%M"), rng.choice(NOTES)])  # fmt: skip
    return rows


def returning(row: list[str], rng: random.Random) -> list[str]:
    """The same person written as another tool would (case, width, legal form), coming back a
    month later: a newer date, so the row is a return, not an unchanged re-export."""
    company, contact, title, phone, email, source, campaign, when, *rest = row
    later = dt.datetime.strptime(when, "%Y/%m/%d %H:%M") + dt.timedelta(days=30)
    rest = [source, campaign, later.strftime("%Y/%m/%d %H:%M"), *rest]
    r = rng.random()
    if email and r < 0.5:
        email = email.upper()
    elif phone:
        phone = phone.translate(FULL)
        email = "" if r < 0.75 else email
    if company.startswith("株式会社"):
        company = company.removeprefix("株式会社") + "(株)"
    elif company.endswith("株式会社"):
        company = "㈱" + company.removesuffix("株式会社")
    return [company, contact.replace(" ", "　"), title, phone, email, *rest]


def write_csv(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(HEADER)
    out.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))


def fresh_db(path: Path):
    from isdesk.store.db import open_database
    from isdesk.store.schema import upgrade

    db = open_database(f"sqlite:///{path}")
    upgrade(db)
    return db


def raw_insert(
    source: Path, target: Path, tables: tuple[str, ...], bulk_grams: bool = False
) -> tuple[float, int]:
    """Copy the rows of ``tables`` from ``source`` into the fresh ``target`` with executemany.
    ``bulk_grams``: lead rows as isdesk's bulk writers insert them (isdesk.store.grams: the
    trigger stands aside, the bigram tokens computed in Python and inserted in one go)."""
    from isdesk.store.grams import gram_tokens

    data = {}
    with sqlite3.connect(source) as con:
        for table in tables:
            data[table] = con.execute(f'SELECT * FROM "{table}"').fetchall()
    con = sqlite3.connect(target, isolation_level=None)
    con.execute("PRAGMA journal_mode=wal")
    con.execute("PRAGMA synchronous=normal")
    con.execute("PRAGMA foreign_keys=1")
    with sqlite3.connect(source) as src:  # what the rows refer to (foreign keys), untimed
        for parent in ("campaign", "import_run"):
            rows = src.execute(f'SELECT * FROM "{parent}"').fetchall()
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                con.executemany(f'INSERT INTO "{parent}" VALUES ({marks})', rows)
    start = time.perf_counter()
    con.execute("BEGIN IMMEDIATE")
    for table in tables:
        rows = data[table]
        marks = ", ".join("?" * len(rows[0]))
        bulk = bulk_grams and table == "lead"
        if bulk:
            con.execute('INSERT INTO "lead_gram_bulk" DEFAULT VALUES')
        con.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows)
        if bulk:
            at = [c[1] for c in con.execute('PRAGMA table_info("lead")')].index("search_text")
            grams = [(row[0], gram_tokens(row[at])) for row in rows]
            con.executemany('INSERT INTO "lead_gram" (rowid, grams) VALUES (?, ?)', grams)
            con.execute('DELETE FROM "lead_gram_bulk"')
    con.execute("COMMIT")
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed, sum(len(rows) for rows in data.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--routing-rows",
        type=int,
        default=4_000,
        help="rows (half returning) of the import timed with the returning-lead rules; "
        "0 skips it (default 4000, as when routing cost 16 ms a lead; --rows for all of them)",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("ISDESK_DATA_DIR", tempfile.mkdtemp(prefix="isdesk-bench-data-"))
    from isdesk.importer import execute_plan, plan_import
    from isdesk.rules import load_rules

    rules = load_rules(None)
    rng = random.Random(args.seed)
    n = args.rows
    lines: list[str] = []
    table: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="isdesk-bench-import-") as tmp:
        work = Path(tmp)
        first = work / "leads.csv"
        t0 = time.perf_counter()
        rows = make_rows(rng, n)
        write_csv(first, rows)
        lines.append(f"- generated {n:,} rows ({first.stat().st_size / 1e6:.1f} MB, UTF-8 BOM) "
                     f"in {time.perf_counter() - t0:.1f} s")  # fmt: skip

        # 1. the import into a fresh database
        db_path = work / "import.sqlite3"
        db = fresh_db(db_path)
        t0 = time.perf_counter()
        plan = plan_import(first, rules=rules)
        t_plan = time.perf_counter() - t0
        summary = execute_plan(plan, rules=rules, assign=False)
        t_import = time.perf_counter() - t0
        t_write = t_import - t_plan
        db.close()
        lines.append(
            f"- import: read {summary.read:,} = created {summary.created:,} + merged "
            f"{summary.merged:,} + rejected {summary.rejected:,} (mapping {summary.mapping}, "
            f"{len(summary.campaigns_created)} campaigns created)"
        )
        rate = summary.read / t_import
        table.append((f"import {n:,} new rows: total", f"{t_import:.2f} s ({rate:,.0f} rows/s)",
                      ""))  # fmt: skip
        table.append(("… read, map, clean, check (no DB)", f"{t_plan:.2f} s", ""))
        # 2. baselines: the same rows, raw executemany
        t_lead, k_lead = raw_insert(db_path, fresh_db(work / "raw1.sqlite3").database, ("lead",))
        t_all, k_all = raw_insert(
            db_path,
            fresh_db(work / "raw3.sqlite3").database,
            ("lead", "lead_event", "touch"),
            bulk_grams=True,
        )
        table.append((f"… match + write (leads, events, touches: {k_all:,} rows)",
                      f"{t_write:.2f} s", f"raw executemany of the same {k_all:,} rows, "
                      f"index in bulk {t_all:.2f} s → **{t_write / t_all:.2f}×**"))  # fmt: skip
        # What keeping the filter's bigram index costs: by the trigger row by row (migration
        # 0012, every other writer), in bulk (migration 0014, imports and the demo), or none.
        t_grams, _ = raw_insert(
            db_path, fresh_db(work / "raw2.sqlite3").database, ("lead",), bulk_grams=True
        )
        bare = fresh_db(work / "raw0.sqlite3").database
        with sqlite3.connect(bare) as con:
            for trigger in ("lead_gram_insert", "lead_gram_update", "lead_gram_delete"):
                con.execute(f'DROP TRIGGER IF EXISTS "{trigger}"')
        t_bare, _ = raw_insert(db_path, bare, ("lead",))
        table.append((f"raw executemany of the {k_lead:,} lead rows, index by the trigger",
                      f"{t_lead:.2f} s", f"the same without the index {t_bare:.2f} s "
                      f"→ **{t_lead / t_bare:.1f}×**"))  # fmt: skip
        table.append((f"raw executemany of the {k_lead:,} lead rows, index in bulk",
                      f"{t_grams:.2f} s", f"the same without the index {t_bare:.2f} s "
                      f"→ **{t_grams / t_bare:.1f}×**"))  # fmt: skip
        measure = f"import total vs raw insert of its {k_lead:,} lead rows, index in bulk"
        baseline = f"raw executemany {t_grams:.2f} s → **{t_import / t_grams:.1f}×**"
        table.append((measure, f"{t_import:.2f} s", baseline))

        # 3. half of the rows are existing leads, written differently
        second = work / "returning.csv"
        picks = rng.sample(range(n), n // 2)
        mixed = [returning(rows[i], rng) for i in picks] + make_rows(random.Random(args.seed + 1),
                                                                     n - n // 2)  # fmt: skip
        rng.shuffle(mixed)
        write_csv(second, mixed)
        routed_copy = work / "routed.sqlite3"
        routed_file = work / "returning_sample.csv"
        runs = [(f"{n:,} rows, half returning, without the returning-lead rules", second,
                 db_path, False)]  # fmt: skip
        if args.routing_rows:
            routed_copy.write_bytes(db_path.read_bytes())
            write_csv(routed_file, mixed[: args.routing_rows])
            runs.append((f"{args.routing_rows:,} of those rows, with the returning-lead rules "
                         "(route_returning_leads per chunk)", routed_file, routed_copy,
                         True))  # fmt: skip
        for label, source, path, route in runs:
            db = fresh_db(path)
            t0 = time.perf_counter()
            plan = plan_import(source, rules=rules)
            result = execute_plan(plan, rules=rules, route=route, assign=False)
            elapsed = time.perf_counter() - t0
            db.close()
            lines.append(
                f"- {label}: read {result.read:,} = created {result.created:,} + merged "
                f"{result.merged:,} + rejected {result.rejected:,}; merged by "
                f"{result.matched_by}; routing {result.routing}"
            )
            routed = result.routing.get("routed", 0)
            per = f"; {elapsed / routed * 1000:.1f} ms per routed lead" if routed else ""
            speed = f"{elapsed:.2f} s ({result.read / elapsed:,.0f} rows/s{per})"
            table.append((f"import {label}", speed, f"first import {t_import:.2f} s, {n:,} rows"))

    out = [f"# Import benchmark ({n:,} rows, sqlite)", "", *lines, "",
           "| measure | isdesk | baseline |", "|---|---|---|"]  # fmt: skip
    out += [f"| {a} | {b} | {c} |" for a, b, c in table]
    out += ["", f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, {dt.date.today().isoformat()}", ""]  # fmt: skip
    text = "\n".join(out)
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "import.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
