"""What every part of a running workstation shares: rules, who is working, the writer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from peewee import Database

from isdesk.rules import Rules
from isdesk.services.operators import Actor
from isdesk.services.save_queue import SaveQueue


@dataclass
class WorkContext:
    db: Database
    rules: Rules
    actor: Actor
    saver: SaveQueue = field(default_factory=SaveQueue)
    # The day rank conditions such as "timing within 30 days" are judged on; tests fix it.
    today: Callable[[], dt.date] = dt.date.today
