"""The ``hearing:``, ``sql:`` and ``ranks:`` sections of rules.yaml: what an operator asks, when
a lead becomes SQL, and the rank ladder; with ``Label``, the {ja, en} text they show.

Kept out of rules.py (which holds the Rules dataclass and the table of sections) and read with
the same strict node-tree helpers, so a mistake is reported as file:line: key: how to fix it.
Pure: pyyaml + stdlib.

    hearing:
      - {key: budget, label: {ja: 予算, en: Budget}, bant: B, type: amount}
    sql: {heard_at_least: 4, required: [budget]}
    ranks:
      - {rank: A, when: {all: [{known: budget}, {within_days: {timing: 30}}]}}
      - {rank: D, when: always}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import yaml

from isdesk.rules.conditions import Always, Condition, unreachable_rank
from isdesk.rules.reader import Source, parse_condition, peek, required_mapping

__all__ = [
    "BANT_LETTERS",
    "ITEM_TYPES",
    "HearingItem",
    "ItemType",
    "Label",
    "Rank",
    "SqlRule",
    "parse_hearing",
    "parse_label",
    "parse_ranks",
    "parse_sql",
]

ItemType = Literal["text", "yesno", "date", "amount", "choice"]
ITEM_TYPES: tuple[ItemType, ...] = ("text", "yesno", "date", "amount", "choice")
BANT_LETTERS = ("B", "A", "N", "T")


@dataclass(frozen=True, slots=True)
class Label:
    """Text shown to people, in Japanese and English."""

    ja: str
    en: str


@dataclass(frozen=True, slots=True)
class HearingItem:
    """One item of the hearing checklist (ヒアリング項目)."""

    key: str
    label: Label
    type: ItemType
    bant: str | None = None
    choices: tuple[str, ...] = ()
    hint: Label | None = None


@dataclass(frozen=True, slots=True)
class SqlRule:
    """When a lead becomes SQL: enough items heard, including every required one."""

    heard_at_least: int
    required: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rank:
    """One step of the rank ladder; the first rank whose `when` holds is the lead's rank."""

    rank: str
    when: Condition
    label: Label | None = None


def parse_label(source: Source, node: yaml.Node, path: str) -> Label:
    """Read `{ja: ..., en: ...}`; both languages are required."""
    fields = required_mapping(source, node, path, _LABEL_FIELDS, what="a label {ja, en}")
    return Label(source.text(fields["ja"], f"{path}.ja"), source.text(fields["en"], f"{path}.en"))


def parse_hearing(
    source: Source, node: yaml.Node, path: str, _: Mapping[str, Any]
) -> tuple[HearingItem, ...]:
    items: list[HearingItem] = []
    first_line: dict[str, int] = {}
    for i, item_node in enumerate(source.sequence(node, path, non_empty="hearing item")):
        at = f"{path}[{i}]"
        fields = required_mapping(source, item_node, at, _ITEM_FIELDS, what="a hearing item")
        key_node = fields["key"]
        key = source.identifier(key_node, f"{at}.key")
        if key in first_line:
            source.fail(
                key_node,
                f"{at}.key",
                f"duplicate item key '{key}' (first at line "
                f"{first_line[key]}): give each hearing item its own key",
            )
        first_line[key] = source.line(key_node) or 0
        kind = source.one_of(fields["type"], f"{at}.type", ITEM_TYPES, what="item type")
        bant = None
        if "bant" in fields:
            bant = source.one_of(fields["bant"], f"{at}.bant", BANT_LETTERS, what="BANT letter")
        choices = _parse_choices(source, fields.get("choices"), at, kind, item_node)
        hint = parse_label(source, fields["hint"], f"{at}.hint") if "hint" in fields else None
        label = parse_label(source, fields["label"], f"{at}.label")
        items.append(HearingItem(key, label, kind, bant, choices, hint))  # type: ignore[arg-type]  # one_of: a type
    return tuple(items)


def _parse_choices(
    source: Source, node: yaml.Node | None, at: str, kind: str, item_node: yaml.Node
) -> tuple[str, ...]:
    if kind != "choice":
        if node is not None:
            source.fail(
                node,
                f"{at}.choices",
                "choices is only for `type: choice`: remove choices or set type: choice",
            )
        return ()
    if node is None:
        source.fail(
            item_node,
            f"{at}.choices",
            "a choice item needs `choices: [...]`: list the options the operator picks from",
        )
    choices: list[str] = []
    seen: dict[str, int] = {}
    for j, choice_node in enumerate(source.sequence(node, f"{at}.choices", non_empty="choice")):
        choice = source.text(choice_node, f"{at}.choices[{j}]")
        folded = choice.casefold()
        if folded in seen:
            source.fail(
                choice_node,
                f"{at}.choices[{j}]",
                f"duplicate choice '{choice}' (same as choices[{seen[folded]}]): remove one",
            )
        seen[folded] = j
        choices.append(choice)
    return tuple(choices)


def parse_sql(source: Source, node: yaml.Node, path: str, parsed: Mapping[str, Any]) -> SqlRule:
    fields = required_mapping(source, node, path, _SQL_FIELDS, what="the sql section")
    items: tuple[HearingItem, ...] = parsed["hearing"]
    keys = [item.key for item in items]
    count_node = fields["heard_at_least"]
    count = source.integer(count_node, f"{path}.heard_at_least", minimum=1)
    if count > len(items):
        source.fail(
            count_node,
            f"{path}.heard_at_least",
            f"is {count} but the hearing "
            f"checklist has only {len(items)} items: lower it or add items",
        )
    required: list[str] = []
    if "required" in fields:
        for j, key_node in enumerate(source.sequence(fields["required"], f"{path}.required")):
            key = source.item_key(key_node, f"{path}.required[{j}]", keys)
            if key in required:
                source.fail(
                    key_node,
                    f"{path}.required[{j}]",
                    f"'{key}' is listed twice: remove the duplicate",
                )
            required.append(key)
    return SqlRule(count, tuple(required))


def parse_ranks(
    source: Source, node: yaml.Node, path: str, parsed: Mapping[str, Any]
) -> tuple[Rank, ...]:
    items: tuple[HearingItem, ...] = parsed["hearing"]
    types = {item.key: (item.type, item.choices) for item in items}
    ranks: list[Rank] = []
    nodes: list[yaml.Node] = []
    first_line: dict[str, int] = {}
    rank_nodes = source.sequence(node, path, non_empty="rank (the last one `when: always`)")
    for i, rank_node in enumerate(rank_nodes):
        at = f"{path}[{i}]"
        fields = required_mapping(source, rank_node, at, _RANK_FIELDS, what="a rank")
        name = source.rank_name(fields["rank"], f"{at}.rank")
        if name in first_line:
            source.fail(
                fields["rank"],
                f"{at}.rank",
                f"duplicate rank '{name}' (first at line "
                f"{first_line[name]}): give each rank its own name",
            )
        first_line[name] = source.line(fields["rank"]) or 0
        when = parse_condition(source, fields["when"], f"{at}.when", types, top=True)
        if isinstance(when, Always) and i < len(rank_nodes) - 1:
            later = ", ".join(peek(n, "rank") for n in rank_nodes[i + 1 :])
            source.fail(
                fields["when"],
                f"{at}.when",
                f"`always` matches every lead, so the ranks after it ({later}) can never "
                f"match: move rank {name} to the end or give it a condition",
            )
        label = parse_label(source, fields["label"], f"{at}.label") if "label" in fields else None
        ranks.append(Rank(name, when, label))
        nodes.append(rank_node)
        last_when = fields["when"]
    if not isinstance(ranks[-1].when, Always):
        source.fail(
            last_when,
            f"{path}[{len(ranks) - 1}].when",
            f"missing floor: the last rank ({ranks[-1].rank}) must be `when: always` so "
            "every lead gets a rank; add a final rank such as `- {rank: D, when: always}`",
        )
    item_specs = [(item.key, item.type, item.choices) for item in items]
    dead = unreachable_rank([r.when for r in ranks], item_specs, date.today())
    if dead is not None:
        source.fail(
            nodes[dead],
            f"{path}[{dead}]",
            f"rank {ranks[dead].rank} can never "
            "match: every answer set that satisfies it is caught by an earlier rank, or "
            "its condition contradicts itself; reorder the ranks or loosen the condition",
        )
    return tuple(ranks)


_ITEM_FIELDS = {"key": True, "label": True, "type": True, "bant": False, "choices": False,
                "hint": False}  # fmt: skip
_LABEL_FIELDS = {"ja": True, "en": True}
_SQL_FIELDS = {"heard_at_least": True, "required": False}
_RANK_FIELDS = {"rank": True, "label": False, "when": True}
