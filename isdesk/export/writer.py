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
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import secrets
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from isdesk.domain import kpi
from isdesk.export.daily import ActivityRow, DailyExport, ExportError, OperatorSummary

FORMATS = ("csv", "xlsx", "jsonl")
ENCODINGS = ("utf-8", "cp932")
BOM = b"\xef\xbb\xbf"

Cell = str | int | bool | None

ACTIVITY_COLUMNS = (
    "date",
    "time",
    "operator",
    "operator_name",
    "team",
    "lead_id",
    "company",
    "contact",
    "kind",
    "outcome",
    "duration_s",
    "rank_after",
    "sql_after",
    "customer_voice",
    "note",
)
KIND_COUNT_COLUMNS = tuple(f"{kind}_count" for kind in kpi.ACTIVITY_KINDS)
SUMMARY_COLUMNS = (
    *KIND_COUNT_COLUMNS,
    "connected_call_count",
    "activity_count",
    "total_duration_s",
    "volume",
    "line_minimum",
    "line_expected",
    "line_stretch",
    "tier",
)
COLUMNS = ("row_type", *ACTIVITY_COLUMNS, *SUMMARY_COLUMNS)
"""The header: English CSV headers and JSONL keys are these names."""

HEADERS_JA: Mapping[str, str] = {
    "row_type": "行種別",
    "date": "日付",
    "time": "時刻",
    "operator": "担当者ID",
    "operator_name": "担当者",
    "team": "チーム",
    "lead_id": "リードID",
    "company": "会社名",
    "contact": "担当者名(顧客)",
    "kind": "種別",
    "outcome": "結果",
    "duration_s": "通話秒数",
    "rank_after": "ランク",
    "sql_after": "SQL",
    "customer_voice": "顧客の声",
    "note": "メモ",
    "call_count": "架電数",
    "email_count": "メール数",
    "appointment_count": "アポ数",
    "meeting_count": "商談数",
    "note_count": "メモ数",
    "connected_call_count": "接続数",
    "activity_count": "活動数",
    "total_duration_s": "合計秒数",
    "volume": "行動量",
    "line_minimum": "最低到達ライン",
    "line_expected": "到達予想ライン",
    "line_stretch": "到達希望ライン",
    "tier": "到達状況",
}

ROW_TYPE_JA: Mapping[str, str] = {"activity": "活動", "summary": "集計"}
KIND_JA: Mapping[str, str] = {
    "call": "架電",
    "email": "メール",
    "appointment": "アポ",
    "meeting": "商談",
    "note": "メモ",
}
OUTCOME_JA: Mapping[str, str] = {
    "connected": "接続",
    "no_answer": "不在",
    "voicemail": "留守電",
    "wrong_number": "番号違い",
    "refused": "拒否",
}
TIER_JA: Mapping[str, str] = {
    "below": "未達",
    "minimum": "最低到達",
    "expected": "到達予想",
    "stretch": "到達希望",
}

# Full-width forms too: Japanese Excel's input conversion can turn ＝ into a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def neutralize(value: str) -> str:
    """Make a text cell inert in Excel: prefix ``'`` when it would start a formula."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def headers(lang: str) -> tuple[str, ...]:
    """The header row in ``lang`` ("ja" or "en")."""
    return tuple(HEADERS_JA[c] for c in COLUMNS) if lang == "ja" else COLUMNS


def records(export: DailyExport) -> Iterator[dict[str, Cell]]:
    """Every row as a dict over :data:`COLUMNS`, untranslated; blank cells are None."""
    day = export.day.isoformat()
    for row in export.rows:
        yield _activity_record(day, row)
    for summary in export.summaries:
        yield _summary_record(day, summary)


def _activity_record(day: str, row: ActivityRow) -> dict[str, Cell]:
    record: dict[str, Cell] = dict.fromkeys(COLUMNS)
    record.update(
        row_type="activity",
        date=day,
        time=row.at.isoformat(timespec="seconds"),
        operator=row.operator,
        operator_name=row.operator_name,
        team=row.team,
        lead_id=row.lead_id,
        company=row.company,
        contact=row.contact,
        kind=row.kind,
        outcome=row.outcome,
        duration_s=row.duration_s,
        rank_after=row.rank_after,
        sql_after=row.sql_after,
        customer_voice=row.customer_voice,
        note=row.note,
    )
    return record


def _summary_record(day: str, summary: OperatorSummary) -> dict[str, Cell]:
    record: dict[str, Cell] = dict.fromkeys(COLUMNS)
    record.update(
        row_type="summary",
        date=day,
        operator=summary.operator,
        operator_name=summary.operator_name,
        team=summary.team,
        connected_call_count=summary.connected_calls,
        activity_count=summary.activities,
        total_duration_s=summary.duration_s,
        volume=summary.volume,
        line_minimum=summary.minimum,
        line_expected=summary.expected,
        line_stretch=summary.stretch,
        tier=summary.tier,
    )
    for kind, count in summary.kind_counts:
        record[f"{kind}_count"] = count
    return record


_LABELS_JA: Mapping[str, Mapping[str, str]] = {
    "row_type": ROW_TYPE_JA,
    "kind": KIND_JA,
    "outcome": OUTCOME_JA,
    "tier": TIER_JA,
}


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
            if lang == "ja" and column in _LABELS_JA:
                value = _LABELS_JA[column].get(value, value)
            cells.append(neutralize(value))
    return cells


@dataclass(frozen=True)
class Replacement:
    """A character the CSV's encoding cannot store, and what was written instead."""

    row: int  # as Excel numbers it: the header is row 1
    column: str
    char: str
    written: str


# Characters cp932 lacks that have an obvious stand-in (NFKC handles the compatibility forms).
_CP932_STAND_INS = {
    "\u2014": "\u2015",  # em dash → the horizontal bar Japanese fonts draw as a dash
    "\u2013": "-",
    "\u2212": "\uff0d",  # minus sign → full-width hyphen-minus (cp932's 0x817C)
    "\u00a0": " ",
    "\u20ac": "EUR",
    "\u2022": "\u30fb",  # bullet → katakana middle dot
    "\u301c": "\uff5e",  # wave dash → full-width tilde (what Windows means by 0x8160)
}
GETA = "〓"  # cp932 0x81AC: Japanese print's mark for a character that cannot be set


def _cp932_stand_in(char: str) -> str:
    for candidate in (_CP932_STAND_INS.get(char, ""), unicodedata.normalize("NFKC", char)):
        if candidate and candidate != char:
            try:
                candidate.encode("cp932")
            except UnicodeEncodeError:
                continue
            return candidate
    return GETA


def _encode(
    text: str, encoding: str, cells: list[str | int], header: tuple[str, ...], number: int,
    replaced: list[Replacement],
) -> bytes:  # fmt: skip
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        pass
    # Only cp932 gets here (utf-8 stores everything): map cell by cell, naming each change.
    for index, cell in enumerate(cells):
        if not isinstance(cell, str):
            continue
        out: list[str] = []
        for char in cell:
            try:
                char.encode(encoding)
                out.append(char)
            except UnicodeEncodeError:
                written = _cp932_stand_in(char)
                replaced.append(Replacement(number, header[index], char, written))
                out.append(written)
        cells[index] = "".join(out)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL).writerow(cells)
    return buffer.getvalue().encode(encoding)


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
        chunks.append(_encode(text, encoding, cells, header, number, changes))
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
        if lang == "ja" and key in _LABELS_JA and isinstance(value, str):
            return _LABELS_JA[key].get(value, value)
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


def write_private_file(path: Path, data: bytes) -> None:
    """Atomically replace ``path`` with ``data``, mode 0600."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)  # exactly 0600 whatever the umask
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_new_private_file(path: Path, data: bytes) -> Path:
    """Write ``data`` (mode 0600) to ``path``, or to ``stem-2.csv``, ``stem-3.csv`` … if it exists.

    For exports made from the workstation: a second export the same day (say, in the other
    language) is kept beside the first instead of silently replacing it. The name is taken
    with a hard link, so two writers never end up with the same file. Returns the path used.
    """
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    write_private_file(temp, data)
    try:
        for n in range(1, 1000):
            candidate = path if n == 1 else path.with_name(f"{path.stem}-{n}{path.suffix}")
            try:
                os.link(temp, candidate)
            except FileExistsError:
                continue
            return candidate
        raise FileExistsError(f"{path}: 999 exports of the same name already exist")
    finally:
        temp.unlink(missing_ok=True)
