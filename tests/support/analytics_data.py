"""Hand-built histories for the analytics tests: leads, events and activities at known times.

Helpers only (no tests here).

Times are given in JST (the default rules' zone) and stored as UTC, as isdesk stores them.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from isdesk.services.operators import add_operator
from isdesk.store.models import Activity, Campaign, Lead, LeadEvent, Touch
from isdesk.store.pipeline import Handoff

JST = ZoneInfo("Asia/Tokyo")


def jst(y: int, m: int, d: int, h: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, minute, tzinfo=JST).astimezone(dt.UTC)


class Builder:
    """Creates rows; call inside ``db.connection_context()``."""

    def __init__(self) -> None:
        self.sato = add_operator("sato", team="inbound", role="operator", display_name="佐藤")
        self.kato = add_operator("kato", team="outbound", role="operator", display_name="加藤")
        self.field = add_operator("mori", team="field", role="field", display_name="森")

    def lead(
        self,
        acquired: dt.datetime,
        *,
        source: str = "資料請求",
        campaign: int | None = None,
        company: str = "株式会社テスト",
        owner=None,
        status: str = "open",
        stage: str = "list",
        extra: str = "{}",
    ) -> int:
        owner = owner or self.sato
        row = Lead.create(
            company=company,
            source=source,
            campaign=campaign,
            owner=owner.id,
            acquired_at=acquired,
            status=status,
            stage=stage,
            extra=extra,
        )
        self.event(row.id, acquired, "created", new=source)
        self.event(row.id, acquired, "owner", old="", new=owner.name)
        return row.id

    def event(self, lead, at, kind, *, old="", new="", field="", actor=None) -> None:
        LeadEvent.create(
            lead=lead,
            at=at,
            kind=kind,
            field=field,
            old_value=old,
            new_value=new,
            actor=(actor or self.sato).id,
        )

    def act(self, lead, at, kind, *, op=None, outcome="", note="", voice=False) -> None:
        Activity.create(
            lead=lead,
            operator=(op or self.sato).id,
            at=at,
            kind=kind,
            outcome=outcome,
            note=note,
            customer_voice=voice,
        )

    def stage(self, lead, at, old, new, actor=None) -> None:
        self.event(lead, at, "stage", old=old, new=new, actor=actor)

    def status(self, lead, at, old, new, actor=None) -> None:
        self.event(lead, at, "status", old=old, new=new, actor=actor)

    def sql(self, lead, at, actor=None) -> None:
        self.event(lead, at, "sql", old="false", new="true", actor=actor)

    def hand_off(self, lead, at, actor=None) -> None:
        """As isdesk.services.handoff writes it: the hand-off row, its events, the moves."""
        actor = actor or self.sato
        Handoff.create(
            lead=lead, from_operator=actor.id, to_user=self.field.id, note="BANT", created_at=at
        )
        self.event(lead, at, "handoff", field="sent", new="mori", actor=actor)
        self.status(lead, at, "open", "handed_off", actor=actor)
        self.stage(lead, at, "list", "proposal", actor=actor)
        self.event(lead, at, "owner", old=actor.name, new="mori", actor=actor)

    @staticmethod
    def campaign(name: str, kind: str, held: dt.date) -> int:
        return Campaign.create(name=name, kind=kind, held_on=held).id

    @staticmethod
    def touch(lead: int, at: dt.datetime, campaign: int | None, kind: str = "return") -> None:
        Touch.create(lead=lead, at=at, campaign=campaign, kind=kind)
