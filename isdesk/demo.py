"""``isdesk demo``: a deterministic, believable demo database with a year of history.

The data is simulated lead by lead in arrival order: a lead arrives from a source (often a
campaign), is handed out round-robin to its team, is called and e-mailed on business days,
answers hearing items during conversations, is re-qualified after every answer with the team's
rules, and is handed off to field sales, won, lost or sent back to nurturing. Every change is
also written to the append-only event log, so reports see the same history as after a real
year of use.

Speed: rows are built as tuples with ids assigned here, and written with the SQL peewee would
generate through ``cursor.executemany`` (SQLite) or ``execute_values`` (PostgreSQL); see
shared/MEASURED.md, peewee's ``insert_many`` is ~9x slower.

Conventions the event log follows (the same as isdesk.services.leads): an answer event's
old_value is "" for a first answer; ``sql`` values are "true"/"false"; ``owner`` values are
operator login names ("" for nobody); ``status``/``stage`` values are the keys.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from peewee import Database, Model

from isdesk import demo_names as names
from isdesk.qualification import evaluate
from isdesk.rules import HearingItem, Rules, load_rules
from isdesk.store.db import is_postgres
from isdesk.store.models import ALL_MODELS, Activity, Answer, Campaign, Lead, LeadEvent, Operator
from isdesk.text import search_key

__all__ = ["DemoError", "DemoSummary", "build_demo"]

DAY = 86_400
HOUR = 3_600
BACK_DAYS = 400  # the clock starts here: campaigns and white papers predate the first lead
HISTORY_DAYS = 365
OPEN_S = 9 * HOUR  # business hours, JST
CLOSE_S = 18 * HOUR + 1800
JST = dt.timezone(dt.timedelta(hours=9), "JST")
LEADS_PER_CHUNK = 2_000  # simulated, written and reported at a time (bounds memory)
ROWS_PER_BATCH = 5_000


class DemoError(RuntimeError):
    """The demo cannot be built here (e.g. the database already holds data)."""


@dataclass(frozen=True)
class DemoSummary:
    """What build_demo wrote."""

    operators: int
    campaigns: int
    leads: int
    answers: int
    events: int
    activities: int
    me: str | None


def build_demo(
    db: Database,
    *,
    leads: int = 2000,
    seed: int = 42,
    today: dt.date | None = None,
    me: str | None = None,
    rules: Rules | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Fill an empty, migrated database with demo data and return the row counts.

    The same (leads, seed, today, me) always gives the same rows: all randomness comes from
    ``random.Random(seed)`` and all times from ``today`` (default: today in Asia/Tokyo). The
    demo's "now" is today 09:00 JST: history lies before it, next actions on both sides.
    ``me`` (the OS user running the demo) joins team inbound as a team lead with a normal
    share of leads. ``progress(done, total)`` is called with lead counts as chunks are written.
    Raises DemoError, writing nothing, when the database already holds data.
    """
    if leads < 0:
        raise DemoError("leads must be zero or more")
    today = today or dt.datetime.now(JST).date()
    rules = rules or load_rules(None)
    opened = db.is_closed()
    if opened:
        db.connect()
    try:
        sim = _Simulation(random.Random(seed), today, rules, me)
        writer = _Writer(db)
        # Checked inside the write transaction (SQLite: BEGIN IMMEDIATE holds the write lock),
        # so two demos started at once cannot both find the database empty.
        with db.atomic():
            used = [
                m._meta.table_name
                for m in ALL_MODELS
                if db.execute_sql(f'SELECT 1 FROM "{m._meta.table_name}" LIMIT 1').fetchone()
            ]
            if used:
                raise DemoError(
                    f"database is not empty: {', '.join(used)} already hold rows; "
                    "build the demo in a new, empty database"
                )
            writer.write(Operator, sim.operator_rows())
            writer.write(Campaign, sim.campaign_rows())
            done = 0
            if progress:
                progress(0, leads)
            for chunk in sim.lead_chunks(leads):
                for model, rows in chunk:
                    writer.write(model, rows)
                done += len(chunk[0][1])
                if progress:
                    progress(done, leads)
            writer.reset_sequences()
        return DemoSummary(**writer.counts(), me=me)
    finally:
        if opened:
            db.close()


# --- writing --------------------------------------------------------------------------------


class _Writer:
    """Bulk inserts with explicit ids, the SQL peewee would generate, run by the driver."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.pg = is_postgres(db)
        self.written: dict[str, int] = {m._meta.table_name: 0 for m in ALL_MODELS}

    def _sql(self, model: type[Model]) -> str:
        cols = ", ".join(f'"{f.column_name}"' for f in model._meta.sorted_fields)
        table = f'"{model._meta.table_name}"'
        if self.pg:
            return f"INSERT INTO {table} ({cols}) VALUES %s"
        marks = ", ".join([self.db.param] * len(model._meta.sorted_fields))
        return f"INSERT INTO {table} ({cols}) VALUES ({marks})"

    def write(self, model: type[Model], rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        sql = self._sql(model)
        cursor = self.db.cursor()
        if self.pg:
            from psycopg2.extras import execute_values

            execute_values(cursor, sql, rows, page_size=ROWS_PER_BATCH)
        else:
            for i in range(0, len(rows), ROWS_PER_BATCH):
                cursor.executemany(sql, rows[i : i + ROWS_PER_BATCH])
        self.written[model._meta.table_name] += len(rows)

    def reset_sequences(self) -> None:
        """PostgreSQL: ids were given explicitly, so move each serial on past them."""
        if not self.pg:
            return
        for model in ALL_MODELS:
            table = model._meta.table_name
            self.db.execute_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f'COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM "{table}"'
            )

    def counts(self) -> dict[str, int]:
        w = self.written
        return {
            "operators": w["operator"],
            "campaigns": w["campaign"],
            "leads": w["lead"],
            "answers": w["answer"],
            "events": w["lead_event"],
            "activities": w["activity"],
        }


# --- time -----------------------------------------------------------------------------------


class _Clock:
    """Times as int seconds since JST midnight of day 0 (``today - BACK_DAYS``).

    Ints keep the simulation cheap; they become naive UTC datetimes (what UtcDateTimeField
    stores) only when a row is built. Japan has no DST, so JST is a fixed +9 h.
    """

    def __init__(self, today: dt.date) -> None:
        self.day0 = today - dt.timedelta(days=BACK_DAYS)
        self.base_utc = dt.datetime.combine(self.day0, dt.time()) - dt.timedelta(hours=9)
        self.today = BACK_DAYS
        self.now = BACK_DAYS * DAY + OPEN_S  # the demo's "now": today 09:00 JST
        self._business = [_is_business_day(self.date(d)) for d in range(BACK_DAYS + 90)]

    def is_business(self, day: int) -> bool:
        if 0 <= day < len(self._business):
            return self._business[day]
        return _is_business_day(self.date(day))

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


def _is_business_day(day: dt.date) -> bool:
    # Weekends and the year-end break (12/29–1/3); national holidays are left out on purpose.
    if day.weekday() >= 5:
        return False
    return not ((day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3))


# --- the simulation -------------------------------------------------------------------------


@dataclass
class _Op:
    id: int
    name: str
    display: str
    team: str
    role: str
    joined: int  # t
    left: int | None  # t when they stopped taking leads; their leads move then
    team_after: str | None  # "field" for an operator rotated out to field sales

    def on_duty(self, t: int) -> bool:
        """Takes inside-sales leads at ``t``."""
        return self.joined <= t and (self.left is None or t < self.left)

    def in_field(self, t: int) -> bool:
        """Takes handed-off leads at ``t``."""
        if self.role == "field":
            return self.joined <= t
        return self.team_after == "field" and self.left is not None and self.left <= t


@dataclass
class _Company:
    name: str
    domain: str
    phone_head: str  # "03-5123"
    email_style: int


class _Simulation:
    def __init__(self, rng: random.Random, today: dt.date, rules: Rules, me: str | None) -> None:
        self.rng = rng
        self.clock = _Clock(today)
        self.today = today
        self.rules = rules
        self.items = rules.hearing
        self.me = me
        self._qual_cache: dict[tuple[str | None, ...], tuple[str, bool, int, tuple[str, ...]]] = {}
        self._plan_operators()
        self._plan_campaigns()

    # operators ---------------------------------------------------------------------------

    def _plan_operators(self) -> None:
        clock, rng = self.clock, self.rng
        team = list(names.TEAM)
        if self.me:
            mine = (self.me, self.me, "inbound", "lead", 900, None, None)
            hit = [i for i, row in enumerate(team) if row[1] == self.me]
            if hit:  # the OS user shares a demo login: they become that person
                team[hit[0]] = (team[hit[0]][0], *mine[1:])
            else:
                team.append(mine)
        self.ops: list[_Op] = []
        for i, (display, login, team_name, role, joined, left, after) in enumerate(team, 1):
            joined_t = clock.business_moment(BACK_DAYS - joined, rng)
            left_t = clock.business_moment(BACK_DAYS - left, rng) if left else None
            self.ops.append(_Op(i, login, display, team_name, role, joined_t, left_t, after))
        self.by_team = {
            t: [o for o in self.ops if o.team == t and o.role != "field"]
            for t in ("inbound", "outbound")
        }
        self.field_ops = [o for o in self.ops if o.role == "field" or o.team_after == "field"]
        self._turn = {"inbound": 0, "outbound": 0, "field": 0, "move": 0}

    def operator_rows(self) -> list[tuple[Any, ...]]:
        rows = []
        for o in self.ops:
            team, role, active = o.team, o.role, True
            if o.left is not None:
                if o.team_after:
                    team, role = o.team_after, "field"
                else:
                    active = False  # left the company: kept for history, never assigned
            rows.append((o.id, o.name, o.display, team, role, active, self.clock.utc(o.joined)))
        return rows

    def _pick(self, pool: list[_Op], turn: str, t: int) -> _Op:
        """Round-robin in arrival order among those on duty: balanced by quantity first."""
        if turn == "field":
            on_duty = [o for o in pool if o.in_field(t)] or [o for o in pool if o.role == "field"]
        else:
            on_duty = [o for o in pool if o.on_duty(t)]
        op = on_duty[self._turn[turn] % len(on_duty)]
        self._turn[turn] += 1
        return op

    # campaigns ---------------------------------------------------------------------------

    def _plan_campaigns(self) -> None:
        rng, clock = self.rng, self.clock
        rows: list[tuple[Any, ...]] = []
        self.campaign_days: dict[str, list[int]] = {}
        self.campaign_ids: dict[str, list[int]] = {}
        self.campaign_names: dict[int, str] = {}

        def add(kind: str, day: int, name: str, lead_days: int = 30) -> None:
            cid = len(rows) + 1
            created = clock.business_moment(max(day - lead_days, 0), rng)
            rows.append((cid, name, kind, clock.date(day), clock.utc(created)))
            self.campaign_days.setdefault(kind, []).append(day)
            self.campaign_ids.setdefault(kind, []).append(cid)
            self.campaign_names[cid] = name

        def ymd(day: int) -> str:
            return clock.date(day).strftime("%Y/%m/%d")

        first = BACK_DAYS - HISTORY_DAYS - 3
        # ~50 seminars and webinars a year, about weekly, on a Tuesday–Thursday.
        for i in range(54):  # the last few are still to come
            day = first + i * 7 + rng.randrange(3)
            day += (1 - clock.date(day).weekday()) % 7  # the next Tuesday
            day = clock.business_day_from(day + rng.randrange(3))
            topic = rng.choice(names.SEMINAR_TOPICS)
            if rng.random() < 0.4:
                city = rng.choice(names.SEMINAR_CITIES)
                add("seminar", day, f"【セミナー】{topic}（{city}）{ymd(day)}")
            else:
                add("webinar", day, f"【ウェビナー】{topic} {ymd(day)}")
        # Trade shows: five a year, three days each, cards entered in the days after.
        for i, show in enumerate(names.TRADE_SHOWS):
            day = first + 20 + i * 72 + rng.randrange(10)
            day += (2 - clock.date(day).weekday()) % 7  # a Wednesday
            add("trade_show", day, f"{show} {clock.date(day).year}", lead_days=90)
        # White papers: published through the year before, downloaded ever after.
        for i, title in enumerate(names.WHITE_PAPERS):
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
        self._campaign_rows = rows

    def campaign_rows(self) -> list[tuple[Any, ...]]:
        return self._campaign_rows

    def _latest_campaign(
        self, kind: str, day: int, among: int = 1, not_before: int = 0
    ) -> tuple[int, int] | None:
        """(campaign id, held day) of one of the ``among`` latest held on or before ``day``.

        Never one held before ``not_before`` (then the first one after it), so that a lead
        arriving from an event stays inside the year of history.
        """
        days = self.campaign_days.get(kind)
        if not days:
            return None
        i = bisect.bisect_right(days, day)
        i -= self.rng.randrange(min(among, i)) if i else 0
        i = min(max(i, bisect.bisect_left(days, not_before) + 1), len(days))
        return self.campaign_ids[kind][i - 1], days[i - 1]

    # companies and contacts --------------------------------------------------------------

    def _plan_companies(self, leads: int) -> None:
        rng = self.rng
        want = max(40, leads // 3)
        seen: set[str] = set()
        domains: set[str] = set()
        self.companies: list[_Company] = []
        area_weights = [w for _, _, w in names.AREA_CODES]
        for _ in range(want * 4):
            if len(self.companies) >= want:
                break
            r = rng.random()
            family = False
            if r < 0.012:
                name, slug = rng.choice(names.HALF_WIDTH_COMPANIES)
                core = ""
            elif r < 0.25:
                fam, fam_slug = names.FAMILY_NAMES[int(len(names.FAMILY_NAMES) * rng.random() ** 2)]
                suffix, suf_slug = rng.choice(names.FAMILY_BUSINESS_SUFFIXES)
                core, slug, family = fam + suffix, f"{fam_slug}-{suf_slug}", True
            else:
                prefix, pre_slug = rng.choice(names.COMPANY_PREFIXES)
                suffix, suf_slug = rng.choice(names.COMPANY_SUFFIXES)
                core, slug = prefix + suffix, f"{pre_slug}-{suf_slug}"
            tld = ".co.jp"
            if core:
                r = rng.random()
                if family and r < 0.3:
                    name = "有限会社" + core if r < 0.2 else core + "有限会社"
                elif r < 0.55:
                    name = "株式会社" + core
                elif r < 0.9:
                    name = core + "株式会社"
                elif r < 0.95:
                    name, tld = "合同会社" + core, ".jp"
                else:
                    name = "有限会社" + core
            if name in seen:
                continue
            seen.add(name)
            if rng.random() < 0.12:
                tld = rng.choice((".jp", ".com"))
            domain = slug + tld
            if domain in domains:  # 株式会社X and X株式会社 are different companies
                variants = itertools.chain(
                    (slug + other for other in (".jp", ".com", ".net")),
                    (f"{slug}{n}{tld}" for n in itertools.count(2)),
                )
                domain = next(v for v in variants if v not in domains)
            domains.add(domain)
            code, mid_digits, _ = rng.choices(names.AREA_CODES, area_weights)[0]
            mid = str(rng.randrange(2, 10)) + "".join(
                str(rng.randrange(10)) for _ in range(mid_digits - 1)
            )
            self.companies.append(_Company(name, domain, f"{code}-{mid}", rng.randrange(4)))

    def _contact(self, company: _Company, source: str) -> tuple[str, str, str, str]:
        """(contact, title, phone, email): a way to reach the lead is always among them."""
        rng = self.rng
        line = f"{company.phone_head}-{rng.randrange(10000):04d}"
        if source == "テレアポリスト" and rng.random() < 0.35:
            return "", "", line, ""  # a bought list: only the switchboard
        fam, fam_r = names.FAMILY_NAMES[int(len(names.FAMILY_NAMES) * rng.random() ** 1.5)]
        given, given_r = rng.choice(names.GIVEN_NAMES)
        title = _weighted(rng, names.TITLES)
        style = company.email_style
        local = (f"{given_r[0]}.{fam_r}", f"{fam_r}.{given_r}", f"{fam_r}-{given_r[0]}", fam_r)[
            style
        ]
        email = f"{local}@{company.domain}"
        r = rng.random()
        if source in ("展示会", "無料トライアル") and r < 0.3:
            mobile = rng.choice(names.MOBILE_PREFIXES)
            phone = f"{mobile}-{rng.randrange(1000, 10000)}-{rng.randrange(10000):04d}"
        elif r < 0.06 and source not in ("展示会", "テレアポリスト"):
            phone = ""  # web forms with an optional phone field
        else:
            phone = line
        if not phone and source == "紹介":
            phone = line
        if source == "展示会" and rng.random() < 0.05:
            email = ""  # a card without an address
        return f"{fam} {given}", title, phone, email

    # acquisition -------------------------------------------------------------------------

    def _arrivals(self, leads: int) -> list[tuple[int, str, int | None]]:
        """(acquired t, source, campaign id) for every lead, in arrival order."""
        rng, clock = self.rng, self.clock
        src_names = [s for s, _ in names.SOURCES]
        src_weights = [w for _, w in names.SOURCES]
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
                picked = self._latest_campaign(kind, day, not_before=first_day)
                assert picked
                cid, held = picked
                lag = 0 if rng.random() < 0.5 else 1 + rng.randrange(2)
                t = clock.business_moment(held + lag, rng)
            elif source == "展示会":
                picked = self._latest_campaign("trade_show", day, not_before=first_day - 3)
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
                t = self._web_moment(day)
            if source in ("資料請求", "無料トライアル", "紹介"):
                kind = {"資料請求": "download", "無料トライアル": "trial", "紹介": "referral"}[
                    source
                ]
                picked = self._latest_campaign(kind, t // DAY, among=3 if kind == "download" else 1)
                cid = picked[0] if picked else None
            if t >= clock.now:  # a campaign held yesterday: its list arrived before 09:00
                t = clock.now - rng.randrange(600, 4 * HOUR)
            out.append((t, source, cid))
        out.sort(key=lambda a: a[0])
        return out

    def _web_moment(self, day: int) -> int:
        rng, clock = self.rng, self.clock
        if rng.random() < 0.75:
            return clock.business_day_from(day) * DAY + OPEN_S + rng.randrange(10 * HOUR)
        return day * DAY + rng.randrange(DAY)  # evenings and weekends too

    # qualification -----------------------------------------------------------------------

    def _qualify(self, answers: Mapping[str, str]) -> tuple[str, bool, int, tuple[str, ...]]:
        # evaluate() is pure in (answers, today); many leads pass through the same early
        # states, so an exact cache saves much of the cost at 100k leads.
        key = tuple(answers.get(item.key) for item in self.items)
        hit = self._qual_cache.get(key)
        if hit is None:
            q = evaluate(self.rules, answers, self.today)
            hit = self._qual_cache[key] = (q.rank, q.sql, q.heard, q.missing_for_next_rank)
        return hit

    def _revised_item(self, lead: _LeadState) -> HearingItem:
        """An answer heard again later: most often the timing (導入時期の再確認)."""
        dates = [k for k in lead.answers if self.rules.item(k).type == "date"]
        if dates and self.rng.random() < 0.6:
            return self.rules.item(self.rng.choice(dates))
        return self.rules.item(self.rng.choice(list(lead.answers)))

    def _next_item(self, remaining: list[HearingItem], hint: tuple[str, ...]) -> int:
        """Which unasked item the operator asks next: the checklist order, isdesk's hint for
        the next rank, a BANT item, or whatever came up in the talk."""
        r = self.rng.random()
        if r < 0.4:
            return 0
        if r < 0.65:
            hinted = [i for i, item in enumerate(remaining) if item.key in hint]
            if hinted:
                return self.rng.choice(hinted)
        if r < 0.85:
            bant = [i for i, item in enumerate(remaining) if item.bant]
            if bant:
                return self.rng.choice(bant)
        return self.rng.randrange(len(remaining))

    def _answer_value(self, item: HearingItem, t: int, again: bool = False) -> str:
        rng = self.rng
        kind = item.type
        if kind == "date":
            # A timing is said as a date after the conversation: soon, in a quarter, next year;
            # asked again later, it has usually come closer.
            ahead = rng.choice(
                (7, 14, 21, 30, 45)
                if again
                else (7, 14, 21, 30, 30, 45, 60, 90, 90, 120, 180, 270, 365)
            )
            day = self.clock.date(t // DAY + ahead + rng.randrange(7))
            # Customers name the start, middle or end of a month (「4月から」「来月末」), which
            # also keeps the number of distinct answer sets - and evaluate() calls - down.
            if day.day < 8:
                return day.replace(day=1).isoformat()
            if day.day < 23:
                return day.replace(day=15).isoformat()
            next_month = day.replace(day=28) + dt.timedelta(days=4)
            return (next_month - dt.timedelta(days=next_month.day)).isoformat()
        if kind == "amount":
            return rng.choice(names.AMOUNTS)
        if kind == "yesno":
            return rng.choice(names.YESNO)
        if kind == "choice" and item.choices:
            return rng.choice(item.choices)
        return rng.choice(names.TEXT_ANSWERS.get(item.key, names.GENERIC_TEXT_ANSWERS))

    # leads -------------------------------------------------------------------------------

    def lead_chunks(self, leads: int) -> Iterator[list[tuple[type[Model], list[tuple[Any, ...]]]]]:
        """Yield, per chunk of leads, the rows to insert for each model (Lead first)."""
        self._plan_companies(leads)
        arrivals = self._arrivals(leads)
        self.ids = {"answer": 0, "event": 0, "activity": 0}
        for start in range(0, leads, LEADS_PER_CHUNK):
            out: dict[type[Model], list[tuple[Any, ...]]] = {
                Lead: [],
                Answer: [],
                LeadEvent: [],
                Activity: [],
            }
            for i in range(start, min(start + LEADS_PER_CHUNK, leads)):
                self._lead(i + 1, *arrivals[i], out)
            yield list(out.items())

    def _lead(
        self,
        lead_id: int,
        t0: int,
        source: str,
        cid: int | None,
        out: dict[type[Model], list[tuple[Any, ...]]],
    ) -> None:
        rng, clock = self.rng, self.clock
        now = clock.now
        lead = _LeadState(self, lead_id)
        company = self.companies[int(len(self.companies) * rng.random() ** 1.4)]
        contact, title, phone, email = self._contact(company, source)
        note = source + (f"：{self.campaign_names[cid]}" if cid else "")
        lead.event(t0, None, "created", new=source, note=note)
        age = (now - t0) / DAY

        # Hand-out from the lead queue; the newest wait in it, and some old ones never left.
        unassigned_p = 0.7 if age < 2 else 0.35 if age < 7 else 0.15
        t_assign = clock.work_time(t0 + rng.randrange(300, 5400), rng)
        if rng.random() >= unassigned_p and t_assign < now:
            team = "outbound" if source in names.OUTBOUND_SOURCES else "inbound"
            lead.owner = self._pick(self.by_team[team], team, t_assign)
            lead.event(t_assign, None, "owner", old="", new=lead.owner.name)
            self._work(lead, source, t_assign, age)
        elif age > 60 and rng.random() < 0.25:
            # Nobody called it: automated nurturing took it over.
            lead.set_status(
                t0 + rng.randrange(30, 60) * DAY, None, "nurturing", "反応なし、MAで育成"
            )

        if lead.owner is not None and lead.owner.left is not None:
            lead.move_off_leaver(lead.owner.left)
        next_at, next_action = lead.next_action()
        evs = sorted(lead.events)
        acts = sorted(lead.acts)
        last_touch = acts[-1][0] if acts else None
        updated = max(evs[-1][0], last_touch or 0)
        utc = clock.utc
        owner_id = lead.owner.id if lead.owner else None
        out[Lead].append(
            (
                lead_id,
                company.name,
                contact,
                title,
                phone,
                email,
                source,
                cid,
                owner_id,
                utc(t0),
                lead.status,
                lead.stage,
                lead.rank,
                lead.sql,
                lead.heard,
                utc(last_touch) if last_touch is not None else None,
                utc(next_at) if next_at is not None else None,
                next_action,
                search_key(company.name, contact, phone, email, source),
                "{}",
                len(evs),
                utc(updated),
            )
        )
        ids = self.ids
        rows = out[LeadEvent]
        for t, _, actor, kind, field, old, new, enote in evs:
            ids["event"] += 1
            rows.append((ids["event"], lead_id, utc(t), actor, kind, field, old, new, enote))
        rows = out[Activity]
        for t, op, kind, outcome, dur, anote, voice, rank, sql in acts:
            ids["activity"] += 1
            rows.append(
                (ids["activity"], lead_id, op, utc(t), kind, outcome, dur, anote, voice, rank, sql)
            )
        rows = out[Answer]
        for item, (value, version, t, op) in lead.answers.items():
            ids["answer"] += 1
            rows.append((ids["answer"], lead_id, item, value, version, utc(t), op))

    def _work(self, lead: _LeadState, source: str, t_assign: int, age: float) -> None:
        """The operator's calls, e-mails and meetings until handoff, loss or today."""
        rng, clock = self.rng, self.clock
        now = clock.now
        inbound = source not in names.OUTBOUND_SOURCES
        expected = 1.2 + 6.0 * (1 - math.exp(-age / 45))
        n = int(expected * (0.3 + 1.4 * rng.random()) + 0.5)
        if age < 3 and rng.random() < 0.5:
            n = 0  # brand new: still untouched in the queue
        if inbound:
            t = t_assign + rng.randrange(600, 4 * HOUR)
        else:
            t = clock.later(t_assign, rng.randrange(HOUR, 10 * DAY), rng)
        remaining = [item for item in self.items]
        notes = names.NOTES
        for i in range(n):
            t = clock.work_time(t, rng)
            if t >= now:
                break
            if lead.op.left is not None and t >= lead.op.left:
                lead.move_off_leaver(lead.op.left)
            op = lead.op.id
            r = rng.random()
            outcome, dur, voice, said = "", 0, False, 0
            if i == 0 and source == "展示会" and r < 0.5:
                kind = "email"
                note = "展示会ご来場のお礼メール"
            elif r < 0.68:
                kind = "call"
                c = rng.random()
                connected_p = 0.45 if inbound and i == 0 else 0.33
                if c < connected_p:
                    outcome = "connected"
                    dur = int(60 + 840 * rng.random() ** 1.7)
                    said = rng.randrange(1, 5) if lead.heard == 0 else rng.randrange(0, 4)
                elif c < connected_p + 0.34:
                    outcome = "no_answer"
                elif c < connected_p + 0.50:
                    outcome = "voicemail"
                elif c < connected_p + (0.54 if inbound else 0.61):
                    outcome = "refused"
                else:
                    # A wrong number shows on the first attempts, not after conversations.
                    wrong = lead.heard == 0 and rng.random() < 0.4
                    outcome = "wrong_number" if wrong else "no_answer"
                note = rng.choice(notes[outcome])
            elif r < 0.86:
                kind, note = "email", rng.choice(notes["email"])
            elif r < 0.93 and lead.heard >= 2:
                kind, note = "meeting", rng.choice(notes["meeting"])
                dur = rng.randrange(1800, 3601, 300)
                said = rng.randrange(2, 5)
            else:
                kind, note = "note", rng.choice(notes["note"])
            if said and rng.random() < 0.2:
                voice, note = True, rng.choice(names.CUSTOMER_VOICES)
            ta = t
            for _ in range(said):
                ta += rng.randrange(20, 120)
                again = bool(lead.answers) and rng.random() < 0.08
                if again:
                    item = self._revised_item(lead)
                elif remaining:
                    item = remaining.pop(self._next_item(remaining, lead.hint))
                else:
                    break
                lead.answer(ta, op, item.key, self._answer_value(item, ta, again))
            if lead.stage == "list" and lead.heard >= 3:
                lead.event(ta + 1, op, "stage", old="list", new="proposal")
                lead.stage = "proposal"
            lead.act(t, op, kind, outcome, dur, note, voice)
            if outcome == "refused" and rng.random() < 0.25:
                lead.set_status(t + dur + 30, op, "lost", "先方より辞退")
                return
            if lead.sql and rng.random() < 0.65:
                self._hand_off(lead, clock.later(t, dur + rng.randrange(HOUR, 3 * DAY), rng))
                return
            # Follow-ups thin out: a day or two at first, weeks later on, any business hour.
            gap = int(DAY * (0.5 + 2.5 * i) * (0.2 + 1.6 * rng.random()))
            t = clock.later(t, max(gap, 1800), rng)
        if lead.acts and lead.status == "open" and now - lead.acts[-1][0] > 75 * DAY:
            r = rng.random()
            later = lead.acts[-1][0] + rng.randrange(14, 40) * DAY
            if lead.op.left is not None and later >= lead.op.left:
                lead.move_off_leaver(lead.op.left)
            if r < 0.4:
                lead.set_status(later, lead.op.id, "nurturing", "反応が薄いためナーチャリングへ")
            elif r < 0.45:
                lead.set_status(later, lead.op.id, "lost", "連絡つかず")

    def _hand_off(self, lead: _LeadState, t: int) -> None:
        """Book the appointment, hand the SQL to field sales, and play out their work."""
        rng, clock = self.rng, self.clock
        now = clock.now
        if t >= now:
            return
        operator = lead.op
        if operator.left is not None and t >= operator.left:
            lead.move_off_leaver(operator.left)
            operator = lead.op
        lead.act(
            t, operator.id, "appointment", "", 0, rng.choice(names.NOTES["appointment"]), False
        )
        field = self._pick(self.field_ops, "field", t)
        lead.set_status(t + 60, operator.id, "handed_off", "トスアップ")
        lead.set_stage(t + 60, operator.id, "opportunity")
        lead.event(t + 60, operator.id, "owner", old=operator.name, new=field.name)
        lead.owner = field
        t_meet = t
        for _ in range(rng.randrange(1, 4)):
            t_meet = clock.later(t_meet, rng.randrange(3 * DAY, 20 * DAY), rng)
            if t_meet >= now:
                return
            note = rng.choice(names.NOTES["field_meeting"])
            lead.act(t_meet, field.id, "meeting", "", rng.randrange(1800, 5401, 600), note, False)
        steps: list[tuple[str, str | None, str]] = []
        r = rng.random()
        if r < 0.3:
            steps = [("stage", "quote", ""), ("won", None, "受注")]
        elif r < 0.55:
            steps = [("stage", "quote", "")] if rng.random() < 0.5 else []
            steps.append(("status", "lost", "他社に決定"))
        elif r < 0.75:
            steps = [("back", None, "時期尚早のためナーチャリングへ戻し")]
        elif rng.random() < 0.5:
            steps = [("stage", "quote", "")]
        for what, value, note in steps:
            t_meet = clock.later(t_meet, rng.randrange(7 * DAY, 40 * DAY), rng)
            if t_meet >= now:
                return
            if what == "stage":
                lead.set_stage(t_meet, field.id, value or "")
            elif what == "status":
                lead.set_status(t_meet, field.id, value or "", note)
            elif what == "won":  # the order and the win are one moment
                lead.set_stage(t_meet, field.id, "order")
                lead.set_status(t_meet, field.id, "won", note)
            else:
                lead.set_stage(t_meet, field.id, "proposal")
                lead.set_status(t_meet, field.id, "nurturing", note)
                back = operator if operator.left is None else self._successor(operator, t_meet)
                lead.event(t_meet, field.id, "owner", old=field.name, new=back.name)
                lead.owner = back

    def _successor(self, leaver: _Op, t: int) -> _Op:
        return self._pick(self.by_team[leaver.team], "move", t)


class _LeadState:
    """One lead's simulated history: current state plus the event and activity tuples."""

    def __init__(self, sim: _Simulation, lead_id: int) -> None:
        self.sim = sim
        self.owner: _Op | None = None
        self.status, self.stage = "open", "list"
        self.rank, self.sql, self.heard = "D", False, 0
        # What isdesk suggests asking next for a better rank; operators often follow it.
        self.hint = sim._qualify({})[3]
        self.values: dict[str, str] = {}
        self.answers: dict[str, list[Any]] = {}  # item -> [value, version, t, operator id]
        # (t, seq, actor, kind, field, old, new, note): seq keeps same-second order stable.
        self.events: list[tuple[Any, ...]] = []
        self.acts: list[tuple[Any, ...]] = []
        self.last_outcome = ""

    @property
    def op(self) -> _Op:
        """The owner, for code that only runs on assigned leads."""
        assert self.owner is not None
        return self.owner

    def event(
        self,
        t: int,
        actor: int | None,
        kind: str,
        field: str = "",
        old: str | None = None,
        new: str | None = None,
        note: str = "",
    ) -> None:
        self.events.append((t, len(self.events), actor, kind, field, old, new, note))

    def act(
        self, t: int, op: int, kind: str, outcome: str, dur: int, note: str, voice: bool
    ) -> None:
        self.acts.append((t, op, kind, outcome, dur, note, voice, self.rank, self.sql))
        self.last_outcome = outcome or kind

    def answer(self, t: int, op: int, item: str, value: str) -> None:
        old = self.values.get(item, "")
        if old == value:
            return
        self.values[item] = value
        row = self.answers.get(item)
        if row is None:
            self.answers[item] = [value, 1, t, op]
        else:
            row[0], row[1], row[2], row[3] = value, row[1] + 1, t, op
        self.event(t, op, "answer", item, old, value)
        rank, sql, heard, self.hint = self.sim._qualify(self.values)
        if rank != self.rank:
            self.event(t, op, "rank", old=self.rank, new=rank)
        if sql != self.sql:
            self.event(t, op, "sql", old=_tf(self.sql), new=_tf(sql))
        self.rank, self.sql, self.heard = rank, sql, heard

    def set_status(self, t: int, actor: int | None, status: str, note: str = "") -> None:
        if t >= self.sim.clock.now:
            return
        self.event(t, actor, "status", old=self.status, new=status, note=note)
        self.status = status

    def set_stage(self, t: int, actor: int | None, stage: str) -> None:
        self.event(t, actor, "stage", old=self.stage, new=stage)
        self.stage = stage

    def move_off_leaver(self, t: int) -> None:
        """The owner left (or rotated to field sales): a colleague takes the lead over."""
        leaver = self.owner
        assert leaver is not None
        if leaver.left is None or t >= self.sim.clock.now:
            return
        if leaver.team_after and self.status not in ("open", "nurturing"):
            return  # with them in field sales now, or closed while they were here
        heir = self.sim._successor(leaver, t)
        lead_of_team = next(o for o in self.sim.ops if o.team == leaver.team and o.role == "lead")
        self.event(t, lead_of_team.id, "owner", old=leaver.name, new=heir.name, note="担当者異動")
        self.owner = heir

    def next_action(self) -> tuple[int | None, str]:
        """Open, touched leads mostly have a next step: some overdue, most in two weeks."""
        sim = self.sim
        rng, clock = sim.rng, sim.clock
        if self.status != "open" or self.owner is None or not self.acts or rng.random() < 0.15:
            return None, ""
        last = self.acts[-1][0]
        if self.last_outcome in ("no_answer", "voicemail", "wrong_number", "refused", "note"):
            text = rng.choice(names.NEXT_ACTIONS["call"])
        elif self.last_outcome == "email":
            text = rng.choice(names.NEXT_ACTIONS["email"])
        else:
            text = rng.choice(names.NEXT_ACTIONS["talk"])
        stale = clock.now - last > 30 * DAY
        if rng.random() < (0.5 if stale else 0.2):
            t = clock.later(last, rng.randrange(DAY, 10 * DAY), rng)
            if t < clock.now:
                return t - t % 900, text  # on the quarter hour, as people schedule
        t = clock.business_moment(clock.today + rng.randrange(0, 15), rng)
        return t - t % 900, text


def _tf(flag: bool) -> str:
    return "true" if flag else "false"


def _weighted(rng: random.Random, pairs: Sequence[tuple[str, int]]) -> str:
    total = sum(w for _, w in pairs)
    r = rng.random() * total
    for value, w in pairs:
        r -= w
        if r < 0:
            return value
    return pairs[-1][0]
