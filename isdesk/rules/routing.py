"""The `assignment:` and `stages:` sections of rules.yaml: lead routing and the pipeline stages.

Kept out of rules.py (which holds the other sections) and read with the same strict node-tree
helpers, so a mistake is reported as file:line: key: how to fix it. Pure: pyyaml + stdlib.

    assignment:
      groups:                        # by lead source, first match wins; the last is `any`
        - {name: A, sources: [資料請求, 無料トライアル], operators: {team: inbound}}
        - {name: default, sources: any}
      policy: balanced               # fewest open leads first, ties round-robin
      holding_cap: 150               # open ("not yet") leads one operator may hold
      returning: {keep_owner_within_days: 30, reassign_after_days: 180, between: keep_owner}
    stages: [list, proposal, opportunity, quote, order]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import yaml

from isdesk.rules.hearing import Label
from isdesk.rules.reader import Source, required_mapping

__all__ = [
    "ANY",
    "BETWEEN_CHOICES",
    "POLICIES",
    "AssignmentGroup",
    "AssignmentRules",
    "OperatorSelector",
    "ReturningRules",
    "Stage",
    "Stages",
    "default_stages",
    "parse_assignment",
    "parse_stages",
]

ANY = "any"  # `sources: any`: the catch-all group
POLICIES = ("balanced",)
BETWEEN_CHOICES = ("keep_owner", "reassign")
FIRST_STAGE = "list"  # Lead.stage of every new lead
# (key, ja, en): the customer story of the sales side (DOMAIN.md).
DEFAULT_STAGES = (
    ("list", "リスト", "List"),
    ("proposal", "提案", "Proposal"),
    ("opportunity", "案件化", "Opportunity"),
    ("quote", "見積", "Quote"),
    ("order", "受注", "Order"),
)


@dataclass(frozen=True, slots=True)
class OperatorSelector:
    """Who may receive a group's leads: a team, a list of login names, or (neither) anyone.

    Whatever it says, only active operators of role operator or lead ever receive leads.
    """

    team: str | None = None
    names: tuple[str, ...] = ()

    @property
    def everyone(self) -> bool:
        return self.team is None and not self.names

    def admits(self, name: str, team: str) -> bool:
        if self.team is not None:
            return team == self.team
        if self.names:
            return name in self.names
        return True

    def describe(self) -> str:
        if self.team is not None:
            return f"team {self.team}"
        if self.names:
            return "operators " + ", ".join(self.names)
        return "every active operator"


@dataclass(frozen=True, slots=True)
class AssignmentGroup:
    """Leads from `sources` (None: any source not claimed by an earlier group)."""

    name: str
    sources: tuple[str, ...] | None
    operators: OperatorSelector = OperatorSelector()
    label: Label | None = None  # shown on screen; the name when absent

    @property
    def is_any(self) -> bool:
        return self.sources is None


@dataclass(frozen=True, slots=True)
class ReturningRules:
    """A known lead that comes back: days are local calendar days since the owner's contact.

    ``days <= keep_owner_within_days``: stays with its owner (30 includes day 30);
    ``days >= reassign_after_days``: handed out anew; in between: ``between``.
    """

    keep_owner_within_days: int = 30
    reassign_after_days: int = 180
    between: str = "keep_owner"  # one of BETWEEN_CHOICES


DEFAULT_GROUPS = (AssignmentGroup("default", None),)


@dataclass(frozen=True, slots=True)
class AssignmentRules:
    groups: tuple[AssignmentGroup, ...] = DEFAULT_GROUPS
    policy: str = "balanced"
    holding_cap: int = 150
    returning: ReturningRules = ReturningRules()

    def group_for(self, source: str) -> AssignmentGroup:
        """The first group whose sources contain `source` (the last group is always `any`)."""
        for group in self.groups:
            if group.sources is None or source in group.sources:
                return group
        return self.groups[-1]  # unreachable for parsed rules; defensive for hand-built ones

    def group(self, name: str) -> AssignmentGroup:
        for group in self.groups:
            if group.name == name:
                return group
        raise KeyError(name)

    @property
    def explicit_sources(self) -> frozenset[str]:
        """Every source a non-`any` group names."""
        return frozenset(s for g in self.groups if g.sources is not None for s in g.sources)


@dataclass(frozen=True, slots=True)
class Stage:
    key: str
    label: Label


@dataclass(frozen=True, slots=True)
class Stages:
    """The pipeline stages in order (rules.yaml `stages:`)."""

    items: tuple[Stage, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(stage.key for stage in self.items)

    @property
    def labels(self) -> Mapping[str, Label]:
        return MappingProxyType({stage.key: stage.label for stage in self.items})

    def __iter__(self) -> Iterator[Stage]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _label(ja: str, en: str) -> Label:

    return Label(ja, en)


def default_stages() -> Stages:
    return Stages(tuple(Stage(key, _label(ja, en)) for key, ja, en in DEFAULT_STAGES))


# --- parsing ---------------------------------------------------------------------------------

_ASSIGNMENT_FIELDS = {"groups": False, "policy": False, "holding_cap": False, "returning": False}
_GROUP_FIELDS = {"name": True, "sources": True, "operators": False, "label": False}
_SELECTOR_FIELDS = {"team": False, "names": False}
_RETURNING_FIELDS = {"keep_owner_within_days": False, "reassign_after_days": False,
                     "between": False}  # fmt: skip
_STAGE_FIELDS = {"key": True, "label": False}
_TAG_STR = "tag:yaml.org,2002:str"


def parse_assignment(
    source: Source, node: yaml.Node, path: str, _: Mapping[str, Any]
) -> AssignmentRules:
    fields = required_mapping(source, node, path, _ASSIGNMENT_FIELDS, what="the assignment section")
    default = AssignmentRules()
    groups = default.groups
    if "groups" in fields:
        groups = _parse_groups(source, fields["groups"], f"{path}.groups")
    policy = default.policy
    if "policy" in fields:
        policy = source.one_of(fields["policy"], f"{path}.policy", POLICIES, what="policy")
    cap = default.holding_cap
    if "holding_cap" in fields:
        cap = source.integer(fields["holding_cap"], f"{path}.holding_cap", minimum=1)
    returning = default.returning
    if "returning" in fields:
        returning = _parse_returning(source, fields["returning"], f"{path}.returning")
    return AssignmentRules(groups, policy, cap, returning)


def _parse_groups(source: Source, node: yaml.Node, path: str) -> tuple[AssignmentGroup, ...]:
    group_nodes = source.sequence(node, path, non_empty="group (the last one `sources: any`)")
    groups: list[AssignmentGroup] = []
    names: dict[str, int] = {}
    claimed: dict[str, tuple[str, int]] = {}  # source -> (group name, line)
    sources_node: yaml.Node = node
    for i, group_node in enumerate(group_nodes):
        at = f"{path}[{i}]"
        fields = required_mapping(source, group_node, at, _GROUP_FIELDS, what="a group")
        name = source.text(fields["name"], f"{at}.name")
        if name in names:
            source.fail(
                fields["name"],
                f"{at}.name",
                f"duplicate group name '{name}' (first at line {names[name]}): "
                "give each group its own name",
            )
        names[name] = source.line(fields["name"]) or 0
        sources_node = fields["sources"]
        sources: tuple[str, ...] | None
        if isinstance(sources_node, yaml.ScalarNode) and sources_node.value == ANY:
            sources = None
            if i < len(group_nodes) - 1:
                source.fail(
                    sources_node,
                    f"{at}.sources",
                    f"`sources: any` takes every lead, so the groups after '{name}' could never "
                    "receive one: move this group to the end",
                )
        else:
            sources = _parse_sources(source, sources_node, f"{at}.sources", name, claimed)
        operators = OperatorSelector()
        if "operators" in fields:
            operators = _parse_selector(source, fields["operators"], f"{at}.operators")
        label = None
        if "label" in fields:
            label_at = f"{at}.label"
            parts = required_mapping(
                source, fields["label"], label_at, {"ja": True, "en": True},
                what="a label {ja, en}",
            )  # fmt: skip
            label = Label(
                source.text(parts["ja"], f"{label_at}.ja"),
                source.text(parts["en"], f"{label_at}.en"),
            )
        groups.append(AssignmentGroup(name, sources, operators, label))
    if groups[-1].sources is not None:
        last = len(groups) - 1
        source.fail(
            sources_node,
            f"{path}[{last}].sources",
            f"the last group ('{groups[-1].name}') must be `sources: any`, otherwise a lead from "
            "any other source matches no group: add a final group such as "
            "`- {name: default, sources: any}`",
        )
    return tuple(groups)


def _parse_sources(
    source: Source,
    node: yaml.Node,
    path: str,
    group: str,
    claimed: dict[str, tuple[str, int]],
) -> tuple[str, ...]:
    if isinstance(node, yaml.ScalarNode):
        source.fail(
            node,
            path,
            f"expected a list of lead sources or `any`, got the text {node.value!r}: write "
            "`sources: [資料請求, 無料トライアル]` or `sources: any`",
        )
    found: list[str] = []
    for j, item in enumerate(source.sequence(node, path, non_empty="lead source")):
        at = f"{path}[{j}]"
        value = source.text(item, at)
        if value == ANY and item.tag == _TAG_STR:
            source.fail(item, at, "`any` is written alone, not in a list: `sources: any`")
        if value in found:
            source.fail(item, at, f"'{value}' is listed twice in this group: remove one")
        if value in claimed:
            other, line = claimed[value]
            source.fail(
                item,
                at,
                f"'{value}' already belongs to group '{other}' (line {line}); the first match "
                f"wins, so group '{group}' would never receive it: list it in one group only",
            )
        claimed[value] = (group, source.line(item) or 0)
        found.append(value)
    return tuple(found)


def _parse_selector(source: Source, node: yaml.Node, path: str) -> OperatorSelector:
    what = "who receives the group's leads ({team: T} or {names: [login, ...]})"
    fields = required_mapping(source, node, path, _SELECTOR_FIELDS, what=what)
    if len(fields) != 1:
        source.fail(
            node,
            path,
            "give exactly one of `team: TEAM` or `names: [login, ...]`"
            + (" (not both)" if fields else ""),
        )
    if "team" in fields:
        return OperatorSelector(team=source.text(fields["team"], f"{path}.team"))
    names: list[str] = []
    at = f"{path}.names"
    for j, item in enumerate(source.sequence(fields["names"], at, non_empty="login name")):
        name = source.text(item, f"{at}[{j}]")
        if name in names:
            source.fail(item, f"{at}[{j}]", f"'{name}' is listed twice: remove one")
        names.append(name)
    return OperatorSelector(names=tuple(names))


def _parse_returning(source: Source, node: yaml.Node, path: str) -> ReturningRules:
    fields = required_mapping(
        source, node, path, _RETURNING_FIELDS, what="the returning-lead rules"
    )
    default = ReturningRules()
    keep = default.keep_owner_within_days
    if "keep_owner_within_days" in fields:
        keep = source.integer(
            fields["keep_owner_within_days"], f"{path}.keep_owner_within_days", minimum=0
        )
    reassign = default.reassign_after_days
    if "reassign_after_days" in fields:
        reassign = source.integer(
            fields["reassign_after_days"], f"{path}.reassign_after_days", minimum=1
        )
    if keep >= reassign:
        key = "reassign_after_days" if "reassign_after_days" in fields else "keep_owner_within_days"
        source.fail(
            fields.get(key, node),
            f"{path}.{key}",
            f"keep_owner_within_days ({keep}) must be less than reassign_after_days ({reassign}), "
            "otherwise the two windows overlap: e.g. 30 and 180",
        )
    between = default.between
    if "between" in fields:
        between = source.one_of(
            fields["between"], f"{path}.between", BETWEEN_CHOICES, what="choice"
        )
    return ReturningRules(keep, reassign, between)


def parse_stages(source: Source, node: yaml.Node, path: str, _: Mapping[str, Any]) -> Stages:

    defaults = {key: (ja, en) for key, ja, en in DEFAULT_STAGES}
    stages: list[Stage] = []
    first_line: dict[str, int] = {}
    for i, item in enumerate(source.sequence(node, path, non_empty="stage")):
        at = f"{path}[{i}]"
        label: Label | None = None
        if isinstance(item, yaml.MappingNode):
            fields = required_mapping(source, item, at, _STAGE_FIELDS, what="a stage {key, label}")
            key_node = fields["key"]
            key = source.identifier(key_node, f"{at}.key")
            if "label" in fields:
                label_at = f"{at}.label"
                parts = required_mapping(
                    source, fields["label"], label_at, {"ja": True, "en": True},
                    what="a label {ja, en}",
                )  # fmt: skip
                label = Label(
                    source.text(parts["ja"], f"{label_at}.ja"),
                    source.text(parts["en"], f"{label_at}.en"),
                )
            key_path = f"{at}.key"
        else:
            key_node = item
            key = source.identifier(item, at)
            key_path = at
        if key in first_line:
            source.fail(
                key_node,
                key_path,
                f"duplicate stage '{key}' (first at line {first_line[key]}): list each stage once",
            )
        first_line[key] = source.line(key_node) or 0
        if label is None:
            ja, en = defaults.get(key, (key, key))
            label = Label(ja, en)
        stages.append(Stage(key, label))
    if stages[0].key != FIRST_STAGE:
        source.fail(
            node.value[0],
            f"{path}[0]",
            f"the first stage must be '{FIRST_STAGE}' (every new lead starts there), got "
            f"'{stages[0].key}': put `{FIRST_STAGE}` first",
        )
    return Stages(tuple(stages))
