"""Where and when leads come from: the campaign calendar and every lead's arrival.

About weekly seminars and webinars, five trade shows, white papers published through the year
before, quarterly trials and half-yearly referral programmes; then each lead's arrival moment,
source and campaign, with more leads in recent months.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from typing import Any

from isdesk.demo import words
from isdesk.demo.clock import BACK_DAYS, DAY, HISTORY_DAYS, HOUR, OPEN_S, Clock

# What a campaign of each kind costs in the demo (yen; referrals: a partner's fee, not known).
# Varied by id, not drawn from the generator: adding costs left every other figure as it was.
_COSTS = {"seminar": 400_000, "webinar": 150_000, "trade_show": 2_500_000, "download": 300_000,
          "trial": 500_000}  # fmt: skip


def _cost(kind: str, cid: int) -> int | None:
    base = _COSTS.get(kind)
    return None if base is None else base * (7 + cid % 7) // 10


class Campaigns:
    """The campaigns of the demo's year, and the leads they (and the other sources) bring."""

    def __init__(self, rng: random.Random, clock: Clock, today: dt.date) -> None:
        self.rng = rng
        self.clock = clock
        self.today = today
        rows: list[tuple[Any, ...]] = []
        self.days: dict[str, list[int]] = {}
        self.ids: dict[str, list[int]] = {}
        self.names: dict[int, str] = {}

        def add(kind: str, day: int, name: str, lead_days: int = 30) -> None:
            cid = len(rows) + 1
            created = clock.business_moment(max(day - lead_days, 0), rng)
            rows.append((cid, name, kind, clock.date(day), clock.utc(created), _cost(kind, cid)))
            self.days.setdefault(kind, []).append(day)
            self.ids.setdefault(kind, []).append(cid)
            self.names[cid] = name

        def ymd(day: int) -> str:
            return clock.date(day).strftime("%Y/%m/%d")

        first = BACK_DAYS - HISTORY_DAYS - 3
        # ~50 seminars and webinars a year, about weekly, on a Tuesday–Thursday.
        for i in range(54):  # the last few are still to come
            day = first + i * 7 + rng.randrange(3)
            day += (1 - clock.date(day).weekday()) % 7  # the next Tuesday
            day = clock.business_day_from(day + rng.randrange(3))
            topic = rng.choice(words.SEMINAR_TOPICS)
            if rng.random() < 0.4:
                city = rng.choice(words.SEMINAR_CITIES)
                add("seminar", day, f"【セミナー】{topic}（{city}）{ymd(day)}")
            else:
                add("webinar", day, f"【ウェビナー】{topic} {ymd(day)}")
        # Trade shows: five a year, three days each, cards entered in the days after.
        for i, show in enumerate(words.TRADE_SHOWS):
            day = first + 20 + i * 72 + rng.randrange(10)
            day += (2 - clock.date(day).weekday()) % 7  # a Wednesday
            add("trade_show", day, f"{show} {clock.date(day).year}", lead_days=90)
        # White papers: published through the year before, downloaded ever after.
        for i, title in enumerate(words.WHITE_PAPERS):
            day = clock.business_day_from(BACK_DAYS - 400 + i * 45 + rng.randrange(20))
            add("download", day, f"【資料】{title}", lead_days=14)
        # Free trials and referrals: one campaign per quarter / half year.
        for kind, months, label in (
            ("trial", 3, "無料トライアル"),
            ("referral", 6, "パートナー紹介"),
        ):
            start = clock.date(first)
            month = (start.month - 1) // months * months + 1
            d = dt.date(start.year, month, 1)
            while d <= self.today:
                end_m = d.month + months - 1
                day = (d - clock.day0).days
                add(kind, day, f"{label} {d.year}年{d.month}-{end_m}月", lead_days=20)
                d = dt.date(d.year + (d.month + months > 12), (d.month + months - 1) % 12 + 1, 1)
        self.rows = rows  # the campaign table's rows

    def latest(
        self, kind: str, day: int, among: int = 1, not_before: int = 0
    ) -> tuple[int, int] | None:
        """(campaign id, held day) of one of the ``among`` latest held on or before ``day``.

        Never one held before ``not_before`` (then the first one after it), so that a lead
        arriving from an event stays inside the year of history.
        """
        days = self.days.get(kind)
        if not days:
            return None
        i = bisect.bisect_right(days, day)
        i -= self.rng.randrange(min(among, i)) if i else 0
        i = min(max(i, bisect.bisect_left(days, not_before) + 1), len(days))
        return self.ids[kind][i - 1], days[i - 1]

    def arrivals(self, leads: int) -> list[tuple[int, str, int | None]]:
        """(acquired t, source, campaign id) for every lead, in arrival order."""
        rng, clock = self.rng, self.clock
        src_names = [s for s, _ in words.SOURCES]
        src_weights = [w for _, w in words.SOURCES]
        out = []
        first_day = BACK_DAYS - HISTORY_DAYS
        for _ in range(leads):
            # More recent leads are more numerous: half uniform over the year, half linear
            # rising towards today.
            if rng.random() < 0.45:
                ago = rng.random() * HISTORY_DAYS
            else:
                ago = HISTORY_DAYS * (1 - math.sqrt(rng.random()))
            day = BACK_DAYS - 1 - int(ago)
            source = rng.choices(src_names, src_weights)[0]
            cid = None
            if source in ("セミナー", "ウェビナー"):
                kind = "seminar" if source == "セミナー" else "webinar"
                picked = self.latest(kind, day, not_before=first_day)
                assert picked
                cid, held = picked
                lag = 0 if rng.random() < 0.5 else 1 + rng.randrange(2)
                t = clock.business_moment(held + lag, rng)
            elif source == "展示会":
                picked = self.latest("trade_show", day, not_before=first_day - 3)
                assert picked
                cid, held = picked
                t = clock.business_moment(held + 3 + rng.randrange(1, 6), rng)
            elif source == "テレアポリスト":
                # Bought lists arrive in batches every other Monday morning.
                monday = day - clock.date(day).weekday()
                monday -= 7 * (monday // 7 % 2)
                if monday < first_day:
                    monday += 14
                t = clock.business_day_from(monday) * DAY + 10 * HOUR + rng.randrange(900)
            elif source == "紹介":
                t = clock.business_moment(day, rng)
            else:
                t = self.web_moment(day)
            if source in ("資料請求", "無料トライアル", "紹介"):
                kind = {"資料請求": "download", "無料トライアル": "trial", "紹介": "referral"}[
                    source
                ]
                picked = self.latest(kind, t // DAY, among=3 if kind == "download" else 1)
                cid = picked[0] if picked else None
            if t >= clock.now:  # a campaign held yesterday: its list arrived before 09:00
                t = clock.now - rng.randrange(600, 4 * HOUR)
            out.append((t, source, cid))
        out.sort(key=lambda a: a[0])
        return out

    def web_moment(self, day: int) -> int:
        """When a web form arrives on ``day``: mostly in business hours, sometimes any time."""
        rng, clock = self.rng, self.clock
        if rng.random() < 0.75:
            return clock.business_day_from(day) * DAY + OPEN_S + rng.randrange(10 * HOUR)
        return day * DAY + rng.randrange(DAY)  # evenings and weekends too
