"""The team's rules as data: typed, frozen dataclasses loaded strictly from rules.yaml.

Every problem in the file raises RulesError naming the file, the line, the key path and what to
fix. The YAML is read as a node tree (`yaml.compose`) so every value keeps its line and duplicate
keys, which PyYAML would silently collapse, are caught. Pure: pyyaml + stdlib only.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal
from zoneinfo import ZoneInfo, available_timezones

import yaml

from isdesk.conditions import Always, Condition, unreachable_rank
from isdesk.rules_mappings import CustomMapping, parse_mappings
from isdesk.rules_routing import (
    AssignmentRules,
    Stages,
    default_stages,
    parse_assignment,
    parse_stages,
)
from isdesk.rules_yaml import Source, pairs, parse_condition, peek, required_mapping

__all__ = [
    "BANT_LETTERS",
    "DEFAULT_WEIGHTS",
    "ITEM_TYPES",
    "JAPAN_NON_WORKING_DAYS",
    "WEEKDAY_NAMES",
    "WEIGHT_KEYS",
    "ActivityRules",
    "CalendarRules",
    "HearingItem",
    "Label",
    "Lines",
    "LinesOverride",
    "OperatorTargets",
    "Rank",
    "Rules",
    "RulesError",
    "SqlRule",
    "Targets",
    "TargetsOverride",
    "load_rules",
    "parse_rules",
]

ItemType = Literal["text", "yesno", "date", "amount", "choice"]
ITEM_TYPES: tuple[ItemType, ...] = ("text", "yesno", "date", "amount", "choice")
BANT_LETTERS = ("B", "A", "N", "T")
SUPPORTED_VERSION = 1
DEFAULT_RULES = Path(__file__).with_name("default_rules.yaml")

# activity: the weight of each kind of activity in the activity volume (行動量). A call that
# connected weighs `call_connected`; any other call outcome weighs `call`.
WEIGHT_KEYS = ("call", "call_connected", "email", "appointment", "meeting", "note")
DEFAULT_WEIGHTS: Mapping[str, int] = MappingProxyType(
    {"call": 1, "call_connected": 2, "email": 1, "appointment": 5, "meeting": 3, "note": 0}
)
LINE_FIELDS = ("minimum", "expected", "stretch")
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = date.weekday()

# The calendar used when rules.yaml has no calendar.non_working_days: Japan's national holidays
# (国民の祝日, substitute holidays and the 9/22/2026 citizens' holiday) for 2026-2027 and the
# 12/29-1/3 year-end closing. The shipped default_rules.yaml lists the same days (a test checks).
JAPAN_NON_WORKING_DAYS: frozenset[date] = frozenset(
    date.fromisoformat(day)
    for day in """
    2026-01-01 2026-01-02 2026-01-03 2026-01-12 2026-02-11 2026-02-23 2026-03-20 2026-04-29
    2026-05-03 2026-05-04 2026-05-05 2026-05-06 2026-07-20 2026-08-11 2026-09-21 2026-09-22
    2026-09-23 2026-10-12 2026-11-03 2026-11-23 2026-12-29 2026-12-30 2026-12-31
    2027-01-01 2027-01-02 2027-01-03 2027-01-11 2027-02-11 2027-02-23 2027-03-21 2027-03-22
    2027-04-29 2027-05-03 2027-05-04 2027-05-05 2027-07-19 2027-08-11 2027-09-20 2027-09-23
    2027-10-11 2027-11-03 2027-11-23 2027-12-29 2027-12-30 2027-12-31
    2028-01-01 2028-01-02 2028-01-03
    """.split()  # noqa: SIM905 - a list literal would take 48 lines
)


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


@dataclass(frozen=True, slots=True)
class CalendarRules:
    """The team's working calendar: local day boundaries, fiscal year, weekend and holidays."""

    timezone: str = "Asia/Tokyo"
    fiscal_year_start: int = 4  # the month the fiscal year starts (April)
    weekend: frozenset[int] = frozenset({5, 6})  # date.weekday() numbers, Monday = 0
    non_working_days: frozenset[date] = JAPAN_NON_WORKING_DAYS

    @property
    def zone(self) -> ZoneInfo:
        """The team's time zone (ZoneInfo caches instances, so this is cheap)."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class Rules:
    """All the team's rules. Build with load_rules() / parse_rules(), which validate."""

    version: int
    hearing: tuple[HearingItem, ...]
    sql: SqlRule
    ranks: tuple[Rank, ...]
    source: str = "<rules>"
    activity: ActivityRules = ActivityRules()
    targets: Targets = field(default_factory=Targets)
    calendar: CalendarRules = CalendarRules()
    assignment: AssignmentRules = field(default_factory=AssignmentRules)  # lead routing
    stages: Stages = field(default_factory=default_stages)  # pipeline stages, in order
    mappings: Mapping[str, CustomMapping] = field(default_factory=lambda: MappingProxyType({}))

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
        data = path.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not valid UTF-8"
        line = None
        if isinstance(exc, UnicodeDecodeError):
            line = data[: exc.start].count(b"\n") + 1
        raise RulesError(
            str(path),
            line,
            "(file)",
            f"cannot read the file ({reason}): check the path and save it as UTF-8",
        ) from exc
    return parse_rules(text, str(path))


def parse_rules(text: str, filename: str) -> Rules:
    """Parse and validate rules from YAML text; `filename` is used in error messages."""
    source = Source(filename)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: faster
    try:
        _screen(source, yaml.parse(text, Loader=loader))
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
    except yaml.YAMLError as exc:  # a ReaderError: a character YAML does not allow
        offset = getattr(exc, "position", None)
        line = None
        if isinstance(offset, int):  # libyaml counts UTF-8 bytes, the Python reader characters
            before = text[:offset] if loader is yaml.SafeLoader else text.encode()[:offset]
            line = before.count("\n" if isinstance(before, str) else b"\n") + 1
        raise RulesError(filename, line, "(yaml)", f"YAML error: {exc}") from exc
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


MAX_DEPTH = 64  # lists and mappings inside each other; the shipped rules need 7
_PLAIN_TAGS = frozenset(
    [None, "!"] + [f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null",
                                                       "seq", "map")]
)  # fmt: skip


def _screen(source: Source, events: Iterable[yaml.Event]) -> None:
    """Refuse, before composing, what yaml.compose would obey or choke on.

    Aliases: a few lines of `&a [*b, *b]` expand into billions of values to check. Tags other
    than the plain types (!!python/object, !custom): rules.yaml holds text, numbers, lists and
    mappings only. Nesting deeper than MAX_DEPTH: libyaml composes recursively in C and
    crashes the process on ~100k levels; conditions recurse in Python.
    """
    depth = 0
    for event in events:
        if isinstance(event, yaml.AliasEvent):
            source.fail(
                event,  # type: ignore[arg-type]  # events carry start_mark like nodes
                "(yaml)",
                f"anchors and aliases (*{event.anchor}) are not supported in rules.yaml: "
                "write the value out in full where it is needed",
            )
        tag = getattr(event, "tag", None)
        if tag not in _PLAIN_TAGS:
            source.fail(
                event,  # type: ignore[arg-type]
                "(yaml)",
                f"the tag {tag} is not supported in rules.yaml: remove it (values are plain "
                "text, numbers, lists and mappings)",
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                source.fail(
                    event,  # type: ignore[arg-type]
                    "(yaml)",
                    f"nested more than {MAX_DEPTH} levels deep: check the brackets and the "
                    "indentation here",
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


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


def _parse_activity(
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


def _parse_targets(source: Source, node: yaml.Node, path: str, _: Mapping[str, Any]) -> Targets:
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
    return Targets(
        *(_lines(base[line]) for line in _TARGET_LINES),
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
        fields = required_mapping(source, node, path, line_fields, what=what)  # type: ignore[arg-type]
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


def _parse_calendar(
    source: Source, node: yaml.Node, path: str, _: Mapping[str, Any]
) -> CalendarRules:
    fields = required_mapping(source, node, path, _CALENDAR_FIELDS, what="the calendar section")
    default = CalendarRules()
    timezone = default.timezone
    if "timezone" in fields:
        timezone = source.text(fields["timezone"], f"{path}.timezone")
        try:
            ZoneInfo(timezone)
        except (KeyError, ValueError, OSError) as exc:  # ZoneInfoNotFoundError is a KeyError
            close = difflib.get_close_matches(timezone, sorted(available_timezones()), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            source.fail(
                fields["timezone"],
                f"{path}.timezone",
                f"unknown time zone {timezone!r}{hint} ({exc.__class__.__name__}): write an "
                "IANA zone name such as Asia/Tokyo (case matters)",
            )
    start = default.fiscal_year_start
    if "fiscal_year_start" in fields:
        start = source.integer(
            fields["fiscal_year_start"], f"{path}.fiscal_year_start", minimum=1, maximum=12
        )
    weekend = default.weekend
    if "weekend" in fields:
        weekend = _parse_weekend(source, fields["weekend"], f"{path}.weekend")
    days = default.non_working_days
    if "non_working_days" in fields:
        at = f"{path}.non_working_days"
        first_line: dict[date, int] = {}
        for i, day_node in enumerate(source.sequence(fields["non_working_days"], at)):
            day = source.date(day_node, f"{at}[{i}]")
            if day in first_line:
                source.fail(
                    day_node,
                    f"{at}[{i}]",
                    f"{day.isoformat()} is listed twice (first at line {first_line[day]}): "
                    "remove the duplicate",
                )
            first_line[day] = source.line(day_node) or 0
        days = frozenset(first_line)
    return CalendarRules(timezone, start, weekend, days)


def _parse_weekend(source: Source, node: yaml.Node, path: str) -> frozenset[int]:
    numbers: list[int] = []
    for i, day_node in enumerate(source.sequence(node, path)):
        name = source.one_of(day_node, f"{path}[{i}]", WEEKDAY_NAMES, what="weekday")
        number = WEEKDAY_NAMES.index(name)
        if number in numbers:
            source.fail(day_node, f"{path}[{i}]", f"'{name}' is listed twice: remove one")
        numbers.append(number)
    if len(numbers) == len(WEEKDAY_NAMES):
        source.fail(
            node, path, "every day of the week is a weekend, so no day is a working day: "
            "list only the days off, e.g. [sat, sun]"
        )  # fmt: skip
    return frozenset(numbers)


_ITEM_FIELDS = {"key": True, "label": True, "type": True, "bant": False, "choices": False,
                "hint": False}  # fmt: skip
_LABEL_FIELDS = {"ja": True, "en": True}
_SQL_FIELDS = {"heard_at_least": True, "required": False}
_RANK_FIELDS = {"rank": True, "label": False, "when": True}
_TARGETS_FIELDS = {"daily": False, "quarterly": False, "teams": False, "operators": False}
_OVERRIDE_FIELDS = {"daily": False, "quarterly": False}
_CALENDAR_FIELDS = {"timezone": False, "fiscal_year_start": False, "weekend": False,
                    "non_working_days": False}  # fmt: skip

_SECTIONS: dict[str, _Section] = {
    "version": _Section(_parse_version, True, "`version: 1` at the top"),
    "hearing": _Section(_parse_hearing, True, "the hearing checklist, a list of items"),
    "sql": _Section(_parse_sql, True, "e.g. `sql: {heard_at_least: 6}`"),
    "ranks": _Section(_parse_ranks, True, "the rank ladder, ending with `when: always`"),
    "activity": _Section(_parse_activity, False, "the weights of the activity volume"),
    "targets": _Section(_parse_targets, False, "the daily and quarterly target lines"),
    "calendar": _Section(_parse_calendar, False, "time zone, fiscal year start and holidays"),
    "assignment": _Section(parse_assignment, False, "lead groups by source, holding cap"),
    "stages": _Section(parse_stages, False, "the pipeline stages, e.g. [list, proposal, …]"),
    "mappings": _Section(parse_mappings, False, "CSV column mappings for `isdesk import`"),
}
