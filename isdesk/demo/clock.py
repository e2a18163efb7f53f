"""The demo's calendar: times as int seconds, business days and hours in JST.

The whole simulation counts time as int seconds since JST midnight of day 0, which is
``BACK_DAYS`` before the demo's today; business days skip weekends and the year-end break.
"""

from __future__ import annotations

import datetime as dt
import random

DAY = 86_400
HOUR = 3_600
BACK_DAYS = 400  # the clock starts here: campaigns and white papers predate the first lead
HISTORY_DAYS = 365
OPEN_S = 9 * HOUR  # business hours, JST
CLOSE_S = 18 * HOUR + 1800
NOW_S = 17 * HOUR
JST = dt.timezone(dt.timedelta(hours=9), "JST")


class Clock:
    """Times as int seconds since JST midnight of day 0 (``today - BACK_DAYS``).

    Ints keep the simulation cheap; they become naive UTC datetimes (what UtcDateTimeField
    stores) only when a row is built. Japan has no DST, so JST is a fixed +9 h.
    """

    def __init__(self, today: dt.date) -> None:
        self.day0 = today - dt.timedelta(days=BACK_DAYS)
        self.base_utc = dt.datetime.combine(self.day0, dt.time()) - dt.timedelta(hours=9)
        self.today = BACK_DAYS
        # The demo's "now": today 17:00 JST, late in a working day, so today's volumes and the
        # team's rows show a day's work instead of a morning's nothing.
        self.now = BACK_DAYS * DAY + NOW_S
        self._business = [is_business_day(self.date(d)) for d in range(BACK_DAYS + 90)]

    def is_business(self, day: int) -> bool:
        if 0 <= day < len(self._business):
            return self._business[day]
        return is_business_day(self.date(day))

    def date(self, day: int) -> dt.date:
        return self.day0 + dt.timedelta(days=day)

    def utc(self, t: int) -> dt.datetime:
        return self.base_utc + dt.timedelta(seconds=t)

    def business_day_from(self, day: int) -> int:
        """``day`` itself when it is a business day, else the next one."""
        while not self.is_business(day):
            day += 1
        return day

    def work_time(self, t: int, rng: random.Random) -> int:
        """``t`` if it falls in business hours, else a moment early the next business day."""
        day, tod = divmod(t, DAY)
        if self.is_business(day):
            if OPEN_S <= tod < CLOSE_S:
                return t
            if tod < OPEN_S:
                return day * DAY + OPEN_S + rng.randrange(3 * HOUR)
        return self.business_day_from(day + 1) * DAY + OPEN_S + rng.randrange(3 * HOUR)

    def later(self, t: int, gap: int, rng: random.Random) -> int:
        """A working moment about ``gap`` seconds after ``t``, at any business hour."""
        target = t + gap
        day, tod = divmod(target, DAY)
        if self.is_business(day) and OPEN_S <= tod < CLOSE_S:
            return target
        if not self.is_business(day):
            # Spread weekend work over the next days rather than piling it onto Monday.
            day = self.business_day_from(day) + rng.randrange(3)
        elif tod >= CLOSE_S:
            day += 1
        moment = self.business_moment(day, rng)
        return moment if moment > t else self.work_time(t + rng.randrange(1800, 3 * HOUR), rng)

    def business_moment(self, day: int, rng: random.Random) -> int:
        """A random moment within business hours of ``day`` (moved to a business day)."""
        return self.business_day_from(day) * DAY + OPEN_S + rng.randrange(CLOSE_S - OPEN_S - 1800)


def is_business_day(day: dt.date) -> bool:
    # Weekends and the year-end break (12/29–1/3); national holidays are left out on purpose.
    if day.weekday() >= 5:
        return False
    return not ((day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3))
