"""Excel workbooks (.xlsx): typed cells, one sheet per table, the same bytes for the same data.

Every export that has a table (the daily log, each report, the lead list) describes it as
:class:`Sheet` values and :func:`render_workbook` turns them into a workbook:

- cells are typed: numbers as numbers (with a display format: ``#,##0``, ``0.0%``, ``¥#,##0``),
  dates and date-times as Excel serial dates (shown ``yyyy-mm-dd`` / ``yyyy-mm-dd hh:mm:ss``),
  booleans as TRUE/FALSE, blanks as empty cells;
- text is always written as a string cell, so a customer's ``=HYPERLINK(...)`` is text and
  never a formula. Text that *looks* like a formula also gets Excel's quote-prefix style, which
  keeps it text if someone edits the cell, without the visible ``'`` a CSV needs;
- the header row is frozen and carries an autofilter; column widths follow the longest value,
  counting kanji and kana as two characters wide, so Japanese text is not cut off;
- document properties and the zip entries' timestamps are fixed (``created`` is given by the
  caller and derived from the data, not the clock), so the same data gives the same bytes.

Written with xlsxwriter (write-only, no dependencies, explicit ``write_string``); tests read the
files back with openpyxl. Nothing is written to disk here: the caller gets bytes and writes them
with :func:`isdesk.export.files.write_private_file` (0600, all or nothing).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

# Column kinds: how a cell is typed and shown.
TEXT, INT, FLOAT, PCT, YEN, DAYS, DATE, DATETIME, BOOL = (
    "text", "int", "float", "pct", "yen", "days", "date", "datetime", "bool",
)  # fmt: skip
KINDS = (TEXT, INT, FLOAT, PCT, YEN, DAYS, DATE, DATETIME, BOOL)

_NUMBER_FORMATS = {
    INT: "#,##0",
    FLOAT: "#,##0.00",
    PCT: "0.0%",
    YEN: "¥#,##0",
    DAYS: "0.0",
    DATE: "yyyy-mm-dd",
    DATETIME: "yyyy-mm-dd hh:mm:ss",
}
# What a cell shows, for the column width: the formatted text's typical length.
_FIXED_WIDTHS = {DATE: 10, DATETIME: 19, BOOL: 5}
_MIN_WIDTH, _MAX_WIDTH = 6, 60
# Sheet names: at most 31 characters, none of these (Excel refuses the file otherwise).
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
# The same starts the CSV neutralises: Excel would run these as a formula when edited.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")

XlsxCell = str | int | float | bool | dt.date | dt.datetime | None


class XlsxError(ValueError):
    """A sheet that cannot be written as given (a programming error, not a user's)."""


@dataclass(frozen=True)
class SheetColumn:
    """One column: its header text and the kind of its cells."""

    header: str
    kind: str = TEXT


@dataclass(frozen=True)
class Sheet:
    """One table: a sheet name (made valid and unique when written), columns and rows."""

    name: str
    columns: tuple[SheetColumn, ...]
    rows: tuple[tuple[XlsxCell, ...], ...]


def sheet_name(name: str, taken: set[str]) -> str:
    """``name`` as Excel accepts it: no ``[]:*?/\\``, at most 31 characters, unique."""
    base = _BAD_SHEET_CHARS.sub("_", name).strip("'") or "sheet"
    candidate, n = base[:31], 1
    while candidate.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)] + suffix
    taken.add(candidate.casefold())
    return candidate


@lru_cache(maxsize=4096)  # names, companies and labels repeat down a column
def text_width(text: str) -> int:
    """How many '0'-widths a line of text takes in Excel: wide (kanji, kana, full-width) count
    two, everything else one. East Asian width from unicodedata (C) rather than the terminal's
    wcwidth tables: Excel's columns are not terminal cells, and this is ~10× faster."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _display_width(value: XlsxCell, kind: str) -> int:
    if value is None:
        return 0
    if kind in _FIXED_WIDTHS:
        return _FIXED_WIDTHS[kind]
    if isinstance(value, bool):
        return 5
    if isinstance(value, int | float):
        if kind == PCT:
            return len(f"{value * 100:.1f}%")
        shown = f"{value:,.2f}" if kind == FLOAT else f"{value:,.0f}"
        return len(shown) + (1 if kind == YEN else 0)
    # The longest line of a multi-line note; CJK characters count two.
    return max((text_width(line) for line in str(value).splitlines()), default=0)


def column_widths(sheet: Sheet) -> list[float]:
    """Excel column widths (in '0' characters) that fit each column's header and values."""
    widths = []
    for index, column in enumerate(sheet.columns):
        longest = max(
            [text_width(column.header) + 2]  # room for the autofilter's drop-down button
            + [_display_width(row[index], column.kind) for row in sheet.rows]
        )
        widths.append(float(min(_MAX_WIDTH, max(_MIN_WIDTH, longest + 1))))
    return widths


def render_workbook(
    sheets: Sequence[Sheet], *, created: dt.datetime, title: str = "", lang: str = "en"
) -> bytes:
    """The workbook as bytes: one sheet per :class:`Sheet`, in order.

    ``created`` (naive or aware; stored as UTC-less local time) fixes the document's
    created/modified properties, so the bytes depend on the data only.
    """
    import xlsxwriter  # type: ignore[import-untyped]  # lazily: only an xlsx export pays

    if not sheets:
        raise XlsxError("a workbook needs at least one sheet")
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            # Text stays text: no formula, number or link is guessed from a string.
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    workbook.set_properties(
        {
            "title": title,
            "author": "isdesk",
            "company": "",
            "created": created.replace(tzinfo=None, microsecond=0),
        }
    )
    workbook.set_calc_mode("auto")
    header_format = workbook.add_format({"bold": True, "bottom": 1})
    formats = {kind: workbook.add_format({"num_format": f}) for kind, f in _NUMBER_FORMATS.items()}
    text_format = workbook.add_format({"text_wrap": False})
    quoted_format = workbook.add_format({"quote_prefix": True})
    taken: set[str] = set()
    for sheet in sheets:
        for column in sheet.columns:
            if column.kind not in KINDS:
                raise XlsxError(f"sheet {sheet.name!r}: unknown column kind {column.kind!r}")
        ws = workbook.add_worksheet(sheet_name(sheet.name, taken))
        for col, column in enumerate(sheet.columns):
            ws.write_string(0, col, column.header, header_format)
        for r, row in enumerate(sheet.rows, start=1):
            if len(row) != len(sheet.columns):
                raise XlsxError(f"sheet {sheet.name!r} row {r}: {len(row)} cells, expected "
                                f"{len(sheet.columns)}")  # fmt: skip
            for col, (value, column) in enumerate(zip(row, sheet.columns, strict=True)):
                _write(ws, r, col, value, column.kind, formats, text_format, quoted_format)
        for col, width in enumerate(column_widths(sheet)):
            ws.set_column(col, col, width)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(sheet.rows), 1), len(sheet.columns) - 1)
    workbook.close()
    return buffer.getvalue()


def _write(ws, row, col, value, kind, formats, text_format, quoted_format) -> None:
    if value is None or (value == "" and kind != TEXT):
        return  # an empty cell: Excel's blank, which filters and pivots as "(blank)"
    if isinstance(value, bool):  # before int: a bool is an int
        ws.write_boolean(row, col, value)
    elif isinstance(value, dt.datetime):
        naive = value.replace(tzinfo=None)  # already in the team's zone: show it as such
        ws.write_datetime(row, col, naive, formats[DATETIME])
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, value, formats[DATE])
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, formats.get(kind))
    else:
        text = str(value)
        if text == "":
            return
        fmt = quoted_format if text.startswith(_FORMULA_STARTS) else text_format
        ws.write_string(row, col, text, fmt)
