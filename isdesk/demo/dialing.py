"""The day-to-day dialing that makes up most of an inside-sales operator's activity volume.

A lead's own story (history.work) has a handful of touches; a working operator also redials
their open leads all day, mostly reaching nobody: that is where the daily lines of rules.yaml
(40 / 60 / 80 by default) are met or missed. Over the recent window (the fiscal quarter so far
and the KPI's 30-working-day trend), each operator has a personal level drawn around the
team's lines: a few below the minimum, most between the minimum and the expected line, one
between expected and stretch, one above stretch. Each working day's volume varies around it.

The attempts are placed between a lead's own touches, by the operator who held it then, while
it was open with them: so a lead's last touch, next action, rank and SQL stay consistent with
its event log (an attempt never hears anything: rank and SQL are those of the touch before).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from isdesk.demo import words
from isdesk.demo.clock import DAY, Clock
from isdesk.demo.people import Op, Staff
from isdesk.rules import Rules

if TYPE_CHECKING:
    from isdesk.demo.lead import LeadState

WINDOW_DAYS = 100  # calendar days back from today that carry the daily dialing
# Shares of the operators by level, as a team lead would expect to see them.
PROFILES = ("below", "below", "upper", "above")  # the rest: "between"
MAX_PER_LEAD_DAY = 3
NATURAL_PER_1000_LEADS = 3.3
CALL_SHARE = 0.8  # of the attempts; the rest are follow-up e-mails
# Outcomes of a redial: (outcome, probability), most reach nobody.
REDIAL_OUTCOMES = (("connected", 0.22), ("no_answer", 0.48), ("voicemail", 0.25), ("refused", 0.05))


class Dialing:
    """Per operator and working day, the volume still to be made up by redials."""

    def __init__(self, rng: random.Random, clock: Clock, staff: Staff, rules: Rules) -> None:
        self.rng, self.clock = rng, clock
        self.weights = rules.activity.weights
        self.ops = {o.id: o for o in staff.ops}
        inside = [o for o in staff.ops if o.role != "field"]
        profiles = list(PROFILES) + ["between"] * max(len(inside) - len(PROFILES), 0)
        rng.shuffle(profiles)
        self.budget: dict[tuple[int, int], float] = {}
        first_day = clock.today - WINDOW_DAYS
        for op, profile in zip(inside, profiles, strict=False):
            lines = rules.targets.for_operator(op.name, op.team).daily
            level = _level(rng, profile, lines.minimum, lines.expected, lines.stretch)
            for day in range(first_day, clock.today + 1):
                if not clock.is_business(day):
                    continue
                volume = level * (0.75 + 0.5 * rng.random())
                if day == clock.today:  # the day so far: up to the demo's now (17:00)
                    volume *= 1.15  # attempts after 17:00 fall away
                self.budget[(op.id, day)] = volume

    def expect_natural(self, leads: int) -> None:
        """Leave room for the volume the leads' own stories bring (about 3.3 points per
        operator and working day per 1,000 leads, measured on the demo)."""
        natural = NATURAL_PER_1000_LEADS * leads / 1000
        for key, volume in self.budget.items():
            self.budget[key] = volume - natural

    def add(self, lead: LeadState) -> None:
        """Redials and follow-up e-mails between the lead's own touches (see the module doc)."""
        if not lead.acts:
            return
        rng, clock, budget = self.rng, self.clock, self.budget
        acts = sorted(lead.acts)
        # Moments the lead changed hands or status: an attempt never crosses one.
        fences = sorted(e[0] for e in lead.events if e[3] in ("owner", "status", "handoff"))
        added = []
        first_window_day = clock.today - WINDOW_DAYS
        for i, a in enumerate(acts):
            start, op_id = a[0], a[1]
            op = self.ops.get(op_id)
            if op is None or op.role == "field":
                continue
            end = acts[i + 1][0] if i + 1 < len(acts) else clock.now
            end = min([end, *(f for f in fences if f > start)])
            if op.left is not None:
                end = min(end, op.left)
            for day in range(max(start // DAY, first_window_day), end // DAY + 1):
                remaining = budget.get((op_id, day), 0.0)
                if remaining <= 0 or rng.random() < 0.25:
                    continue
                for _ in range(rng.randint(1, MAX_PER_LEAD_DAY)):
                    t = clock.business_moment(day, rng)
                    if not start < t < end or t // DAY != day or remaining <= 0:
                        continue
                    act = self._attempt(rng, t, op, a[7], a[8])
                    remaining -= self._points(act[2], act[3])
                    added.append(act)
                budget[(op_id, day)] = remaining
        if added:
            lead.acts = sorted([*lead.acts, *added])
            last = lead.acts[-1]
            lead.last_outcome = last[3] or last[2]

    def _attempt(self, rng: random.Random, t: int, op: Op, rank: str, sql: bool) -> tuple:
        if rng.random() >= CALL_SHARE:
            return (t, op.id, "email", "", 0, rng.choice(words.NOTES["email"]), False, rank, sql)
        r, outcome = rng.random(), "no_answer"
        for name, share in REDIAL_OUTCOMES:
            if r < share:
                outcome = name
                break
            r -= share
        duration = int(60 + 300 * rng.random() ** 2) if outcome == "connected" else 0
        note = rng.choice(words.NOTES[outcome])
        return (t, op.id, "call", outcome, duration, note, False, rank, sql)

    def _points(self, kind: str, outcome: str) -> int:
        if kind == "call" and outcome == "connected":
            return self.weights.get("call_connected", 2)
        return self.weights.get(kind, 0)


def _level(rng: random.Random, profile: str, minimum: int, expected: int, stretch: int) -> float:
    """An operator's usual daily volume for their profile."""
    if profile == "below":
        return minimum * (0.75 + 0.2 * rng.random())
    if profile == "upper":
        return expected + (stretch - expected) * rng.random()
    if profile == "above":
        return stretch * (1.03 + 0.1 * rng.random())
    return minimum + (expected - minimum) * (0.1 + 0.85 * rng.random())
