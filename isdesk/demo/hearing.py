"""The demo's hearing: qualifying answers, choosing what to ask next, making up answers.

Operators mostly follow the checklist order, isdesk's hint for the next rank or BANT items;
answers are drawn per item type, and timings are said as the start, middle or end of a month.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping

from isdesk.demo import words
from isdesk.demo.clock import DAY, Clock
from isdesk.domain.qualification import evaluate
from isdesk.rules import HearingItem, Rules


class Hearing:
    """The team's hearing items and rules, as the simulated operators use them."""

    def __init__(self, rng: random.Random, clock: Clock, rules: Rules, today: dt.date) -> None:
        self.rng = rng
        self.clock = clock
        self.rules = rules
        self.items = rules.hearing
        self.today = today
        self._qual_cache: dict[tuple[str | None, ...], tuple[str, bool, int, tuple[str, ...]]] = {}
        order = {"B": 0, "A": 1, "N": 2, "T": 3}
        bant = (i for i in self.items if i.bant)
        self._bant = sorted(bant, key=lambda i: order.get(i.bant or "", 9))
        self._others = [i for i in self.items if not i.bant]

    def qualify(self, answers: Mapping[str, str]) -> tuple[str, bool, int, tuple[str, ...]]:
        """(rank, sql, heard, missing for the next rank) for these answers, as of today."""
        # evaluate() is pure in (answers, today); many leads pass through the same early
        # states, so an exact cache saves much of the cost at 100k leads.
        key = tuple(answers.get(item.key) for item in self.items)
        hit = self._qual_cache.get(key)
        if hit is None:
            q = evaluate(self.rules, answers, self.today)
            hit = self._qual_cache[key] = (q.rank, q.sql, q.heard, q.missing_for_next_rank)
        return hit

    def handoff_note(self, answers: Mapping[str, str]) -> str:
        """The note a hand-off starts with, as isdesk pre-fills it: ``bant_summary`` of
        isdesk.services.handoff in Japanese (that one follows the UI language at run time)."""
        lines = ["【BANT】"]
        for item in self._bant:
            value = answers.get(item.key, "").strip() or "—"
            lines.append(f"{item.bant} {item.label.ja or item.label.en}: {value}")
        others = [i for i in self._others if answers.get(i.key, "").strip()]
        if others:
            lines.append("【ヒアリング】")
            lines += [f"{i.label.ja or i.label.en}: {answers[i.key].strip()}" for i in others]
        return "\n".join(lines)

    def revised_item(self, answers: Mapping[str, object]) -> HearingItem:
        """An answer heard again later: most often the timing (導入時期の再確認)."""
        dates = [k for k in answers if self.rules.item(k).type == "date"]
        if dates and self.rng.random() < 0.6:
            return self.rules.item(self.rng.choice(dates))
        return self.rules.item(self.rng.choice(list(answers)))

    def next_item(self, remaining: list[HearingItem], hint: tuple[str, ...]) -> int:
        """Which unasked item the operator asks next: the checklist order, isdesk's hint for
        the next rank, a BANT item, or whatever came up in the talk."""
        r = self.rng.random()
        if r < 0.4:
            return 0
        if r < 0.65:
            hinted = [i for i, item in enumerate(remaining) if item.key in hint]
            if hinted:
                return self.rng.choice(hinted)
        if r < 0.85:
            bant = [i for i, item in enumerate(remaining) if item.bant]
            if bant:
                return self.rng.choice(bant)
        return self.rng.randrange(len(remaining))

    def answer_value(self, item: HearingItem, t: int, again: bool = False) -> str:
        """A believable answer to ``item`` given at ``t``; ``again`` when it is a revision."""
        rng = self.rng
        kind = item.type
        if kind == "date":
            # A timing is said as a date after the conversation: soon, in a quarter, next year;
            # asked again later, it has usually come closer.
            ahead = rng.choice(
                (7, 14, 21, 30, 45)
                if again
                else (7, 14, 21, 30, 30, 45, 60, 90, 90, 120, 180, 270, 365)
            )
            day = self.clock.date(t // DAY + ahead + rng.randrange(7))
            # Customers name the start, middle or end of a month (「4月から」「来月末」), which
            # also keeps the number of distinct answer sets - and evaluate() calls - down.
            if day.day < 8:
                return day.replace(day=1).isoformat()
            if day.day < 23:
                return day.replace(day=15).isoformat()
            next_month = day.replace(day=28) + dt.timedelta(days=4)
            return (next_month - dt.timedelta(days=next_month.day)).isoformat()
        if kind == "amount":
            return rng.choice(words.AMOUNTS)
        if kind == "yesno":
            return rng.choice(words.YESNO)
        if kind == "choice" and item.choices:
            return rng.choice(item.choices)
        return rng.choice(words.TEXT_ANSWERS.get(item.key, words.GENERIC_TEXT_ANSWERS))
