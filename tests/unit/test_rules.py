"""Loading rules.yaml: the shipped defaults, and strict errors with file, line and key path."""

from __future__ import annotations

import subprocess
import sys
import timeit
from pathlib import Path

import pytest

from isdesk.rules import DEFAULT_RULES, RulesError, load_rules, parse_rules
from isdesk.rules.conditions import AllOf, Always, Equals, Known, WithinDays

ROOT = Path(__file__).resolve().parents[2]

# A small valid file; each broken case below changes one thing. Lines, for reading the tests:
#  1 version  3 - key: pain  6 - key: timing  9 - key: budget  12 - key: product  16 sql
# 17 heard_at_least  18 ranks  19 - rank: A  20 when  21 - rank: C  22 when  23 - rank: D  24 when
BASE = """\
version: 1
hearing:
  - key: pain
    label: {ja: 課題感, en: Pain}
    type: text
  - key: timing
    label: {ja: 導入時期, en: Timing}
    type: date
  - key: budget
    label: {ja: 予算, en: Budget}
    type: amount
  - key: product
    label: {ja: 商材, en: Product}
    type: choice
    choices: [Basic, Pro]
sql:
  heard_at_least: 2
ranks:
  - rank: A
    when: {within_days: {timing: 30}}
  - rank: C
    when: {known: timing}
  - rank: D
    when: always
"""


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the nth line containing `needle` (independent of the code under test)."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[nth - 1]


def broken(tmp_path: Path, text: str) -> RulesError:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    error = caught.value
    assert error.file == str(path)
    assert str(error).startswith(f"{path}:{error.line}: {error.key}: ")
    return error


def edit(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new, 1)


# --- the shipped defaults --------------------------------------------------------------------


def test_default_rules_are_the_documented_ones() -> None:
    rules = load_rules()
    assert rules.version == 1
    assert rules.keys == (
        "pain", "product", "budget", "timing", "authority",
        "competitors", "purpose", "current_setup", "team",
    )  # fmt: skip
    types = {item.key: item.type for item in rules.hearing}
    assert types["pain"] == "text" and rules.item("pain").bant == "N"
    assert types["budget"] == "amount" and rules.item("budget").bant == "B"
    assert types["timing"] == "date" and rules.item("timing").bant == "T"
    assert types["authority"] == "text" and rules.item("authority").bant == "A"
    assert rules.item("team").label.ja == "検討体制"
    assert rules.sql.heard_at_least == 6 and rules.sql.required == ()
    assert rules.rank_names == ("A", "B", "C", "D")
    assert rules.ranks[0].when == AllOf((WithinDays("timing", 30), Known("competitors")))
    assert rules.ranks[1].when == AllOf((Known("budget"), Known("authority")))
    assert rules.ranks[2].when == Known("timing")
    assert rules.ranks[3].when == Always()
    assert all(item.label.ja and item.label.en and item.hint for item in rules.hearing)


def test_default_rules_load_fast() -> None:
    # The lead screen and every CLI command load the rules; keep it well under 50 ms.
    load_rules()  # imports and the time zone file, once
    best = min(timeit.repeat(load_rules, number=1, repeat=5))
    assert best < 0.025, f"load_rules() took {best * 1000:.1f} ms"


def test_root_rules_yaml_is_the_packaged_default_byte_for_byte() -> None:
    assert (ROOT / "rules.yaml").read_bytes() == DEFAULT_RULES.read_bytes()


def test_core_modules_do_not_import_textual_or_peewee() -> None:
    code = (
        "import sys, isdesk.rules, isdesk.domain.answers, isdesk.domain.qualification, "
        "isdesk.domain.kpi; "
        "bad = {'textual', 'peewee'} & set(sys.modules); assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_load_rules_reads_a_given_path(tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(BASE, encoding="utf-8")
    rules = load_rules(path)
    assert rules.source == str(path)
    assert rules.item("product").choices == ("Basic", "Pro")


def test_yaml_words_stay_text_in_text_fields() -> None:
    # YAML 1.1 reads `no` as false and `2024` as a number; labels must keep what was written.
    rules = parse_rules(edit("{ja: 商材, en: Product}", "{ja: 2024, en: no}"), "r.yaml")
    assert rules.item("product").label.ja == "2024" and rules.item("product").label.en == "no"


def test_equals_values_are_read_as_canonical_values() -> None:
    text = edit(
        "  - rank: C\n",
        "  - rank: B\n    when: {any: [{equals: {budget: 500万}}, {equals: {product: pro}}]}\n"
        "  - rank: C\n",
    )
    rules = parse_rules(text, "r.yaml")
    assert rules.ranks[1].when.conditions == (  # type: ignore[union-attr]
        Equals("budget", 5_000_000),
        Equals("product", "Pro"),
    )


# --- broken files: every message names file, exact line, key path, and the fix ----------------


def test_yaml_syntax_error_has_the_line(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("  heard_at_least: 2", "\theard_at_least: 2"))
    assert (error.line, error.key) == (17, "(yaml)")
    assert "YAML syntax error" in error.message and "check the indentation" in error.message


def test_unclosed_flow_mapping_is_a_syntax_error(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("{ja: 予算, en: Budget}", "{ja: 予算, en: Budget"))
    assert error.key == "(yaml)" and error.line in (10, 11)


def test_empty_file(tmp_path: Path) -> None:
    error = broken(tmp_path, "# nothing yet\n")
    assert "empty" in error.message and "version: 1" in error.message


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    error = broken(tmp_path, "- a\n- b\n")
    assert (error.line, error.key) == (1, "(document)")
    assert "mapping" in error.message


def test_duplicate_key(tmp_path: Path) -> None:
    error = broken(
        tmp_path, edit("  heard_at_least: 2\n", "  heard_at_least: 2\n  heard_at_least: 3\n")
    )
    assert (error.line, error.key) == (18, "sql.heard_at_least")
    assert "duplicate key" in error.message and "first at line 17" in error.message
    assert "remove" in error.message


def test_duplicate_top_level_section(tmp_path: Path) -> None:
    error = broken(tmp_path, BASE + "sql:\n  heard_at_least: 1\n")
    assert (error.line, error.key) == (25, "sql")
    assert "duplicate key" in error.message


def test_unknown_key_suggests_the_spelling(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("    label: {ja: 課題感", "    lable: {ja: 課題感"))
    assert (error.line, error.key) == (4, "hearing[0].lable")
    assert "unknown key 'lable'" in error.message and "did you mean 'label'" in error.message


def test_unknown_section(tmp_path: Path) -> None:
    error = broken(tmp_path, BASE + "kpis:\n  monthly_sql: 10\n")
    assert (error.line, error.key) == (25, "kpis")
    assert "unknown section 'kpis'" in error.message and "remove it" in error.message


def test_misspelt_section_suggests_the_known_one(tmp_path: Path) -> None:
    error = broken(tmp_path, BASE + "calender:\n  timezone: UTC\n")
    assert (error.line, error.key) == (25, "calender")
    assert "did you mean 'calendar'" in error.message


def test_missing_version(tmp_path: Path) -> None:
    error = broken(tmp_path, BASE.replace("version: 1\n", ""))
    assert (error.line, error.key) == (1, "version")
    assert "version: 1" in error.message


def test_unsupported_version(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("version: 1", "version: 2"))
    assert (error.line, error.key) == (1, "version")
    assert "unsupported version 2" in error.message and "version: 1" in error.message


def test_wrong_type_text_for_a_number(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("heard_at_least: 2", 'heard_at_least: "six"'))
    assert (error.line, error.key) == (17, "sql.heard_at_least")
    assert "expected a whole number" in error.message and "e.g. 6" in error.message


def test_bool_is_not_a_number(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("heard_at_least: 2", "heard_at_least: true"))
    assert (error.line, error.key) == (17, "sql.heard_at_least")
    assert "true/false are not numbers" in error.message


def test_negative_days(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("{timing: 30}", "{timing: -1}"))
    assert (error.line, error.key) == (20, "ranks[0].when.within_days.timing")
    assert "must be 0 or more" in error.message


def test_heard_at_least_above_the_item_count(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("heard_at_least: 2", "heard_at_least: 5"))
    assert (error.line, error.key) == (17, "sql.heard_at_least")
    assert "only 4 items" in error.message and "lower it" in error.message


def test_sql_required_unknown_key(tmp_path: Path) -> None:
    error = broken(
        tmp_path, edit("  heard_at_least: 2\n", "  heard_at_least: 2\n  required: [pain, bugdet]\n")
    )
    assert (error.line, error.key) == (18, "sql.required[1]")
    assert "unknown hearing item 'bugdet'" in error.message and "'budget'" in error.message


def test_bad_item_key(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("key: pain", "key: Pain-Point"))
    assert (error.line, error.key) == (3, "hearing[0].key")
    assert "lower-case" in error.message


def test_duplicate_item_key(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("key: budget", "key: pain"))
    assert (error.line, error.key) == (9, "hearing[2].key")
    assert "duplicate item key 'pain' (first at line 3)" in error.message


def test_unknown_item_type(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("type: amount", "type: money"))
    assert (error.line, error.key) == (11, "hearing[2].type")
    assert "unknown item type 'money'" in error.message and "amount" in error.message


def test_missing_required_item_field(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("    type: text\n", ""))
    assert (error.line, error.key) == (3, "hearing[0].type")
    assert "missing 'type'" in error.message


def test_choices_missing_for_a_choice_item(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("    choices: [Basic, Pro]\n", ""))
    assert (error.line, error.key) == (12, "hearing[3].choices")
    assert "needs `choices: [...]`" in error.message


def test_choices_on_a_non_choice_item(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("    type: text\n", "    type: text\n    choices: [a, b]\n"))
    assert (error.line, error.key) == (6, "hearing[0].choices")
    assert "only for `type: choice`" in error.message


def test_empty_choices(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("choices: [Basic, Pro]", "choices: []"))
    assert (error.line, error.key) == (15, "hearing[3].choices")
    assert "empty" in error.message


def test_duplicate_choices(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("choices: [Basic, Pro]", "choices: [Basic, Pro, basic]"))
    assert (error.line, error.key) == (15, "hearing[3].choices[2]")
    assert "duplicate choice" in error.message


def test_bad_bant_letter(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("    type: amount\n", "    type: amount\n    bant: X\n"))
    assert (error.line, error.key) == (12, "hearing[2].bant")
    assert "B, A, N, T" in error.message


def test_label_missing_english(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("{ja: 予算, en: Budget}", "{ja: 予算}"))
    assert (error.line, error.key) == (10, "hearing[2].label.en")
    assert "missing 'en'" in error.message


def test_unknown_item_in_a_nested_condition(tmp_path: Path) -> None:
    text = edit("{within_days: {timing: 30}}", "{all: [{known: pain}, {known: timng}]}")
    error = broken(tmp_path, text)
    assert (error.line, error.key) == (20, "ranks[0].when.all[1].known")
    assert "unknown hearing item 'timng'" in error.message and "'timing'" in error.message


def test_within_days_on_a_non_date_item(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("{timing: 30}", "{budget: 30}"))
    assert (error.line, error.key) == (20, "ranks[0].when.within_days.budget")
    assert "needs a date item" in error.message


@pytest.mark.parametrize(
    ("condition", "key", "expected"),
    [
        ("{equals: {budget: lots}}", "ranks[0].when.equals.budget", "amount in yen"),
        ("{equals: {timing: +30}}", "ranks[0].when.equals.timing", "2026-12-22"),
        ("{equals: {product: Enterprise}}", "ranks[0].when.equals.product", "Basic, Pro"),
        ("{equals: {product: 1}}", "ranks[0].when.equals.product", "Basic, Pro"),
    ],
)
def test_equals_value_that_no_answer_can_produce(
    tmp_path: Path, condition: str, key: str, expected: str
) -> None:
    error = broken(tmp_path, edit("{within_days: {timing: 30}}", condition))
    assert (error.line, error.key) == (20, key)
    assert "can never equal" in error.message and expected in error.message


def test_two_operators_in_one_condition(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("{known: timing}", "{known: timing, heard_at_least: 1}"))
    assert (error.line, error.key) == (22, "ranks[1].when.heard_at_least")
    assert "exactly one operator" in error.message and "all: [...]" in error.message


def test_unknown_operator(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("{known: timing}", "{knwon: timing}"))
    assert (error.line, error.key) == (22, "ranks[1].when.knwon")
    assert "did you mean 'known'" in error.message


def test_no_ranks(tmp_path: Path) -> None:
    text = BASE[: BASE.index("ranks:")] + "ranks: []\n"
    error = broken(tmp_path, text)
    assert (error.line, error.key) == (18, "ranks")
    assert "empty" in error.message and "when: always" in error.message


def test_duplicate_rank_name(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("rank: C", "rank: A"))
    assert (error.line, error.key) == (21, "ranks[1].rank")
    assert "duplicate rank 'A' (first at line 19)" in error.message


def test_missing_floor(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("    when: always", "    when: {known: pain}"))
    assert (error.line, error.key) == (24, "ranks[2].when")
    assert "missing floor" in error.message and "when: always" in error.message


def test_always_before_the_last_rank(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("{known: timing}", "always"))
    assert (error.line, error.key) == (22, "ranks[1].when")
    assert "(D) can never match" in error.message and "move rank C to the end" in error.message


def test_always_inside_a_combination(tmp_path: Path) -> None:
    error = broken(tmp_path, edit("{known: timing}", "{any: [always, {known: pain}]}"))
    assert (error.line, error.key) == (22, "ranks[1].when.any[0]")
    assert "only allowed as a whole `when: always`" in error.message


def with_ranks(ranks: str) -> str:
    return BASE[: BASE.index("ranks:")] + "ranks:\n" + ranks


def test_rank_caught_by_an_earlier_one_is_unreachable(tmp_path: Path) -> None:
    # B needs timing within 30 days, but any known timing already made C, which comes first.
    text = with_ranks(
        "  - rank: A\n    when: {known: budget}\n"
        "  - rank: C\n    when: {known: timing}\n"
        "  - rank: B\n    when: {within_days: {timing: 30}}\n"
        "  - rank: D\n    when: always\n"
    )
    error = broken(tmp_path, text)
    assert (error.line, error.key) == (line_of(text, "rank: B"), "ranks[2]")
    assert "rank B can never match" in error.message
    assert "reorder the ranks or loosen the condition" in error.message


def test_rank_narrower_than_an_earlier_one_is_unreachable(tmp_path: Path) -> None:
    # Three items heard always includes two heard: B (3) is caught by A (2).
    text = with_ranks(
        "  - rank: A\n    when: {heard_at_least: 2}\n"
        "  - rank: B\n    when: {heard_at_least: 3}\n"
        "  - rank: D\n    when: always\n"
    )
    error = broken(tmp_path, text)
    assert (error.line, error.key) == (line_of(text, "rank: B"), "ranks[1]")


def test_self_contradicting_rank_is_unreachable(tmp_path: Path) -> None:
    text = edit("{within_days: {timing: 30}}", "{all: [{known: pain}, {not: {known: pain}}]}")
    error = broken(tmp_path, text)
    assert (error.line, error.key) == (19, "ranks[0]")
    assert "rank A can never match" in error.message


def test_choice_equals_covering_every_choice_leaves_later_ranks_reachable() -> None:
    # Known but unreadable product ("Enterprise") is neither Basic nor Pro, so C is reachable.
    text = edit(
        "{within_days: {timing: 30}}",
        "{any: [{equals: {product: Basic}}, {equals: {product: Pro}}]}",
    ).replace("{known: timing}", "{known: product}")
    assert parse_rules(text, "r.yaml").rank_names == ("A", "C", "D")


def test_a_floor_left_unused_by_exhaustive_ranks_is_allowed() -> None:
    # A and C together cover every lead; the floor is a safety net and is not reported.
    text = edit("{within_days: {timing: 30}}", "{not: {known: pain}}").replace(
        "{known: timing}", "{known: pain}"
    )
    assert parse_rules(text, "r.yaml").rank_names == ("A", "C", "D")


def test_heard_at_least_counts_unreferenced_items() -> None:
    text = edit("{within_days: {timing: 30}}", "{heard_at_least: 3}").replace(
        "{known: timing}", "{heard_at_least: 2}"
    )
    assert parse_rules(text, "r.yaml").rank_names == ("A", "C", "D")


def test_str_of_rules_error() -> None:
    error = RulesError("rules.yaml", 12, "ranks[1].when.known", "unknown hearing item 'x'")
    assert str(error) == "rules.yaml:12: ranks[1].when.known: unknown hearing item 'x'"
    assert str(RulesError("r.yaml", None, "(file)", "cannot read")) == "r.yaml: (file): cannot read"


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(RulesError) as caught:
        load_rules(tmp_path / "missing.yaml")
    assert caught.value.line is None and "check the path" in caught.value.message
