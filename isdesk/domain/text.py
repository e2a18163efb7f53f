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
