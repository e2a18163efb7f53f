"""What the assignment services take and give: the frozen result dataclasses and the errors.

Plain data, no database: every other module of the package builds or raises these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


class AssignmentPermissionError(PermissionError):
    """The actor may not do this; the message says who may."""


class NotTeamLeadError(AssignmentPermissionError):
    pass


class OtherTeamError(AssignmentPermissionError):
    pass


class TakeNextRefused(AssignmentPermissionError):
    """Field sales and deactivated operators do not take leads from the queue."""


class AssignmentError(ValueError):
    """A request isdesk cannot carry out as given (unknown operator, …)."""


class StaleMovesError(AssignmentError):
    """A proposed move no longer matches the data: someone changed the lead's owner meanwhile."""


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentRow:
    lead_id: int
    company: str
    source: str
    group: str
    operator: str  # login of the receiver
    load_before: int  # their open leads just before this one
    acquired_at: dt.datetime


@dataclass(frozen=True)
class UnassignedLead:
    lead_id: int
    company: str
    source: str
    group: str
    reason: str  # "no_eligible_operator" | "all_at_cap"
    message: str


@dataclass(frozen=True)
class LoadChange:
    name: str
    team: str
    before: int
    after: int
    cap: int


@dataclass(frozen=True)
class AssignmentReport:
    dry_run: bool
    at: dt.datetime
    policy: str
    cap: int
    team: str | None  # receivers limited to this team (None: every team)
    rows: tuple[AssignmentRow, ...]
    loads: tuple[LoadChange, ...]
    unassigned: tuple[UnassignedLead, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "dry_run": self.dry_run,
            "at": self.at.isoformat(),
            "policy": self.policy,
            "cap": self.cap,
            "team": self.team,
            "assigned": [
                {
                    "lead_id": r.lead_id,
                    "company": r.company,
                    "source": r.source,
                    "group": r.group,
                    "operator": r.operator,
                    "load_before": r.load_before,
                    "acquired_at": r.acquired_at.isoformat(),
                }
                for r in self.rows
            ],
            "loads": [
                {
                    "operator": x.name,
                    "team": x.team,
                    "before": x.before,
                    "after": x.after,
                    "cap": x.cap,
                }
                for x in self.loads
            ],
            "unassigned": [
                {
                    "lead_id": u.lead_id,
                    "company": u.company,
                    "source": u.source,
                    "group": u.group,
                    "reason": u.reason,
                    "message": u.message,
                }
                for u in self.unassigned
            ],
        }


@dataclass(frozen=True)
class DeactivationReport:
    operator: str
    report: AssignmentReport  # where their open leads went (unassigned ones back to the queue)


@dataclass(frozen=True)
class TakenLead:
    id: int
    company: str
    contact: str
    phone: str
    rank: str
    source: str
    group: str
    acquired_at: dt.datetime
    claimed: bool  # True: newly taken from the unassigned queue; False: already theirs
    reason: str  # "claimed" | "own_overdue" | "own_new"
    load: int  # the operator's open leads after this

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "company": self.company,
            "contact": self.contact,
            "phone": self.phone,
            "rank": self.rank,
            "source": self.source,
            "group": self.group,
            "acquired_at": self.acquired_at.isoformat(),
            "claimed": self.claimed,
            "reason": self.reason,
            "load": self.load,
        }


@dataclass(frozen=True)
class ReturningRoute:
    """What happened to a returning lead: ``keep`` (nothing written), ``reassign`` (handed out
    anew; ``owner_after`` "" when nobody could take it) or ``assign`` (it had no owner)."""

    lead_id: int
    action: str
    rule: str
    days: int | None
    owner_before: str
    owner_after: str
    message: str = ""


@dataclass(frozen=True)
class OperatorLoad:
    name: str
    display_name: str
    team: str
    role: str
    active: bool
    open_leads: int
    open_by_rank: dict[str, int] = field(default_factory=dict)
    cap: int = 150
    over_cap: bool = False


@dataclass(frozen=True)
class GroupQueue:
    name: str
    depth: int
    oldest_acquired_at: dt.datetime | None
    oldest_wait_days: int | None = None  # whole days the oldest has waited at `now`


@dataclass(frozen=True)
class Move:
    lead_id: int
    from_op: str
    to_op: str
    reason: str


@dataclass(frozen=True)
class ReassignResult:
    moved: tuple[int, ...]
    to_operator: str
    load_after: int
    over_cap: bool
