"""Text normalisation shared by search, import and display (pure, no I/O)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable

# Katakana (ァ U+30A1 … ヶ U+30F6) is hiragana (ぁ U+3041 … ゖ U+3096) shifted by 0x60; ヽヾ too.
_KATA_TO_HIRA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
_KATA_TO_HIRA.update({0x30FD: 0x309D, 0x30FE: 0x309E})
# Variant kanji (異体字) people type one way and registries write the other: the common form.
VARIANT_KANJI = {
    "髙": "高", "﨑": "崎", "嵜": "崎", "齋": "斎", "齊": "斉", "邊": "辺", "邉": "辺",
    "澤": "沢", "濵": "浜", "濱": "浜", "櫻": "桜", "國": "国", "廣": "広", "實": "実",
    "德": "徳", "惠": "恵", "榮": "栄", "藝": "芸", "來": "来", "龍": "竜", "瀨": "瀬",
}  # fmt: skip
_FOLD: dict[int, int | str] = {**_KATA_TO_HIRA, **{ord(k): v for k, v in VARIANT_KANJI.items()}}
_PHONE_QUERY = re.compile(r"\+?[\d\s()\-]{4,}")


def fold(text: str) -> str:
    """NFKC, case-folded, katakana as hiragana, variant kanji as their common form.

    NFKC folds full-width Latin and digits (ＡＢＣ１２３ → abc123) and half-width kana
    (ｻｸﾗ → サクラ); katakana then becomes hiragana (サクラ → さくら), so さくらシステム,
    サクラシステム and ｻｸﾗｼｽﾃﾑ are one; 髙橋 finds 高橋, 齋藤 finds 斎藤, 渡邊 finds 渡辺.
    """
    return unicodedata.normalize("NFKC", text).casefold().translate(_FOLD)


def search_key(*parts: str) -> str:
    """The form filter-as-you-type compares: :func:`fold`, without spaces.

    A query that is only a phone number (digits, hyphens, brackets, spaces) is compared on its
    digits, as stored by :func:`lead_search_key`, so ``03-1234-5678`` and ``0312345678`` find
    the same lead.
    """
    if len(parts) == 1:
        folded = fold(parts[0]).strip()
        if _PHONE_QUERY.fullmatch(folded):
            digits = "".join(ch for ch in folded if ch.isdigit())
            if folded.startswith("+81"):
                digits = "0" + digits[2:].removeprefix("0")
            return digits
    return _words(parts)


def _words(parts: Iterable[str]) -> str:
    return "".join(fold(" ".join(p for p in parts if p)).split())


def phone_numbers(phones_json: str | None) -> list[str]:
    """The numbers of a lead's ``phones`` column (JSON ``[{"kind", "number"}]``)."""
    try:
        items = json.loads(phones_json or "[]")
    except ValueError:
        return []
    return [str(p.get("number", "")) for p in items if isinstance(p, dict) and p.get("number")]


def lead_search_key(
    company: str,
    contact: str,
    email: str,
    source: str,
    phones: Iterable[str] = (),
    department: str = "",
) -> str:
    """A lead's stored search key: its words folded (:func:`search_key`), then every phone
    number as digits only, so searching digits without hyphens finds a hyphenated number."""
    numbers = list(dict.fromkeys(p for p in phones if p))
    digits = [
        "".join(ch for ch in unicodedata.normalize("NFKC", p).split("内線")[0] if ch.isdigit())
        for p in numbers
    ]
    words = _words((company, contact, *numbers, email, source, department))
    return words + "|" + "|".join(d for d in digits if d) if digits else words


def bigrams(key: str) -> list[str]:
    """The distinct two-character substrings of ``key`` (a :func:`search_key`), in order of
    first appearance: what the queue filter's index holds for a lead's search text and looks up
    for a filter. Empty for a key shorter than two characters.
    """
    return list(dict.fromkeys(key[i : i + 2] for i in range(len(key) - 1)))


def cell_width(text: str) -> int:
    """How many terminal cells ``text`` takes: kanji, kana and full-width Latin take 2, combining
    marks none, ambiguous-width symbols such as ① or → one.

    wcwidth's tables are the terminal's (and agree with what Rich draws in the TUI for every
    assigned character but flag emoji), so the command-line tables align Japanese text without
    importing Rich. Control characters count as none: callers escape them before measuring.
    """
    from wcwidth import wcwidth  # lazily: only commands that print tables pay for the tables

    return sum(max(wcwidth(char), 0) for char in text)


# C0 controls as the Control Pictures block (␀ ␇ ␈ ␍ ␛ …), DEL as ␡, C1 controls (\x9b alone
# starts a CSI) as �.
_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)}
_PICTURES |= {0x7F: "\u2421"} | {code: "\ufffd" for code in range(0x80, 0xA0)}
_MULTI_LINE = _PICTURES | {0x09: " "}  # a tab would jump to the terminal's next tab stop
del _MULTI_LINE[0x0A]  # line breaks stay line breaks
ONE_LINE_SIGNS = dict(_PICTURES)
del ONE_LINE_SIGNS[0x09]  # Input expands tabs itself; each other control becomes one sign


def printable(value: str) -> str:
    """``value`` with every control character shown as a visible sign (line breaks kept)."""
    return value.replace("\r\n", "\n").translate(_MULTI_LINE)


def printable_field(value: object) -> str:
    """One field of a command-line table: every control character a visible sign, line breaks
    and tabs too (they would break the row, or the columns of a tab-separated line)."""
    return str(value).translate(_PICTURES)
