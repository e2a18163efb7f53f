"""The team's rules as data: typed, frozen dataclasses loaded strictly from rules.yaml.

Every problem in the file raises RulesError naming the file, the line, the key path and what to
fix. The YAML is read as a node tree (`yaml.compose`) so every value keeps its line and duplicate
keys, which PyYAML would silently collapse, are caught. Pure: pyyaml + stdlib only.

The per-section dataclasses and their parsers live in modules named for what they hold
of this package (hearing, targets, calendar, routing, mappings), the YAML node reader in
``reader``, the condition language in ``conditions`` and the value parsers in ``values``; this
module keeps Rules, load_rules/parse_rules and the table of sections, and re-exports the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

# First of the package's modules (they all import yaml): PyYAML loads when a file is parsed.
import isdesk.rules._lazy  # noqa: F401
from isdesk.rules.calendar import (
    WEEKDAY_NAMES,
    CalendarHorizonWarning,
    CalendarRules,
    parse_calendar,
)
from isdesk.rules.errors import RulesError
from isdesk.rules.hearing import (
    BANT_LETTERS,
    ITEM_TYPES,
    HearingItem,
    Label,
    Rank,
    SqlRule,
    parse_hearing,
    parse_ranks,
    parse_sql,
)
from isdesk.rules.hearing import ItemType as ItemType
from isdesk.rules.mappings import CustomMapping, parse_mappings
from isdesk.rules.reader import Source, required_mapping
from isdesk.rules.routing import (
    AssignmentRules,
    Stages,
    default_stages,
    parse_assignment,
    parse_stages,
)
from isdesk.rules.targets import (
    DEFAULT_WEIGHTS,
    WEIGHT_KEYS,
    ActivityRules,
    Lines,
    LinesOverride,
    OperatorTargets,
    Targets,
    TargetsOverride,
    parse_activity,
    parse_targets,
)
from isdesk.rules.targets import LINE_FIELDS as LINE_FIELDS

if TYPE_CHECKING:
    import yaml

__all__ = [
    "BANT_LETTERS",
    "DEFAULT_WEIGHTS",
    "ITEM_TYPES",
    "WEEKDAY_NAMES",
    "WEIGHT_KEYS",
    "ActivityRules",
    "CalendarHorizonWarning",
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

SUPPORTED_VERSION = 1
DEFAULT_RULES = Path(__file__).with_name("default_rules.yaml")


@dataclass(frozen=True, slots=True)
class Rules:
    """All the team's rules. Build with load_rules() / parse_rules(), which validate."""

    version: int
    hearing: tuple[HearingItem, ...]
    sql: SqlRule
    ranks: tuple[Rank, ...]
    source: str = "<rules>"
    activity: ActivityRules = ActivityRules()  # noqa: RUF009 - frozen (rules_targets)
    targets: Targets = field(default_factory=Targets)
    calendar: CalendarRules = CalendarRules()  # noqa: RUF009 - frozen (rules_calendar)
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
    import yaml

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
            if loader is yaml.SafeLoader:
                line = text[:offset].count("\n") + 1
            else:
                line = text.encode()[:offset].count(b"\n") + 1
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
    import yaml

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
                event,  # type: ignore[arg-type]  # as above: events carry start_mark
                "(yaml)",
                f"the tag {tag} is not supported in rules.yaml: remove it (values are plain "
                "text, numbers, lists and mappings)",
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                source.fail(
                    event,  # type: ignore[arg-type]  # as above: events carry start_mark
                    "(yaml)",
                    f"nested more than {MAX_DEPTH} levels deep: check the brackets and the "
                    "indentation here",
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


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


_SECTIONS: dict[str, _Section] = {
    "version": _Section(_parse_version, True, "`version: 1` at the top"),
    "hearing": _Section(parse_hearing, True, "the hearing checklist, a list of items"),
    "sql": _Section(parse_sql, True, "e.g. `sql: {heard_at_least: 6}`"),
    "ranks": _Section(parse_ranks, True, "the rank ladder, ending with `when: always`"),
    "activity": _Section(parse_activity, False, "the weights of the activity volume"),
    "targets": _Section(parse_targets, False, "the daily and quarterly target lines"),
    "calendar": _Section(parse_calendar, False, "time zone, fiscal year start and holidays"),
    "assignment": _Section(parse_assignment, False, "lead groups by source, holding cap"),
    "stages": _Section(parse_stages, False, "the pipeline stages, e.g. [list, proposal, …]"),
    "mappings": _Section(parse_mappings, False, "CSV column mappings for `isdesk import`"),
}
