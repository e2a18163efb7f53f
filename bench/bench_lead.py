"""The lead screen while typing, at 100,000 leads, against a bare Textual Input in the same run.

    python -m bench.bench_lead [--leads 100000] [--keys 60]

1. keypress → rank badge updated: from the key being sent (Pilot) to the qualification panel
   showing the rank recomputed from the new text (same frame as the key);
2. keypress → saved: to the answer's ✓ (the text on screen is in the database);
3. the baseline: a bare Textual app with one Input, keypress → its Changed handler ran.
Writes bench/results/lead.md and prints it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ME = "bench.me"
SIZE = (120, 40)


def _stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


async def _bare_input(keys: int) -> list[float]:
    """A Textual app with one Input: keypress → Input.Changed handled."""
    from textual.app import App, ComposeResult
    from textual.widgets import Input

    seen: list[float] = []

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Input(id="bare")

        def on_input_changed(self, event: Input.Changed) -> None:
            seen.append(time.perf_counter())

    times = []
    app = Bare()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for n in range(keys):
            before = len(seen)
            start = time.perf_counter()
            await pilot.press("x" if n % 2 == 0 else "backspace")
            while len(seen) == before:
                await asyncio.sleep(0.0005)
            times.append(seen[-1] - start)
    return times


async def _lead_screen(db, me, lead_id: int, keys: int) -> tuple[list[float], list[float]]:
    from isdesk.app import IsdeskApp
    from isdesk.rules import load_rules
    from isdesk.screens.lead import LeadScreen
    from isdesk.services.context import WorkContext
    from isdesk.widgets.hearing import HearingChecklist
    from isdesk.widgets.qualification import QualificationPanel

    shown: list[float] = []
    original = QualificationPanel.show

    def timed_show(self, qual, rules) -> None:
        original(self, qual, rules)
        shown.append(time.perf_counter())

    QualificationPanel.show = timed_show  # type: ignore[method-assign]
    app = IsdeskApp(WorkContext(db=db, rules=load_rules(None), actor=me))
    badge, saved = [], []
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        screen = LeadScreen(app.ctx, lead_id)
        await app.push_screen(screen)
        while not screen.query(HearingChecklist):
            await asyncio.sleep(0.01)
        await pilot.pause()
        field = screen.query_one(HearingChecklist).field("pain")
        await pilot.press("alt+1")
        for n in range(keys):
            before = len(shown)
            start = time.perf_counter()
            await pilot.press("x" if n % 2 == 0 else "backspace")
            while len(shown) == before:
                await asyncio.sleep(0.0005)
            badge.append(shown[-1] - start)
            while not field.has_class("-saved"):
                await asyncio.sleep(0.0005)
            saved.append(time.perf_counter() - start)
    QualificationPanel.show = original  # type: ignore[method-assign]
    return badge, saved


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--keys", type=int, default=60)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="isdesk-bench-lead-"))
    os.environ["ISDESK_DATA_DIR"] = str(workdir)
    from isdesk.demo import build_demo
    from isdesk.rules import load_rules
    from isdesk.services.operators import find_operator
    from isdesk.store.db import open_database
    from isdesk.store.models import Lead
    from isdesk.store.schema import upgrade

    url = f"sqlite:///{workdir / 'lead.sqlite3'}"
    db = open_database(url)
    upgrade(db)
    start = time.perf_counter()
    build_demo(leads=args.leads, seed=7, me=ME, rules=load_rules(None))
    built = time.perf_counter() - start
    me = find_operator(ME)
    assert me is not None
    with db.connection_context():
        total = Lead.select().count()
        lead_id = (
            Lead.select(Lead.id)
            .where((Lead.owner == me.id) & (Lead.status == "open"))
            .order_by(Lead.id)
            .scalar()
        )
    assert lead_id is not None, "the demo gave bench.me no open lead"

    bare = asyncio.run(_bare_input(args.keys))
    badge, saved = asyncio.run(_lead_screen(db, me, lead_id, args.keys))
    bare_m, bare_p = _stats(bare)
    badge_m, badge_p = _stats(badge)
    saved_m, saved_p = _stats(saved)
    frame = 1 / 60
    lines = [
        f"# Lead screen benchmark ({total:,} leads, SQLite)",
        "",
        f"- demo build: {built:.1f} s; {args.keys} keystrokes each, typed into item 1 "
        "(a character, then backspace)",
        "",
        "| measure | isdesk median (p95) | bare Textual Input median (p95) | ratio |",
        "|---|---|---|---|",
        f"| keypress → rank badge updated | {badge_m * 1000:.1f} ms ({badge_p * 1000:.1f}) "
        f"| keypress → Input.Changed {bare_m * 1000:.1f} ms ({bare_p * 1000:.1f}) "
        f"| {badge_m / bare_m:.2f}× |",
        f"| keypress → saved (✓: the text on screen is in the database) | "
        f"{saved_m * 1000:.1f} ms ({saved_p * 1000:.1f}) | keypress → Input.Changed "
        f"{bare_m * 1000:.1f} ms | {saved_m / bare_m:.2f}× |",
        "",
        f"One frame at 60 Hz is {frame * 1000:.1f} ms: the badge "
        + ("is" if badge_m <= frame else "is NOT")
        + " updated within it (median).",
        "",
        f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, load average "
        f"{os.getloadavg()[0]:.1f} at the end.",
    ]
    out = "\n".join(lines) + "\n"
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "lead.md").write_text(out, encoding="utf-8")
    print(out)


if __name__ == "__main__":
    main()
