"""How a screen asks for another one without importing it: it posts ``Navigate``.

The app owns the map from a destination to its screen class (``IsdeskApp.on_navigate``), so
screens stay independent of each other (an import-linter contract holds them to it) and a new
screen is added in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from textual.message import Message

Destination = Literal["lead", "kpi", "team", "reports", "import"]


@dataclass
class Navigate(Message):
    """Open ``destination`` on top of the current screen (``lead_id`` for a lead)."""

    destination: Destination
    lead_id: int | None = None


@dataclass
class FollowUpsChanged(Message):
    """A follow-up fell due: a screen that lists leads by it (the queue) reloads."""
