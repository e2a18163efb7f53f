"""Screens as a person sees them, frozen: a seeded demo, a fixed clock, a fixed size.

``demo_database(path)`` builds the demo (same seed, same day: the same rows) into a SQLite
file; ``frozen_clock(monkeypatch)`` makes every "now" isdesk reads the demo's now;
``open_screen(...)`` drives the real app to a screen; ``screen_text(app)`` is the screen as
text lines (what the snapshot tests compare) and ``app.save_screenshot()`` the SVG.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import sys
from pathlib import Path

from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from isdesk.app import IsdeskApp
from isdesk.i18n import set_language
from isdesk.rules import load_rules
from isdesk.services.context import WorkContext

TODAY = dt.date(2026, 11, 24)
NOW_UTC = dt.datetime(2026, 11, 24, 0, 30, tzinfo=dt.UTC)  # 09:30 in Tokyo
DEMO_SEED = 42
DEMO_LEADS = 400
# The logins the screens are seen as: a team lead (queue, KPI, team, reports, import) and a
# field user (the inbox).
LEAD_LOGIN = "sato.misaki"
FIELD_LOGIN = "inoue.megumi"


def frozen_clock(monkeypatch) -> None:
    """Every ``utcnow()`` isdesk calls returns NOW_UTC (modules import it by name)."""
    import importlib

    import isdesk.store.db as store_db

    # Load every module that reads the clock first: a module imported later would keep the
    # real utcnow.
    for name in (
        "isdesk.screens.queue", "isdesk.screens.kpi", "isdesk.screens.team",
        "isdesk.screens.reports", "isdesk.screens.import_screen", "isdesk.screens.inbox",
        "isdesk.screens.lead", "isdesk.services.assignment", "isdesk.analytics",
    ):  # fmt: skip
        importlib.import_module(name)

    def fixed() -> dt.datetime:
        return NOW_UTC

    monkeypatch.setattr(store_db, "utcnow", fixed)
    for name, module in list(sys.modules.items()):
        if name.startswith("isdesk.") and getattr(module, "utcnow", None) is not None:
            monkeypatch.setattr(module, "utcnow", fixed)


def demo_database(path: Path, leads: int = DEMO_LEADS):
    """A migrated SQLite file holding the seeded demo (built once per path)."""
    from isdesk.demo import build_demo
    from isdesk.store.db import open_database
    from isdesk.store.schema import upgrade

    fresh = not path.exists()
    db = open_database(f"sqlite:///{path}")
    if fresh:
        upgrade(db)
        with db.connection_context():
            build_demo(leads=leads, seed=DEMO_SEED, today=TODAY)
    return db


def make_demo_app(db, login: str, language: str) -> IsdeskApp:
    from isdesk.services.operators import find_operator

    set_language(language)
    actor = find_operator(login)
    assert actor is not None, login
    ctx = WorkContext(db=db, rules=load_rules(None), actor=actor, clock=lambda: TODAY)
    return IsdeskApp(ctx)


async def settle(pilot: Pilot, rounds: int = 4) -> None:
    app = pilot.app
    for _ in range(rounds):
        with contextlib.suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
        await asyncio.to_thread(app.ctx.saver.flush, 10)
        await pilot.pause()


# How to reach each screen from the first one (keys pressed after it has loaded).
ROUTES: dict[str, tuple[str, tuple[str, ...]]] = {
    "queue": (LEAD_LOGIN, ()),
    "kpi": (LEAD_LOGIN, ("K",)),
    "team": (LEAD_LOGIN, ("T",)),
    "reports": (LEAD_LOGIN, ("R",)),
    "import": (LEAD_LOGIN, ("I",)),
    "inbox": (FIELD_LOGIN, ()),
    "inbox_decided": (FIELD_LOGIN, ("d",)),  # the decided hand-offs too: every status
    "help": (LEAD_LOGIN, ("question_mark",)),
    # The lead under the queue's cursor, and the end-of-call dialog after F2 … F2 on it (the
    # frozen clock makes the call 0 seconds long). Both write: see WRITES.
    "lead": (LEAD_LOGIN, ("enter",)),
    "call": (LEAD_LOGIN, ("enter", "f2", "f2")),
    "palette": (LEAD_LOGIN, ("ctrl+p",)),
}


# Routes that write to the database (a call): they get a copy of the demo, so the other
# snapshots see the same rows whatever ran before them.
WRITES = frozenset({"lead", "call"})


async def open_screen(pilot: Pilot, screen: str) -> None:
    """Press the keys that lead to ``screen`` and wait until it has drawn its data."""
    await settle(pilot)
    for key in ROUTES[screen][1]:
        await pilot.press(key)
        await settle(pilot)
    await pilot.pause(0.3)  # the palette's list and the toasts appear after a delay
    from textual.widgets import Input

    for box in pilot.app.screen.query(Input):  # a blinking cursor would make styles flicker
        box.cursor_blink = False
    await settle(pilot)


def screen_text(app: IsdeskApp) -> str:
    """The terminal's cells as text, one line per row, trailing blanks trimmed."""
    lines = []
    for strip in app.screen._compositor.render_strips():  # what the terminal shows
        lines.append("".join(segment.text for segment in strip).rstrip())
    return "\n".join(lines).rstrip() + "\n"


def normalized_svg(svg: str) -> str:
    """Textual's SVG export without the per-export id in its class names."""
    import re

    return re.sub(r"terminal-\d+", "terminal", svg)


async def _save_docs_screenshots(folder: Path, language: str) -> list[Path]:
    """The README's screenshots: the queue and the lead screen at 80x24 and 160x45 on the
    full-size demo."""
    import tempfile

    class _Patch:  # monkeypatch without pytest: this process ends right after
        def setattr(self, obj: object, name: str, value: object) -> None:
            setattr(obj, name, value)

    frozen_clock(_Patch())
    saved = []
    with tempfile.TemporaryDirectory() as tmp:
        db = demo_database(Path(tmp) / "demo.sqlite3", leads=4000)
        for screen in ("queue", "lead"):
            for width, height in ((80, 24), (160, 45)):
                app = make_demo_app(db, LEAD_LOGIN, language)
                async with app.run_test(size=(width, height)) as pilot:
                    await open_screen(pilot, screen)
                    name = f"{screen}-{width}x{height}.svg"
                    app.save_screenshot(name, path=str(folder))
                    saved.append(folder / name)
    return saved


if __name__ == "__main__":  # python -m tests.support.snapshots docs/
    import os
    import tempfile

    os.environ.setdefault("ISDESK_DATA_DIR", tempfile.mkdtemp())
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs")
    for path in asyncio.run(_save_docs_screenshots(target, "ja")):
        print(path)
