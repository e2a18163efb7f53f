"""The rows the history is loaded into, the kinds of event and activity they are read from,
and pausing the cyclic garbage collector while making many of them.

Every row is a plain tuple (a NamedTuple, built with :data:`_new`): on the 100k-lead demo the
reports hold a few hundred thousand, so they are made in C and the collector is paused
(:func:`gc_paused`) while they are loaded or replayed. Event conventions: see
isdesk.analytics.history.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple, ParamSpec, TypeVar

CONTACT_KINDS = ("call", "email", "meeting")  # a lead's first contact is the first of these
# Reached, not only attempted: a call somebody answered ("connected") or a meeting. An e-mail
# or an unanswered call is an attempt (isdesk records no e-mail replies).
REACHED_SQL = "(kind = 'meeting' OR (kind = 'call' AND outcome = 'connected'))"
ACTIVE_STATUSES = frozenset({"open", "handed_off"})  # a lead in one of these is being worked
HISTORY_KINDS = ("stage", "status", "sql", "handoff")  # as in migration 0006's partial index
# The partial index's condition, written out as it is so that SQLite sees the query implies it.
_HISTORY_IN = "(" + ", ".join(f"'{k}'" for k in HISTORY_KINDS) + ")"
_NOT_TRUE = "COALESCE(old_value, '') <> 'true'"


class LeadRow(NamedTuple):
    id: int
    acquired: int  # epoch seconds, UTC
    source: str
    campaign: int | None
    owner: int | None  # the current owner: for listing who to call, never for counting
    status: str  # current (for listing)
    stage: str  # current (for listing)
    company: str


class Stay(NamedTuple):
    """A lead's time in one stage while being worked (status open or handed_off)."""

    stage: int  # index into rules.stages.keys
    start: int
    end: int | None  # None: still there at as_of
    outcome: str | None  # "moved" (to a later stage) | "dropped" (back, lost, nurturing) | None
    dest: int | None  # the stage moved to, for "moved"


class Timeline(NamedTuple):
    """One lead's pipeline history replayed up to as_of."""

    lead: int
    stays: tuple[Stay, ...]
    reached: tuple[int | None, ...]  # first time each stage was reached (index 0: acquired)
    first_sql: int | None
    stage: int  # at as_of
    status: str  # at as_of
    since: int  # when the lead entered its as_of stage (its last stage move)


class Dated(NamedTuple):
    lead: int
    at: int
    actor: int | None


# NamedTuple's generated __new__ costs a Python call per row; tuple.__new__ with the class
# builds the same object in C (the replay makes a few hundred thousand of them).
_new = tuple.__new__


@dataclass
class Operators:
    names: dict[int, str]
    display: dict[int, str]
    teams: dict[int, str]
    roles: dict[int, str]
    by_name: dict[str, int]


_P = ParamSpec("_P")
_R = TypeVar("_R")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while loading or replaying rows.

    The rows are tuples of numbers and strings (no cycles to find), but each allocation
    counts towards a collection, and a collection walks every tuple already loaded: on the
    100k-lead demo that tripled the replay's time. Resumed only if this call paused it.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def without_gc(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``fn`` under :func:`gc_paused` (for the report builders)."""

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with gc_paused():
            return fn(*args, **kwargs)

    return wrapper
