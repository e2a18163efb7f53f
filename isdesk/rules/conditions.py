"""Rank conditions (`when:` in rules.yaml) as data that evaluates itself, plus the search tools
that both the rules validator (unreachable ranks) and qualification (what to ask next) share.

Pure Python: no textual, no peewee, no I/O.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "INVALID",
    "UNANSWERED",
    "AllOf",
    "Always",
    "AnyOf",
    "Condition",
    "Equals",
    "Facts",
    "HeardAtLeast",
    "Known",
    "Not",
    "WithinDays",
    "candidate_states",
    "facts_from_states",
    "first_match",
    "leaves",
    "referenced_keys",
    "unreachable_rank",
]


class _State:
    """A marker for an answer state that has no typed value."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


UNANSWERED = _State("UNANSWERED")  # nothing heard
INVALID = _State("INVALID")  # heard, but not readable as the item's type (or irrelevant text)


@dataclass(frozen=True, slots=True)
class Facts:
    """What conditions may look at: which items are known, their typed values, the heard count."""

    today: date
    known: frozenset[str]
    values: Mapping[str, object]  # only readable answers; unreadable ones are known, no value
    heard: int


@dataclass(frozen=True, slots=True)
class Always:
    """Matches every lead: the floor of the ladder."""

    def holds(self, facts: Facts) -> bool:
        return True


@dataclass(frozen=True, slots=True)
class Known:
    """The item was heard (non-blank answer)."""

    key: str

    def holds(self, facts: Facts) -> bool:
        return self.key in facts.known


@dataclass(frozen=True, slots=True)
class WithinDays:
    """A date item falls within `days` days from today (today counts; the past does not)."""

    key: str
    days: int

    def holds(self, facts: Facts) -> bool:
        when = facts.values.get(self.key)
        return isinstance(when, date) and 0 <= (when - facts.today).days <= self.days


@dataclass(frozen=True, slots=True)
class HeardAtLeast:
    """At least `count` hearing items were heard."""

    count: int

    def holds(self, facts: Facts) -> bool:
        return facts.heard >= self.count


@dataclass(frozen=True, slots=True)
class Equals:
    """The item's canonical value equals `value` (bool, int yen, date, or str)."""

    key: str
    value: object

    def holds(self, facts: Facts) -> bool:
        got = facts.values.get(self.key, UNANSWERED)
        # type() check: True == 1 must not make a yes/no answer equal an amount of 1 yen.
        return type(got) is type(self.value) and got == self.value


@dataclass(frozen=True, slots=True)
class AllOf:
    conditions: tuple[Condition, ...]

    def holds(self, facts: Facts) -> bool:
        return all(c.holds(facts) for c in self.conditions)


@dataclass(frozen=True, slots=True)
class AnyOf:
    conditions: tuple[Condition, ...]

    def holds(self, facts: Facts) -> bool:
        return any(c.holds(facts) for c in self.conditions)


@dataclass(frozen=True, slots=True)
class Not:
    condition: Condition

    def holds(self, facts: Facts) -> bool:
        return not self.condition.holds(facts)


Condition = Always | Known | WithinDays | HeardAtLeast | Equals | AllOf | AnyOf | Not


def leaves(condition: Condition) -> Iterator[Condition]:
    """Yield the leaf conditions (everything except all/any/not)."""
    if isinstance(condition, AllOf | AnyOf):
        for child in condition.conditions:
            yield from leaves(child)
    elif isinstance(condition, Not):
        yield from leaves(condition.condition)
    else:
        yield condition


def _key(leaf: Condition) -> str | None:
    """The item key a leaf condition reads, if any."""
    return leaf.key if isinstance(leaf, Known | WithinDays | Equals) else None


def referenced_keys(conditions: Sequence[Condition], order: Sequence[str]) -> tuple[str, ...]:
    """The item keys the conditions mention, in checklist `order`."""
    used = {_key(leaf) for c in conditions for leaf in leaves(c)} - {None}
    return tuple(key for key in order if key in used)


def first_match(conditions: Sequence[Condition], facts: Facts) -> int:
    """Index of the first condition that holds, or len(conditions) when none does."""
    for index, condition in enumerate(conditions):
        if condition.holds(facts):
            return index
    return len(conditions)


def facts_from_states(states: Mapping[str, object], today: date, extra_heard: int = 0) -> Facts:
    """Build Facts from per-item states (UNANSWERED, INVALID or a typed value)."""
    known = frozenset(key for key, state in states.items() if state is not UNANSWERED)
    values = {k: v for k, v in states.items() if v is not UNANSWERED and v is not INVALID}
    return Facts(today=today, known=known, values=values, heard=len(known) + extra_heard)


def candidate_states(
    key: str,
    item_type: str,
    choices: Sequence[str],
    conditions: Sequence[Condition],
    today: date,
) -> list[object]:
    """Representative *heard* states of one item: one per way the conditions can tell apart.

    Every answer an operator could give behaves like one of these under `conditions`, so
    searching over them is exact: dates at each `within_days` edge (N, N+1), yesterday and far
    away; each choice; yes/no; each `equals` value plus one other; and "heard but unreadable".
    """
    mine = [leaf for c in conditions for leaf in leaves(c) if _key(leaf) == key]
    equals = [leaf.value for leaf in mine if isinstance(leaf, Equals)]
    states: list[object] = []
    if item_type == "date":
        spans = sorted({leaf.days for leaf in mine if isinstance(leaf, WithinDays)})
        for days in spans:
            states += [today + timedelta(days=days), today + timedelta(days=days + 1)]
        states += [today - timedelta(days=1), today + timedelta(days=max(spans, default=0) + 400)]
        states += equals
    elif item_type == "choice":
        states += list(choices)
    elif item_type == "yesno":
        states += [True, False]
    elif item_type == "amount":
        ints = [v for v in equals if isinstance(v, int)]
        states += [*ints, max(ints, default=0) + 1]
    else:  # text: a value that equals nothing stands for every other answer
        texts = [v for v in equals if isinstance(v, str)]
        states += [*texts, INVALID]
    if item_type != "text":
        states.append(INVALID)
    return list(dict.fromkeys(states))  # dedupe, keep order


def unreachable_rank(
    conditions: Sequence[Condition],
    items: Sequence[tuple[str, str, Sequence[str]]],
    today: date,
    cap: int = 200_000,
) -> int | None:
    """Index of the first rank above the floor that no answer set makes the first match.

    `items` is (key, type, choices) in checklist order. Enumerates representative states of the
    referenced items; unreferenced items matter only through `heard_at_least`, so they are a
    count. None means every rank above the floor can be first; None is also returned, without
    deciding, when the search would exceed `cap` combinations or a date item mixes `equals`
    with `within_days` (the answer would then depend on the day the rules are loaded).
    """
    order = [key for key, _, _ in items]
    refs = referenced_keys(conditions, order)
    per_key: list[list[object]] = []
    for key, item_type, choices in items:
        if key not in refs:
            continue
        kinds = {type(leaf) for c in conditions for leaf in leaves(c) if _key(leaf) == key}
        if item_type == "date" and {Equals, WithinDays} <= kinds:
            return None
        per_key.append([UNANSWERED, *candidate_states(key, item_type, choices, conditions, today)])
    unreferenced = len(order) - len(refs)
    total = unreferenced + 1
    for states in per_key:
        total *= len(states)
    if total > cap:
        return None
    # The floor is a safety net: ranks above it that cover every lead leave it unused, and
    # that is fine, so only the ranks above it are checked.
    floor = len(conditions) - 1
    seen: set[int] = set()
    for combo in itertools.product(*per_key):
        base = dict(zip(refs, combo, strict=True))
        for extra in range(unreferenced + 1):
            seen.add(first_match(conditions, facts_from_states(base, today, extra)))
        if seen.issuperset(range(floor)):
            return None  # every rank is somebody's first match: stop early
    return next(index for index in range(floor) if index not in seen)
