"""Typed helpers over peewee queries.

peewee's ``query.tuples()`` switches the rows to plain tuples but returns the query itself, so
the type checker still sees a ``ModelSelect[Lead]`` yielding ``Lead`` objects. :func:`tuples`
says what the rows really are; unpacking them gives ``Any`` per column, which the caller narrows
by annotating what it unpacks into.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from peewee import BaseQuery


def tuples(query: BaseQuery) -> Iterable[tuple[Any, ...]]:
    """``query.tuples()``, typed: its rows as tuples, the columns in the order selected.

    It is the same query object (lazy, re-iterable, its results cached as peewee does).
    """
    return cast(Iterable[tuple[Any, ...]], query.tuples())
