"""Operators: who is working, in which team, with which role."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from peewee import IntegrityError

from isdesk.store.db import current_database
from isdesk.store.models import ROLES, Operator

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


class OperatorError(ValueError):
    """A user mistake about operators; the message says what to do."""


@dataclass(frozen=True)
class Actor:
    """The person using isdesk, as the services see them."""

    id: int
    name: str
    display_name: str
    team: str
    role: str
    active: bool = True

    @property
    def is_lead(self) -> bool:
        return self.role == "lead"


def _to_actor(row: Operator) -> Actor:
    return Actor(row.id, row.name, row.display_name, row.team, row.role, row.active)


def add_operator(
    name: str, *, team: str, role: str = "operator", display_name: str | None = None
) -> Actor:
    """Register an operator; names are login names (the OS user or ``--as``)."""
    if not _NAME_RE.match(name):
        raise OperatorError(
            f"operator name {name!r}: use letters, digits, '.', '_', '-' or '@' (max 64), "
            "e.g. sato.misaki"
        )
    if role not in ROLES:
        raise OperatorError(f"role {role!r}: choose one of {', '.join(ROLES)}")
    if not team.strip():
        raise OperatorError("team: give a team name, e.g. --team inbound")
    for label, value in (("team", team), ("display name", display_name or "")):
        # Names are drawn on every screen: a control character would reach the terminal.
        if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value) or len(value) > 100:
            raise OperatorError(f"{label} {value!r}: use printable text of at most 100 characters")
    db = current_database()
    with db.connection_context():
        try:
            with db.atomic():
                row = Operator.create(
                    name=name, team=team.strip(), role=role, display_name=display_name or name
                )
        except IntegrityError:
            raise OperatorError(f"operator {name!r} already exists") from None
        return _to_actor(row)


def find_operator(name: str) -> Actor | None:
    with current_database().connection_context():
        row = Operator.get_or_none(Operator.name == name)
        return _to_actor(row) if row else None


def list_operators() -> list[Actor]:
    with current_database().connection_context():
        return [_to_actor(r) for r in Operator.select().order_by(Operator.team, Operator.name)]


def resolve_actor(name: str, first_team: str = "default") -> Actor:
    """The operator isdesk runs as.

    On a brand-new database the first person becomes the lead of ``first_team`` (the first
    team the assignment rules name), so one person can start in one command and receive
    leads; after that, only registered operators may work.
    """
    db = current_database()
    with db.connection_context(), db.atomic():
        row = Operator.get_or_none(Operator.name == name)
        if row is None and not Operator.select().exists():
            return add_operator(name, team=first_team, role="lead")
    if row is None:
        raise OperatorError(
            f"operator {name!r} is not registered in this database: ask your team lead to run "
            f"`isdesk operator add {name} --team TEAM`, or start with --as NAME"
        )
    if not row.active:
        raise OperatorError(f"operator {name!r} is deactivated; ask your team lead")
    return _to_actor(row)
