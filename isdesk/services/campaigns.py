"""Campaigns: what each one cost, for the campaigns report's cost per lead / SQL / order and ROI.

Campaigns are created by imports (isdesk.importer); a team lead records the cost afterwards.
In team mode the campaign table is written by the owner only (as imports are), so the command
runs with the owner's connection.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from isdesk.services.operators import Actor
from isdesk.store.db import current_database
from isdesk.store.models import Campaign

MAX_COST = 10**12  # yen: a typing mistake (an extra digit or three), not a campaign


class CampaignError(ValueError):
    """A user mistake about campaigns; the message says what to do."""


@dataclass(frozen=True)
class CampaignInfo:
    id: int
    name: str
    kind: str
    held_on: dt.date | None
    cost: int | None


def _info(row: Campaign) -> CampaignInfo:
    return CampaignInfo(row.id, row.name, row.kind, row.held_on, row.cost)


def list_campaigns() -> list[CampaignInfo]:
    """Every campaign, by date held then name."""
    rows = Campaign.select().order_by(Campaign.held_on.asc(nulls="LAST"), Campaign.name)
    return [_info(row) for row in rows]


def set_campaign_cost(actor: Actor, name: str, cost: int | None) -> CampaignInfo:
    """Record what campaign ``name`` cost in yen (None: forget it); team leads only."""
    if not actor.is_lead or not actor.active:
        raise CampaignError(f"only a team lead may set a campaign's cost; {actor.name} is not one")
    if cost is not None and not 0 <= cost <= MAX_COST:
        raise CampaignError(f"cost {cost:,}: give 0 to {MAX_COST:,} yen")
    with current_database().atomic():
        row = Campaign.get_or_none(Campaign.name == name)
        if row is None:
            known = ", ".join(c.name for c in Campaign.select(Campaign.name).limit(5))
            raise CampaignError(
                f"no campaign named {name!r}"
                + (f" (some there are: {known})" if known else " (none yet: import a list first)")
            )
        Campaign.update(cost=cost).where(Campaign.id == row.id).execute()
        row.cost = cost
    return _info(row)
