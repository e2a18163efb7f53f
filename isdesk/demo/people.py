"""The demo's staff: operators, their joining and leaving, and who takes which lead.

The team comes from ``names.TEAM``; ``me`` (the OS user running the demo) joins team inbound
as a team lead. One operator rotates out to field sales and one leaves the company during the
year; leads are handed out round-robin among those on duty at the time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from isdesk.demo import names
from isdesk.demo.clock import BACK_DAYS, Clock


@dataclass
class Op:
    id: int
    name: str
    display: str
    team: str
    role: str
    joined: int  # t
    left: int | None  # t when they stopped taking leads; their leads move then
    team_after: str | None  # "field" for an operator rotated out to field sales

    def on_duty(self, t: int) -> bool:
        """Takes inside-sales leads at ``t``."""
        return self.joined <= t and (self.left is None or t < self.left)

    def in_field(self, t: int) -> bool:
        """Takes handed-off leads at ``t``."""
        if self.role == "field":
            return self.joined <= t
        return self.team_after == "field" and self.left is not None and self.left <= t


class Staff:
    """The operators with their dates, and the round-robin turns that assign leads."""

    def __init__(self, rng: random.Random, clock: Clock, me: str | None) -> None:
        self.clock = clock
        team = list(names.TEAM)
        if me:
            mine = (me, me, "inbound", "lead", 900, None, None)
            hit = [i for i, row in enumerate(team) if row[1] == me]
            if hit:  # the OS user shares a demo login: they become that person
                team[hit[0]] = (team[hit[0]][0], *mine[1:])
            else:
                team.append(mine)
        self.ops: list[Op] = []
        for i, (display, login, team_name, role, joined, left, after) in enumerate(team, 1):
            joined_t = clock.business_moment(BACK_DAYS - joined, rng)
            left_t = clock.business_moment(BACK_DAYS - left, rng) if left else None
            self.ops.append(Op(i, login, display, team_name, role, joined_t, left_t, after))
        self.by_team = {
            t: [o for o in self.ops if o.team == t and o.role != "field"]
            for t in ("inbound", "outbound")
        }
        self.field_ops = [o for o in self.ops if o.role == "field" or o.team_after == "field"]
        self._turn = {"inbound": 0, "outbound": 0, "field": 0, "move": 0}
        self._waiting: dict[int, int] = {}  # field user id -> hand-offs waiting in their inbox

    def operator_rows(self) -> list[tuple[Any, ...]]:
        """Operator table rows, as the operators stand today."""
        rows = []
        for o in self.ops:
            team, role, active = o.team, o.role, True
            if o.left is not None:
                if o.team_after:
                    team, role = o.team_after, "field"
                else:
                    active = False  # left the company: kept for history, never assigned
            rows.append((o.id, o.name, o.display, team, role, active, self.clock.utc(o.joined)))
        return rows

    def pick(self, pool: list[Op], turn: str, t: int) -> Op:
        """Round-robin in arrival order among those on duty: balanced by quantity first."""
        if turn == "field":
            on_duty = [o for o in pool if o.in_field(t)] or [o for o in pool if o.role == "field"]
        else:
            on_duty = [o for o in pool if o.on_duty(t)]
        op = on_duty[self._turn[turn] % len(on_duty)]
        self._turn[turn] += 1
        return op

    def pick_field(self, t: int, waits: bool) -> Op:
        """The field user a hand-off at ``t`` goes to: round-robin, except that one that will
        still wait in an inbox today goes to whoever has the fewest waiting (the field manager
        balances the inboxes, so every field user has some to decide in the demo)."""
        if not waits:
            return self.pick(self.field_ops, "field", t)
        pool = [o for o in self.field_ops if o.in_field(t)] or [
            o for o in self.field_ops if o.role == "field"
        ]
        op = min(pool, key=lambda o: self._waiting.get(o.id, 0))
        self._waiting[op.id] = self._waiting.get(op.id, 0) + 1
        return op

    def successor(self, leaver: Op, t: int) -> Op:
        """The colleague in the leaver's team who takes over their leads at ``t``."""
        return self.pick(self.by_team[leaver.team], "move", t)
