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


def normalize(text: str) -> str:
    """NFKC-normalise and strip, so full-width digits and symbols read like ASCII ones."""
    return unicodedata.normalize("NFKC", text).strip()


# --- dates -----------------------------------------------------------------------------------

_FULL_DATE = re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})")
_FULL_DATE_JA = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")
_MONTH_DAY = re.compile(r"(\d{1,2})\s*/\s*(\d{1,2})")
_MONTH_DAY_JA = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日?")
_RELATIVE = re.compile(r"\+\s*(\d{1,4})|\+?(\d{1,4})\s*(?:d|days?|日後)")
_TODAY_WORDS = {"today": 0, "今日": 0, "本日": 0, "tomorrow": 1, "明日": 1}


def parse_date(text: str, today: date | None) -> date | None:
    """Read a date; None when it cannot be read.

    Absolute: 2026-12-22, 2026/12/22, 2026年12月22日. With `today`: 12/22 and 12月22日 (this
    year, or next year once past), +30 / 30d / 30日後 (days from today), 今日/明日. Without
    `today` only absolute forms are read (rules files must not depend on the day they load).
    """
    s = normalize(text).casefold()
    for pattern in (_FULL_DATE, _FULL_DATE_JA):
        if m := pattern.fullmatch(s):
            return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    if today is None:
        return None
    for pattern in (_MONTH_DAY, _MONTH_DAY_JA):
        if m := pattern.fullmatch(s):
            found = _safe_date(today.year, int(m[1]), int(m[2]))
            if found is not None and found < today:
                # An operator saying "12/22" in late December means next year's 12/22.
                found = _safe_date(today.year + 1, int(m[1]), int(m[2]))
            return found
    if m := _RELATIVE.fullmatch(s):
        return today + timedelta(days=int(m[1] or m[2]))
    if s in _TODAY_WORDS:
        return today + timedelta(days=_TODAY_WORDS[s])
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# --- amounts (yen) ---------------------------------------------------------------------------

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"万": 10**4, "億": 10**8, "兆": 10**12}


def parse_amount(text: str) -> int | None:
    """Read an amount in yen; None when it cannot be read or is not a whole, non-negative yen.

    Accepts 5000000, 5,000,000, ¥1,200,000, 500万, 500万円, 1.5億, 3千万, 1億5000万 and
    full-width digits.
    """
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
