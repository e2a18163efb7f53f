"""Qualification with the default rules and small custom ladders; properties with hypothesis."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from isdesk.domain.qualification import Qualification, evaluate
from isdesk.rules import Rules, load_rules, parse_rules

TODAY = date(2026, 5, 1)
RULES = load_rules()
KEYS = RULES.keys

HEADER = """\
version: 1
hearing:
  - {key: pain, label: {ja: 課題感, en: Pain}, type: text}
  - {key: timing, label: {ja: 導入時期, en: Timing}, type: date}
  - {key: budget, label: {ja: 予算, en: Budget}, type: amount}
  - {key: trial, label: {ja: 試用, en: Trial}, type: yesno}
  - {key: product, label: {ja: 商材, en: Product}, type: choice, choices: [Basic, Pro]}
sql:
  heard_at_least: 3
  required: [budget, pain]
"""


def custom(ranks: str) -> Rules:
    return parse_rules(HEADER + "ranks:\n" + ranks, "custom.yaml")


def rank(answers: dict[str, str], rules: Rules = RULES) -> str:
    return evaluate(rules, answers, TODAY).rank


# --- the documented examples with the default rules -------------------------------------------


def test_six_of_nine_heard_is_sql_and_five_is_not() -> None:
    six = {key: "聞けた" for key in ("pain", "product", "purpose", "current_setup", "team")}
    six["competitors"] = "A社"
    assert evaluate(RULES, six, TODAY).sql is True
    five = dict(list(six.items())[:5])
    result = evaluate(RULES, five, TODAY)
    assert result.sql is False
    assert result.heard == 5 and result.total == 9
    assert result.missing_for_sql == ("budget",)  # the first unheard item in checklist order


def test_timing_within_a_month_and_competitors_known_is_a() -> None:
    result = evaluate(RULES, {"timing": "+20", "competitors": "A社と比較中"}, TODAY)
    assert (result.rank, result.rank_index, result.next_rank) == ("A", 0, None)
    assert result.missing_for_next_rank == ()


def test_timing_exactly_thirty_days_out_is_a_and_thirty_one_is_not() -> None:
    assert rank({"timing": "+30", "competitors": "x"}) == "A"
    assert rank({"timing": "+31", "competitors": "x"}) == "C"


def test_far_timing_is_c() -> None:
    result = evaluate(RULES, {"timing": "2030-01-01"}, TODAY)
    assert result.rank == "C"
    assert result.next_rank == "B"
    assert result.missing_for_next_rank == ("budget", "authority")


def test_nothing_known_is_d_and_timing_is_the_next_question() -> None:
    result = evaluate(RULES, {}, TODAY)
    assert result.rank == "D" and result.rank_index == 3
    assert result.heard == 0 and result.heard_keys == () and result.sql is False
    assert result.next_rank == "C"
    assert result.missing_for_next_rank == ("timing",)
    assert result.missing_for_sql == ("pain", "product", "budget", "timing", "authority",
                                      "competitors")  # fmt: skip


def test_budget_and_authority_is_b_and_a_needs_timing_and_competitors() -> None:
    result = evaluate(RULES, {"budget": "500万", "authority": "情報システム部長"}, TODAY)
    assert result.rank == "B"
    assert result.next_rank == "A"
    assert result.missing_for_next_rank == ("timing", "competitors")


def test_a_past_timing_does_not_make_a() -> None:
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    assert rank({"timing": yesterday, "competitors": "x"}) == "C"


def test_unreadable_timing_is_heard_but_not_within_days() -> None:
    result = evaluate(RULES, {"timing": "そのうち", "competitors": "x"}, TODAY)
    assert result.rank == "C"
    assert result.heard == 2 and result.invalid_keys == ("timing",)


def test_known_timing_too_far_away_names_the_item_to_change() -> None:
    rules = custom(
        "  - {rank: A, when: {within_days: {timing: 30}}}\n"
        "  - {rank: C, when: {known: timing}}\n"
        "  - {rank: D, when: always}\n"
    )
    result = evaluate(rules, {"timing": "2030-01-01"}, TODAY)
    assert (result.rank, result.next_rank) == ("C", "A")
    assert result.missing_for_next_rank == ("timing",)


def test_nothing_can_reach_the_next_rank_gives_an_empty_list() -> None:
    # A needs timing known with fewer than 2 items heard; pain is already heard and answers
    # are never taken back, so with timing and pain known nothing reaches A.
    rules = custom(
        "  - {rank: A, when: {all: [{known: timing}, {not: {heard_at_least: 2}}]}}\n"
        "  - {rank: C, when: {known: timing}}\n"
        "  - {rank: D, when: always}\n"
    )
    result = evaluate(rules, {"timing": "+3", "pain": "x"}, TODAY)
    assert (result.rank, result.next_rank, result.missing_for_next_rank) == ("C", "A", ())


def test_heard_at_least_in_a_rank_asks_just_enough_items() -> None:
    rules = custom(
        "  - {rank: A, when: {all: [{known: budget}, {heard_at_least: 3}]}}\n"
        "  - {rank: D, when: always}\n"
    )
    result = evaluate(rules, {"trial": "はい"}, TODAY)
    assert result.missing_for_next_rank == ("pain", "budget")


def test_equals_conditions_compare_canonical_values() -> None:
    rules = custom(
        "  - {rank: A, when: {all: [{equals: {trial: true}}, {equals: {product: Pro}}]}}\n"
        "  - {rank: B, when: {equals: {budget: 500万}}}\n"
        "  - {rank: D, when: always}\n"
    )
    assert rank({"trial": "はい", "product": "2"}, rules) == "A"
    assert rank({"trial": "いいえ", "product": "pro"}, rules) == "D"
    assert rank({"budget": "5,000,000"}, rules) == "B"
    assert rank({"budget": "5000001"}, rules) == "D"
    result = evaluate(rules, {"budget": "100万"}, TODAY)
    assert (result.next_rank, result.missing_for_next_rank) == ("B", ("budget",))
    result = evaluate(rules, {"trial": "y"}, TODAY)
    assert (result.next_rank, result.missing_for_next_rank) == ("B", ("budget",))


def test_required_items_come_first_in_missing_for_sql() -> None:
    rules = custom("  - {rank: D, when: always}\n")
    result = evaluate(rules, {"timing": "+3", "trial": "n", "product": "1"}, TODAY)
    assert result.heard == 3 and result.sql is False  # enough items but not the required ones
    assert result.missing_for_sql == ("budget", "pain")
    result = evaluate(rules, {"budget": "1億", "trial": "n"}, TODAY)
    assert result.missing_for_sql == ("pain",)
    assert evaluate(rules, {"budget": "1億", "trial": "n", "pain": "x"}, TODAY).sql is True


def test_unknown_keys_and_blank_answers_are_ignored() -> None:
    result = evaluate(RULES, {"timing": "  ", "nickname": "foo", "pain": "\u3000"}, TODAY)
    assert result.heard == 0 and result.rank == "D"


def test_to_json() -> None:
    data = evaluate(RULES, {"timing": "2030-01-01", "pain": "x"}, TODAY).to_json()
    assert data == {
        "rank": "C",
        "rank_index": 2,
        "sql": False,
        "heard": 2,
        "total": 9,
        "heard_keys": ["pain", "timing"],
        "missing_for_sql": ["product", "budget", "authority", "competitors"],
        "next_rank": "B",
        "missing_for_next_rank": ["budget", "authority"],
        "invalid_keys": [],
        "blocked_by": [],
    }


# --- properties ------------------------------------------------------------------------------

answer_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "+3", "+40", "12/22", "2020-01-01", "500万", "はい", "1", "x"]),
)
answers_st = st.dictionaries(
    st.one_of(st.sampled_from(KEYS), st.text(max_size=5)), answer_text, max_size=12
)
days_st = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))


@settings(max_examples=300)
@given(answers=answers_st, today=days_st)
def test_evaluate_never_raises_and_stays_on_the_ladder(
    answers: dict[str, str], today: date
) -> None:
    result = evaluate(RULES, answers, today)
    assert isinstance(result, Qualification)
    assert result.rank == RULES.rank_names[result.rank_index]
    assert result.heard == sum(1 for key in KEYS if answers.get(key, "").strip())
    assert result.heard_keys == tuple(key for key in KEYS if answers.get(key, "").strip())
    assert result.sql == (result.heard >= 6)
    # Only a heard timing can need changing (unreadable, past or too far); the rest is "ask".
    assert set(result.missing_for_next_rank) & set(result.heard_keys) <= {"timing"}
    assert set(result.missing_for_sql).isdisjoint(result.heard_keys)
    assert len(result.missing_for_sql) == max(0, 6 - result.heard)


@given(answers=answers_st, today=days_st)
def test_asking_the_suggested_items_reaches_the_next_rank(
    answers: dict[str, str], today: date
) -> None:
    result = evaluate(RULES, answers, today)
    if result.next_rank is None:
        return
    assert result.missing_for_next_rank  # the defaults are monotone: always reachable
    filled = dict(answers)
    for key in result.missing_for_next_rank:
        filled[key] = "+1" if key == "timing" else "聞けた"
    assert evaluate(RULES, filled, today).rank_index <= result.rank_index - 1


@given(today=days_st, blanks=st.lists(st.sampled_from(["", " ", "\t", "\u3000"]), max_size=9))
def test_floor_when_nothing_is_known(today: date, blanks: list[str]) -> None:
    answers = dict(zip(KEYS, blanks, strict=False))
    result = evaluate(RULES, answers, today)
    assert result.rank == RULES.ranks[-1].rank and result.heard == 0


@given(answers=answers_st, key=st.sampled_from(KEYS), text=answer_text, today=days_st)
def test_answering_an_item_never_lowers_the_rank(
    answers: dict[str, str], key: str, text: str, today: date
) -> None:
    # Holds for the default rules only: they use no `not`, so knowing more can only help.
    if answers.get(key, "").strip():
        return
    before = evaluate(RULES, answers, today)
    after = evaluate(RULES, {**answers, key: text}, today)
    assert after.rank_index <= before.rank_index
    assert after.heard >= before.heard
