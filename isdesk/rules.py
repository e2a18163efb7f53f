"""The team's rules as data: typed, frozen dataclasses loaded strictly from rules.yaml.

Every problem in the file raises RulesError naming the file, the line, the key path and what to
fix. The YAML is read as a node tree (`yaml.compose`) so every value keeps its line and duplicate
keys, which PyYAML would silently collapse, are caught. Pure: pyyaml + stdlib only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml

from isdesk.conditions import Always, Condition, unreachable_rank
from isdesk.rules_yaml import Source, parse_condition, peek, required_mapping

__all__ = [
    "BANT_LETTERS",
    "ITEM_TYPES",
    "HearingItem",
    "Label",
    "Rank",
    "Rules",
    "RulesError",
    "SqlRule",
    "load_rules",
    "parse_rules",
]

ItemType = Literal["text", "yesno", "date", "amount", "choice"]
ITEM_TYPES: tuple[ItemType, ...] = ("text", "yesno", "date", "amount", "choice")
BANT_LETTERS = ("B", "A", "N", "T")
SUPPORTED_VERSION = 1
DEFAULT_RULES = Path(__file__).with_name("default_rules.yaml")


class RulesError(Exception):
    """A problem in a rules file: where it is (file, line, dotted key path) and what to fix."""

    def __init__(self, file: str, line: int | None, key: str, message: str) -> None:
        super().__init__(file, line, key, message)
        self.file = file
        self.line = line
        self.key = key
        self.message = message

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.key}: {self.message}"


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


@dataclass(frozen=True, slots=True)
class Rules:
    """All the team's rules. Build with load_rules() / parse_rules(), which validate."""

    version: int
    hearing: tuple[HearingItem, ...]
    sql: SqlRule
    ranks: tuple[Rank, ...]
    source: str = "<rules>"

    @property
    def keys(self) -> tuple[str, ...]:
        """Hearing item keys in checklist order."""
        return tuple(item.key for item in self.hearing)

    def item(self, key: str) -> HearingItem:
        """The hearing item with this key (KeyError if none)."""
        for item in self.hearing:
            if item.key == key:
                return item
        raise KeyError(key)

    @property
    def rank_names(self) -> tuple[str, ...]:
        """Rank names from the best to the floor."""
        return tuple(rank.rank for rank in self.ranks)


def load_rules(path: Path | None = None) -> Rules:
    """Load and validate a rules file; None loads the packaged default rules."""
    path = DEFAULT_RULES if path is None else Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not valid UTF-8"
        raise RulesError(
            str(path),
            None,
            "(file)",
            f"cannot read the file ({reason}): check the path and save it as UTF-8",
        ) from exc
    return parse_rules(text, str(path))


def parse_rules(text: str, filename: str) -> Rules:
    """Parse and validate rules from YAML text; `filename` is used in error messages."""
    source = Source(filename)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: faster
    try:
        root = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise RulesError(
            filename,
            line,
            "(yaml)",
            f"YAML syntax error ({problem}): check the "
            "indentation, colons and quotes on this line or the one above",
        ) from exc
    except yaml.YAMLError as exc:
        raise RulesError(filename, None, "(yaml)", f"YAML error: {exc}") from exc
    if root is None:
        source.fail(None, "(document)", "the file is empty: start it with `version: 1`")
    top = required_mapping(source, root, "", dict.fromkeys(_SECTIONS, False), what="the rules file")
    parsed: dict[str, Any] = {}
    for name, section in _SECTIONS.items():
        if name not in top:
            if section.required:
                source.fail(root, name, f"missing section '{name}': add it ({section.hint})")
            continue
        parsed[name] = section.parse(source, top[name], name, parsed)
    return Rules(**parsed, source=filename)


def _parse_label(source: Source, node: yaml.Node, path: str) -> Label:
    """Read `{ja: ..., en: ...}`; both languages are required."""
    fields = required_mapping(source, node, path, _LABEL_FIELDS, what="a label {ja, en}")
    return Label(source.text(fields["ja"], f"{path}.ja"), source.text(fields["en"], f"{path}.en"))


# --- sections --------------------------------------------------------------------------------
# One entry per top-level key. To add a section (activity:, targets:, …): add a field to Rules
# and one _Section here with its parser; sections parse in this order, each seeing the earlier
# ones in `parsed` (ranks needs hearing). An optional section's Rules field needs a default.
# Any key not listed here is an "unknown section".


@dataclass(frozen=True)
class _Section:
    parse: Callable[[Source, yaml.Node, str, Mapping[str, Any]], Any]
    required: bool
    hint: str


def _parse_version(source: Source, node: yaml.Node, path: str, _: Mapping[str, Any]) -> int:
    version = source.integer(node, path, minimum=0)
    if version != SUPPORTED_VERSION:
        source.fail(
            node,
            path,
            f"unsupported version {version}: this isdesk reads version "
            f"{SUPPORTED_VERSION}; set `version: {SUPPORTED_VERSION}`",
        )
    return version


def _parse_hearing(
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
        hint = _parse_label(source, fields["hint"], f"{at}.hint") if "hint" in fields else None
        label = _parse_label(source, fields["label"], f"{at}.label")
        items.append(HearingItem(key, label, kind, bant, choices, hint))  # type: ignore[arg-type]
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


def _parse_sql(source: Source, node: yaml.Node, path: str, parsed: Mapping[str, Any]) -> SqlRule:
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


def _parse_ranks(
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
        label = _parse_label(source, fields["label"], f"{at}.label") if "label" in fields else None
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

_SECTIONS: dict[str, _Section] = {
    "version": _Section(_parse_version, True, "`version: 1` at the top"),
    "hearing": _Section(_parse_hearing, True, "the hearing checklist, a list of items"),
    "sql": _Section(_parse_sql, True, "e.g. `sql: {heard_at_least: 6}`"),
    "ranks": _Section(_parse_ranks, True, "the rank ladder, ending with `when: always`"),
}
