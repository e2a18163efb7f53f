"""Time for the long-view reports: whole UTC epoch seconds and local calendar months.

The history is read as whole epoch seconds computed by the database (``unixepoch`` on SQLite,
``EXTRACT(EPOCH …)`` on PostgreSQL; see isdesk.analytics.history); these helpers convert
datetimes the same way and bucket instants into the calendar's local months and days.
"""

from __future__ import annotations

import bisect
import datetime as dt
import sqlite3

from isdesk.rules import Rules

DAY_S = 86_400


def epoch(moment: dt.datetime) -> int:
    """Whole epoch seconds of an aware (or naive UTC) datetime, floored like the database."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp() // 1)


def from_epoch(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


class Months:
    """Local calendar months as integers (year * 12 + month - 1) and their UTC bounds.

    ``index(ts)`` is a bisect over precomputed month starts, so bucketing a million instants
    costs no time-zone arithmetic per instant.
    """

    def __init__(self, rules: Rules, first: int, last: int) -> None:
        self.zone = rules.calendar.zone
        self.first = first - 1  # one spare month each side: instants just outside still map
        self.last = last + 1
        self.starts = [self.start(m) for m in range(self.first, self.last + 2)]

    @staticmethod
    def of_date(day: dt.date) -> int:
        return day.year * 12 + day.month - 1

    @staticmethod
    def to_date(month: int) -> dt.date:
        return dt.date(month // 12, month % 12 + 1, 1)

    @staticmethod
    def label(month: int) -> str:
        return f"{month // 12:04d}-{month % 12 + 1:02d}"

    def start(self, month: int) -> int:
        return epoch(dt.datetime.combine(self.to_date(month), dt.time(), tzinfo=self.zone))

    def index(self, ts: int) -> int:
        i = bisect.bisect_right(self.starts, ts) - 1
        if i < 0 or i >= len(self.starts) - 1:  # outside the prepared range: slow and exact
            day = dt.datetime.fromtimestamp(ts, self.zone).date()
            return self.of_date(day)
        return self.first + i

    @classmethod
    def spanning(cls, rules: Rules, lo: int, hi: int) -> Months:
        zone = rules.calendar.zone
        first = cls.of_date(dt.datetime.fromtimestamp(lo, zone).date())
        last = cls.of_date(dt.datetime.fromtimestamp(hi, zone).date())
        return cls(rules, first, last)


def local_midnight(day: dt.date, rules: Rules) -> dt.datetime:
    """The start of local day ``day`` as an aware UTC datetime."""
    return dt.datetime.combine(day, dt.time(), tzinfo=rules.calendar.zone).astimezone(dt.UTC)


def _sqlite_epoch(column: str) -> str:
    if sqlite3.sqlite_version_info >= (3, 38):
        return f"unixepoch({column})"
    return f"CAST(strftime('%s', {column}) AS INTEGER)"
