"""CSV the way Excel reads it: the BOM, formula-safe text cells, cp932 with named stand-ins."""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass

ENCODINGS = ("utf-8", "cp932")
BOM = b"\xef\xbb\xbf"

# Full-width forms too: Japanese Excel's input conversion can turn ＝ into a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def neutralize(value: str) -> str:
    """Make a text cell inert in Excel: prefix ``'`` when it would start a formula."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


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


def encode_row(
    text: str, encoding: str, cells: list[str | int], header: tuple[str, ...], number: int,
    replaced: list[Replacement],
) -> bytes:  # fmt: skip
    """Row ``number`` of the file, ``text`` (``cells`` as one CSV line), in ``encoding``.

    A character the encoding lacks (cp932 only) is replaced cell by cell and each replacement
    is appended to ``replaced``, named by row and by its column in ``header``.
    """
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
