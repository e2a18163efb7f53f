"""`--format xlsx`: the workbooks read back with openpyxl (an independent reader) — sheets,
cell types, strings that stay strings, frozen header, filter, widths, and the same bytes twice.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import stat
import zipfile
from pathlib import Path

import openpyxl
import pytest

from isdesk.export.daily import daily_export
from isdesk.export.writer import render_xlsx, write_file
from isdesk.export.xlsx import Sheet, SheetColumn, column_widths, render_workbook, sheet_name
from isdesk.rules import load_rules
from tests.db.test_export import DAY, build_team, row, sample

HOSTILE = ('=HYPERLINK("http://evil.example","click")', "+81 3", "-2+3", "@SUM(A1)", "普通のメモ")


def workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_daily_has_an_activities_and_a_summary_sheet_with_typed_cells() -> None:
    export = sample(row(1, HOSTILE[0], company="=cmd|' /C calc'!A0"), row(2, "次回は来週"))
    book = workbook(render_xlsx(export, lang="en"))
    assert book.sheetnames == ["activities", "summary"]
    acts = book["activities"]
    header = [c.value for c in acts[1]]
    assert header[:4] == ["date", "time", "operator", "operator_name"]
    assert "row_type" not in header and "call_count" not in header  # no blank columns
    first = dict(zip(header, (c for c in acts[2]), strict=True))
    assert first["date"].value == dt.datetime(2026, 11, 20)  # openpyxl reads dates as datetimes
    assert first["date"].is_date and first["date"].number_format == "yyyy-mm-dd"
    assert first["time"].value == dt.datetime(2026, 11, 20, 10, 16)  # local (JST) time
    assert first["time"].is_date
    assert first["duration_s"].value == 300 and first["duration_s"].data_type == "n"
    assert first["lead_id"].value == 7
    assert first["customer_voice"].value is True and first["sql_after"].value is False
    # A customer's formula is a string cell: no formula, no visible quote.
    assert first["note"].value == HOSTILE[0] and first["note"].data_type == "s"
    assert first["note"].quotePrefix  # and stays text if someone edits it
    assert first["company"].value == "=cmd|' /C calc'!A0" and first["company"].data_type == "s"
    assert acts.max_row == 3
    summary = book["summary"]
    head = [c.value for c in summary[1]]
    values = dict(zip(head, (c.value for c in summary[2]), strict=True))
    assert values["operator"] == "sato" and values["call_count"] == 3
    assert values["volume"] == 17 and values["tier"] == "expected"
    assert "lead_id" not in head and "note" not in head


def test_no_formula_anywhere_in_the_file() -> None:
    export = sample(*(row(i, note) for i, note in enumerate(HOSTILE, start=1)))
    data = render_xlsx(export)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets
        for name in sheets:
            assert b"<f>" not in archive.read(name)  # no formula cell
    notes = [c.value for c in workbook(data)["activities"]["O"][1:]]
    assert notes == list(HOSTILE)


def test_frozen_header_filter_and_widths_that_fit_japanese() -> None:
    long_company = "株式会社とても長い名前のシステムインテグレーション"
    export = sample(row(1, "x", company=long_company), row(2, "y"))
    book = workbook(render_xlsx(export, lang="ja"))
    assert book.sheetnames == ["活動", "担当者別集計"]
    acts = book["活動"]
    assert acts.freeze_panes == "A2"
    assert acts.auto_filter.ref == "A1:O3"
    assert [c.value for c in acts[1]][:3] == ["日付", "時刻", "担当者ID"]
    assert acts["I2"].value == "架電" and acts["J2"].value == "接続"  # labels in Japanese
    company_width = acts.column_dimensions["G"].width
    assert company_width >= 2 * len(long_company)  # kanji and kana are two wide
    assert acts.column_dimensions["A"].width >= 10  # a date fits
    assert book["担当者別集計"].freeze_panes == "A2"


def test_same_data_same_bytes_and_fixed_properties() -> None:
    export = sample(row(1, "a"), row(2, "b"))
    first = render_xlsx(export)
    assert render_xlsx(sample(row(1, "a"), row(2, "b"))) == first
    props = workbook(first).properties
    assert props.created == dt.datetime(2026, 11, 20)  # the day exported, not the clock
    assert props.modified == props.created
    assert render_xlsx(sample(row(1, "a"), row(2, "c"))) != first


def test_sheet_names_are_made_valid_and_unique() -> None:
    taken: set[str] = set()
    assert sheet_name("a/b:c", taken) == "a_b_c"
    assert sheet_name("A_B_C", taken) == "A_B_C (2)"
    long = sheet_name("x" * 40, taken)
    assert len(long) == 31


def test_widths_follow_the_longest_line_and_are_capped() -> None:
    sheet = Sheet(
        "t",
        (SheetColumn("note"), SheetColumn("n", "int")),
        (("一行目\n二行目はもっと長い", 1_234_567), ("x" * 500, None)),
    )
    note, number = column_widths(sheet)
    assert note == 60  # capped
    assert number >= len("1,234,567")
    only_short = Sheet("t", (SheetColumn("memo"),), (("一行目\n二行目はもっと長い",),))
    assert column_widths(only_short)[0] == 2 * len("二行目はもっと長い") + 1


def test_typed_kinds_in_a_generic_sheet() -> None:
    sheet = Sheet(
        "kinds",
        tuple(SheetColumn(k, k) for k in ("pct", "yen", "days", "float", "date", "text")),
        ((0.3333, 1_500_000, 12.5, 1.25, dt.date(2025, 3, 31), "0123"),),
    )
    ws = workbook(render_workbook([sheet], created=dt.datetime(2026, 1, 1)))["kinds"]
    cells = list(ws[2])
    assert cells[0].value == pytest.approx(0.3333) and cells[0].number_format == "0.0%"
    assert cells[1].value == 1_500_000 and "¥" in cells[1].number_format
    assert cells[2].value == 12.5 and cells[3].value == 1.25
    assert cells[4].value == dt.datetime(2025, 3, 31) and cells[4].is_date
    assert cells[5].value == "0123" and cells[5].data_type == "s"  # a code keeps its zero


def test_the_day_from_the_database_on_both_backends(db, tmp_path: Path) -> None:
    team = build_team()
    rules = load_rules()
    export = daily_export(team.lead, DAY, rules)
    path = tmp_path / "daily.xlsx"
    write_file(export, path, "xlsx", lang="en")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    book = workbook(path.read_bytes())
    acts, summary = book["activities"], book["summary"]
    assert acts.max_row - 1 == len(export.rows)
    assert summary.max_row - 1 == len(export.summaries)
    times = [c.value for c in acts["B"][1:]]
    assert all(isinstance(t, dt.datetime) for t in times)
    assert times == sorted(times) and times[0].date() == DAY
    ids = [c.value for c in acts["F"][1:]]
    assert ids == [r.lead_id for r in export.rows]


def test_a_report_workbook_from_either_backend(db) -> None:
    from isdesk.analytics import History, funnel_report, stage_times_report
    from isdesk.analytics.history import local_midnight
    from isdesk.analytics.render import render_xlsx as report_xlsx
    from tests.support.analytics_data import Builder, jst

    rules = load_rules(None)
    with db.connection_context():
        b = Builder()
        for i in range(4):
            lead = b.lead(jst(2026, 3, 2 + i), company=f"=HYPERLINK({i})")
            b.act(lead, jst(2026, 3, 10 + i), "call", outcome="connected")
            if i < 2:
                b.sql(lead, jst(2026, 4, 1 + i))
        history = History(rules, local_midnight(dt.date(2026, 9, 1), rules))
        funnel = funnel_report(history)
        stages = stage_times_report(history, stalled_days=30, stale_days=30)
    book = workbook(report_xlsx(funnel))
    assert book.sheetnames == [t.key for t in funnel.tables()]
    ws = book["funnel"]
    reached = [c.value for c in ws["C"][1:]]  # the Reached column
    assert reached == funnel.table("funnel").column("reached") and reached[0] == 4
    assert all(isinstance(v, int) for v in reached)
    share = [c for c in ws[2] if c.number_format == "0.0%"]
    assert share and share[0].value == 1.0  # the list step is 100 % of the list
    stale = workbook(report_xlsx(stages))
    texts = [c.value for w in stale.worksheets for row in w.iter_rows(min_row=2) for c in row]
    assert "=HYPERLINK(0)" in texts
