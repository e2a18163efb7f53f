"""Writing a :class:`DailyExport` as CSV for Excel, as an Excel workbook or as JSON Lines.

The table is the union of two row types, told apart by the first column, ``row_type``:

- ``activity`` rows fill ``date`` … ``note`` (:data:`ACTIVITY_COLUMNS`) and leave the summary
  columns blank;
- ``summary`` rows (one per operator, after all activities) fill ``date``, ``operator``,
  ``operator_name``, ``team`` and the summary columns (:data:`SUMMARY_COLUMNS`: a count per
  activity kind, connected calls, all activities, total seconds, weighted volume, the daily
  minimum / expected / stretch lines and the tier reached) and leave the other activity
  columns blank.

CSV is what Japanese Excel opens by double-click: UTF-8 with a BOM (or cp932 for old Excel),
CRLF line ends, minimal quoting, headers and kind / outcome / tier labels in Japanese or
English. String cells that Excel would run as a formula (leading ``=``, ``+``, ``-``, ``@``,
tab or CR) get a leading ``'`` (OWASP's CSV-injection advice); numbers are written as numbers
and the time as ``2026-12-01 10:42:24`` (local), which Excel reads as a date-time. In cp932 a
character the code page lacks (an emoji, €, an em dash) is mapped to its NFKC or a close
cp932 form, or else replaced by 〓 (the geta mark Japanese print uses for a missing glyph);
:func:`render_csv` lists every replacement so the command can say so.

XLSX (:func:`render_xlsx`) puts activities and operator summaries on two sheets of their own,
typed (see :mod:`isdesk.export.xlsx`), so pivot tables see no blank columns.

JSONL carries the same columns with English keys and untranslated codes, numbers and booleans
as JSON types, blank cells as ``null``; it is for programs, so nothing is neutralised.

Output is deterministic (same data, same bytes) and all of it is rendered in memory before
anything is written, so an un-encodable character never leaves a half-written file behind.

The table's columns and records are in isdesk.export.daily_rows, Excel's CSV rules (BOM,
neutralising, cp932 stand-ins) in isdesk.export.excel_csv and the 0600 all-or-nothing files in
isdesk.export.files; this module renders and writes the three formats.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

from isdesk.export.daily import DailyExport, ExportError
from isdesk.export.daily_rows import (
    ACTIVITY_COLUMNS,
    COLUMNS,
    HEADERS_JA,
    KIND_COUNT_COLUMNS,
    KIND_JA,
    LABELS_JA,
    OUTCOME_JA,
    ROW_TYPE_JA,
    SUMMARY_COLUMNS,
    TIER_JA,
    Cell,
    headers,
    records,
)
from isdesk.export.excel_csv import (
    BOM,
    ENCODINGS,
    GETA,
    Replacement,
    encode_row,
    neutralize,
)
from isdesk.export.files import write_new_private_file, write_private_file

# The parts live in the modules above; callers (the CLI, the screens, crm, analytics.render,
# tests) import these names from here.
__all__ = [
    "ACTIVITY_COLUMNS",
    "BOM",
    "COLUMNS",
    "ENCODINGS",
    "FORMATS",
    "GETA",
    "HEADERS_JA",
    "KIND_COUNT_COLUMNS",
    "KIND_JA",
    "OUTCOME_JA",
    "ROW_TYPE_JA",
    "SHEET_NAMES",
    "SUMMARY_COLUMNS",
    "TIER_JA",
    "XLSX_SUMMARY_COLUMNS",
    "Cell",
    "Replacement",
    "headers",
    "neutralize",
    "records",
    "render",
    "render_csv",
    "render_jsonl",
    "render_xlsx",
    "write_csv",
    "write_file",
    "write_jsonl",
    "write_new_private_file",
    "write_private_file",
]

FORMATS = ("csv", "xlsx", "jsonl")


def _csv_cells(record: Mapping[str, Cell], lang: str) -> list[str | int]:
    cells: list[str | int] = []
    for column in COLUMNS:
        value = record[column]
        if value is None:
            cells.append("")
        elif column == "time" and isinstance(value, str):
            # "2026-12-01 10:42:24" is a date-time to Excel; the ISO form with an offset is text.
            cells.append(dt.datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M:%S"))
        elif isinstance(value, bool):  # before int: bool is an int
            cells.append("TRUE" if value else "FALSE")  # Excel reads these as booleans
        elif isinstance(value, int):
            cells.append(value)
        else:
            if lang == "ja" and column in LABELS_JA:
                value = LABELS_JA[column].get(value, value)
            cells.append(neutralize(value))
    return cells


def render_csv(
    export: DailyExport,
    *,
    encoding: str = "utf-8",
    lang: str = "en",
    replaced: list[Replacement] | None = None,
) -> bytes:
    """The whole CSV file as bytes; see :func:`write_csv`.

    In cp932 a character the code page lacks is replaced (see the module's docstring) and, when
    ``replaced`` is given, each replacement is appended to it.
    """
    if encoding not in ENCODINGS:
        raise ExportError(f"encoding {encoding!r}: choose one of {', '.join(ENCODINGS)}")
    changes: list[Replacement] = [] if replaced is None else replaced
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    header = headers(lang)
    chunks = [BOM] if encoding == "utf-8" else []
    lines: list[list[str | int]] = [list(header), *(_csv_cells(r, lang) for r in records(export))]
    for number, cells in enumerate(lines, start=1):
        writer.writerow(cells)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        chunks.append(encode_row(text, encoding, cells, header, number, changes))
    return b"".join(chunks)


_XLSX_KINDS: Mapping[str, str] = {
    "date": "date", "time": "datetime", "lead_id": "int", "duration_s": "int",
    "sql_after": "bool", "customer_voice": "bool", "total_duration_s": "int", "volume": "int",
    "connected_call_count": "int", "activity_count": "int", "line_minimum": "int",
    "line_expected": "int", "line_stretch": "int",
    **dict.fromkeys(KIND_COUNT_COLUMNS, "int"),
}  # fmt: skip
XLSX_SUMMARY_COLUMNS = ("date", "operator", "operator_name", "team", *SUMMARY_COLUMNS)
SHEET_NAMES: Mapping[str, tuple[str, str]] = {
    "ja": ("活動", "担当者別集計"),
    "en": ("activities", "summary"),
}


def render_xlsx(export: DailyExport, *, lang: str = "en") -> bytes:
    """The day as a workbook: an activities sheet and an operator-summary sheet, typed cells,
    headers and labels in ``lang``; the same data gives the same bytes."""
    from isdesk.export import xlsx

    def column(key: str) -> xlsx.SheetColumn:
        label = HEADERS_JA[key] if lang == "ja" else key
        return xlsx.SheetColumn(label, _XLSX_KINDS.get(key, xlsx.TEXT))

    def cell(key: str, value: Cell) -> xlsx.XlsxCell:
        if value is None:
            return None
        if key == "date":
            return export.day
        if key == "time":
            return dt.datetime.fromisoformat(str(value))
        if lang == "ja" and key in LABELS_JA and isinstance(value, str):
            return LABELS_JA[key].get(value, value)
        return value

    all_records = list(records(export))
    sheets = []
    for kind, keys, name in zip(
        ("activity", "summary"), (ACTIVITY_COLUMNS, XLSX_SUMMARY_COLUMNS),
        SHEET_NAMES.get(lang, SHEET_NAMES["en"]), strict=True,
    ):  # fmt: skip
        rows = tuple(
            tuple(cell(k, r[k]) for k in keys) for r in all_records if r["row_type"] == kind
        )
        sheets.append(xlsx.Sheet(name, tuple(column(k) for k in keys), rows))
    created = dt.datetime.combine(export.day, dt.time())
    title = f"isdesk daily {export.day.isoformat()}"
    return xlsx.render_workbook(sheets, created=created, title=title, lang=lang)


def render_jsonl(export: DailyExport) -> bytes:
    """The whole JSON Lines file as bytes; see :func:`write_jsonl`."""
    return b"".join(
        (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        for record in records(export)
    )


def render(
    export: DailyExport,
    fmt: str,
    *,
    encoding: str = "utf-8",
    lang: str = "en",
    replaced: list[Replacement] | None = None,
) -> bytes:
    """``export`` in ``fmt`` ("csv", "xlsx" or "jsonl"); JSONL is always UTF-8 with English
    keys; ``replaced`` collects the characters a cp932 CSV could not store."""
    if fmt == "csv":
        return render_csv(export, encoding=encoding, lang=lang, replaced=replaced)
    if fmt == "xlsx":
        return render_xlsx(export, lang=lang)
    if fmt == "jsonl":
        return render_jsonl(export)
    raise ExportError(f"format {fmt!r}: choose one of {', '.join(FORMATS)}")


def write_csv(
    export: DailyExport, out: BinaryIO, *, encoding: str = "utf-8", lang: str = "en"
) -> None:
    """Write CSV for Excel: BOM (utf-8 only), CRLF, headers and labels in ``lang``.

    A character cp932 cannot store is replaced (see :func:`render_csv`).
    """
    out.write(render_csv(export, encoding=encoding, lang=lang))


def write_jsonl(export: DailyExport, out: BinaryIO) -> None:
    """Write one JSON object per line, UTF-8 without BOM, English keys."""
    out.write(render_jsonl(export))


def write_file(
    export: DailyExport,
    path: Path | str,
    fmt: str = "csv",
    encoding: str = "utf-8",
    lang: str = "en",
) -> None:
    """Write ``export`` to ``path``, readable only by the user (0600), all or nothing.

    The bytes go to a 0600 temporary file in the same directory that then replaces ``path``,
    so a failure leaves neither a partial file nor a world-readable moment.
    """
    data = render(export, fmt, encoding=encoding, lang=lang)
    write_private_file(Path(path), data)
