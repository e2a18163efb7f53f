"""Cleaning imported values and the keys duplicates are matched on (pure, no I/O).

- Phone numbers: full-width digits, the many dash look-alikes (−, ー, ‐, ―, ｰ …) and brackets
  become ``03-1234-5678``; ``phone_key`` keeps the digits only (+81 → 0, and the leading 0 Excel
  drops from a number it took for a figure is put back).
- E-mail: NFKC (full-width letters), trimmed, ``mailto:`` and ``<>`` removed, lower-cased.
- Company: ``company_key`` drops legal forms (株式会社, (株), ㈱, 有限会社, (有), Inc., Co., Ltd. …)
  wherever they stand, spaces and width, so 株式会社アクメ, (株)アクメ and ｱｸﾒ㈱ are one company.
"""

from __future__ import annotations

import re
import unicodedata

# Characters people (and IMEs) type for the hyphen in a phone number.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff0d\uff70\u2500\u2501\u301c\uff5e~"
_DASH_TABLE = str.maketrans(dict.fromkeys(_DASHES, "-"))
_EXTENSION = re.compile(r"(内線|ext\.?|x)\s*\d+\s*$", re.IGNORECASE)
_PHONE_CHARS = re.compile(r"[^0-9+\-()#*]")

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
# Already clean (most rows): 03-1234-5678, 090-1234-5678, 0120-123-456.
_CLEAN_PHONE = re.compile(r"0\d{1,4}-\d{1,4}-\d{3,4}")
_UNTIDY = re.compile(r"^\s|\s$|\s\s|[^\S ]")  # spaces to trim or fold (\u3000, tabs, newlines)
_PLAIN = re.compile(r"[!-~]+(?: [!-~]+)*")  # ASCII words with single spaces


def nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def clean_text(value: str) -> str:
    """A cell as a lead field: trimmed, inner runs of spaces (and 全角 spaces) made one."""
    if not _UNTIDY.search(value):
        return value
    return " ".join(value.replace("\u3000", " ").split())


def normalize_phone(value: str) -> str:
    """The phone number as shown: half-width, hyphens for every dash, brackets as hyphens.

    ``０３−１２３４−５６７８`` → ``03-1234-5678``; ``(03)1234-5678`` → ``03-1234-5678``;
    ``+81 3-1234-5678`` → ``03-1234-5678``. Anything after the number (内線 12) is kept.
    """
    if _CLEAN_PHONE.fullmatch(value):
        return value
    text = nfkc(value.translate(_DASH_TABLE)).translate(_DASH_TABLE)
    if not text:
        return ""
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"^\+81[\s\-]*\(?0?\)?[\s\-]*", "0", text)
    text = re.sub(r"^\((0\d{1,4})\)\s*", r"\1-", text)
    text = re.sub(r"(\d)\s*\((\d{1,4})\)\s*(\d)", r"\1-\2-\3", text)
    text = re.sub(r"(?<=\d)\s+(?=\d)", "-", text)
    text = re.sub(r"-{2,}", "-", text).strip("-")
    digits = phone_key(text)
    if digits and not text.startswith("0") and digits.startswith("0") and text[0].isdigit():
        text = "0" + text  # Excel ate the leading zero
    return text


def phone_key(value: str) -> str:
    """The digits a phone number is matched on; "" when it cannot be a Japanese number.

    Full-width digits count; an extension (内線 12, ext. 12) does not; +81 becomes 0; a
    9- or 10-digit number without its leading 0 (Excel read it as a figure) gets it back.
    """
    if _CLEAN_PHONE.fullmatch(value):
        digits = value.replace("-", "")
        return digits if 10 <= len(digits) <= 11 else ""
    text = nfkc(value.translate(_DASH_TABLE))
    text = _EXTENSION.sub("", text)
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.lstrip().startswith("+81"):
        digits = "0" + digits[2:].removeprefix("0")
    elif digits and digits[0] != "0" and len(digits) in (9, 10):
        digits = "0" + digits
    if not 10 <= len(digits) <= 11 or digits[0] != "0":
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
