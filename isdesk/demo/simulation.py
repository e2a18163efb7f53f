"""The demo's simulation: a year of leads, played out in arrival order into table rows.

A lead arrives from a source (often a campaign), is handed out round-robin to its team, is
worked (see history), and becomes one Lead row plus its Handoff, Answer, LeadEvent and Activity
rows, with ids assigned here. All randomness comes from one seeded ``random.Random``, drawn in a
fixed order, so the same inputs always give the same rows.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from typing import Any

from peewee import Model

from isdesk.demo import words
from isdesk.demo.campaigns import Campaigns
from isdesk.demo.clock import DAY, Clock
from isdesk.demo.companies import Company, make_contact, plan_companies
from isdesk.demo.dialing import Dialing
from isdesk.demo.hearing import Hearing
from isdesk.demo.history import work
from isdesk.demo.lead import LeadState
from isdesk.demo.people import Staff
from isdesk.domain.text import lead_search_key
from isdesk.rules import Rules
from isdesk.store.models import Activity, Answer, Lead, LeadEvent
from isdesk.store.pipeline import Handoff

LEADS_PER_CHUNK = 2_000  # simulated, written and reported at a time (bounds memory)
STALE_DAYS = 60  # an open lead untouched this long has gone to nurturing


class Simulation:
    """The demo's people, campaigns and hearing, and the leads simulated from them."""

    def __init__(self, rng: random.Random, today: dt.date, rules: Rules, me: str | None) -> None:
        self.rng = rng
        self.clock = Clock(today)
        # Planned in this order: each draws from the one random, so the order is the seed's.
        self.hearing = Hearing(rng, self.clock, rules, today)
        self.staff = Staff(rng, self.clock, me)
        self.campaigns = Campaigns(rng, self.clock, today)
        self.dialing = Dialing(rng, self.clock, self.staff, rules)
        self.companies: list[Company] = []
        self.ids = {"answer": 0, "event": 0, "activity": 0, "handoff": 0}

    def operator_rows(self) -> list[tuple[Any, ...]]:
        """The operator table's rows."""
        return self.staff.operator_rows()

    def campaign_rows(self) -> list[tuple[Any, ...]]:
        """The campaign table's rows."""
        return self.campaigns.rows

    def lead_chunks(self, leads: int) -> Iterator[list[tuple[type[Model], list[tuple[Any, ...]]]]]:
        """Yield, per chunk of leads, the rows to insert for each model (Lead first: the
        others refer to it)."""
        self.companies = plan_companies(self.rng, leads)
        arrivals = self.campaigns.arrivals(leads)
        self.dialing.expect_natural(leads)
        self.ids = {"answer": 0, "event": 0, "activity": 0, "handoff": 0}
        for start in range(0, leads, LEADS_PER_CHUNK):
            out: dict[type[Model], list[tuple[Any, ...]]] = {
                Lead: [],
                Handoff: [],
                Answer: [],
                LeadEvent: [],
                Activity: [],
            }
            for i in range(start, min(start + LEADS_PER_CHUNK, leads)):
                self._lead(i + 1, *arrivals[i], out)
            yield list(out.items())

    def _lead(
        self,
        lead_id: int,
        t0: int,
        source: str,
        cid: int | None,
        out: dict[type[Model], list[tuple[Any, ...]]],
    ) -> None:
        """Simulate one lead from its arrival to today and add its rows to ``out``."""
        rng, clock = self.rng, self.clock
        now = clock.now
        lead = LeadState(self, lead_id)
        company = self.companies[int(len(self.companies) * rng.random() ** 1.4)]
        contact, title, phone, email = make_contact(rng, company, source)
        note = source + (f"：{self.campaigns.names[cid]}" if cid else "")
        lead.event(t0, None, "created", new=source, note=note)
        age = (now - t0) / DAY

        # Hand-out from the lead queue; the newest wait in it, and some old ones never left.
        unassigned_p = 0.7 if age < 2 else 0.35 if age < 7 else 0.15
        t_assign = clock.work_time(t0 + rng.randrange(300, 5400), rng)
        if rng.random() >= unassigned_p and t_assign < now:
            team = "outbound" if source in words.OUTBOUND_SOURCES else "inbound"
            lead.owner = self.staff.pick(self.staff.by_team[team], team, t_assign)
            lead.event(t_assign, None, "owner", old="", new=lead.owner.name)
            work(self, lead, source, t_assign, age)
            self.dialing.add(lead)
            kept = lead.status == "open" and lead.owner is not None and not lead.handoffs
            if kept and lead.acts:
                # No touch for two months: the operator let it go to automated nurturing
                # (operators hold what they work, not a year of everything, and stay under
                # the holding cap).
                last = max(max(a[0] for a in lead.acts), max(e[0] for e in lead.events))
                if now - last > STALE_DAYS * DAY:
                    gone = clock.work_time(last + rng.randrange(30, STALE_DAYS) * DAY, rng)
                    lead.set_status(gone, lead.op.id, "nurturing", "反応なし、MAで育成")
        elif age > 30 and rng.random() < 0.9:
            # Nobody called it: automated nurturing took it over.
            lead.set_status(
                t0 + rng.randrange(30, 60) * DAY, None, "nurturing", "反応なし、MAで育成"
            )

        if lead.owner is not None and lead.owner.left is not None:
            lead.move_off_leaver(lead.owner.left)
        next_at, next_action = lead.next_action()
        evs = sorted(lead.events)
        acts = sorted(lead.acts)
        last_touch = acts[-1][0] if acts else None
        updated = max(evs[-1][0], last_touch or 0)
        utc = clock.utc
        owner_id = lead.owner.id if lead.owner else None
        out[Lead].append(
            (
                lead_id,
                company.name,
                contact,
                title,
                phone,
                email,
                source,
                cid,
                owner_id,
                utc(t0),
                lead.status,
                lead.stage,
                lead.rank,
                lead.sql,
                lead.heard,
                utc(last_touch) if last_touch is not None else None,
                utc(next_at) if next_at is not None else None,
                next_action,
                lead_search_key(company.name, contact, email, source, [phone] if phone else []),
                "{}",
                len(evs),
                utc(updated),
                "",  # department
                json.dumps([{"kind": "phone", "number": phone}] if phone else []),
            )
        )
        ids = self.ids
        rows = out[LeadEvent]
        for t, _, actor, kind, field, old, new, enote in evs:
            ids["event"] += 1
            rows.append((ids["event"], lead_id, utc(t), actor, kind, field, old, new, enote))
        rows = out[Activity]
        for t, op, kind, outcome, dur, anote, voice, rank, sql in acts:
            ids["activity"] += 1
            rows.append(
                (ids["activity"], lead_id, op, utc(t), kind, outcome, dur, anote, voice, rank, sql)
            )
        rows = out[Handoff]
        for h in lead.handoffs:
            ids["handoff"] += 1
            rows.append(
                (
                    ids["handoff"],
                    lead_id,
                    h.sender.id,
                    h.to.id,
                    h.note,
                    h.status,
                    h.reason,
                    h.comment,
                    utc(h.follow_up) if h.follow_up is not None else None,
                    utc(h.at),
                    utc(h.decided) if h.decided is not None else None,
                )
            )
        rows = out[Answer]
        for item, (value, version, t, op) in lead.answers.items():
            ids["answer"] += 1
            rows.append((ids["answer"], lead_id, item, value, version, utc(t), op))
