"""Helpers for Pilot tests: build the real app on a test database and wait for it."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt

from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from isdesk.app import IsdeskApp
from isdesk.i18n import set_language
from isdesk.rules import Rules, load_rules
from isdesk.services.context import WorkContext
from isdesk.services.operators import Actor

TODAY = dt.date(2026, 11, 22)
SIZE = (130, 40)


def make_app(db, actor: Actor, *, rules: Rules | None = None, language: str = "ja") -> IsdeskApp:
    set_language(language)
    ctx = WorkContext(db=db, rules=rules or load_rules(None), actor=actor, clock=lambda: TODAY)
    return IsdeskApp(ctx)


async def settle(pilot: Pilot, rounds: int = 3) -> None:
    """Let workers finish, queued saves land and their messages be handled."""
    app = pilot.app
    for _ in range(rounds):
        # A read replaced by a newer one is cancelled on purpose (exclusive workers).
        with contextlib.suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
        await asyncio.to_thread(app.ctx.saver.flush, 10)
        await pilot.pause()


def static_text(app: IsdeskApp, selector: str) -> str:
    """The plain text a Static shows (rich Text or str)."""
    widget = app.screen.query_one(selector)
    content = widget.content if hasattr(widget, "content") else widget.render()
    return content.plain if hasattr(content, "plain") else str(content)


def table_lines(app: IsdeskApp) -> list[str]:
    """The queue table's lines as the terminal shows them, header first."""
    from isdesk.widgets.lead_table import LeadTable

    table = app.screen.query_one(LeadTable)
    return [table.render_line(y).text for y in range(table.size.height)]
