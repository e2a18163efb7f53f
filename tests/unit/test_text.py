"""Search keys: width, case, kana and variant kanji folded; phone numbers by their digits."""

from __future__ import annotations

import pytest

from isdesk.domain.text import fold, lead_search_key, search_key


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("さくらしすてむ", "サクラシステム"),
        ("ｻｸﾗｼｽﾃﾑ", "さくらしすてむ"),
        ("ｶﾌﾞｼｷｶﾞｲｼｬ", "かぶしきがいしゃ"),  # half-width voiced kana
        ("高橋", "髙橋"),
        ("斎藤", "齋藤"),
        ("渡辺", "渡邊"),
        ("ＡＢＣ商事", "abc商事"),
    ],
)
def test_variants_an_operator_types_find_the_lead(typed: str, stored: str) -> None:
    assert search_key(typed) in lead_search_key(stored, "", "", "")
    assert fold(typed) == fold(stored)


def test_phone_numbers_are_found_by_digits_with_or_without_hyphens() -> None:
    stored = lead_search_key("アクメ", "田中", "", "", ["03-1234-5678 内線 12", "090-1111-2222"])
    for typed in ("0312345678", "03-1234-5678", "1234-5678", "09011112222", "+81 3 1234 5678"):
        assert search_key(typed) in stored, typed
    assert search_key("0312345679") not in stored
