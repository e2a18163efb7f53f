"""Reports as text (aligned, CJK-aware, with bars and sparklines), CSV, an Excel workbook or JSON.

CSV follows the daily export (isdesk.export.writer): UTF-8 with a BOM, CRLF, minimal quoting,
text cells that Excel would run as a formula neutralised; numbers stay numbers (percentages
as percent values, e.g. 33.33), blank cells for "no value", bar columns left out. One CSV is
one table (the report's first, or the one named). A workbook (:func:`render_xlsx`) holds every
table of the report, one sheet each, typed (percentages as fractions shown ``0.0%``, yen as
``¥#,##0``, a column of ISO dates as dates); bar columns are left out there too.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from isdesk.analytics.report import BAR, DAYS, FLOAT, INT, PCT, TEXT, YEN, Cell, ReportBase, Table
from isdesk.domain.text import cell_width, printable_field
from isdesk.export.writer import BOM, neutralize

if TYPE_CHECKING:
    from isdesk.export.xlsx import Sheet

BLOCKS = " ▏▎▍▌▋▊▉█"
SPARKS = "▁▂▃▄▅▆▇█"
BAR_WIDTH = 12


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar of ``fraction`` (0..1) of ``width`` cells, in eighths."""
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (BLOCKS[part] if part else "")).ljust(width)


def sparkline(values: Sequence[float]) -> str:
    top = max(values, default=0)
    if top <= 0:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[min(7, int(v / top * 7.999))] for v in values)


def format_cell(value: Cell, kind: str) -> str:
    if value is None:
        return "—"
    if kind == BAR:
        return bar(float(value))
    if kind == PCT:
        return f"{float(value) * 100:.1f}%"
    if kind == DAYS:
        return f"{float(value):.1f}"
    if kind == YEN:
        return f"¥{float(value):,.0f}"
    if kind == FLOAT:
        return f"{float(value):,.2f}"
    if kind == INT and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(0, width - cell_width(text))
    return gap + text if right else text + gap


def render_table(table: Table, limit: int | None = None) -> str:
    """One table as aligned text; at most ``limit`` rows (the rest counted)."""
    rows = table.rows if limit is None else table.rows[:limit]
    header = [c.label for c in table.columns]
    # Customer text (a source, a campaign name) escaped as the screens draw it, before measuring.
    body = [
        [printable_field(format_cell(v, c.kind)) for v, c in zip(row, table.columns, strict=True)]
        for row in rows
    ]
    widths = [max([cell_width(h), *(cell_width(r[i]) for r in body)]) for i, h in enumerate(header)]
    right = [c.kind not in (TEXT, BAR) for c in table.columns]
    lines = [table.title]
    lines.append("  ".join(_pad(h, w, r) for h, w, r in zip(header, widths, right, strict=True)))
    lines.append("  ".join("─" * w for w in widths))
    for cells in body:
        lines.append("  ".join(_pad(v, w, r) for v, w, r in zip(cells, widths, right, strict=True)))
    if limit is not None and len(table.rows) > limit:
        lines.append(f"… {len(table.rows) - limit:,} more (--limit 0 shows all; csv/json have all)")
    if table.note:
        lines.append(table.note)
    return "\n".join(line.rstrip() for line in lines)


def render_text(
    report: ReportBase, tables: Sequence[str] | None = None, limit: int | None = 30
) -> str:
    chosen = report.tables() if tables is None else tuple(report.table(k) for k in tables)
    parts = [render_table(t, limit) for t in chosen]
    lines = report.sparklines()
    if lines:
        width = max(cell_width(label) for label, _ in lines)
        parts.append(
            "\n".join(f"{_pad(label, width, False)}  {sparkline(v)}" for label, v in lines)
        )
    return "\n\n".join(parts) + "\n"


def _csv_cell(value: Cell, kind: str) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if kind == PCT:
        return round(float(value) * 100, 2)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return round(value, 2)
    return neutralize(str(value))


def render_csv(report: ReportBase, table_key: str | None = None) -> bytes:
    table = report.table(table_key)
    keep = [i for i, c in enumerate(table.columns) if c.kind != BAR]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralize(table.columns[i].label) for i in keep])
    for row in table.rows:
        writer.writerow([_csv_cell(row[i], table.columns[i].kind) for i in keep])
    return BOM + buffer.getvalue().encode("utf-8")


def render_json(report: ReportBase) -> bytes:
    return (json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


_XLSX_KINDS = {TEXT: "text", INT: "int", PCT: "pct", DAYS: "days", YEN: "yen", FLOAT: "float"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A report's numbers depend on its as_of, which defaults to now: the document's timestamp is a
# constant, so the same tables give the same bytes whenever they are written.
REPORT_CREATED = dt.datetime(2000, 1, 1)


def _date_column(values: Sequence[Cell]) -> bool:
    present = [v for v in values if v is not None and v != ""]
    return bool(present) and all(isinstance(v, str) and _ISO_DATE.fullmatch(v) for v in present)


def report_sheets(report: ReportBase) -> list[Sheet]:
    """Every table of ``report`` as a typed sheet (bar columns left out)."""
    from isdesk.export.xlsx import Sheet, SheetColumn

    sheets = []
    for table in report.tables():
        keep = [i for i, c in enumerate(table.columns) if c.kind != BAR]
        kinds = []
        for i in keep:
            kind = _XLSX_KINDS.get(table.columns[i].kind, "text")
            if kind == "text" and _date_column([row[i] for row in table.rows]):
                kind = "date"
            kinds.append(kind)
        pairs = list(zip(keep, kinds, strict=True))
        columns = tuple(SheetColumn(table.columns[i].label, kind) for i, kind in pairs)
        rows = tuple(tuple(_xlsx_cell(row[i], kind) for i, kind in pairs) for row in table.rows)
        sheets.append(Sheet(table.key, columns, rows))
    return sheets


def _xlsx_cell(value: Cell, kind: str) -> str | int | float | bool | dt.date | None:
    if value is None:
        return None
    if kind == "date" and isinstance(value, str) and value:
        return dt.date.fromisoformat(value)
    if isinstance(value, bool | int | float):
        return value
    return str(value)


def render_xlsx(report: ReportBase) -> bytes:
    """All of the report's tables as one workbook, one sheet per table, named by its key."""
    from isdesk.export.xlsx import render_workbook

    return render_workbook(
        report_sheets(report), created=REPORT_CREATED, title=f"isdesk {report.kind} report"
    )
