"""The lead's history reads as people talk: labels and names, never the ids stored."""

from __future__ import annotations

import datetime as dt

import pytest

from isdesk.screens.lead import LeadScreen
from isdesk.store.models import Activity, LeadEvent
from tests.support import factories as f
from tests.support.ui import SIZE, make_app, settle, static_text


def _events(lead_id: int, actor_id: int) -> None:
    at = f.BASE - dt.timedelta(days=3)

    def event(kind: str, old: str, new: str, hours: int) -> None:
        LeadEvent.create(
            lead=lead_id,
            actor=actor_id,
            at=at + dt.timedelta(hours=hours),
            kind=kind,
            old_value=old,
            new_value=new,
        )

    event("status", "handed_off", "nurturing", 1)
    event("owner", "sato", "suzuki", 2)  # owner events record logins
    event("sql", "false", "true", 3)
    LeadEvent.create(  # hand-off events also name logins
        lead=lead_id, actor=actor_id, at=at + dt.timedelta(hours=4), kind="handoff",
        field="rejected", old_value="sato", new_value="timing", note="来期に再検討",
    )  # fmt: skip
    Activity.create(lead=lead_id, operator=actor_id, at=at, kind="call", duration_s=876)


@pytest.mark.parametrize(
    ("language", "wanted", "raw"),
    [
        (
            "ja",
            [
                "状態 トスアップ済 → ナーチャリング",
                "担当 佐藤 → 鈴木",
                "SQL化",
                "14分36秒",
                "トスアップ差し戻し: 時期尚早 (ナーチャリングへ) 来期に再検討",
            ],
            ["handed_off", "nurturing", "sato", "true", "14:36", "handoff", "timing"],
        ),
        (
            "en",
            [
                "Status Handed off → Nurturing",
                "Owner 佐藤 → 鈴木",
                "Became an SQL",
                "14m36s",
                "Hand-off sent back: Timing (back to nurturing)",
            ],
            ["handed_off", "sato", "true", "14:36", "handoff ", "timing "],
        ),
    ],
)
async def test_the_timeline_shows_labels_and_names(db, language, wanted, raw) -> None:
    me = f.operator("sato", display="佐藤")
    f.operator("suzuki", display="鈴木")
    lead_id = f.lead(me)
    with db.connection_context():
        _events(lead_id, me.id)
    app = make_app(db, me, language=language)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.push_screen(LeadScreen(app.ctx, lead_id))
        await settle(pilot)
        history = static_text(app, "#history")
    for text in wanted:
        assert text in history
    for text in raw:
        assert text not in history
