"""What a team lead looks at: each operator's open leads against the cap, and how many
unassigned leads wait in each group.
"""

from __future__ import annotations

import datetime as dt

from peewee import fn

from isdesk.domain.routing import contact_days
from isdesk.rules import Rules
from isdesk.services.assignment.models import GroupQueue, OperatorLoad
from isdesk.services.assignment.state import cap_of
from isdesk.store.db import current_database
from isdesk.store.models import Lead, Operator
from isdesk.store.query import tuples

# --- 5. loads, queues, rebalancing, manual reassignment --------------------------------------


def operator_loads(team: str | None = None, rules: Rules | None = None) -> list[OperatorLoad]:
    """Every operator (of ``team``) with their open ("not yet") leads, by rank, and the cap.

    Pass the team's ``rules`` so the cap is rules.yaml's; without them the built-in default.
    """
    cap = cap_of(rules)
    with current_database().connection_context():
        query = Operator.select().order_by(Operator.team, Operator.name)
        if team is not None:
            query = query.where(Operator.team == team)
        operators = list(query)
        by_rank: dict[int, dict[str, int]] = {}
        counts = tuples(
            Lead.select(Lead.owner, Lead.rank, fn.COUNT(Lead.id))
            .where((Lead.status == "open") & Lead.owner.in_([o.id for o in operators]))
            .group_by(Lead.owner, Lead.rank)
        )
        for owner_id, rank, count in counts:
            by_rank.setdefault(owner_id, {})[rank] = count
    loads = []
    for o in operators:
        ranks = dict(sorted(by_rank.get(o.id, {}).items()))
        total = sum(ranks.values())
        loads.append(
            OperatorLoad(
                o.name,
                o.display_name,
                o.team,
                o.role,
                bool(o.active),
                total,
                ranks,
                cap,
                total > cap,
            )
        )
    return loads


def unassigned_by_group(rules: Rules, now: dt.datetime) -> list[GroupQueue]:
    """How many unassigned open leads wait in each group (rules order), and the oldest."""
    ar = rules.assignment
    with current_database().connection_context():
        rows = tuples(
            Lead.select(Lead.source, fn.COUNT(Lead.id), fn.MIN(Lead.acquired_at))
            .where((Lead.status == "open") & Lead.owner.is_null())
            .group_by(Lead.source)
        )
        depth: dict[str, int] = {g.name: 0 for g in ar.groups}
        oldest: dict[str, dt.datetime] = {}
        for source, count, first in rows:
            name = ar.group_for(source).name
            depth[name] += count
            first = Lead.acquired_at.python_value(first)
            if name not in oldest or first < oldest[name]:
                oldest[name] = first
    return [
        GroupQueue(
            g.name,
            depth[g.name],
            oldest.get(g.name),
            contact_days(oldest[g.name], now, rules.calendar.zone) if g.name in oldest else None,
        )
        for g in ar.groups
    ]
