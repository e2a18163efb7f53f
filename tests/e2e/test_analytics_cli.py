"""`isdesk report KIND` as a user runs it: `python -m isdesk`, its output, files and exit code."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from isdesk.services.operators import add_operator
from isdesk.store.db import open_database
from isdesk.store.schema import upgrade
from tests.support.analytics_data import Builder, jst

ROOT = Path(__file__).resolve().parents[2]


def isdesk(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "isdesk", *args],
        capture_output=True,
        timeout=60,
        env={**os.environ, "ISDESK_OPERATOR": "boss"},  # reports are a team lead's
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('report') / 'report.sqlite3'}"
    db = open_database(url)
    upgrade(db)
    with db.connection_context():
        b = Builder()
        add_operator("boss", team="inbound", role="lead", display_name="リーダー")
        seminar = b.campaign("=セミナー", "seminar", jst(2026, 3, 1).date())
        for i in range(6):
            lead = b.lead(jst(2026, 3, 2 + i), campaign=seminar, company=f"=HYPERLINK({i})")
            b.act(lead, jst(2026, 3, 10 + i), "call", outcome="connected")
            if i == 0:
                b.act(lead, jst(2026, 3, 11), "call", outcome="connected", voice=True,
                      note="=SUM(1) 顧客の声: 導入を急いでいる")  # fmt: skip
            if i < 3:
                b.sql(lead, jst(2026, 4, 1 + i))
                b.hand_off(lead, jst(2026, 4, 2 + i))
                b.stage(lead, jst(2026, 4, 20), "proposal", "opportunity", b.field)
    db.close()
    return url


KINDS = {
    "periods": ["--by", "quarter", "--per", "operator"],
    "cohorts": ["--from", "2026-01-01", "--to", "2026-06-30", "--months", "6"],
    "campaigns": [],
    "funnel": ["--cohort", "2026-03"],
    "stages": ["--stalled-days", "30"],
    "forecast": ["--months", "2", "--runs", "50", "--as-of", "2026-06-01"],
    "voice": ["--from", "2026-01-01", "--search", "声"],
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_report_as_json(db_url: str, kind: str) -> None:
    done = isdesk("report", kind, "--db", db_url, "--format", "json", *KINDS[kind])
    assert done.returncode == 0, done.stderr.decode()
    data = json.loads(done.stdout)
    assert data["report"] == kind
    if kind == "funnel":
        assert [s["reached"] for s in data["funnel"]["steps"]] == [6, 3, 3, 0, 0]
        assert data["funnel"]["weakest_step"] == "opportunity→quote"  # 0 of 3
    if kind == "stages":
        assert len(data["stalled"]) == 3
    if kind == "forecast":
        assert data["forecast"][0]["actual_orders"] == 0  # June is over: the backtest
    if kind == "voice":
        (note,) = data["notes"]
        assert note["campaign"] == "=セミナー" and note["note"].startswith("=SUM(1)")
    if kind == "cohorts":
        assert data["cohorts"][2]["month"] == "2026-03" and data["cohorts"][2]["leads"] == 6


def test_table_output_is_aligned_text(db_url: str) -> None:
    done = isdesk("report", "funnel", "--db", db_url, "--lang", "ja")
    assert done.returncode == 0, done.stderr.decode()
    text = done.stdout.decode()
    assert "CV率" in text and "◀ 最弱" in text and "█" in text  # one language: Japanese


def test_csv_is_for_excel_and_private(db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "campaigns.csv"
    done = isdesk("report", "campaigns", "--db", db_url, "--format", "csv", "-o", str(out))
    assert done.returncode == 0, done.stderr.decode()
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))
    assert rows[0][0] == "Campaign"
    assert rows[1][0] == "'=セミナー"  # a formula-looking name is made inert
    sql_rate = rows[0].index("SQL %")
    leads = rows[0].index("Leads")
    assert rows[1][leads] == "6" and rows[1][sql_rate] == "50.0"  # leads, SQL % as a percent value
    voice = isdesk("report", "voice", "--db", db_url, "--format", "csv", "--campaign", "=セミナー")
    lines = voice.stdout.decode("utf-8-sig").splitlines()
    assert voice.returncode == 0 and len(lines) == 2 and "'=SUM(1)" in lines[1]
    stale = isdesk("report", "stages", "--db", db_url, "--format", "csv", "--table", "stalled")
    assert "'=HYPERLINK(" in stale.stdout.decode("utf-8-sig")


def test_mistakes_exit_2_without_a_traceback(db_url: str) -> None:
    for args in (
        ["forecast", "--months", "9"],
        ["periods", "--from", "2026-13-01"],
        ["funnel", "--cohort", "2026-03", "--from", "2026-01-01"],
        ["stages", "--format", "csv", "--table", "nope"],
        ["forecast", "--as-of", "2999-01-01"],
        ["cohorts", "--as-of", "2999-01-01"],
    ):
        done = isdesk("report", *args, "--db", db_url)
        assert done.returncode == 2, args
        assert b"Traceback" not in done.stderr and done.stderr.startswith(b"isdesk: ")
        assert done.stderr.decode().count("\n") == 1, done.stderr  # one line
        if "2999-01-01" in args:
            assert b"in the future" in done.stderr and not done.stdout


def test_an_operator_may_not_run_reports(db_url: str) -> None:
    refused = subprocess.run(
        [sys.executable, "-m", "isdesk", "report", "funnel", "--db", db_url, "--as", "sato"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert refused.returncode == 2 and "team leads" in refused.stderr


SHEETS = {
    "periods": ["periods", "totals"],
    "cohorts": ["summary", "contact", "contact_pct", "reach", "reach_pct", "appointment",
                "appointment_pct", "sql", "sql_pct", "order", "order_pct"],
    "campaigns": ["campaigns", "kinds"],
    "funnel": ["funnel", "segments"],
    "stages": ["stages", "stalled", "stale"],
    "forecast": ["forecast", "rates", "coverage"],
    "voice": ["voice", "by_campaign"],
}  # fmt: skip


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_report_as_a_workbook_with_a_sheet_per_table(
    db_url: str, kind: str, tmp_path: Path
) -> None:
    import openpyxl

    out = tmp_path / f"{kind}.xlsx"
    done = isdesk("report", kind, "--db", db_url, "--format", "xlsx", "-o", str(out),
                  "--lang", "ja", *KINDS[kind])  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == SHEETS[kind]  # every table of the report, not only the first
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref
        header = [c.value for c in ws[1]]
        assert all(isinstance(h, str) and h for h in header)
    again = tmp_path / "again.xlsx"
    isdesk("report", kind, "--db", db_url, "--format", "xlsx", "-o", str(again), "--lang", "ja",
           *KINDS[kind])  # fmt: skip
    assert again.read_bytes() == out.read_bytes()  # the forecast's Monte Carlo is seeded


def test_campaign_workbook_cells_are_typed_and_names_stay_text(db_url: str, tmp_path: Path) -> None:
    import openpyxl

    out = tmp_path / "campaigns.xlsx"
    done = isdesk("report", "campaigns", "--db", db_url, "--format", "xlsx", "-o", str(out))
    assert done.returncode == 0, done.stderr.decode()
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["campaigns", "kinds"]
    ws = book["campaigns"]
    header = [c.value for c in ws[1]]
    first = dict(zip(header, ws[2], strict=True))
    assert first["Campaign"].value == "=セミナー" and first["Campaign"].data_type == "s"
    assert first["Leads"].value == 6 and first["Leads"].data_type == "n"
    pct = next(c for h, c in first.items() if h and "SQL" in h and "%" in h)
    assert pct.value == 0.5 and pct.number_format == "0.0%"  # a fraction, shown as a percent
    stalled = openpyxl.load_workbook(_report_xlsx(db_url, tmp_path, "stages"))["stalled"]
    companies = [c.value for c in stalled[1] if c.value]
    assert companies  # a header
    texts = [c.value for row in stalled.iter_rows(min_row=2) for c in row]
    assert any(isinstance(v, str) and v.startswith("=HYPERLINK(") for v in texts)


def _report_xlsx(db_url: str, tmp_path: Path, kind: str) -> Path:
    out = tmp_path / f"{kind}-x.xlsx"
    done = isdesk("report", kind, "--db", db_url, "--format", "xlsx", "-o", str(out),
                  *KINDS[kind])  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    return out


def test_xlsx_needs_a_file(db_url: str) -> None:
    done = isdesk("report", "funnel", "--db", db_url, "--format", "xlsx")
    assert done.returncode == 2 and b"-o FILE.xlsx" in done.stderr
