"""Reports as text (aligned, CJK-aware, with bars and sparklines), CSV for Excel, or JSON.

CSV follows the daily export (isdesk.export.writer): UTF-8 with a BOM, CRLF, minimal quoting,
text cells that Excel would run as a formula neutralised; numbers stay numbers (percentages
as percent values, e.g. 33.33), blank cells for "no value", bar columns left out. One CSV is
one table (the report's first, or the one named).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from isdesk.analytics.report import BAR, DAYS, FLOAT, INT, PCT, TEXT, YEN, Cell, ReportBase, Table
from isdesk.domain.text import cell_width
from isdesk.export.writer import BOM, neutralize

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
    body = [
        [format_cell(v, c.kind) for v, c in zip(row, table.columns, strict=True)] for row in rows
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
