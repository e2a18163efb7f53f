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
