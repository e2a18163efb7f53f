"""Typed hearing answers: turn what an operator typed into a canonical value.

Answers are stored as the text the operator typed; this module reads that text the same way
everywhere (the live checklist, qualification, imports, reports). Pure: stdlib only, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from isdesk.rules.hearing import HearingItem
from isdesk.rules.values import (
    date_words,
    normalize,
    parse_amount_range,
    parse_choice,
    parse_date,
    parse_yesno,
)

__all__ = ["UNANSWERED", "ParsedAnswer", "parse_answer"]


@dataclass(frozen=True, slots=True)
class ParsedAnswer:
    """One answer as typed, read for its item type.

    `known` says the operator heard something (non-blank). `value` is the typed canonical
    value (str, bool, int yen, date) or None; `error` is a code such as "date.invalid" when
    the text is known but cannot be read. Such answers count as heard, but never satisfy a
    `within_days` or `equals` condition.
    """

    known: bool
    value: object | None = None
    canonical: str | None = None
    error: str | None = None
    upper: object | None = None  # an amount range's upper end (value is its lower end)


UNANSWERED = ParsedAnswer(known=False)


# --- one answer ------------------------------------------------------------------------------


def parse_answer(item: HearingItem, raw: str | None, today: date) -> ParsedAnswer:
    """Read `raw` as an answer to `item`; blank or None means unanswered."""
    if raw is None or not raw.strip():
        return UNANSWERED
    kind = item.type
    if kind == "text":
        text = normalize(raw)
        return ParsedAnswer(known=True, value=text, canonical=text)
    if kind == "date":
        when = parse_date(raw, today)
        if when is None:
            return ParsedAnswer(known=True, error="date.invalid")
        # A phrase keeps its words beside the date it was resolved to ("2027-01-31 (来月)"),
        # so the screen shows what was said and the rank does not drift as days pass.
        words = date_words(raw)
        canonical = when.isoformat() if words is None else f"{when.isoformat()} ({words})"
        return ParsedAnswer(known=True, value=when, canonical=canonical)
    if kind == "amount":
        found = parse_amount_range(raw)
        if found is None:
            return ParsedAnswer(known=True, error="amount.invalid")
        low, high = found
        return ParsedAnswer(
            known=True, value=low, canonical=str(low), upper=high if high != low else None
        )
    if kind == "yesno":
        flag = parse_yesno(raw)
        if flag is None:
            return ParsedAnswer(known=True, error="yesno.invalid")
        return ParsedAnswer(known=True, value=flag, canonical="yes" if flag else "no")
    if kind == "choice":
        choice = parse_choice(raw, item.choices)
        if choice is None:
            return ParsedAnswer(known=True, error="choice.invalid")
        return ParsedAnswer(known=True, value=choice, canonical=choice)
    raise ValueError(f"unknown hearing item type {kind!r}")  # rules.py validates types
