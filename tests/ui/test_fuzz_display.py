"""Customer text on screen: whatever a lead list or an operator typed, the workstation shows it
literally, one terminal line per line, and never sends a control character to the terminal.

Company, contact, title, source, next action, hearing answers and activity notes get very long
text, control characters (NUL, BEL, DEL, ESC sequences such as ``\\x1b[31m``), emoji with ZWJ
sequences and skin tones, combining marks, right-to-left text and Rich markup (``[b]x[/b]``,
``[/]``), through the real app: the queue, the lead screen, its profile and its history.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from isdesk.rules import load_rules
from isdesk.screens.lead import LeadScreen
from isdesk.services.activities import ActivityInput, log_activity
from isdesk.services.leads import save_answer
from isdesk.widgets.lead_table import LeadTable
from tests.support import factories as f
from tests.support.ui import TODAY, make_app, settle, static_text, table_lines

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

SIZE = (120, 40)
OPERATORS = itertools.count()
RULES = load_rules(None)
# What must never reach the terminal: C0 controls, DEL, C1 controls (\x9b is a CSI on its own).
RAW_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
NASTY = [
    "[b]bold[/b] 商事",
    "[/]",
    "[red]赤[/red] [link=https://example.com]link[/link] [@click=app.quit]quit[/]",
    "\x1b[31mred\x1b[0m \x1b]0;title\x07 \x1b[2J",
    "a\x00b\x07c\x08d\x7fe\x9bf",
    "tab\there\rcr\nnewline\x0bvt\x0cff",
    "👩‍👩‍👧‍👦 👍🏽 🇯🇵 🏳️‍🌈 ❤️",
    "e\u0301\u0308 ñ a\u20dd ก\u0e34\u0e49",
    "مرحبا بالعالم שלום עולם",
    "\u202eevil\u202c \u200b\u200d\ufeff",
    "長" * 3000,
    ":smile: {field} %s \\[escaped]",
]
TEXT = st.text(
    st.one_of(
        st.characters(codec="utf-8", exclude_categories=["Cs"]),
        st.sampled_from(
            ["\x1b", "\x00", "\x7f", "[", "]", "/", "\u200d", "\u0301", "👍", "\U0001f3fd", "長"]
        ),
    ),
    min_size=1,
    max_size=60,
)


def assert_terminal_safe(lines: list[str], width: int) -> None:
    for number, line in enumerate(lines):
        assert cell_len(line) == width, (number, line)
        assert not RAW_CONTROL.search(line), (number, line)


def screen_lines(app) -> list[str]:
    """The whole screen as it is sent to the terminal, line by line."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def make_lead(me, text: str, *, owner_text: str | None = None) -> int:
    lead_id = f.lead(
        me,
        company=text,
        contact=text[::-1],
        title=text[:40],
        source=text[:30],
        next_action=text,
        next_action_days=20,
        email="a@example.co.jp",
        phone="03-1234-5678",
    )
    save_answer(me, lead_id, "pain", text, base_version=0, rules=RULES, today=TODAY)
    save_answer(me, lead_id, "timing", text, base_version=0, rules=RULES, today=TODAY)
    log_activity(
        me,
        lead_id,
        ActivityInput(kind="call", outcome="connected", duration_s=75, note=text,
                      next_action=text, next_action_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC)),
    )  # fmt: skip
    return lead_id


def visible(text: str) -> str:
    """A piece of ``text`` that must show as written: its first printable markup-ish run."""
    found = re.search(r"[\[\]/a-z:{}%\\]{3,}", text)
    return found.group(0) if found else ""


async def check_queue_and_lead(app, pilot, lead_ids: list[int], texts: list[str]) -> None:
    await settle(pilot)
    lines = table_lines(app)
    assert len(lines) > 1
    assert_terminal_safe(lines, app.screen.query_one(LeadTable).size.width)
    assert_terminal_safe(screen_lines(app), SIZE[0])
    for text in texts:
        if visible(text) and len(text) < 15:
            assert any(visible(text) in line for line in lines), (text, lines)
    for lead_id, text in zip(lead_ids, texts, strict=True):
        screen = LeadScreen(app.ctx, lead_id)
        await app.push_screen(screen)
        await settle(pilot)
        assert screen.detail is not None, "the lead screen did not load"
        assert_terminal_safe(screen_lines(app), SIZE[0])
        shown = static_text(app, "#profile") + static_text(app, "#history")
        title = static_text(app, "#lead-title")
        part = visible(text)
        if part:
            assert part in shown, (text, shown[:400])
            assert part in title or len(text) > 100, (text, title)
        assert "→" in static_text(app, "#history")  # the answer events render
        app.pop_screen()
        await settle(pilot)


async def test_nasty_text_shows_literally_and_keeps_the_terminal_safe(db) -> None:
    me = f.operator("sato", display="[b]佐藤[/b]")
    lead_ids = [make_lead(me, text) for text in NASTY]
    app = make_app(db, me)
    async with app.run_test(size=SIZE) as pilot:
        await check_queue_and_lead(app, pilot, lead_ids, NASTY)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(TEXT, min_size=1, max_size=3))
def test_generated_text_shows_literally_and_keeps_the_terminal_safe(db, texts) -> None:
    me = f.operator(f"op{next(OPERATORS)}")
    lead_ids = [make_lead(me, text) for text in texts]

    async def scenario() -> None:
        app = make_app(db, me)
        async with app.run_test(size=SIZE) as pilot:
            await check_queue_and_lead(app, pilot, lead_ids[:1], texts[:1])

    asyncio.run(scenario())
