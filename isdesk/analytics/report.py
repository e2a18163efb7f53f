"""The shape every long-view report returns: frozen tables a screen, a CSV or JSON can show.

A report is a frozen dataclass with ``tables()`` (one or more :class:`Table`: typed columns and
rows of plain cells), ``to_rows()`` (its main table as dicts keyed by column key) and
``to_json()`` (everything, JSON-ready: numbers stay numbers, dates are ISO strings).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

from isdesk.i18n import current_language

Cell = str | int | float | bool | None

# Column kinds: how a cell is formatted and aligned.
TEXT, INT, PCT, DAYS, YEN, FLOAT, BAR = "text", "int", "pct", "days", "yen", "float", "bar"


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    ja: str
    en: str
    kind: str = INT

    @property
    def label(self) -> str:
        return self.ja if current_language() == "ja" else self.en


@dataclass(frozen=True, slots=True)
class Table:
    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""

    def dicts(self) -> list[dict[str, Cell]]:
        keys = [c.key for c in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.rows]

    def column(self, key: str) -> list[Cell]:
        i = [c.key for c in self.columns].index(key)
        return [row[i] for row in self.rows]


class ReportBase:
    """Mixin for the report dataclasses: ``kind`` and ``tables()`` come from the subclass."""

    kind = ""

    def tables(self) -> tuple[Table, ...]:  # pragma: no cover - every report overrides
        raise TypeError(f"{type(self).__name__} must define tables()")

    def table(self, key: str | None = None) -> Table:
        tables = self.tables()
        if key is None:
            return tables[0]
        for table in tables:
            if table.key == key:
                return table
        raise KeyError(f"{key!r}: this report's tables are {', '.join(t.key for t in tables)}")

    def to_rows(self) -> list[dict[str, Cell]]:
        return self.tables()[0].dicts()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"report": self.kind}
        for f in fields(self):  # type: ignore[arg-type]  # every report is a dataclass
            out[f.name] = jsonable(getattr(self, f.name))
        return out

    def sparklines(self) -> list[tuple[str, list[float]]]:
        """(label, series) lines a text view draws under the tables; none by default."""
        return []


def jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return round(value, 6)
    return value


def rate(part: float, whole: float) -> float | None:
    """part / whole, None when there is nothing to divide by."""
    return part / whole if whole else None


def median(values: Sequence[float]) -> float | None:
    return quantile(values, 0.5)


def quantile(values: Sequence[float], q: float) -> float | None:
    """The q-quantile by linear interpolation between closest ranks (Excel's PERCENTILE.INC).

    None for no values. The median of 1, 2, 3, 10 is 2.5; its 0.8-quantile is 4.8.
    """
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)
