"""One demo lead's simulated history: its state, events, activities and answers.

Conventions the event log follows (the same as isdesk.services.leads): an answer event's
old_value is "" for a first answer; ``sql`` values are "true"/"false"; ``owner`` values are
operator login names ("" for nobody); ``status``/``stage`` values are the keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from isdesk.demo import words
from isdesk.demo.clock import DAY
from isdesk.demo.people import Op

if TYPE_CHECKING:
    from isdesk.demo.simulation import Simulation


class LeadState:
    """One lead's simulated history: current state plus the event and activity tuples."""

    def __init__(self, sim: Simulation, lead_id: int) -> None:
        self.sim = sim
        self.owner: Op | None = None
        self.status, self.stage = "open", "list"
        self.rank, self.sql, self.heard = "D", False, 0
        # What isdesk suggests asking next for a better rank; operators often follow it.
        self.hint = sim.hearing.qualify({})[3]
        self.values: dict[str, str] = {}
        self.answers: dict[str, list[Any]] = {}  # item -> [value, version, t, operator id]
        # (t, seq, actor, kind, field, old, new, note): seq keeps same-second order stable.
        self.events: list[tuple[Any, ...]] = []
        self.acts: list[tuple[Any, ...]] = []
        self.last_outcome = ""

    @property
    def op(self) -> Op:
        """The owner, for code that only runs on assigned leads."""
        assert self.owner is not None
        return self.owner

    def event(
        self,
        t: int,
        actor: int | None,
        kind: str,
        field: str = "",
        old: str | None = None,
        new: str | None = None,
        note: str = "",
    ) -> None:
        self.events.append((t, len(self.events), actor, kind, field, old, new, note))

    def act(
        self, t: int, op: int, kind: str, outcome: str, dur: int, note: str, voice: bool
    ) -> None:
        self.acts.append((t, op, kind, outcome, dur, note, voice, self.rank, self.sql))
        self.last_outcome = outcome or kind

    def answer(self, t: int, op: int, item: str, value: str) -> None:
        old = self.values.get(item, "")
        if old == value:
            return
        self.values[item] = value
        row = self.answers.get(item)
        if row is None:
            self.answers[item] = [value, 1, t, op]
        else:
            row[0], row[1], row[2], row[3] = value, row[1] + 1, t, op
        self.event(t, op, "answer", item, old, value)
        rank, sql, heard, self.hint = self.sim.hearing.qualify(self.values)
        if rank != self.rank:
            self.event(t, op, "rank", old=self.rank, new=rank)
        if sql != self.sql:
            self.event(t, op, "sql", old=_tf(self.sql), new=_tf(sql))
        self.rank, self.sql, self.heard = rank, sql, heard

    def set_status(self, t: int, actor: int | None, status: str, note: str = "") -> None:
        if t >= self.sim.clock.now:
            return
        self.event(t, actor, "status", old=self.status, new=status, note=note)
        self.status = status

    def set_stage(self, t: int, actor: int | None, stage: str) -> None:
        self.event(t, actor, "stage", old=self.stage, new=stage)
        self.stage = stage

    def move_off_leaver(self, t: int) -> None:
        """The owner left (or rotated to field sales): a colleague takes the lead over."""
        leaver = self.owner
        assert leaver is not None
        if leaver.left is None or t >= self.sim.clock.now:
            return
        if leaver.team_after and self.status not in ("open", "nurturing"):
            return  # with them in field sales now, or closed while they were here
        heir = self.sim.staff.successor(leaver, t)
        lead_of_team = next(
            o for o in self.sim.staff.ops if o.team == leaver.team and o.role == "lead"
        )
        self.event(t, lead_of_team.id, "owner", old=leaver.name, new=heir.name, note="担当者異動")
        self.owner = heir

    def next_action(self) -> tuple[int | None, str]:
        """Open, touched leads mostly have a next step: some overdue, most in two weeks."""
        sim = self.sim
        rng, clock = sim.rng, sim.clock
        if self.status != "open" or self.owner is None or not self.acts or rng.random() < 0.15:
            return None, ""
        last = self.acts[-1][0]
        if self.last_outcome in ("no_answer", "voicemail", "wrong_number", "refused", "note"):
            text = rng.choice(words.NEXT_ACTIONS["call"])
        elif self.last_outcome == "email":
            text = rng.choice(words.NEXT_ACTIONS["email"])
        else:
            text = rng.choice(words.NEXT_ACTIONS["talk"])
        stale = clock.now - last > 30 * DAY
        if rng.random() < (0.5 if stale else 0.2):
            t = clock.later(last, rng.randrange(DAY, 10 * DAY), rng)
            if t < clock.now:
                return t - t % 900, text  # on the quarter hour, as people schedule
        t = clock.business_moment(clock.today + rng.randrange(0, 15), rng)
        return t - t % 900, text


def _tf(flag: bool) -> str:
    return "true" if flag else "false"
