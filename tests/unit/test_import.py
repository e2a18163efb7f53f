"""Importing leads, the pure half: reading files, cleaning values, mappings, preview (no DB)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from isdesk.importer import MappingError, ReadError, preview
from isdesk.importer.convert import Options, Record, Reject, convert_row, parse_when
from isdesk.importer.mappings import PRESETS, detect_mapping, resolve_mapping
from isdesk.importer.normalize import (
    company_key,
    name_key,
    normalize_email,
    normalize_phone,
    phone_key,
)
from isdesk.importer.reader import read_table
from isdesk.store.models import LEAD_STATUSES

DATA = Path(__file__).resolve().parent / "data" / "import"
TOKYO = ZoneInfo("Asia/Tokyo")


def copy(name: str, tmp_path: Path) -> Path:
    """A fixture file copied out of the repository (imports write rejects beside it)."""
    target = tmp_path / name
    shutil.copyfile(DATA / name, target)
    return target


# --- normalisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written, shown, digits",
    [
        ("０３−１２３４−５６７８", "03-1234-5678", "0312345678"),  # full width, U+2212
        ("０３－１２３４－５６７８", "03-1234-5678", "0312345678"),  # U+FF0D, as CP932 decodes
        ("03ー1234ー5678", "03-1234-5678", "0312345678"),  # the IME's 長音 by mistake
        ("(03)1234-5678", "03-1234-5678", "0312345678"),
        ("03(1234)5678", "03-1234-5678", "0312345678"),
        ("+81 3-1234-5678", "03-1234-5678", "0312345678"),
        ("+81-90-1234-5678", "090-1234-5678", "09012345678"),
        ("312345678", "03-1234-5678", "0312345678"),  # Excel dropped the leading zero
        ("9012345678", "090-1234-5678", "09012345678"),
        ("0312345678", "03-1234-5678", "0312345678"),  # national format, validated
        ("0466123456", "0466-12-3456", "0466123456"),  # a 4-digit area code
        ("0120123456", "0120-123-456", "0120123456"),
        ("03-1234-5678 内線 123", "03-1234-5678 内線 123", "0312345678"),
        ("03-1234-5678(内線12)", "03-1234-5678 内線 12", "0312345678"),
        ("+1 415 555 0100", "+1 415-555-0100", "+14155550100"),
        # not a number anyone can call: never shown as one, never a match key
        ("1234", "", ""),
        ("0000000000", "", ""),
        ("000-0000-0000", "", ""),
        ("090-1234-567", "", ""),  # a mobile number one digit short
        ("1234567890", "", ""),  # no valid number even with a 0 put back
    ],
)
def test_phone_numbers_are_normalised_and_keyed_on_digits(
    written: str, shown: str, digits: str
) -> None:
    assert normalize_phone(written) == shown
    assert phone_key(written) == digits


def test_email_is_trimmed_lower_cased_and_half_width() -> None:
    assert normalize_email("  Tanaka@Acme.CO.JP ") == "tanaka@acme.co.jp"
    assert normalize_email("ｔａｎａｋａ＠ａｃｍｅ．ｊｐ") == "tanaka@acme.jp"
    assert normalize_email("mailto:<a@b.jp>") == "a@b.jp"


@pytest.mark.parametrize(
    "variant",
    ["株式会社アクメ", "(株)アクメ", "（株）アクメ", "㈱アクメ", "アクメ株式会社", "アクメ㈱",
     "ｱｸﾒ 株式会社", "株式会社　アクメ", "アクメ (株)"],
)  # fmt: skip
def test_company_variants_share_one_key(variant: str) -> None:
    assert company_key(variant) == "アクメ"


def test_company_key_other_legal_forms_and_latin_names() -> None:
    assert (
        company_key("有限会社 山田商店") == company_key("山田商店(有)") == company_key("㈲山田商店")
    )
    assert (
        company_key("ACME Co., Ltd.") == company_key("Acme Inc.") == company_key("ＡＣＭＥ株式会社")
    )
    assert company_key("Costco") == "costco"  # "co" only as a separate word
    assert company_key("アクメ") != company_key("アクメ商事")


def test_names_match_whatever_the_spacing() -> None:
    assert name_key("田中 一郎") == name_key("田中一郎") == name_key("田中　一郎 様")


def test_dates_naive_are_local_time_and_zones_are_honoured() -> None:
    utc = dt.UTC
    assert parse_when("2026-10-01", None, TOKYO) == dt.datetime(2026, 9, 30, 15, tzinfo=utc)
    assert parse_when("2026/10/01 9:30", None, TOKYO) == dt.datetime(2026, 10, 1, 0, 30, tzinfo=utc)
    assert parse_when("2026-10-01T00:30:00.000Z", None, TOKYO).hour == 0
    assert parse_when("2026-10-01T09:30:00.000+0900", None, TOKYO).hour == 0
    assert parse_when("2026年10月1日", None, TOKYO).day == 30
    with pytest.raises(ValueError):
        parse_when("2026/10/01", "%d.%m.%Y", TOKYO)  # a mapping's date_format is the only one
    with pytest.raises(ValueError):
        parse_when("来週", None, TOKYO)


# --- reading ---------------------------------------------------------------------------------


def test_cp932_file_as_excel_writes_it(tmp_path: Path) -> None:
    table = read_table(copy("excel_cp932.csv", tmp_path))
    assert table.encoding == "cp932"
    assert table.columns[0] == "会社名"
    expected = ["㈱オメガ", "営業部", "部長", "渡辺 大輔", "０３－９８７６－５４３２",
                "watanabe@omega.co.jp", "名刺交換済"]  # fmt: skip
    assert table.rows[0] == (2, expected)


def test_bom_file_keeps_quoted_newlines_in_their_cell(tmp_path: Path) -> None:
    table = read_table(copy("bom_quoted_newlines.csv", tmp_path))
    assert table.encoding == "utf-8-sig"
    assert table.columns[0] == "company"  # no BOM glued to the first header
    assert [number for number, _ in table.rows] == [2, 3, 4]  # Excel's rows, not lines
    memo = table.rows[0][1][table.columns.index("memo")]
    assert memo == "検討中。\n来期予算で導入予定\n(要フォロー)"


@pytest.mark.parametrize("delimiter", ["\t", ";", ","])
def test_delimiter_is_sniffed_from_the_header(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "list.txt"
    lines = [["会社名", "氏名", "メールアドレス"], ["株式会社A, 本社", "a b", "a@a.jp"]]
    text = "\n".join(delimiter.join(f'"{c}"' for c in row) for row in lines)
    path.write_text(text, encoding="utf-8")
    table = read_table(path)
    assert table.delimiter == delimiter
    assert table.rows[0][1] == ["株式会社A, 本社", "a b", "a@a.jp"]


def test_excel_sep_line_blank_rows_and_ragged_rows(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("sep=;\nemail;company\na@a.jp;A;extra cell\n;\n\nb@b.jp\n", encoding="utf-8")
    table = read_table(path)
    assert table.delimiter == ";"
    assert table.columns == ("email", "company", "column3")
    assert table.rows == [(2, ["a@a.jp", "A", "extra cell"]), (5, ["b@b.jp", "", ""])]
    assert table.blank == 2


def test_unreadable_files_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="no such file"):
        read_table(tmp_path / "missing.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("email,company\na@a.jp,Caf\xe9 \xff\xfe\n".encode("latin-1"))
    with pytest.raises(ReadError, match=r"latin.csv: neither UTF-8 nor .*line 2.*--encoding"):
        read_table(latin)
    with pytest.raises(ReadError, match="unknown encoding"):
        read_table(latin, encoding="klingon")
    with pytest.raises(ReadError, match=r"excel_cp932.csv: not utf-8 .*line 1"):
        read_table(copy("excel_cp932.csv", tmp_path), encoding="utf-8")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ReadError, match="no header"):
        read_table(empty)


# --- mappings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, expected",
    [
        ("salesforce_leads.csv", "salesforce"),
        ("hubspot_contacts.csv", "hubspot"),
        ("excel_cp932.csv", "isdesk"),
        ("bom_quoted_newlines.csv", "isdesk"),
    ],
)
def test_mapping_is_detected_from_the_header(tmp_path: Path, name: str, expected: str) -> None:
    table = read_table(copy(name, tmp_path))
    mapping, _ = detect_mapping(table.columns)
    assert mapping.name == expected


def test_japanese_hubspot_portal_header_is_hubspot_not_isdesk() -> None:
    header = ("レコードID", "名", "姓", "Eメール", "電話番号", "会社名", "役職",
              "ライフサイクルステージ", "リードステータス", "元のソース", "作成日")  # fmt: skip
    mapping, fields = detect_mapping(header)
    assert mapping.name == "hubspot"
    assert fields.describe()["status"] == ["リードステータス", "ライフサイクルステージ"]


def test_no_mapping_fits_a_header_without_contact_columns() -> None:
    with pytest.raises(MappingError, match="no mapping fits"):
        detect_mapping(("商品", "数量", "金額"))
    with pytest.raises(MappingError, match="unknown mapping 'sales'"):
        resolve_mapping("sales")


def test_preset_statuses_are_lead_statuses() -> None:
    crms = [m for m in PRESETS.values() if m.name not in ("sansan", "eight")]
    assert len(crms) == 3
    for mapping in crms:
        assert mapping.stages is not None
        assert set(mapping.stages.values.values()) <= set(LEAD_STATUSES)
    # a business card has no status: every card is a new, open lead
    assert PRESETS["sansan"].stages is None and PRESETS["eight"].stages is None


def test_rows_become_records_with_names_joined_and_extras_kept(tmp_path: Path) -> None:
    table = read_table(copy("salesforce_leads.csv", tmp_path))
    mapping, fields = detect_mapping(table.columns)
    records = [convert_row(mapping, fields, n, c, Options()) for n, c in table.rows]
    first = records[0]
    assert isinstance(first, Record)
    assert (first.contact, first.company, first.email) == (
        "田中 一郎", "株式会社アクメ", "tanaka.ichiro@acme.co.jp"
    )  # fmt: skip
    assert first.source == "展示会" and first.status == "open"
    assert first.extra == {"RATING": "Hot", "INDUSTRY": "製造",
                           "NUMBEROFEMPLOYEES": "120"}  # fmt: skip
    assert first.external_key == "salesforce:00Q5j00000AbCdE1"  # the record's own id
    suzuki = records[2]
    assert isinstance(suzuki, Record)
    assert suzuki.phone == "06-6543-2100" and "MOBILEPHONE" not in suzuki.extra
    # every number is kept, the one to call first first
    assert suzuki.phones == (("phone", "06-6543-2100"), ("mobile", "080-3333-4444"))
    assert suzuki.status == "nurturing"
    sato = records[1]
    assert isinstance(sato, Record) and sato.phone == "090-1111-2222"  # mobile when no phone


def test_bad_rows_are_rejected_with_a_reason(tmp_path: Path) -> None:
    table = read_table(copy("bad_rows.csv", tmp_path))
    mapping, fields = detect_mapping(table.columns)
    items = [convert_row(mapping, fields, n, c, Options()) for n, c in table.rows]
    rejects = {item.row: item.reason for item in items if isinstance(item, Reject)}
    assert set(rejects) == {3, 4, 5, 7}
    assert "no way to reach" in rejects[3]
    assert "'1234'" in rejects[4] and "not-an-address" in rejects[4]
    assert "'来週' is not a date" in rejects[5]
    assert "'検討中' is not in the stages" in rejects[7]


# --- preview ---------------------------------------------------------------------------------


def test_preview_shows_what_the_first_rows_become(tmp_path: Path) -> None:
    shown = preview(copy("hubspot_contacts.csv", tmp_path), rows=2)
    assert (shown.encoding, shown.delimiter, shown.mapping_name) == ("utf-8", ",", "hubspot")
    assert shown.columns[:3] == ["Record ID", "First Name", "Last Name"]
    assert shown.field_map["email"] == ["Email"]
    assert shown.extra_columns == ["Contact owner", "Associated Company"]
    assert shown.field_map["external_id"] == ["Record ID"]
    assert len(shown.rows) == 2
    assert shown.rows[1]["contact"] == "中村 美咲" and shown.rows[1]["status"] == "won"
    assert shown.problems == []


def test_preview_reports_rejects_and_unfit_headers_as_problems(tmp_path: Path) -> None:
    shown = preview(copy("bad_rows.csv", tmp_path))
    assert [row["_row"] for row in shown.rows if "_problem" in row] == [3, 4, 5, 7]
    assert shown.problems[0].startswith("row 3: ")
    other = tmp_path / "orders.csv"
    other.write_text("商品,数量\nA,1\n", encoding="utf-8")
    unfit = preview(other)
    assert unfit.mapping_name == "" and "no mapping fits" in unfit.problems[0]


# --- mappings in rules.yaml ------------------------------------------------------------------

_BASE_RULES = (Path(__file__).resolve().parents[2] / "rules.yaml").read_text(encoding="utf-8")


def _rules_with(mappings: str):
    from isdesk.rules import parse_rules

    text = _BASE_RULES.replace("\nmappings: {}\n", "\n") + "\n" + mappings
    return parse_rules(text, "team.yaml")


def _mapping_line(text: str) -> int:
    """The line of `mappings:` in the combined rules text (errors point below it)."""
    full = _BASE_RULES.replace("\nmappings: {}\n", "\n") + "\n" + text
    return full.splitlines().index("mappings:") + 1


def test_the_commented_example_in_rules_yaml_is_valid(tmp_path: Path) -> None:
    lines = _BASE_RULES.splitlines()
    start = lines.index("# 例 / example:") + 1
    example = []
    for line in lines[start:]:
        if line.startswith("# ---"):
            break
        example.append(line.removeprefix("# ")[2:])
    rules = _rules_with("\n".join(example) + "\n")
    form = rules.mappings["seminar_form"]
    assert ("申込日時", "acquired_at") in form.columns and form.date_format == "%Y/%m/%d %H:%M"

    path = tmp_path / "form.csv"
    path.write_text(
        "会社名,お名前,メールアドレス,電話番号,申込日時,申込経路,セミナー名,アンケート\n"
        "株式会社アクメ,田中 一郎,t@acme.jp,,2026/10/20 14:00,Webフォーム,ABM入門,導入検討中\n"
        "株式会社ベータ,佐藤 花子,s@beta.jp,,2026/10/20 14:00,チラシ,ABM入門,\n"
        "株式会社ガンマ,鈴木 次郎,s@gamma.jp,,2026-10-20,Webフォーム,ABM入門,\n"
        "株式会社デルタ,高橋 三郎,t@delta.jp,,2026/10/20 15:00,Webフォーム,ABM入門,\n",
        encoding="utf-8",
    )
    shown = preview(path, rules=rules)
    assert shown.mapping_name == "seminar_form" and shown.extra_columns == ["アンケート"]
    assert [row.get("source") for row in shown.rows] == [
        "セミナー",
        "チラシ",
        "Webフォーム",
        "セミナー",
    ]
    assert "'2026-10-20' is not a date (%Y/%m/%d %H:%M)" in shown.problems[0]


def test_a_mapping_can_extend_a_preset_and_reject_unknown_statuses(tmp_path: Path) -> None:
    rules = _rules_with(
        "mappings:\n"
        "  our_salesforce:\n"
        "    extends: salesforce\n"
        "    columns: {担当営業メモ: title}\n"
        "    stages: {商談化: handed_off}\n"
    )
    mapping = resolve_mapping("our_salesforce", rules.mappings)
    assert mapping.stages is not None
    assert mapping.stages.lookup("商談化") == "handed_off"
    assert mapping.stages.lookup("Open - Not Contacted") == "open"  # the preset's still apply
    assert mapping.stages.lookup("謎") is None
    table = read_table(copy("salesforce_leads.csv", tmp_path))
    detected, _ = detect_mapping(table.columns, rules.mappings)
    assert detected.name == "our_salesforce"  # the team's own wins a tie with its preset


@pytest.mark.parametrize(
    "yaml_text, line, key, message",
    [
        ("mappings:\n  salesforce: {columns: {Email: email}}\n", 1, "mappings.salesforce",
         "is a built-in mapping"),
        ("mappings:\n  form:\n    columns: {会社: company}\n", 2, "mappings.form.columns",
         "no column is mapped to email or phone"),
        ("mappings:\n  form:\n    columns: {メール: e_mail}\n", 2, "mappings.form.columns.メール",
         "unknown lead field 'e_mail' (did you mean 'email'?)"),
        ("mappings:\n  form:\n    columns: {Email: email, EMAIL: email}\n", 2,
         "mappings.form.columns.EMAIL", "is the same column as 'Email'"),
        ("mappings:\n  form:\n    extends: marketo\n", 2, "mappings.form.extends",
         "unknown preset 'marketo'"),
        ("mappings:\n  form:\n    extends: isdesk\n    stages: {申込: active}\n", 3,
         "mappings.form.stages.申込", "unknown status 'active'"),
        ("mappings:\n  form:\n    extends: isdesk\n    date_format: '%Y/%m'\n", 3,
         "mappings.form.date_format", "does not name a whole date"),
        ("mappings:\n  form:\n    extends: isdesk\n    colums: {}\n", 3, "mappings.form.colums",
         "did you mean 'columns'?"),
    ],
)  # fmt: skip
def test_mapping_errors_name_file_line_and_key(
    yaml_text: str, line: int, key: str, message: str
) -> None:
    from isdesk.rules import RulesError

    with pytest.raises(RulesError) as caught:
        _rules_with(yaml_text)
    error = caught.value
    assert error.file == "team.yaml"
    assert error.line == _mapping_line(yaml_text) + line
    assert error.key == key
    assert message in error.message


def test_rules_mappings_statuses_are_the_models() -> None:
    from isdesk.rules.mappings import LEAD_STATUSES as RULES_STATUSES

    assert RULES_STATUSES == LEAD_STATUSES


def test_reused_groupings_format_numbers_exactly_as_phonenumbers_does() -> None:
    """normalize reuses a grouping per leading digits; it must never differ from the library."""
    import random

    import phonenumbers

    from isdesk.importer import normalize

    rng = random.Random(16)
    prefixes = (3, 6, 11, 45, 52, 466, 90, 80, 70, 120, 570, 50, 92, 98, 1267, 4992, 800, 180)
    compared = 0
    for _ in range(3000):
        digits = f"0{rng.choice(prefixes)}" + "".join(str(rng.randint(0, 9)) for _ in range(10))
        for length in (10, 11):
            number = phonenumbers.PhoneNumber(
                country_code=81, national_number=int(digits[1:length])
            )
            if not phonenumbers.is_valid_number(number):
                assert normalize.phone_key(digits[:length]) == ""
                continue
            compared += 1
            expected = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
            assert normalize.normalize_phone(digits[:length]) == expected
    assert compared > 1000
