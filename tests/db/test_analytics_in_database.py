"""Reports grouped by the database give exactly the figures of the replay in Python.

``History(in_database=True)`` (what every screen and command uses) counts where the data is;
``History(in_database=False)`` reads the history into Python and replays it, the reference.
Both run over the same demo (a year and more of generated activity, with hand-offs, orders,
returns and imports) plus the hand-built edge cases, on SQLite and PostgreSQL, at as_of now and
at a past day, for every split of every report that has a grouped path; compared as JSON.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from isdesk.analytics import History, build_report
from isdesk.analytics.history import local_midnight
from isdesk.analytics.render import render_json
from isdesk.demo.build import build_demo
from isdesk.rules import load_rules
from tests.db.test_analytics_history import _build_edges, _same_builder
from tests.db.test_analytics_reports import _build_mixed
from tests.support.analytics_data import jst

RULES = load_rules(None)
TODAY = dt.date(2026, 11, 20)

CASES = [
    *(("periods", {"by": by, "per": per}) for by in ("month", "quarter", "year")
      for per in ("none", "operator", "team", "source", "campaign", "segment")),
    ("periods", {"by": "month", "per": "operator", "start": dt.date(2026, 5, 10),
                 "end": dt.date(2026, 8, 20)}),
    ("cohorts", {}),
    ("cohorts", {"months": 3, "first": dt.date(2025, 10, 1), "last": dt.date(2026, 9, 1)}),
    ("cohorts", {"months": 0}),
    ("campaigns", {}),
    ("campaigns", {"start": dt.date(2026, 3, 1), "end": dt.date(2026, 9, 30)}),
    ("funnel", {}),
]  # fmt: skip


@pytest.fixture
def demo_history(db):
    with db.connection_context():
        build_demo(leads=900, seed=7, today=TODAY, rules=RULES)
        _build_mixed()
        b = _same_builder()
        _build_edges(b)
        # Lost after a hand-off, twice handed off (credited to the later sender), and a
        # status change to handed_off while already handed off (not a second hand-off).
        lost = b.lead(jst(2026, 4, 3), source="Web")
        b.sql(lost, jst(2026, 4, 10), actor=b.sato)
        b.event(lost, jst(2026, 4, 10, 15), "sql", old="true", new="false", actor=b.sato)
        b.sql(lost, jst(2026, 4, 10, 16), actor=b.sato)  # again in the month: counted once
        b.hand_off(lost, jst(2026, 4, 11), actor=b.sato)
        b.status(lost, jst(2026, 5, 1), "handed_off", "open", actor=b.field)
        b.hand_off(lost, jst(2026, 5, 20), actor=b.kato)
        b.status(lost, jst(2026, 5, 21), "handed_off", "handed_off", actor=b.kato)
        b.status(lost, jst(2026, 6, 2), "handed_off", "lost", actor=b.field)
    return db


def _json(history: History, kind: str, options: dict) -> object:
    return json.loads(render_json(build_report(kind, history, **options)))


@pytest.mark.parametrize("as_of", [None, dt.date(2026, 7, 1)], ids=["now", "past"])
def test_grouped_reports_match_the_replay(demo_history, as_of) -> None:
    moment = local_midnight(as_of, RULES) if as_of else local_midnight(TODAY, RULES)
    with demo_history.connection_context():
        grouped = History(RULES, moment)
        replayed = History(RULES, moment, in_database=False)
        for kind, options in CASES:
            expected = _json(replayed, kind, options)
            assert _json(grouped, kind, options) == expected, (kind, options)


def test_the_demo_has_every_measure(demo_history) -> None:
    """The comparison above means something only if the data fills every measure."""
    with demo_history.connection_context():
        report = build_report("periods", History(RULES, local_midnight(TODAY, RULES)))
    totals = {m: sum(getattr(r, m) for r in report.totals)
              for m in ("leads", "contacts", "reached", "appointments", "sqls", "handoffs",
                        "orders", "rejected", "lost", "order_value")}  # fmt: skip
    assert all(totals.values()), totals
