"""The hint is the shortest way up: the better rank that needs the fewest more answers, and
the known answer that blocks it, said as such (issue 10, item 7)."""

from __future__ import annotations

from datetime import date

from isdesk.domain.qualification import evaluate
from isdesk.rules import parse_rules
from tests.unit.test_qualification import HEADER

TODAY = date(2026, 5, 1)


def rules_with(ranks: str):
    return parse_rules(HEADER + "ranks:\n" + ranks, "hint.yaml")


def test_a_farther_rank_that_needs_fewer_answers_is_named() -> None:
    rules = rules_with(
        "  - {rank: A, when: {known: budget}}\n"
        "  - {rank: B, when: {all: [{known: pain}, {known: trial}, {known: product}]}}\n"
        "  - {rank: D, when: always}\n"
    )
    result = evaluate(rules, {}, TODAY)
    assert (result.rank, result.next_rank, result.missing_for_next_rank) == ("D", "A", ("budget",))


def test_on_a_tie_the_nearest_rank_wins() -> None:
    rules = rules_with(
        "  - {rank: A, when: {known: budget}}\n"
        "  - {rank: B, when: {known: pain}}\n"
        "  - {rank: D, when: always}\n"
    )
    result = evaluate(rules, {}, TODAY)
    assert (result.next_rank, result.missing_for_next_rank) == ("B", ("pain",))


def test_a_timing_beyond_the_window_is_named_as_what_blocks() -> None:
    rules = rules_with(
        "  - {rank: A, when: {all: [{within_days: {timing: 30}}, {known: budget}]}}\n"
        "  - {rank: C, when: {known: timing}}\n"
        "  - {rank: D, when: always}\n"
    )
    result = evaluate(rules, {"timing": "2026-12-01"}, TODAY)
    assert (result.rank, result.next_rank) == ("C", "A")
    assert result.blocked_by == (("timing", 30),)
    assert result.missing_for_next_rank == ("timing", "budget")


def test_nothing_blocks_when_asking_is_enough() -> None:
    rules = rules_with(
        "  - {rank: A, when: {within_days: {timing: 30}}}\n  - {rank: D, when: always}\n"
    )
    assert evaluate(rules, {}, TODAY).blocked_by == ()
