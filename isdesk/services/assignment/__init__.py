"""Handing leads out: balanced assignment, take-next, returning leads, deactivation, rebalancing.

The rules come from rules.yaml (`assignment:`); the decisions are the pure functions of
isdesk.domain.routing; this package reads the state, calls them and writes the outcome. Every
write is one transaction, and every change of owner appends a LeadEvent(kind="owner") whose old/new
values are login names ("" for nobody) and whose note is JSON saying why: reason, the rules key
that decided, the group, the policy and the receiver's open-lead load at that moment.

Concurrency: "take next" claims a lead atomically, in one statement: ``UPDATE … WHERE id =
(SELECT … LIMIT 1) AND owner_id IS NULL AND <under the cap> RETURNING …``. On PostgreSQL the
subquery locks the oldest allowed lead ``FOR UPDATE SKIP LOCKED`` (concurrent takers skip it and
lock the next one); on SQLite the transaction holds the write lock (``BEGIN IMMEDIATE``). Either
way no lead is ever given to two operators. Batch assignment on PostgreSQL skips leads being
taken at that instant (they are someone's already).

Permissions: only a team lead assigns, rebalances, reassigns or deactivates, and only within
their own team: the receivers (and the operators leads are taken from) are in the lead's team.

Modules: ``models`` (results and errors), ``state`` (shared reads, owner writes and events),
``handout`` (batch assignment, deactivation), ``returning`` (returning leads), ``take`` (take
next), ``loads`` (loads and queue depth), ``rebalance`` (rebalancing, manual reassignment).
Import the names from the package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from isdesk.services.assignment.handout import (
        assign_unassigned,
        deactivate_operator,
    )
    from isdesk.services.assignment.loads import (
        operator_loads,
        unassigned_by_group,
    )
    from isdesk.services.assignment.models import (
        AssignmentError,
        AssignmentPermissionError,
        AssignmentReport,
        AssignmentRow,
        DeactivationReport,
        GroupQueue,
        LoadChange,
        Move,
        NotTeamLeadError,
        OperatorLoad,
        OtherTeamError,
        ReassignResult,
        ReturningRoute,
        StaleMovesError,
        TakeNextRefused,
        TakenLead,
        UnassignedLead,
    )
    from isdesk.services.assignment.rebalance import (
        apply_moves,
        propose_rebalance,
        reassign_leads,
    )
    from isdesk.services.assignment.returning import (
        route_returning_lead,
        route_returning_leads,
    )
    from isdesk.services.assignment.take import (
        claim_next_lead,
        take_next_lead,
    )

# Where each name lives. The submodules load on first use, so `isdesk next` imports the
# take-next code and what it needs, not batch assignment or rebalancing.
_HOMES = {
    "assign_unassigned": "handout",
    "deactivate_operator": "handout",
    "operator_loads": "loads",
    "unassigned_by_group": "loads",
    "AssignmentError": "models",
    "AssignmentPermissionError": "models",
    "AssignmentReport": "models",
    "AssignmentRow": "models",
    "DeactivationReport": "models",
    "GroupQueue": "models",
    "LoadChange": "models",
    "Move": "models",
    "NotTeamLeadError": "models",
    "OperatorLoad": "models",
    "OtherTeamError": "models",
    "ReassignResult": "models",
    "ReturningRoute": "models",
    "StaleMovesError": "models",
    "TakeNextRefused": "models",
    "TakenLead": "models",
    "UnassignedLead": "models",
    "apply_moves": "rebalance",
    "propose_rebalance": "rebalance",
    "reassign_leads": "rebalance",
    "route_returning_lead": "returning",
    "route_returning_leads": "returning",
    "claim_next_lead": "take",
    "take_next_lead": "take",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # once: later lookups (and monkeypatching) see a plain attribute
    return value


__all__ = [
    "AssignmentError",
    "AssignmentPermissionError",
    "AssignmentReport",
    "AssignmentRow",
    "DeactivationReport",
    "GroupQueue",
    "LoadChange",
    "Move",
    "NotTeamLeadError",
    "OperatorLoad",
    "OtherTeamError",
    "ReassignResult",
    "ReturningRoute",
    "StaleMovesError",
    "TakeNextRefused",
    "TakenLead",
    "UnassignedLead",
    "apply_moves",
    "assign_unassigned",
    "claim_next_lead",
    "deactivate_operator",
    "operator_loads",
    "propose_rebalance",
    "reassign_leads",
    "route_returning_lead",
    "route_returning_leads",
    "take_next_lead",
    "unassigned_by_group",
]
