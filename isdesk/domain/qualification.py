"""Qualification: a lead's rank (A–D) and SQL status from its hearing answers.

`evaluate` is pure and fast (it runs on every keystroke in the checklist): no I/O, no textual,
no peewee. Answers are the texts the operator typed, keyed by hearing item key.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from isdesk.domain.answers import ParsedAnswer, parse_answer
from isdesk.rules import Rules
from isdesk.rules.conditions import (
    INVALID,
    UNANSWERED,
    Condition,
    WithinDays,
    candidate_states,
    facts_from_states,
    first_match,
    leaves,
    referenced_keys,
)

__all__ = ["Qualification", "evaluate"]

# Bounds the "what to ask next" search so a pathological rules file cannot stall typing.
_SEARCH_BUDGET = 20_000


@dataclass(frozen=True, slots=True)
class Qualification:
    """Where a lead stands: its rank, SQL status, and what to ask next."""

    rank: str
    rank_index: int  # 0 is the best rank
    sql: bool
    heard: int
    heard_keys: tuple[str, ...]  # checklist order
    total: int
    missing_for_sql: tuple[str, ...]
    # The better rank that needs the fewest more answers (the nearest on a tie); None at the top.
    next_rank: str | None
    missing_for_next_rank: tuple[str, ...]
    invalid_keys: tuple[str, ...] = ()  # heard, but unreadable for the item type (e.g. a date)
    # Known answers that stand in next_rank's way (they must change, not just be asked), with
    # the `within_days` window each one misses, when that is why: (key, days or None).
    blocked_by: tuple[tuple[str, int | None], ...] = ()

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict (lists instead of tuples)."""
        return {
            "rank": self.rank,
            "rank_index": self.rank_index,
            "sql": self.sql,
            "heard": self.heard,
            "total": self.total,
            "heard_keys": list(self.heard_keys),
            "missing_for_sql": list(self.missing_for_sql),
            "next_rank": self.next_rank,
            "missing_for_next_rank": list(self.missing_for_next_rank),
            "invalid_keys": list(self.invalid_keys),
            "blocked_by": [list(b) for b in self.blocked_by],
        }


def evaluate(rules: Rules, answers: Mapping[str, str], today: date) -> Qualification:
    """Qualify one lead: rank, SQL and the items to ask next.

    A missing key is unanswered; keys not in the rules are ignored. `today` decides
    `within_days` conditions.
    """
    parsed = {item.key: parse_answer(item, answers.get(item.key), today) for item in rules.hearing}
    states = {key: _state(answer) for key, answer in parsed.items()}
    conditions = [rank.when for rank in rules.ranks]
    rank_index = first_match(conditions, facts_from_states(states, today))
    heard_keys = tuple(key for key, answer in parsed.items() if answer.known)
    sql = len(heard_keys) >= rules.sql.heard_at_least and all(
        key in heard_keys for key in rules.sql.required
    )
    target, missing, blocked = _shortest_way(rules, rank_index, states, today)
    return Qualification(
        rank=rules.ranks[rank_index].rank,
        rank_index=rank_index,
        sql=sql,
        heard=len(heard_keys),
        heard_keys=heard_keys,
        total=len(rules.hearing),
        missing_for_sql=() if sql else _missing_for_sql(rules, heard_keys),
        next_rank=rules.ranks[target].rank if target is not None else None,
        missing_for_next_rank=missing,
        invalid_keys=tuple(key for key, answer in parsed.items() if answer.error),
        blocked_by=tuple((key, _window(rules.ranks[target].when, key)) for key in blocked)
        if target is not None
        else (),
    )


def _shortest_way(
    rules: Rules, rank_index: int, states: Mapping[str, object], today: date
) -> tuple[int | None, tuple[str, ...], tuple[str, ...]]:
    """(rank index, items to ask, known items in the way) of the better rank that needs the
    fewest more answers; the nearest one wins a tie, and is named even when nothing found
    reaches it (so the hint still says which rank is next)."""
    if rank_index == 0:
        return None, (), ()
    best: tuple[int, tuple[str, ...], tuple[str, ...]] | None = None
    for index in range(rank_index - 1, -1, -1):  # nearest first
        missing, blocked = _missing_for(rules, rules.ranks[index].when, states, today)
        if missing and (best is None or len(missing) < len(best[1])):
            best = (index, missing, blocked)
    return best if best is not None else (rank_index - 1, (), ())


def _window(condition: Condition, key: str) -> int | None:
    """The `within_days` window ``condition`` puts on ``key`` (None if it puts none)."""
    for leaf in leaves(condition):
        if isinstance(leaf, WithinDays) and leaf.key == key:
            return leaf.days
    return None


def _state(answer: ParsedAnswer) -> object:
    if not answer.known:
        return UNANSWERED
    return INVALID if answer.value is None else answer.value


def _missing_for_sql(rules: Rules, heard_keys: tuple[str, ...]) -> tuple[str, ...]:
    """Required-but-unheard items first, then unheard ones in order, just enough for SQL."""
    heard = set(heard_keys)
    missing = [key for key in rules.sql.required if key not in heard]
    short = rules.sql.heard_at_least - len(heard) - len(missing)
    for key in rules.keys:
        if short <= 0:
            break
        if key not in heard and key not in missing:
            missing.append(key)
            short -= 1
    return tuple(missing)


def _missing_for(
    rules: Rules, target: Condition, states: Mapping[str, object], today: date
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The fewest items to ask (or, failing that, to change) so that `target` holds, and
    which of them are already answered (they block the rank as they stand).

    First only unanswered items may be answered; if that cannot work (e.g. a known timing is
    too far away), any item the condition reads may change. Searches subsets by size, trying
    the representative answers of each item, so the answer is exact and small.
    """
    refs = referenced_keys([target], rules.keys)
    types = {item.key: (item.type, item.choices) for item in rules.hearing}
    budget = [_SEARCH_BUDGET]

    def options(key: str, may_unanswer: bool) -> list[object]:
        kind, choices = types[key]
        found = candidate_states(key, kind, choices, [target], today)
        return [*found, UNANSWERED] if may_unanswer else found

    unanswered = [key for key in rules.keys if states[key] is UNANSWERED]
    # Items the condition does not read still count towards heard_at_least: ask them in order.
    fillers = [key for key in unanswered if key not in refs]
    ask_now = {key: options(key, False) for key in refs if states[key] is UNANSWERED}
    found = _search(target, states, today, ask_now, fillers, budget)
    if found is None:
        change = {
            key: options(key, states[key] is not UNANSWERED) for key in refs
        }  # answered items may also be cleared, for `not` conditions
        found = _search(target, states, today, change, fillers, budget)
    if found is None:
        return (), ()
    ordered = tuple(key for key in rules.keys if key in found)
    return ordered, tuple(key for key in ordered if states[key] is not UNANSWERED)


def _search(
    target: Condition,
    states: Mapping[str, object],
    today: date,
    pool: Mapping[str, list[object]],
    fillers: list[str],
    budget: list[int],
) -> set[str] | None:
    keys = list(pool)
    for size in range(1, len(keys) + len(fillers) + 1):
        for picked_count in range(min(size, len(keys)), -1, -1):
            extra = size - picked_count
            if extra > len(fillers):
                continue
            for picked in itertools.combinations(keys, picked_count):
                for values in itertools.product(*(pool[key] for key in picked)):
                    budget[0] -= 1
                    if budget[0] < 0:
                        return None
                    trial = dict(states)
                    trial.update(zip(picked, values, strict=True))
                    trial.update(dict.fromkeys(fillers[:extra], INVALID))
                    if target.holds(facts_from_states(trial, today)):
                        return {*picked, *fillers[:extra]}
    return None
