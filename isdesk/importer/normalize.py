"""Cleaning imported values and the keys duplicates are matched on (pure, no I/O).

- Phone numbers: full-width digits, the many dash look-alikes (−, ー, ‐, ―, ｰ …) and brackets
  are read, the number validated with ``phonenumbers`` and shown in national format
  (``03-1234-5678``, 内線 kept); ``phone_key`` keeps the digits only (+81 → 0, and the leading 0
  Excel drops from a number it took for a figure is put back); junk (0000000000, too short) is
  no number at all, so it never matches two unrelated people.
- E-mail: NFKC (full-width letters), trimmed, ``mailto:`` and ``<>`` removed, lower-cased.
- Company: ``company_key`` drops legal forms (株式会社, (株), ㈱, 有限会社, (有), Inc., Co., Ltd. …)
  wherever they stand, spaces and width, so 株式会社アクメ, (株)アクメ and ｱｸﾒ㈱ are one company.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from phonenumbers import PhoneNumber

# Characters people (and IMEs) type for the hyphen in a phone number.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff0d\uff70\u2500\u2501\u301c\uff5e~"
_DASH_TABLE = str.maketrans(dict.fromkeys(_DASHES, "-"))
_EXTENSION = re.compile(r"[\s(]*(内線|ext\.?|x)\s*(\d+)\s*\)?\s*$", re.IGNORECASE)

# Legal forms, written after NFKC + casefold (㈱ → (株), （株） → (株), Ｉｎｃ． → inc.).
_LEGAL_FORMS = (
    "特定非営利活動法人", "一般社団法人", "一般財団法人", "公益社団法人", "公益財団法人",
    "社会福祉法人", "独立行政法人", "国立大学法人", "地方独立行政法人", "医療法人社団",
    "医療法人財団", "医療法人", "学校法人", "宗教法人", "社団法人", "財団法人", "npo法人",
    "株式会社", "株式會社", "有限会社", "合同会社", "合資会社", "合名会社", "相互会社",
    "(株)", "(有)", "(同)", "(資)", "(名)", "(社)", "(財)", "(医)", "(学)", "(福)", "(独)",
    "カブシキガイシャ", "カブシキカイシャ", "ユウゲンガイシャ",
)  # fmt: skip
_LEGAL_RE = re.compile("|".join(re.escape(form) for form in _LEGAL_FORMS))
# Latin legal forms only as whole words at the end ("Acme Co., Ltd." but not "Incubate").
_LATIN_TAIL = re.compile(
    r"(?:[\s,.]+(?:co\.?,?\s*ltd|corporation|corp|inc|incorporated|ltd|limited|llc|k\.?k|"
    r"gmbh|plc|co))+\.?\s*$"
)
_COMPANY_NOISE = re.compile(r"[\s・･.,、。'\"“”‘’\-_/()]")
_NAME_NOISE = re.compile(r"[\s・･]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_UNTIDY = re.compile(r"^\s|\s$|\s\s|[^\S ]")  # spaces to trim or fold (\u3000, tabs, newlines)
_PLAIN = re.compile(r"[!-~]+(?: [!-~]+)*")  # ASCII words with single spaces


def nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def clean_text(value: str) -> str:
    """A cell as a lead field: trimmed, inner runs of spaces (and 全角 spaces) made one."""
    if not _UNTIDY.search(value):
        return value
    return " ".join(value.replace("\u3000", " ").split())


@dataclass(frozen=True, slots=True)
class Phone:
    """A checked phone number: as shown (national format, extension kept) and its match key."""

    display: str  # 03-1234-5678, 090-1234-5678 内線 12, +1 415-555-0100
    key: str  # the digits it is matched and searched on: 0312345678


def check_phone(value: str) -> Phone | None:
    """The number ``value`` holds, validated by ``phonenumbers`` (Japan unless it says +CC);
    None when it is not a number anyone can call (0000000000, 090-1234-567, 1234567890).

    Full-width digits, the dash look-alikes and brackets are read; +81 becomes 0; a 9- or
    10-digit number without its leading 0 (Excel read it as a figure) gets it back; an
    extension (内線 12, ext. 12, x12) is kept in the display and left out of the key.
    """
    text = nfkc(value.translate(_DASH_TABLE)).translate(_DASH_TABLE)
    if not text:
        return None
    extension = ""
    found = _EXTENSION.search(text)
    if found is not None:
        extension, text = found.group(2), text[: found.start()]
    if text.lstrip().startswith("+") and not text.lstrip().startswith("+81"):
        digits = "+" + "".join(ch for ch in text if ch.isdigit())
    else:
        digits = "".join(ch for ch in text if ch.isdigit())
        if text.lstrip().startswith("+81"):
            digits = "0" + digits[2:].removeprefix("0")
        elif digits and digits[0] != "0" and len(digits) in (9, 10):
            digits = "0" + digits
    checked = _checked(digits)
    if checked is None:
        return None
    display, key = checked
    return Phone(f"{display} 内線 {extension}" if extension else display, key)


@functools.lru_cache(maxsize=65536)
def _checked(digits: str) -> tuple[str, str] | None:
    """(national format, key) of a number's digits, or None when it is not valid."""
    if len(digits.lstrip("+")) < 7 or len(set(digits.lstrip("+0"))) <= 1:
        return None  # too short to dial, or one digit repeated (0000000000, 0111111111)
    import phonenumbers  # lazily: ~40 µs a number, and only imports need it

    if digits.startswith("+"):
        try:
            number = phonenumbers.parse(digits, None)
        except phonenumbers.NumberParseException:
            return None
        if not phonenumbers.is_valid_number(number):
            return None
        if number.country_code != 81:
            shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
            return shown, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    else:
        if not digits.startswith("0") or digits.startswith("00"):
            return None
        number = phonenumbers.PhoneNumber(country_code=81, national_number=int(digits[1:]))
        if not phonenumbers.is_valid_number(number):
            return None
    digits = "0" + str(number.national_number)
    return _national(number, digits), digits


# Japanese national format is a grouping chosen by a number's leading digits and length: the
# grouping found for one number is reused for the next with the same start (half the cost).
_GROUPS: dict[tuple[str, int], tuple[int, ...]] = {}


def _national(number: PhoneNumber, digits: str) -> str:
    key = (digits[:7], len(digits))
    groups = _GROUPS.get(key)
    if groups is None:
        import phonenumbers

        shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        if shown.replace("-", "") != digits:
            return shown  # not a plain grouping of the digits: never reused
        groups = _GROUPS[key] = tuple(len(part) for part in shown.split("-"))
    parts, start = [], 0
    for size in groups:
        parts.append(digits[start : start + size])
        start += size
    return "-".join(parts)


def normalize_phone(value: str) -> str:
    """The phone number as shown (national format, 内線 kept); "" when it is not a number."""
    checked = check_phone(value)
    return checked.display if checked is not None else ""


def phone_key(value: str) -> str:
    """The digits a phone number is matched on; "" when it is not a valid number."""
    checked = check_phone(value)
    return checked.key if checked is not None else ""


def stored_phone_key(value: str) -> str:
    """The key of a number isdesk stored itself (checked when it was written): the fast path
    for loading every lead's keys; an older junk number (one digit repeated) gives ""."""
    if not value.isascii():
        value = nfkc(value)  # an older lead's number may be full-width
    digits = "".join(ch for ch in value.split("内線")[0] if ch.isdigit())
    if value.startswith("+"):
        return "+" + digits
    if len(digits) < 10 or len(set(digits.lstrip("0"))) <= 1 or digits[0] != "0":
        return ""
    return digits


def normalize_email(value: str) -> str:
    """Trimmed, half-width, lower-case; "" when there is nothing."""
    if value.isascii() and _PLAIN.fullmatch(value) and not value.lower().startswith("mailto:"):
        return value.strip("<>").lower()
    text = nfkc(value)
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text.strip().strip("<>").strip().lower()


def is_email(value: str) -> bool:
    """A plausible address (something@domain.tld), after normalize_email."""
    return bool(_EMAIL.fullmatch(value))


def company_key(value: str) -> str:
    """The form companies are matched on: legal forms, width, case and spacing ignored."""
    text = unicodedata.normalize("NFKC", value).casefold()
    text = _LEGAL_RE.sub("", text)
    text = _LATIN_TAIL.sub("", text)
    return _COMPANY_NOISE.sub("", text)


def name_key(value: str) -> str:
    """A person's name as matched: 田中 一郎 = 田中一郎 = 田中　一郎 (様 and さん dropped)."""
    text = unicodedata.normalize("NFKC", value).casefold()
    text = _NAME_NOISE.sub("", text)
    for suffix in ("様", "さま", "さん", "殿"):
        text = text.removesuffix(suffix)
    return text


def join_name(last: str, first: str) -> str:
    """姓 + 名 with a space, family name first (the Japanese order, also for Salesforce)."""
    return " ".join(part for part in (clean_text(last), clean_text(first)) if part)
