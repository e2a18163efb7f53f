"""Strict reading of YAML node trees for the rules: typed values with file, line and key path.

Works on `yaml.compose()` nodes rather than loaded Python objects so every value keeps its line
and duplicate keys can be refused. Also reads rank conditions (`when:`) into
isdesk.rules.conditions.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import NoReturn

import yaml

from isdesk.rules.conditions import (
    AllOf,
    Always,
    AnyOf,
    Condition,
    Equals,
    HeardAtLeast,
    Known,
    Not,
    WithinDays,
)
from isdesk.rules.errors import RulesError
from isdesk.rules.values import normalize, parse_amount, parse_date, parse_yesno

__all__ = ["Source", "pairs", "parse_condition", "peek", "required_mapping"]

_TAG = "tag:yaml.org,2002:"
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")
_RANK_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,15}")
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_OPERATORS = ("known", "within_days", "heard_at_least", "equals", "all", "any", "not")
ItemTypes = Mapping[str, tuple[str, tuple[str, ...]]]  # item key -> (type, choices)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _describe(node: yaml.Node) -> str:
    """How a value reads to a person, for 'expected X, got Y' messages."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping {...}"
    if isinstance(node, yaml.SequenceNode):
        return "a list [...]"
    kind = node.tag.removeprefix(_TAG)
    if kind == "null":
        return "nothing"
    if kind == "bool":
        return f"the yes/no value {node.value!r}"
    if kind in ("int", "float"):
        return f"the number {node.value}"
    return f"the text {node.value!r}"


def _suggest(word: str, options: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


class Source:
    """One rules file being read: raises RulesError pointing at a node's line."""

    def __init__(self, filename: str) -> None:
        self.filename = filename

    def line(self, node: yaml.Node | None) -> int | None:
        return None if node is None else node.start_mark.line + 1

    def fail(self, node: yaml.Node | None, path: str, message: str) -> NoReturn:
        raise RulesError(self.filename, self.line(node) or 1, path or "(document)", message)

    def sequence(self, node: yaml.Node, path: str, non_empty: str | None = None) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            self.fail(
                node,
                path,
                f"expected a list, got {_describe(node)}: write it as `- ...` lines or `[a, b]`",
            )
        if non_empty and not node.value:
            self.fail(node, path, f"the list is empty: add at least one {non_empty}")
        return list(node.value)

    def integer(
        self, node: yaml.Node, path: str, minimum: int = 0, maximum: int | None = None
    ) -> int:
        tag = getattr(node, "tag", "").removeprefix(_TAG)
        if not isinstance(node, yaml.ScalarNode) or tag != "int":
            hint = " (true/false are not numbers)" if tag == "bool" else ""
            self.fail(
                node,
                path,
                f"expected a whole number, got {_describe(node)}{hint}: "
                "write digits without quotes, e.g. 6",
            )
        try:
            value = yaml.constructor.SafeConstructor().construct_yaml_int(node)
        except (ValueError, IndexError):  # `!!int abc`, `!!int ''`, more than 4300 digits
            self.fail(
                node,
                path,
                f"{node.value[:40]!r} is not a whole number isdesk can read: "
                "write digits without quotes, e.g. 6",
            )
        if value < minimum:
            self.fail(
                node, path, f"must be {minimum} or more, got {value}: use a number >= {minimum}"
            )
        if maximum is not None and value > maximum:
            self.fail(
                node,
                path,
                f"must be {maximum} or less, got {value}: use a number from {minimum} to {maximum}",
            )
        return value

    def date(self, node: yaml.Node, path: str) -> date:
        """A calendar date written as 2026-01-12 (a YAML date) or '2026-01-12' (quoted)."""
        if not isinstance(node, yaml.ScalarNode) or node.tag == _TAG + "null":
            self.fail(
                node, path, f"expected a date, got {_describe(node)}: write it as e.g. 2026-01-12"
            )
        written = node.value.strip()
        match = _DATE.fullmatch(written)
        if match is None:
            self.fail(
                node,
                path,
                f"{written!r} is not a date: write year-month-day without a time, e.g. 2026-01-12",
            )
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError as exc:
            self.fail(
                node, path, f"{written!r} is not a real date ({exc}): check the day and month"
            )

    def text(self, node: yaml.Node, path: str) -> str:
        # Any plain scalar is taken as its written text: YAML 1.1 would otherwise turn
        # `no`, `on` or `2024` into bools or numbers behind a team lead's back.
        if not isinstance(node, yaml.ScalarNode) or node.tag == _TAG + "null":
            self.fail(node, path, f"expected text, got {_describe(node)}: write a value")
        if not node.value.strip():
            self.fail(node, path, "is blank: write a value")
        return node.value.strip()

    def identifier(self, node: yaml.Node, path: str) -> str:
        key = self.text(node, path)
        if not _IDENTIFIER.fullmatch(key):
            self.fail(
                node,
                path,
                f"'{key}' is not a valid key: use lower-case ASCII letters, "
                "digits and _, starting with a letter (e.g. current_setup)",
            )
        return key

    def one_of(self, node: yaml.Node, path: str, options: Sequence[str], what: str) -> str:
        value = self.text(node, path)
        if value not in options:
            self.fail(
                node,
                path,
                f"unknown {what} '{value}'{_suggest(value, options)}: use "
                f"one of {', '.join(options)}",
            )
        return value

    def item_key(self, node: yaml.Node, path: str, keys: Sequence[str]) -> str:
        key = self.text(node, path)
        if key not in keys:
            self.fail(
                node,
                path,
                f"unknown hearing item '{key}'{_suggest(key, keys)}: use "
                f"one of the keys under hearing: ({', '.join(keys)})",
            )
        return key

    def rank_name(self, node: yaml.Node, path: str) -> str:
        name = self.text(node, path)
        if not _RANK_NAME.fullmatch(name):
            self.fail(
                node,
                path,
                f"'{name}' is not a valid rank name: use 1-16 ASCII letters, "
                "digits, _ or - (e.g. A)",
            )
        return name


def pairs(
    source: Source, node: yaml.Node, path: str, what: str
) -> list[tuple[str, yaml.Node, yaml.Node]]:
    """Key/value pairs of a mapping node, refusing non-mappings, odd keys and duplicates.

    For mappings whose keys are names chosen by the team (teams, operators); a mapping with a
    fixed set of keys is read with required_mapping instead.
    """
    if not isinstance(node, yaml.MappingNode):
        source.fail(node, path, f"expected {what} (a `key: value` mapping), got {_describe(node)}")
    pairs: list[tuple[str, yaml.Node, yaml.Node]] = []
    first: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or not key_node.value:
            source.fail(key_node, path, "expected a plain name as key: write `name: value`")
        key = key_node.value
        if key in first:
            source.fail(
                key_node,
                _join(path, key),
                f"duplicate key '{key}' (first at line "
                f"{source.line(first[key])}); YAML would silently keep only the last "
                "one: remove or merge one of them",
            )
        first[key] = key_node
        pairs.append((key, key_node, value_node))
    return pairs


def required_mapping(
    source: Source, node: yaml.Node, path: str, fields: Mapping[str, bool], what: str
) -> dict[str, yaml.Node]:
    """Read a mapping whose keys must be among `fields` (name -> required)."""
    found: dict[str, yaml.Node] = {}
    for key, key_node, value_node in pairs(source, node, path, what):
        if key not in fields:
            kind = "section" if not path else "key"
            source.fail(
                key_node,
                _join(path, key),
                f"unknown {kind} '{key}'"
                f"{_suggest(key, list(fields))}: allowed here are "
                f"{', '.join(fields)}; remove it or fix the spelling",
            )
        found[key] = value_node
    for key, required in fields.items():
        if required and key not in found:
            source.fail(node, _join(path, key), f"missing '{key}': add `{key}:` to {what}")
    return found


def peek(node: yaml.Node, key: str) -> str:
    """The written text of `key` in a mapping node, or '?' (for messages only)."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key and isinstance(value_node, yaml.ScalarNode):
                return str(value_node.value)
    return "?"


def parse_condition(
    source: Source, node: yaml.Node, path: str, types: ItemTypes, top: bool = False
) -> Condition:
    """Read a rank condition; `top` is True for the whole `when:` (where `always` may stand)."""
    if isinstance(node, yaml.ScalarNode) and node.value == "always" and node.tag == _TAG + "str":
        if not top:
            source.fail(
                node,
                path,
                "`always` is only allowed as a whole `when: always`: "
                "remove it from this combination",
            )
        return Always()
    ops = ", ".join(_OPERATORS)
    if not isinstance(node, yaml.MappingNode) or not node.value:
        source.fail(
            node,
            path,
            f"expected a condition, got {_describe(node)}: write `always` "
            f"or a mapping with one of {ops}",
        )
    found = pairs(source, node, path, "a condition")
    if len(found) > 1:
        names = ", ".join(key for key, _, _ in found)
        source.fail(
            found[1][1],
            _join(path, found[1][0]),
            f"a condition has exactly one "
            f"operator but this one has {names}: wrap them in `all: [...]` (every one "
            "must hold) or `any: [...]` (one is enough)",
        )
    op, op_node, value = found[0]
    at = _join(path, op)
    if op == "known":
        return Known(source.item_key(value, at, list(types)))
    if op == "heard_at_least":
        count = source.integer(value, at, minimum=0)
        if count > len(types):
            source.fail(
                value, at, f"is {count} but there are only {len(types)} hearing items: lower it"
            )
        return HeardAtLeast(count)
    if op in ("all", "any"):
        children = source.sequence(value, at, non_empty="condition")
        parsed = tuple(
            parse_condition(source, child, f"{at}[{i}]", types) for i, child in enumerate(children)
        )
        return AllOf(parsed) if op == "all" else AnyOf(parsed)
    if op == "not":
        return Not(parse_condition(source, value, at, types))
    if op in ("within_days", "equals"):
        key, key_node, arg = _single_item(source, value, at, types)
        kind, choices = types[key]
        if op == "equals":
            return Equals(key, _equals_value(source, arg, _join(at, key), kind, choices))
        if kind != "date":
            source.fail(
                key_node,
                _join(at, key),
                f"within_days needs a date item but '{key}' "
                f"is type {kind}: use a date item (or `known: {key}`)",
            )
        return WithinDays(key, source.integer(arg, _join(at, key), minimum=0))
    source.fail(
        op_node,
        at,
        f"unknown condition '{op}'{_suggest(op, _OPERATORS)}: use one of {ops}, or `always`",
    )


def _single_item(
    source: Source, node: yaml.Node, path: str, types: ItemTypes
) -> tuple[str, yaml.Node, yaml.Node]:
    """Read `{item_key: argument}` with exactly one item."""
    found = pairs(source, node, path, "`{item_key: value}`")
    if len(found) != 1:
        where = found[1][1] if found else node
        source.fail(
            where,
            path,
            f"name exactly one item, e.g. `{{timing: 30}}`, got "
            f"{len(found)}: combine several with `all: [...]`",
        )
    key, key_node, arg = found[0]
    source.item_key(key_node, _join(path, key), list(types))
    return key, key_node, arg


def _equals_value(
    source: Source, node: yaml.Node, path: str, kind: str, choices: tuple[str, ...]
) -> object:
    """The canonical value an answer must read as; refuses values no answer can produce."""
    if not isinstance(node, yaml.ScalarNode) or node.tag == _TAG + "null":
        source.fail(node, path, f"expected a value, got {_describe(node)}: write one value")
    raw = node.value
    value: object | None
    if kind == "yesno":
        value = parse_yesno(raw)
        expected = "yes/no: write true or false"
    elif kind == "amount":
        value = parse_amount(raw)
        expected = "an amount in yen: write e.g. 5000000 or 500万"
    elif kind == "date":
        value = parse_date(raw, None)
        expected = "a date like 2026-12-22 (relative dates belong in within_days)"
    elif kind == "choice":
        # Only the choice's own text: a 1-based number would silently change meaning on reorder.
        folded = normalize(raw).casefold()
        value = next((c for c in choices if normalize(c).casefold() == folded), None)
        expected = f"one of the item's choices: {', '.join(choices)}"
    else:
        value = normalize(raw) or None
        expected = "some text"
    if value is None:
        source.fail(
            node,
            path,
            f"an answer to this {kind} item can never equal {raw!r}: expected {expected}",
        )
    return value
