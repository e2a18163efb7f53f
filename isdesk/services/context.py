"""What every part of a running workstation shares: rules, who is working, the writer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
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
    # The team's calendar day (rules.yaml calendar.timezone), on which conditions such as
    # "timing within 30 days" and the KPI day are judged; tests fix it.
    clock: Callable[[], dt.date] | None = None
    # From the user's settings (isdesk.config.settings): the command that dials a number
    # ("{phone}" is replaced), the Textual theme and the keymap (binding id -> keys).
    dial_command: str = ""
    theme: str = ""
    keymap: Mapping[str, str] = field(default_factory=dict)

    def today(self) -> dt.date:
        if self.clock is not None:
            return self.clock()
        return dt.datetime.now(self.rules.calendar.zone).date()
