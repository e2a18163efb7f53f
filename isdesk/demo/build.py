"""``isdesk demo``'s public entry point: build the demo into an empty database.

build_demo checks the database is empty, runs the simulation chunk by chunk and writes its
rows in one transaction; DemoSummary reports what was written, DemoError why nothing was.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from isdesk.demo.clock import JST
from isdesk.demo.simulation import Simulation
from isdesk.demo.writer import DEMO_MODELS, Writer
from isdesk.rules import Rules, load_rules
from isdesk.store.db import current_database
from isdesk.store.models import Campaign, Operator

__all__ = ["DemoError", "DemoSummary", "build_demo"]


class DemoError(RuntimeError):
    """The demo cannot be built here (e.g. the database already holds data)."""


@dataclass(frozen=True)
class DemoSummary:
    """What build_demo wrote."""

    operators: int
    campaigns: int
    leads: int
    answers: int
    events: int
    activities: int
    me: str | None
    handoffs: int = 0


def build_demo(
    *,
    leads: int = 4000,
    seed: int = 42,
    today: dt.date | None = None,
    me: str | None = None,
    rules: Rules | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Fill an empty, migrated database with demo data and return the row counts.

    The same (leads, seed, today, me) always gives the same rows: all randomness comes from
    ``random.Random(seed)`` and all times from ``today`` (default: today in Asia/Tokyo). The
    demo's "now" is today 17:00 JST: history lies before it, next actions on both sides.
    ``me`` (the OS user running the demo) joins team inbound as a team lead with a normal
    share of leads. ``progress(done, total)`` is called with lead counts as chunks are written.
    Raises DemoError, writing nothing, when the database already holds data.
    """
    if leads < 0:
        raise DemoError("leads must be zero or more")
    today = today or dt.datetime.now(JST).date()
    rules = rules or load_rules(None)
    db = current_database()
    opened = db.is_closed()
    if opened:
        db.connect()
    try:
        sim = Simulation(random.Random(seed), today, rules, me)
        writer = Writer()
        # Checked inside the write transaction (SQLite: BEGIN IMMEDIATE holds the write lock),
        # so two demos started at once cannot both find the database empty.
        with db.atomic():
            used = [
                m._meta.table_name
                for m in DEMO_MODELS
                if db.execute_sql(f'SELECT 1 FROM "{m._meta.table_name}" LIMIT 1').fetchone()
            ]
            if used:
                raise DemoError(
                    f"database is not empty: {', '.join(used)} already hold rows; "
                    "build the demo in a new, empty database"
                )
            writer.write(Operator, sim.operator_rows())
            writer.write(Campaign, sim.campaign_rows())
            done = 0
            if progress:
                progress(0, leads)
            for chunk in sim.lead_chunks(leads):
                for model, rows in chunk:
                    writer.write(model, rows)
                done += len(chunk[0][1])
                if progress:
                    progress(done, leads)
            writer.reset_sequences()
        return DemoSummary(**writer.counts(), me=me)
    finally:
        if opened:
            db.close()
