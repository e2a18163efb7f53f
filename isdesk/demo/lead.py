"""One demo lead's simulated history: its state, events, activities and answers.

Conventions the event log follows (the same as isdesk.services.leads and .handoff): an answer
event's old_value is "" for a first answer; ``sql`` values are "true"/"false"; ``owner`` values
are operator login names ("" for nobody); ``status``/``stage`` values are the keys; a hand-off
is ``kind='handoff'`` with field sent (new_value: the field user, note: the note), accepted
(new_value: the field user) or rejected (old_value: the operator who handed it off, new_value:
the reason, note: the comment), followed by the stage, status and owner changes it causes in
that order.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from isdesk.demo import words
from isdesk.demo.clock import DAY, JST
from isdesk.demo.people import Op

if TYPE_CHECKING:
    from isdesk.demo.simulation import Simulation


FOLLOW_UP_HOUR = 10  # isdesk.domain.followup: a follow-up lands at 10:00 local time


class HandoffState:
    """One hand-off of the lead to field sales: a Handoff row once the lead is written."""

    __slots__ = (
        "at",
        "comment",
        "decided",
        "follow_up",
        "note",
        "reason",
        "sender",
        "status",
        "to",
    )

    def __init__(self, at: int, sender: Op, to: Op, note: str) -> None:
        self.at, self.sender, self.to, self.note = at, sender, to, note
        self.status, self.reason, self.comment = "pending", "", ""
        self.follow_up: int | None = None
        self.decided: int | None = None


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
        self.handoffs: list[HandoffState] = []
        self.follow_up: tuple[int, str] | None = None  # a timing rejection's date and action

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

    def set_owner(self, t: int, actor: int | None, owner: Op | None, note: str = "") -> None:
        if owner is self.owner:
            return
        old = self.owner.name if self.owner else ""
        self.event(t, actor, "owner", old=old, new=owner.name if owner else "", note=note)
        self.owner = owner

    def hand_to(self, t: int, sender: Op, field: Op, note: str) -> HandoffState:
        """services.handoff.hand_off: the lead goes to ``field`` at the proposal stage."""
        handoff = HandoffState(t, sender, field, note)
        self.handoffs.append(handoff)
        self.event(t, sender.id, "handoff", "sent", new=field.name, note=note)
        if self.stage == "list":
            self.set_stage(t, sender.id, "proposal")
        self.set_status(t, sender.id, "handed_off")
        self.set_owner(t, sender.id, field)
        return handoff

    def accept(self, t: int, handoff: HandoffState) -> None:
        """services.handoff.accept_handoff: the lead becomes an opportunity."""
        field = handoff.to
        handoff.status, handoff.decided = "accepted", t
        self.event(t, field.id, "handoff", "accepted", new=field.name)
        if self.stage in ("list", "proposal"):
            self.set_stage(t, field.id, "opportunity")

    def reject(
        self, t: int, handoff: HandoffState, reason: str, comment: str, follow_up: int = 0
    ) -> None:
        """services.handoff.reject_handoff: back to inside sales (the sender while on duty,
        else nobody); timing as nurturing due again at ``follow_up``, else open at list."""
        field, sender = handoff.to, handoff.sender
        handoff.status, handoff.reason, handoff.comment, handoff.decided = (
            "rejected",
            reason,
            comment,
            t,
        )
        self.event(t, field.id, "handoff", "rejected", old=sender.name, new=reason, note=comment)
        back = sender if sender.on_duty(t) else None
        if reason == "timing":
            handoff.follow_up = follow_up
            self.set_status(t, field.id, "nurturing")
            self.set_owner(t, field.id, back)
            self.follow_up = (follow_up, comment or "時期の再確認")
            day = self.sim.clock.date(follow_up // DAY)
            at = dt.datetime.combine(day, dt.time(FOLLOW_UP_HOUR), tzinfo=JST)
            self.event(t, field.id, "next_action", new=at.isoformat(), note=comment)
        else:
            if self.stage != "list":
                self.set_stage(t, field.id, "list")
            self.set_status(t, field.id, "open")
            self.set_owner(t, field.id, back)

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
        self.set_owner(t, lead_of_team.id, heir, note="担当者異動")

    def next_action(self) -> tuple[int | None, str]:
        """Open, touched leads mostly have a next step: some overdue, most in two weeks."""
        sim = self.sim
        rng, clock = sim.rng, sim.clock
        if self.status == "nurturing" and self.follow_up is not None:
            return self.follow_up
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
        if t - t % 900 <= last:  # today, earlier than the call just made: the next day
            t = clock.business_moment(last // DAY + 1, rng)
        return t - t % 900, text


def _tf(flag: bool) -> str:
    return "true" if flag else "false"
