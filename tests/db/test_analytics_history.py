"""History's grouped queries give what replaying the history gives, on SQLite and PostgreSQL.

Reports that need no stays (funnel, campaigns, cohorts) read a lead's first SQL, the stages it
reached and its campaign's counts from grouped queries instead of the replay; these tests hold
both ways of reading them to the same figures, edge cases included.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from isdesk.analytics import History
from isdesk.analytics.history import local_midnight
from isdesk.rules import load_rules
from isdesk.store.models import Operator
from tests.db.test_analytics_reports import _build_mixed
from tests.support.analytics_data import Builder, jst

RULES = load_rules(None)
AS_OF = local_midnight(dt.date(2026, 10, 1), RULES)


def _same_builder() -> Builder:
    """A Builder over the operators _build_mixed already added."""
    b = Builder.__new__(Builder)
    names = {op.name: op for op in Operator.select()}
    b.sato, b.kato, b.field = names["sato"], names["kato"], names["mori"]
    return b


def _build_edges(b: Builder) -> tuple[int, int]:
    """Two leads with the same pipeline; the second also has events that change nothing."""
    plain = b.lead(jst(2026, 3, 2), source="展示会")
    noisy = b.lead(jst(2026, 3, 2), source="展示会")
    for lead in (plain, noisy):
        b.sql(lead, jst(2026, 3, 5))
        b.hand_off(lead, jst(2026, 3, 6))
        b.stage(lead, jst(2026, 4, 1), "proposal", "order", actor=b.field)
    b.event(noisy, jst(2026, 3, 4), "sql", old="true", new="false")
    b.event(noisy, jst(2026, 3, 7), "handoff", field="accepted", new="mori")
    b.stage(noisy, jst(2026, 3, 8), "proposal", "no-such-stage")
    b.event(noisy, jst(2026, 3, 9), "answer", field="budget", new="500万円")
    late = b.lead(jst(2026, 11, 2))  # acquired after as_of, with an event before it
    b.sql(late, jst(2026, 9, 1))
    b.stage(late, jst(2026, 9, 1), "list", "proposal")
    return plain, noisy


def test_grouped_queries_give_what_the_replay_gives(db) -> None:
    with db.connection_context():
        _build_mixed()
        _build_edges(_same_builder())
        grouped = History(RULES, AS_OF)
        replayed = History(RULES, AS_OF)
        timelines = replayed.timelines
        acquired = grouped.acquired
        assert acquired == {lead.id: lead.acquired for lead in replayed.leads}

        def mine(d: dict[int, int]) -> dict[int, int]:
            return {lead: at for lead, at in d.items() if lead in acquired}

        tl = {lead: replayed.timeline_of(lead, at) for lead, at in acquired.items()}
        assert mine(grouped.first_sql) == {
            lead: t.first_sql for lead, t in tl.items() if t.first_sql is not None
        }
        assert replayed.first_sql == mine(grouped.first_sql)  # read from the timelines
        for stage in range(len(RULES.stages.keys)):
            expected = {lead: t.reached[stage] for lead, t in tl.items() if t.reached[stage]}
            assert mine(grouped.reached_at(stage)) == expected
            assert replayed.reached_at(stage) == {
                k: v for k, v in expected.items() if k in timelines
            } | (acquired if stage == 0 else {})

        sources = grouped.sources
        furthest = Counter(
            (sources[lead], max(i for i, at in enumerate(t.reached) if at is not None))
            for lead, t in tl.items()
        )
        got = Counter({(source, top): n for source, top, n in grouped.furthest_by_source()})
        assert got == furthest and sum(got.values()) == len(acquired)
        lo = int(local_midnight(dt.date(2026, 4, 1), RULES).timestamp())
        hi = int(local_midnight(dt.date(2026, 6, 1), RULES).timestamp())
        inside = Counter(
            (sources[lead], max(i for i, at in enumerate(t.reached) if at is not None))
            for lead, t in tl.items()
            if lo <= acquired[lead] < hi
        )
        assert Counter({(s, top): n for s, top, n in grouped.furthest_by_source(lo, hi)}) == inside

        first_touch = replayed.first_touch_campaign
        contact, appointment = replayed.first_contact, replayed.first_appointment
        reach = replayed.first_reach
        counts: dict[int, list[int]] = {}
        for lead, t in tl.items():
            cid = first_touch.get(lead)
            if cid is not None:
                row = counts.setdefault(cid, [0] * 6)
                row[0] += 1
                row[1] += lead in contact
                row[2] += lead in reach
                row[3] += lead in appointment
                row[4] += t.first_sql is not None
                row[5] += t.reached[-1] is not None
        assert counts and grouped.campaign_counts() == {k: tuple(v) for k, v in counts.items()}


def test_the_replay_ignores_events_that_change_nothing(db) -> None:
    with db.connection_context():
        b = Builder()
        plain, noisy = _build_edges(b)
        h = History(RULES, AS_OF)
        one, two = h.timelines[plain], h.timelines[noisy]
        assert two._replace(lead=plain) == one
        assert [(s.stage, s.outcome) for s in one.stays] == [(0, "moved"), (1, "moved")]
        assert (one.stage, one.status) == (len(RULES.stages.keys) - 1, "handed_off")
        assert [x.lead for x in h.sql_events] == [plain, noisy]
        assert [x.lead for x in h.handoffs] == [plain, noisy]
        assert [x.lead for x in h.orders] == [plain, noisy]
        assert all(x.lead in h.acquired for x in (*h.sql_events, *h.orders))
