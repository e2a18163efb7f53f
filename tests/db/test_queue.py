"""The work queue's order, filter and scopes, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from isdesk.services.queue import (
    QueueQuery,
    QueueScope,
    count_queue,
    next_lead_to_work,
    queue_page,
)
from tests.support import factories as f

NOW = f.BASE  # "now" for the queue: leads with next_action_days < 0 are overdue


def _ids(query: QueueQuery) -> list[int]:
    return [r.id for r in queue_page(query, 0, 1000)]


def test_overdue_first_then_new_in_arrival_order_then_by_next_action(db) -> None:
    me = f.operator("sato")
    other = f.operator("suzuki")
    later = f.lead(me, company="later", acquired_days=-30, last_touch_days=-2, next_action_days=5)
    soon = f.lead(me, company="soon", acquired_days=-20, last_touch_days=-2, next_action_days=1)
    new_old = f.lead(me, company="new-old", acquired_days=-3)
    new_recent = f.lead(me, company="new-recent", acquired_days=-1)
    overdue_recent = f.lead(
        me, company="od2", acquired_days=-40, last_touch_days=-5, next_action_days=-1
    )
    overdue_old = f.lead(
        me, company="od1", acquired_days=-50, last_touch_days=-9, next_action_days=-4
    )
    touched_no_plan = f.lead(me, company="touched", acquired_days=-60, last_touch_days=-10)
    f.lead(other, company="not mine", acquired_days=-70, next_action_days=-10)
    f.lead(me, company="closed", acquired_days=-80, next_action_days=-10, status="won")

    order = _ids(QueueQuery(actor=me, now=NOW))

    assert order[:2] == [overdue_old, overdue_recent]
    assert order[2:4] == [new_old, new_recent]
    # The rest by next action; a touched lead with no next action sorts by its arrival.
    assert order[4:] == [touched_no_plan, soon, later]
    assert next_lead_to_work(me, now=NOW) == overdue_old
    rows = {r.id: r for r in queue_page(QueueQuery(actor=me, now=NOW), 0, 100)}
    assert rows[overdue_old].overdue and not rows[soon].overdue
    assert rows[new_old].new and not rows[touched_no_plan].new


def test_pages_are_contiguous_and_count_matches(db) -> None:
    me = f.operator("sato")
    ids = [f.lead(me, company=f"c{i}", acquired_days=-i) for i in range(250)]
    query = QueueQuery(actor=me, now=NOW)
    assert count_queue(query) == 250
    paged = [r.id for start in (0, 100, 200) for r in queue_page(query, start, 100)]
    assert paged == list(reversed(ids))  # all new: oldest arrival first


def test_filter_matches_full_width_half_width_and_case(db) -> None:
    me = f.operator("sato")
    abc = f.lead(me, company="ＡＢＣ商事株式会社", contact="山田 太郎")
    kana = f.lead(me, company="ｶﾌﾞｼｷｶﾞｲｼｬ サクラ", contact="佐々木", phone="03-1234-5678")
    f.lead(me, company="株式会社ミライ", contact="田中", email="tanaka@mirai.example")

    def find(text: str) -> list[int]:
        return _ids(QueueQuery(actor=me, text=text, now=NOW))

    assert find("abc") == [abc]
    assert find("ABC 商事") == [abc]  # spaces ignored, full width folded
    assert find("カブシキ") == [kana]
    assert find("1234") == [kana]
    assert find("MIRAI.EXAMPLE") != []
    assert find("山田") == [abc]
    assert find("存在しない") == []


def test_filter_treats_like_wildcards_literally(db) -> None:
    me = f.operator("sato")
    percent = f.lead(me, company="100%商事")
    f.lead(me, company="1000商事")
    f.lead(me, company="a_b")
    assert _ids(QueueQuery(actor=me, text="100%", now=NOW)) == [percent]
    assert _ids(QueueQuery(actor=me, text="%", now=NOW)) == [percent]
    assert len(_ids(QueueQuery(actor=me, text="_", now=NOW))) == 1


def test_scopes_unassigned_and_team(db) -> None:
    lead_role = f.operator("boss", team="inbound", role="lead")
    mate = f.operator("sato", team="inbound")
    outsider = f.operator("kato", team="outbound")
    mine = f.lead(mate)
    boss_own = f.lead(lead_role)
    f.lead(outsider)
    free = f.lead(None)

    assert _ids(QueueQuery(actor=mate, scope=QueueScope.UNASSIGNED, now=NOW)) == [free]
    team = set(_ids(QueueQuery(actor=lead_role, scope=QueueScope.TEAM, now=NOW)))
    assert team == {mine, boss_own}
    # An operator asking for the team view only ever sees their own leads.
    assert _ids(QueueQuery(actor=mate, scope=QueueScope.TEAM, now=NOW)) == [mine]


def test_times_compare_in_utc_whatever_the_offset(db) -> None:
    me = f.operator("sato")
    jst = dt.timezone(dt.timedelta(hours=9))
    lead = f.lead(me, last_touch_days=-1, next_action_days=-0.01)
    now_jst = NOW.astimezone(jst)
    (row,) = queue_page(QueueQuery(actor=me, now=now_jst), 0, 10)
    assert row.id == lead and row.overdue
