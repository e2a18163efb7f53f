"""A generated history for bench_reports_large: many leads, about ten history rows each, in
the shapes the reports read (isdesk.analytics.history's event conventions), written with COPY
on PostgreSQL and executemany on SQLite.

Per lead: created and owner events; the arrival touch (its campaign, for a third of leads);
1–4 calls (45 % answered), an e-mail half the time; about one lead in three is heard out —
budget and need answers, SQL (sql false → true), stage list → proposal, an appointment half the
time — and of those three in five are handed off (status → handed_off with a handoff/sent
event at the same instant), then accepted (or one in ten rejected and sent back), moved on
through opportunity and quote, and won (an order: stage → order) or lost. Leads never heard
are lost or sent to nurturing now and then; one in twenty comes back through a campaign.
Every time lies before ``now``; the lead's own columns hold its final state. search_text is
left empty (the queue's index is not what this measures), so the bigram triggers write nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable, Iterator
from typing import Any

DAY = 86_400
SOURCES = ("Web", "展示会", "セミナー", "資料DL", "紹介", "テレアポ")
N_OPS, N_FIELD, N_CAMPAIGNS = 50, 6, 120
EVENT_COLS = ("lead_id", "at", "actor_id", "kind", "field", "old_value", "new_value", "note")
ACTIVITY_COLS = ("lead_id", "operator_id", "at", "kind", "outcome", "duration_s", "note",
                 "customer_voice", "rank_after", "sql_after", "recording_url")  # fmt: skip
TOUCH_COLS = ("lead_id", "campaign_id", "source", "at", "kind", "created_at")
LEAD_COLS = ("id", "company", "contact", "title", "phone", "email", "source", "campaign_id",
             "owner_id", "acquired_at", "status", "stage", "rank", "is_sql", "heard",
             "last_touch_at", "next_action_at", "next_action", "search_text", "extra",
             "version", "updated_at", "department", "phones", "external_key", "do_not_call",
             "do_not_call_note")  # fmt: skip


def _ts(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


Chunk = dict[str, list[tuple[Any, ...]]]


def chunks(leads: int, now: int, seed: int = 1, size: int = 20_000) -> Iterator[Chunk]:
    """The rows of ``leads`` leads, ``size`` leads at a time, per table."""
    rnd = random.Random(seed)
    r = rnd.random
    span = 3 * 365 * DAY
    for start in range(0, leads, size):
        out: Chunk = {"lead": [], "lead_event": [], "activity": [], "touch": []}
        act, tch = out["activity"].append, out["touch"].append
        for lead in range(start + 1, min(start + size, leads) + 1):
            t0 = now - DAY - int(r() * span)
            op = 1 + int(r() * N_OPS)
            field_op = N_OPS + 1 + int(r() * N_FIELD)
            source = SOURCES[int(r() * len(SOURCES))]
            campaign = 1 + int(r() * N_CAMPAIGNS) if r() < 0.33 else None
            status, stage, is_sql, last = "open", "list", False, None

            def event(at: int, kind: str, field: str = "", old: str = "", new: str = "",
                      actor: int | None = op, lead: int = lead,
                      add: Callable[..., None] = out["lead_event"].append) -> None:  # fmt: skip
                if at < now:
                    add((lead, _ts(at), actor, kind, field, old, new, ""))

            event(t0, "created", new="")
            event(t0 + 600, "owner", new=f"op{op:02d}")
            tch((lead, campaign, source, _ts(t0), "new", _ts(t0)))
            t = t0 + 3600
            connected = False
            for _ in range(1 + int(r() * 4)):
                t += int(r() * 5 * DAY) + 600
                answered = r() < 0.45
                connected |= answered
                if t < now:
                    act((lead, op, _ts(t), "call", "connected" if answered else "no_answer",
                         180 if answered else 0, "", False, "", False, ""))  # fmt: skip
                    event(t + 1, "next_action", "", "", _ts(t + 3 * DAY))
                    last = t
                if answered:
                    event(t + 2, "rank", "", "D", "C")
            if r() < 0.5 and t + DAY < now:
                act((lead, op, _ts(t + DAY), "email", "", 0, "", False, "", False, ""))
                last = t + DAY
            if connected and r() < 0.35:
                t += DAY
                event(t, "answer", "budget", "", f"{(1 + int(r() * 20)) * 50}万円")
                event(t + 60, "answer", "need", "", "業務効率化")
                event(t + 120, "sql", "", "false", "true")
                event(t + 120, "stage", "", "list", "proposal")
                stage, is_sql = "proposal", True
                if r() < 0.5 and t + 2 * DAY < now:
                    act((lead, op, _ts(t + 2 * DAY), "appointment", "", 0, "", False, "",
                         True, ""))  # fmt: skip
                if r() < 0.6:
                    t += 3 * DAY
                    event(t, "status", "", "open", "handed_off")
                    event(t, "handoff", "sent", "", f"field{field_op - N_OPS:02d}")
                    status = "handed_off"
                    if r() < 0.1:
                        event(t + DAY, "handoff", "rejected", "", "", actor=field_op)
                        event(t + DAY, "status", "", "handed_off", "open", actor=field_op)
                        status = "open"
                    else:
                        event(t + DAY, "handoff", "accepted", "", "", actor=field_op)
                        t += int(r() * 20 * DAY) + DAY
                        event(t, "stage", "", "proposal", "opportunity", actor=field_op)
                        stage = "opportunity"
                        if r() < 0.6:
                            t += int(r() * 30 * DAY) + DAY
                            event(t, "stage", "", "opportunity", "quote", actor=field_op)
                            stage = "quote"
                            if r() < 0.5:
                                t += int(r() * 20 * DAY) + DAY
                                event(t, "stage", "", "quote", "order", actor=field_op)
                                event(t, "status", "", "handed_off", "won", actor=field_op)
                                stage, status = "order", "won"
                        if status == "handed_off" and r() < 0.4:
                            t += int(r() * 40 * DAY) + DAY
                            event(t, "status", "", "handed_off", "lost", actor=field_op)
                            status = "lost"
            elif r() < 0.25:
                t += 30 * DAY
                new = "lost" if r() < 0.6 else "nurturing"
                event(t, "status", "", "open", new)
                status = new
            if campaign and r() < 0.05:
                back = t + int(r() * 90 * DAY)
                if back < now:
                    tch((lead, 1 + int(r() * N_CAMPAIGNS), source, _ts(back), "return", _ts(back)))
            out["lead"].append((
                lead, f"株式会社サンプル{lead}", f"担当{lead}", "", f"03-{lead % 10000:04d}-0000",
                f"l{lead}@example.jp", source, campaign, op, _ts(t0), status, stage, "C", is_sql,
                0, _ts(last) if last else None, None, "", "", "{}", 1, _ts(t0), "", "[]", "",
                False, "",
            ))  # fmt: skip
        yield out


def operators() -> list[tuple[Any, ...]]:
    """(id, name, display_name, team, role, active, created_at)."""
    rows = []
    for i in range(1, N_OPS + 1):
        team = "inbound" if i % 2 else "outbound"
        rows.append((i, f"op{i:02d}", f"オペ{i:02d}", team, "lead" if i <= 2 else "operator"))
    for i in range(1, N_FIELD + 1):
        rows.append((N_OPS + i, f"field{i:02d}", f"営業{i:02d}", "field", "field"))
    return [(*r, True, "2023-01-01 00:00:00") for r in rows]


def campaigns(now: int) -> list[tuple[Any, ...]]:
    """(id, name, kind, held_on, created_at, cost)."""
    kinds = ("seminar", "trade_show", "download", "webinar")
    rows = []
    for i in range(1, N_CAMPAIGNS + 1):
        held = dt.datetime.fromtimestamp(now - i * 9 * DAY, dt.UTC).date().isoformat()
        rows.append(
            (
                i,
                f"キャンペーン{i:03d}",
                kinds[i % 4],
                held,
                "2023-01-01 00:00:00",
                300_000 * (i % 5),
            )
        )
    return rows


def _tsv(rows: list[tuple[Any, ...]]) -> io.StringIO:
    def cell(v: Any) -> str:
        if v is None:
            return r"\N"
        if v is True or v is False:
            return "t" if v else "f"
        return str(v)

    buf = io.StringIO()
    buf.writelines("\t".join(cell(v) for v in row) + "\n" for row in rows)
    buf.seek(0)
    return buf


def write_postgres(conn: Any, leads: int, now: int, progress: Callable[[int], None]) -> dict:
    """COPY the history into a migrated, empty PostgreSQL database; row counts per table."""
    counts = dict.fromkeys(("lead", "lead_event", "activity", "touch"), 0)
    cur = conn.cursor()
    cur.copy_expert(
        'COPY "operator" (id, name, display_name, team, role, active, created_at) FROM STDIN',
        _tsv(operators()),
    )
    cur.copy_expert(
        'COPY "campaign" (id, name, kind, held_on, created_at, cost) FROM STDIN',
        _tsv(campaigns(now)),
    )
    cols = {"lead": LEAD_COLS, "lead_event": EVENT_COLS, "activity": ACTIVITY_COLS,
            "touch": TOUCH_COLS}  # fmt: skip
    done = 0
    for chunk in chunks(leads, now):
        for table in ("lead", "lead_event", "activity", "touch"):
            names = ", ".join(f'"{c}"' for c in cols[table])
            cur.copy_expert(f'COPY "{table}" ({names}) FROM STDIN', _tsv(chunk[table]))
            counts[table] += len(chunk[table])
        done += len(chunk["lead"])
        conn.commit()
        progress(done)
    for table in ("operator", "campaign", "lead"):
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'(SELECT MAX(id) FROM "{table}"))'
        )
    conn.commit()
    conn.autocommit = True
    cur.execute("VACUUM ANALYZE")
    conn.autocommit = False
    return counts


def write_sqlite(conn: Any, leads: int, now: int, progress: Callable[[int], None]) -> dict:
    """executemany the history into a migrated, empty SQLite database; row counts."""
    counts = dict.fromkeys(("lead", "lead_event", "activity", "touch"), 0)
    conn.execute("PRAGMA journal_mode = off")
    conn.execute("PRAGMA synchronous = off")

    def insert(table: str, cols: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        names = ", ".join(f'"{c}"' for c in cols)
        marks = ", ".join("?" * len(cols))
        conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)

    insert("operator", ("id", "name", "display_name", "team", "role", "active", "created_at"),
           operators())  # fmt: skip
    insert("campaign", ("id", "name", "kind", "held_on", "created_at", "cost"), campaigns(now))
    cols = {"lead": LEAD_COLS, "lead_event": EVENT_COLS, "activity": ACTIVITY_COLS,
            "touch": TOUCH_COLS}  # fmt: skip
    done = 0
    for chunk in chunks(leads, now):
        conn.execute("BEGIN")
        for table, c in cols.items():
            insert(table, c, chunk[table])
            counts[table] += len(chunk[table])
        conn.execute("COMMIT")
        done += len(chunk["lead"])
        progress(done)
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode = wal")
    return counts
