"""Reading a lead list as exported by MA tools, CRMs and Excel: encoding, delimiter, rows.

Encodings: a BOM decides (UTF-8, UTF-16 as Excel's "Unicode text"); otherwise strict UTF-8,
then CP932 (Shift_JIS as Windows and Excel write it). Delimiter: comma, tab or semicolon, as
counted outside quotes in the header (an Excel ``sep=;`` first line is honoured). Quoted
newlines stay inside their cell. Rows are numbered as Excel numbers them: the header is row 1.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

DELIMITERS = (",", "\t", ";")
# Columns isdesk adds to a rejects file; ignored when that file is imported again once fixed.
REJECT_COLUMNS = ("isdesk_row", "isdesk_reason")
MAX_FILE_BYTES = 512 * 1024 * 1024


class ReadError(ValueError):
    """The file cannot be read as a table; the message says what to do."""


@dataclass
class Table:
    """A decoded file: its header and data rows (blank rows left out, numbers kept)."""

    path: Path
    digest: str  # sha256 of the bytes, the identity of an import
    encoding: str
    delimiter: str
    columns: tuple[str, ...]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (row number, cells)
    blank: int = 0  # empty rows skipped
    complete: bool = True  # False when read with a row limit that cut the file short


def read_table(path: Path, encoding: str | None = None, limit: int | None = None) -> Table:
    """Read ``path``; ``encoding`` None detects it. ``limit`` stops after that many data rows."""
    data = read_bytes(path)
    try:
        text, used = decode(data, encoding)
    except ReadError as error:
        raise ReadError(f"{path}: {error}") from None
    delimiter, text = sniff_delimiter(text, path)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        header = next(records, None)
    except csv.Error as exc:
        raise ReadError(f"{path}: the header row cannot be read ({exc})") from None
    if header is None or not any(cell.strip() for cell in header):
        raise ReadError(f"{path}: the file has no header row: the first row must name the columns")
    columns = _column_names(header)
    table = Table(path, hashlib.sha256(data).hexdigest(), used, delimiter, columns)
    width = len(columns)
    for number, cells in _numbered(records, path):
        if not any(cell.strip() for cell in cells):
            table.blank += 1
            continue
        if limit is not None and len(table.rows) >= limit:
            table.complete = False
            break
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        table.rows.append((number, cells))
    if any(len(cells) > width for _, cells in table.rows):
        longest = max(len(cells) for _, cells in table.rows)
        extra = tuple(f"column{i + 1}" for i in range(width, longest))
        table.columns = columns + extra
        for _, cells in table.rows:
            cells.extend([""] * (longest - len(cells)))
    return table


def read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ReadError(
                f"{path}: {size / 1e6:,.0f} MB is more than isdesk imports at once "
                f"({MAX_FILE_BYTES // 2**20} MB): split the file"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise ReadError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ReadError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise ReadError(f"{path}: cannot read it ({exc.strerror or exc})") from None


def check_encoding(name: str) -> str:
    """The codec's canonical name; ReadError for a name Python does not know."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise ReadError(
            f"--encoding: unknown encoding {name!r}: use utf-8, utf-8-sig, cp932 (Shift_JIS), "
            "euc-jp or utf-16"
        ) from None


# ISO-2022-JP (JIS, still sent by some mail-based exports) is 7-bit: it decodes as ASCII/UTF-8
# into escape sequences and mojibake. Its shift sequences give it away.
_ISO2022_SHIFTS = (b"\x1b$B", b"\x1b$@", b"\x1b(J", b"\x1b(I", b"\x1b$(D")
# What CP932 makes of single bytes that are no character in it (0x80, 0xA0, 0xFD-0xFF): a C1
# control and private-use code points. In a file they are stray bytes, not text.
_CP932_STRAYS = {"\x80": 0x80, "\uf8f0": 0xA0, "\uf8f1": 0xFD, "\uf8f2": 0xFE, "\uf8f3": 0xFF}


def _where(data: bytes, offset: int) -> str:
    """``line L, column C`` of byte ``offset`` (the column counts characters, from 1)."""
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8", "replace")) + 1
    line = data[:offset].count(b"\n") + 1
    return f"line {line}, column {column}"


def _check_strays(text: str, data: bytes, name: str) -> None:
    if name != "cp932":
        return
    for index, char in enumerate(text):
        if char in _CP932_STRAYS:
            line = text.count("\n", 0, index) + 1
            column = index - (text.rfind("\n", 0, index) + 1) + 1
            raise ReadError(
                f"line {line}, column {column}: byte 0x{_CP932_STRAYS[char]:02X} is not a "
                "character in UTF-8 or Shift_JIS/CP932: remove it, or give the encoding the "
                "file was saved in with --encoding"
            )


def decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    """The text and the encoding it was read with (detected when ``encoding`` is None)."""
    if encoding is not None:
        name = check_encoding(encoding)
        if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
            name = "utf-8-sig"
        try:
            text = data.decode(name)
        except UnicodeDecodeError as exc:
            raise ReadError(
                f"not {encoding} (bad bytes at {_where(data, exc.start)}): "
                "leave --encoding out to detect it, or give the encoding it was saved in"
            ) from None
        _check_strays(text, data, name)
        return text, name
    if data.startswith(codecs.BOM_UTF8):
        candidates: tuple[str, ...] = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)
    elif any(shift in data for shift in _ISO2022_SHIFTS) and max(data, default=0) < 0x80:
        try:
            return data.decode("iso2022_jp_2"), "iso2022_jp"
        except UnicodeDecodeError as exc:
            raise ReadError(
                f"looks like ISO-2022-JP (JIS) but cannot be read as it (bad bytes at "
                f"{_where(data, exc.start)}): save it as UTF-8 or Shift_JIS, or give "
                "--encoding"
            ) from None
    else:
        candidates = ("utf-8", "cp932")
    first_error: UnicodeDecodeError | None = None
    for name in candidates:
        try:
            text = data.decode(name)
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
            continue
        _check_strays(text, data, name)
        return text, name
    assert first_error is not None
    raise ReadError(
        f"neither UTF-8 nor Shift_JIS/CP932 (bad bytes at {_where(data, first_error.start)}): "
        "give the encoding it was saved in with --encoding, e.g. --encoding euc-jp"
    )


def sniff_delimiter(text: str, path: Path | None = None) -> tuple[str, str]:
    """The delimiter and the text without an Excel ``sep=`` line."""
    text = text.replace("\x00", "")
    first, _, rest = text.partition("\n")
    stripped = first.strip().strip('"')
    if stripped.lower().startswith("sep=") and len(stripped) == 5:
        return stripped[4], rest
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in _header_text(text):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])  # ties: the earlier, comma first
    if counts[best] == 0:
        suffix = path.suffix.lower() if path is not None else ""
        best = "\t" if suffix in (".tsv", ".tab", ".txt") else ","
    return best, text


def _header_text(text: str) -> Iterator[str]:
    """The characters of the first record (a quoted header cell may hold a newline)."""
    quoted = False
    for ch in text[:65536]:
        if ch == '"':
            quoted = not quoted
        elif ch in "\r\n" and not quoted:
            return
        yield ch


def _numbered(records: Iterator[list[str]], path: Path) -> Iterator[tuple[int, list[str]]]:
    number = 1
    while True:
        try:
            cells = next(records)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ReadError(f"{path}: row {number + 1} cannot be read ({exc})") from None
        number += 1
        yield number, cells


def _column_names(header: list[str]) -> tuple[str, ...]:
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(header):
        name = " ".join(raw.replace("\ufeff", "").split()) or f"column{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        names.append(name)
    return tuple(names)
