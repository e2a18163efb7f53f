"""Encodings an import meets beyond UTF-8 and CP932: ISO-2022-JP (JIS) is read, stray high
bytes in an otherwise ASCII file are refused with their line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from isdesk.importer.reader import ReadError, read_table

HEADER = "会社名,担当者,電話番号\n"


def test_iso_2022_jp_is_read_as_japanese(tmp_path: Path) -> None:
    path = tmp_path / "jis.csv"
    path.write_bytes((HEADER + "株式会社テスト,田中 一郎,03-1234-5678\n").encode("iso2022_jp"))
    table = read_table(path)
    assert table.encoding == "iso2022_jp"
    assert list(table.columns) == ["会社名", "担当者", "電話番号"]
    rows = [cells for _, cells in table.rows]
    assert rows == [["株式会社テスト", "田中 一郎", "03-1234-5678"]]


def test_broken_iso_2022_jp_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "jis.csv"
    path.write_bytes(HEADER.encode("iso2022_jp") + b"\x1b$B\x7f\x7f\x1b(B,x,y\n")
    with pytest.raises(ReadError, match=r"jis\.csv: looks like ISO-2022-JP .*line 2"):
        read_table(path)


@pytest.mark.parametrize("byte", [0x80, 0xA0, 0xFD, 0xFE, 0xFF])
def test_a_stray_high_byte_in_an_ascii_file_is_refused_with_line_and_column(
    tmp_path: Path, byte: int
) -> None:
    path = tmp_path / "ascii.csv"
    path.write_bytes(b"company,contact\nAcme Inc,Tanaka\nAc" + bytes([byte]) + b"me,Sato\n")
    with pytest.raises(ReadError, match=rf"line 3, column 3: byte 0x{byte:02X} is not"):
        read_table(path)


def test_real_shift_jis_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "sjis.csv"
    path.write_bytes((HEADER + "株式会社テスト,髙橋,03\n").encode("cp932"))
    assert read_table(path).encoding == "cp932"
