"""The ``activity:`` and ``targets:`` sections of rules.yaml: how activities add up to the
activity volume (行動量), and the three target lines with per-team and per-operator overrides.

Kept out of rules.py (which holds the Rules dataclass and the table of sections) and read with
the same strict node-tree helpers, so a mistake is reported as file:line: key: how to fix it.
Pure: pyyaml + stdlib.

    activity:
      weights: {call: 1, call_connected: 2, email: 1, appointment: 5, meeting: 3, note: 0}
    targets:
      daily: {minimum: 40, expected: 60, stretch: 80}
      quarterly: {minimum: 2400, expected: 3300, stretch: 4200, sql: {minimum: 20, ...}}
      teams: {inbound: {daily: {minimum: 50}}}
      operators: {佐藤: {quarterly: {sql: {stretch: 50}}}}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import yaml

from isdesk.rules.reader import Source, pairs, required_mapping

__all__ = [
    "DEFAULT_WEIGHTS",
    "LINE_FIELDS",
    "WEIGHT_KEYS",
    "ActivityRules",
    "Lines",
    "LinesOverride",
    "OperatorTargets",
    "Targets",
    "TargetsOverride",
    "parse_activity",
    "parse_targets",
]

# activity: the weight of each kind of activity in the activity volume (行動量). A call that
# connected weighs `call_connected`; any other call outcome weighs `call`.
WEIGHT_KEYS = ("call", "call_connected", "email", "appointment", "meeting", "note")
DEFAULT_WEIGHTS: Mapping[str, int] = MappingProxyType(
    {"call": 1, "call_connected": 2, "email": 1, "appointment": 5, "meeting": 3, "note": 0}
)
LINE_FIELDS = ("minimum", "expected", "stretch")


@dataclass(frozen=True, slots=True)
class ActivityRules:
    """How activities add up to the activity volume (行動量): a weight per kind (WEIGHT_KEYS)."""

    weights: Mapping[str, int] = field(default_factory=lambda: DEFAULT_WEIGHTS)


@dataclass(frozen=True, slots=True)
class Lines:
    """The three target lines: minimum (最低到達), expected (到達予想), stretch (到達希望)."""

    minimum: int
    expected: int
    stretch: int


@dataclass(frozen=True, slots=True)
class LinesOverride:
    """Some of the three lines, as a team or operator override writes them (None = inherit)."""

    minimum: int | None = None
    expected: int | None = None
    stretch: int | None = None

    def over(self, base: Lines) -> Lines:
        """`base` with the lines this override sets replaced."""
        return Lines(
            base.minimum if self.minimum is None else self.minimum,
            base.expected if self.expected is None else self.expected,
            base.stretch if self.stretch is None else self.stretch,
        )


@dataclass(frozen=True, slots=True)
class TargetsOverride:
    """A team's or an operator's changes to the targets, line by line."""

    daily: LinesOverride = LinesOverride()
    quarterly: LinesOverride = LinesOverride()
    quarterly_sql: LinesOverride = LinesOverride()


@dataclass(frozen=True, slots=True)
class OperatorTargets:
    """The targets one operator is measured against, overrides applied."""

    daily: Lines  # weighted activity volume per working day
    quarterly: Lines  # weighted activity volume per fiscal quarter
    quarterly_sql: Lines  # SQLs created per fiscal quarter


@dataclass(frozen=True, slots=True)
class Targets:
    """The team's targets, with per-team and per-operator overrides (validated when loaded)."""

    daily: Lines = Lines(40, 60, 80)
    quarterly: Lines = Lines(2400, 3300, 4200)
    quarterly_sql: Lines = Lines(20, 30, 40)
    teams: Mapping[str, TargetsOverride] = field(default_factory=lambda: MappingProxyType({}))
    operators: Mapping[str, TargetsOverride] = field(default_factory=lambda: MappingProxyType({}))

    def for_operator(self, name: str, team: str) -> OperatorTargets:
        """The targets for operator `name` of `team`: operator beats team beats the global lines.

        Each line merges field by field, so a team override of `minimum` alone keeps the global
        expected and stretch. Unknown names or teams simply get the global lines.
        """
        none = TargetsOverride()
        layers = (self.teams.get(team, none), self.operators.get(name, none))
        daily, quarterly, sql = self.daily, self.quarterly, self.quarterly_sql
        for layer in layers:
            daily = layer.daily.over(daily)
            quarterly = layer.quarterly.over(quarterly)
            sql = layer.quarterly_sql.over(sql)
        return OperatorTargets(daily, quarterly, sql)


def parse_activity(
    source: Source, node: yaml.Node, path: str, _: Mapping[str, Any]
) -> ActivityRules:
    fields = required_mapping(source, node, path, {"weights": False}, what="the activity section")
    weights = dict(DEFAULT_WEIGHTS)
    if "weights" in fields:
        at = f"{path}.weights"
        given = required_mapping(
            source, fields["weights"], at, dict.fromkeys(WEIGHT_KEYS, False), what="the weights"
        )
        for kind, value_node in given.items():
            weights[kind] = source.integer(value_node, f"{at}.{kind}", minimum=0)
    return ActivityRules(MappingProxyType(weights))


# targets: each line's three values are checked (minimum <= expected <= stretch) after the
# overrides are merged, for every combination a real operator can have: global, global+team,
# global+operator and global+team+operator for every team listed. A violation is reported at
# the most specific value involved, naming where the other value comes from.


@dataclass(frozen=True, slots=True)
class _Value:
    value: int
    node: yaml.Node | None  # None: the built-in default
    path: str
    layer: int  # 0 built-in, 1 global, 2 team, 3 operator


_TARGET_LINES = ("daily", "quarterly", "quarterly_sql")
_Layer = dict[str, dict[str, _Value]]  # line -> field -> value (an override may set a subset)


def parse_targets(source: Source, node: yaml.Node, path: str, _: Mapping[str, Any]) -> Targets:
    fields = required_mapping(source, node, path, _TARGETS_FIELDS, what="the targets section")
    defaults = Targets()
    base: _Layer = {
        line: {
            name: _Value(getattr(getattr(defaults, line), name), None, f"{path}.{line}", 0)
            for name in LINE_FIELDS
        }
        for line in _TARGET_LINES
    }
    written = _read_target_layer(source, fields, path, 1, required=True)
    for line, values in written.items():
        base[line].update(values)
    for line in _TARGET_LINES:
        _check_lines(source, base[line], line, "")
    teams = _read_overrides(source, fields.get("teams"), f"{path}.teams", 2)
    operators = _read_overrides(source, fields.get("operators"), f"{path}.operators", 3)
    for layer in teams.values():
        for line in _TARGET_LINES:
            _check_lines(source, base[line] | layer[line], line, "")
    for layer in operators.values():
        for line in _TARGET_LINES:
            _check_lines(source, base[line] | layer[line], line, "")
            for team, team_layer in teams.items():
                merged = base[line] | team_layer[line] | layer[line]
                _check_lines(source, merged, line, f" for an operator of team {team}")
    daily, quarterly, quarterly_sql = (_lines(base[line]) for line in _TARGET_LINES)
    return Targets(
        daily,
        quarterly,
        quarterly_sql,
        teams=MappingProxyType({name: _override(layer) for name, layer in teams.items()}),
        operators=MappingProxyType({name: _override(layer) for name, layer in operators.items()}),
    )


def _read_target_layer(
    source: Source, fields: Mapping[str, yaml.Node], path: str, layer: int, required: bool
) -> _Layer:
    """`daily:` and `quarterly: {..., sql:}` of the global targets or of one override."""
    found: _Layer = {line: {} for line in _TARGET_LINES}
    line_fields = dict.fromkeys(LINE_FIELDS, required)
    if "daily" in fields:
        found["daily"] = _read_line(
            source, fields["daily"], f"{path}.daily", line_fields, layer, "the daily line"
        )
    if "quarterly" in fields:
        at = f"{path}.quarterly"
        quarterly = required_mapping(
            source, fields["quarterly"], at, line_fields | {"sql": False}, what="the quarterly line"
        )
        found["quarterly"] = _read_line(source, None, at, line_fields, layer, "", quarterly)
        if "sql" in quarterly:
            found["quarterly_sql"] = _read_line(
                source, quarterly["sql"], f"{at}.sql", line_fields, layer, "the quarterly sql line"
            )
    return found


def _read_line(
    source: Source,
    node: yaml.Node | None,
    path: str,
    line_fields: Mapping[str, bool],
    layer: int,
    what: str,
    fields: Mapping[str, yaml.Node] | None = None,
) -> dict[str, _Value]:
    if fields is None:
        fields = required_mapping(source, node, path, line_fields, what=what)  # type: ignore[arg-type]  # node is given when fields is not
    return {
        name: _Value(source.integer(fields[name], f"{path}.{name}", minimum=0), fields[name],
                     f"{path}.{name}", layer)
        for name in LINE_FIELDS
        if name in fields
    }  # fmt: skip


def _read_overrides(
    source: Source, node: yaml.Node | None, path: str, layer: int
) -> dict[str, _Layer]:
    """`teams:` or `operators:`: a name -> override mapping; each override sets any subset."""
    if node is None:
        return {}
    what = "a team -> targets mapping" if layer == 2 else "an operator -> targets mapping"
    overrides: dict[str, _Layer] = {}
    for name, key_node, value_node in pairs(source, node, path, what):
        at = f"{path}.{name}"
        name = source.text(key_node, at)
        fields = required_mapping(source, value_node, at, _OVERRIDE_FIELDS, what="an override")
        overrides[name] = _read_target_layer(source, fields, at, layer, required=False)
    return overrides


def _check_lines(source: Source, values: Mapping[str, _Value], line: str, context: str) -> None:
    """Refuse minimum > expected or expected > stretch, pointing at the most specific value."""
    for low, high in (("minimum", "expected"), ("expected", "stretch")):
        a, b = values[low], values[high]
        if a.value <= b.value:
            continue
        at, other, other_name = (a, b, high) if a.layer >= b.layer else (b, a, low)
        origin = ""
        if other.layer != at.layer:
            where = (
                "the built-in default"
                if other.node is None
                else f"{other.path} (line {source.line(other.node)})"
            )
            origin = f"; {other_name} {other.value} comes from {where}"
        name = "quarterly sql" if line == "quarterly_sql" else line
        source.fail(
            at.node,
            at.path,
            f"{low} must not exceed {high} in the {name} line{context} ({low} {a.value} > "
            f"{high} {b.value}{origin}): lower {low} or raise {high}",
        )


def _lines(values: Mapping[str, _Value]) -> Lines:
    return Lines(*(values[name].value for name in LINE_FIELDS))


def _override(layer: _Layer) -> TargetsOverride:
    return TargetsOverride(
        *(LinesOverride(**{n: v.value for n, v in layer[line].items()}) for line in _TARGET_LINES)
    )


_TARGETS_FIELDS = {"daily": False, "quarterly": False, "teams": False, "operators": False}
_OVERRIDE_FIELDS = {"daily": False, "quarterly": False}
