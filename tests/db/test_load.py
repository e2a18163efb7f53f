"""Under load: six operator processes answer, log and take leads on one database for a few
seconds — no lost write, no lead given twice, no error (the full run is bench/bench_load.py)."""

from __future__ import annotations

from pathlib import Path

from isdesk.rules import load_rules
from isdesk.store.models import Activity, Answer, Lead
from tests.support.load_operator import OUTBOUND_SOURCE, run_operators, seed, verify

OPERATORS = 6
SECONDS = 8
LEADS = 600
RULES = load_rules()  # the shipped rules: the seeded sources route to team inbound


def test_operators_under_load_lose_nothing(db, db_url: str, tmp_path: Path) -> None:
    names = seed(db, OPERATORS, LEADS)
    run = run_operators(db_url, names, SECONDS, tmp_path / "journals")

    result = verify(db, run, RULES)
    assert result.ok, result.describe()
    assert all(s["errors"] == 0 for s in run.summaries.values())
    working = [s["name"] for s in run.summaries.values() if s["leads"] > 0]
    assert len(working) == OPERATORS, f"only {working} worked: the operators did not overlap"
    spans = [(s["began"], s["ended"]) for s in run.summaries.values()]
    assert max(b for b, _ in spans) < min(e for _, e in spans), "the operators did not overlap"
    counts = result.counts
    assert counts["leads taken"] >= 3 * OPERATORS and counts["answer saves"] > counts["answers"]
    with db.connection_context():
        assert not Lead.select().where(Lead.source == OUTBOUND_SOURCE, Lead.owner.is_null(False))

    # The check itself: a lost activity, an overwritten answer and a lead claimed behind the
    # journals' back are each reported.
    taken = next(e["lead"] for _, e in run.entries if e["op"] == "take")
    lost = next(e["id"] for _, e in run.entries if e["op"] == "activity")
    with db.connection_context():
        answer = Answer.select().where(Answer.lead == taken).first()
        Answer.update(value="書き換え").where(Answer.id == answer.id).execute()
        Activity.delete().where(Activity.id == lost).execute()
        stray = Lead.select(Lead.id).where(Lead.owner.is_null()).first().id
        Lead.update(owner=Lead.select(Lead.owner).where(Lead.id == taken)).where(
            Lead.id == stray
        ).execute()
    problems = "\n".join(verify(db, run, RULES).problems)
    assert f"answer ({taken}, '{answer.item}'): journal" in problems
    assert f"activity {lost} (" in problems and "was lost" in problems
    assert f"lead {stray} is owned by" in problems
