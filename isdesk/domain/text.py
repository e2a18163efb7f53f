"""Text normalisation shared by search, import and display (pure, no I/O)."""

from __future__ import annotations

import unicodedata


def search_key(*parts: str) -> str:
    """The form filter-as-you-type compares: NFKC, case-folded, without spaces.

    NFKC folds full-width Latin and digits (ＡＢＣ１２３ → abc123) and half-width kana
    (ｶﾌﾞｼｷ → カブシキ), so an operator finds a lead however it was typed.
    """
    joined = " ".join(p for p in parts if p)
    folded = unicodedata.normalize("NFKC", joined).casefold()
    return "".join(folded.split())


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
