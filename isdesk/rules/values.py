"""The value parsers the rules and the answers share: dates, amounts, yes/no, choices.

An operator types 「12月1日」, 「300万」 or 「はい」; these read such text into a canonical value.
The rules use them to validate examples and `equals:` values, the answers to read what was
typed. Pure: stdlib only, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from isdesk.rules.date_phrases import parse_date_phrase


def normalize(text: str) -> str:
    """NFKC-normalise and strip, so full-width digits and symbols read like ASCII ones."""
    return unicodedata.normalize("NFKC", text).strip()


# --- dates -----------------------------------------------------------------------------------

_FULL_DATE = re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})")
_FULL_DATE_JA = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")
_MONTH_DAY = re.compile(r"(\d{1,2})\s*/\s*(\d{1,2})")
_MONTH_DAY_JA = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日?")
_RELATIVE = re.compile(r"\+\s*(\d{1,4})|\+?(\d{1,4})\s*(?:d|days?|日後)")
_TODAY_WORDS = {"today": 0, "今日": 0, "本日": 0, "tomorrow": 1, "明日": 1, "明後日": 2}
# A stored phrase: the date it was resolved to, then the words the operator said (kept).
_WITH_WORDS = re.compile(r"(\d{4}-\d{1,2}-\d{1,2})\s*\((.+)\)")
# A month/day this many days past is meant as this year's (a date just passed, or a slip);
# further back it is next year's.
RECENT_DAYS = 30


def parse_date(text: str, today: date | None, *, fiscal_start: int = 4) -> date | None:
    """Read a date; None when it cannot be read.

    Absolute: 2026-12-22, 2026/12/22, 2026年12月22日, and a stored phrase "2026-12-31 (来月)".
    With `today`: 12/22 and 12月22日 (the nearest sensible one: this year's, unless it is more
    than RECENT_DAYS past, then next year's), +30 / 30d / 30日後 (days from today), 今日/明日,
    and the phrases of :mod:`isdesk.rules.date_phrases` (来月, 年度末, 令和9年4月1日 …: the end of
    the period they name). Without `today` only absolute forms are read (rules files must not
    depend on the day they load).
    """
    s = normalize(text).casefold()
    if m := _WITH_WORDS.fullmatch(s):
        s = m[1]
    for pattern in (_FULL_DATE, _FULL_DATE_JA):
        if m := pattern.fullmatch(s):
            return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    if today is None:
        return None
    for pattern in (_MONTH_DAY, _MONTH_DAY_JA):
        if m := pattern.fullmatch(s):
            found = _safe_date(today.year, int(m[1]), int(m[2]))
            if found is not None and (today - found).days > RECENT_DAYS:
                found = _safe_date(today.year + 1, int(m[1]), int(m[2]))
            return found
    if m := _RELATIVE.fullmatch(s):
        return today + timedelta(days=int(m[1] or m[2]))
    if s in _TODAY_WORDS:
        return today + timedelta(days=_TODAY_WORDS[s])
    return parse_date_phrase(s, today, fiscal_start)


def date_words(text: str) -> str | None:
    """The words worth keeping beside the resolved date ("来月"), or None for a plain date
    (2026-12-01, 12/1, +30: the date says it all, and a relative one must not be kept)."""
    s = normalize(text)
    if m := _WITH_WORDS.fullmatch(s):
        return m[2].strip()
    folded = s.casefold()
    plain = (_FULL_DATE, _FULL_DATE_JA, _MONTH_DAY, _MONTH_DAY_JA, _RELATIVE)
    if any(p.fullmatch(folded) for p in plain) or folded in _TODAY_WORDS:
        return None
    return s


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# --- amounts (yen) ---------------------------------------------------------------------------

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"万": 10**4, "億": 10**8, "兆": 10**12}


# Words around an amount that say it is approximate or a ceiling; the figure is the same.
_AMOUNT_PREFIXES = ("約", "およそ", "大体", "だいたい", "ほぼ", "最大", "上限", "max", "about", "~")
_AMOUNT_SUFFIXES = (
    "程度", "くらい", "ぐらい", "位", "前後", "ほど", "ぐらいまで", "くらいまで", "まで", "以内",
    "以下", "未満", "以上", "弱", "強", "上限", "が上限", "見込み", "予定", "ほどの予算",
)  # fmt: skip
_RANGE = re.compile(r"(.+?)\s*(?:~|-|から|〜|ー)\s*(.+)")


def _strip_amount_words(s: str) -> str:
    changed = True
    while changed:
        changed = False
        for prefix in _AMOUNT_PREFIXES:
            if s.casefold().startswith(prefix) and len(s) > len(prefix):
                s, changed = s[len(prefix) :].strip(), True
        for suffix in sorted(_AMOUNT_SUFFIXES, key=len, reverse=True):
            if s.endswith(suffix) and len(s) > len(suffix):
                s, changed = s[: -len(suffix)].strip(), True
    return s


def parse_amount_range(text: str) -> tuple[int, int] | None:
    """Read an amount or a range in yen as (low, high); a single amount has low == high.

    Ranges: 300～500万, 300万-500万, 300万から500万円 (a unit written only after the second
    figure applies to both). Approximations and ceilings (約300万, 300万程度, 500万以内) read as
    the figure. None when it cannot be read.
    """
    s = normalize(text).replace("〜", "~").replace("～", "~")
    s = _strip_amount_words(s.replace(",", "").replace(" ", ""))
    if m := _RANGE.fullmatch(s):
        high_text = _strip_amount_words(m[2]).removesuffix("円")
        low_text = _strip_amount_words(m[1])
        high = _single_amount(high_text)
        low = _single_amount(low_text)
        unit = next((u for u in ("万", "億", "千") if high_text.endswith(u)), None)
        if unit and low is not None and not re.search(r"[万億千百十円]", low_text):
            low = _single_amount(low_text + unit)  # 300～500万: both in 万
        if low is None or high is None or low > high:
            return None
        return low, high
    single = _single_amount(s)
    return None if single is None else (single, single)


def parse_amount(text: str) -> int | None:
    """Read an amount in yen; None when it cannot be read or is not a whole, non-negative yen.

    Accepts 5000000, 5,000,000, ¥1,200,000, 500万, 500万円, 1.5億, 3千万, 1億5000万,
    full-width digits, approximations (約300万, 300万程度) and, for a range (300～500万), its
    lower end: the amount the customer has surely got.
    """
    found = parse_amount_range(text)
    return None if found is None else found[0]


def _single_amount(text: str) -> int | None:
    s = normalize(text)
    s = s.removeprefix("¥").removesuffix("円").replace(",", "").replace(" ", "")
    if not s:
        return None
    total = Decimal(0)
    group = Decimal(0)  # the part below the next big unit (万/億/兆)
    last_big = None
    pos = 0
    while pos < len(s):
        number = None
        if m := _NUMBER.match(s, pos):
            try:
                number = Decimal(m[0])
            except InvalidOperation:  # pragma: no cover - the regex only admits valid numbers
                return None
            pos = m.end()
        if pos < len(s) and s[pos] in _SMALL_UNITS:
            group += (number if number is not None else 1) * _SMALL_UNITS[s[pos]]
            pos += 1
        elif number is not None:
            group += number
        else:
            return None
        if pos < len(s) and s[pos] in _BIG_UNITS:
            big = _BIG_UNITS[s[pos]]
            if last_big is not None and big >= last_big:
                return None  # "万億" or "5万3万": not an amount anyone says
            total += group * big
            group = Decimal(0)
            last_big = big
            pos += 1
        elif pos < len(s) and s[pos - 1].isdigit():
            return None  # something odd straight after a plain number, e.g. "1.5.3" or "5k"
    total += group
    if total != total.to_integral_value():
        return None
    return int(total)


# --- yes / no and choices --------------------------------------------------------------------

_YES = {"y", "yes", "true", "1", "はい", "有", "あり", "有り"}
_NO = {"n", "no", "false", "0", "いいえ", "無", "なし", "無し"}


def parse_yesno(text: str) -> bool | None:
    """Read yes/no (y, yes, true, 1, はい, 有, あり / n, no, false, 0, いいえ, 無, なし)."""
    s = normalize(text).casefold()
    if s in _YES:
        return True
    if s in _NO:
        return False
    return None


def parse_choice(text: str, choices: Sequence[str]) -> str | None:
    """Return the choice the text names (case- and width-insensitive) or its 1-based number."""
    s = normalize(text).casefold()
    for choice in choices:
        if normalize(choice).casefold() == s:
            return choice
    if s.isdecimal() and 1 <= int(s) <= len(choices):
        return choices[int(s) - 1]
    return None
