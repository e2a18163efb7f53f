"""Writing an import plan: in chunks, each one transaction, resumable.

Speed: every lead's match keys are loaded once into memory (LeadIndex); rows are written with
explicit ids as tuples through the DB-API cursor (``executemany`` on SQLite, ``execute_values``
on PostgreSQL), the SQL peewee would generate, since peewee's ``insert_many`` is ~9x slower
(docs/design-figures.md). Ids: SQLite takes MAX(id)+1 inside the chunk's BEGIN IMMEDIATE (nobody
else can insert meanwhile); PostgreSQL reserves them from the serial sequences, so concurrent
users never collide (leaving gaps for rows that merged).

Resuming: an ImportRun row per file digest counts the rows committed. Each chunk checks that
count under a lock, writes its rows, and moves the count on in the same transaction; a run
that was killed continues after the last committed chunk, and a finished file imports nothing
twice (touches are also unique per (import run, row)).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from isdesk.domain.text import lead_search_key
from isdesk.importer.convert import Record, Reject
from isdesk.importer.matching import LeadIndex
from isdesk.importer.plan import ImportPlan
from isdesk.importer.summary import ImportSummary
from isdesk.rules import Rules
from isdesk.store.bulk import insert_rows
from isdesk.store.db import current_database, is_postgres

__all__ = ["CHUNK_ROWS", "IMPORT_FIELD", "ROUTING_MODULE", "ImportConflictError", "Progress"]

CHUNK_ROWS = 2_000
IMPORT_FIELD = "import"  # LeadEvent.field of the status a lead was imported in
ROUTING_MODULE = "isdesk.services.assignment"

Progress = Callable[[int, int], None]


class ImportConflictError(RuntimeError):
    """The file's import cannot go on as asked (another process, or other options)."""


class _Writer:
    """One execution of a plan against the database."""

    def __init__(
        self,
        plan: ImportPlan,
        rules: Rules,
        summary: ImportSummary,
        now: dt.datetime,
        actor_id: int | None,
        dry_run: bool,
        route: bool,
        router: Callable[..., Any] | None,  # route_returning_leads, if route and installed
    ) -> None:
        db = current_database()
        self.plan, self.db, self.rules, self.summary = plan, db, rules, summary
        self.now, self.actor_id, self.dry_run = now, actor_id, dry_run
        self.pg = is_postgres(db)
        self.param = db.param
        self.now_db = _naive(now)
        self.matched: Counter[str] = Counter()
        self.unchanged_by: Counter[str] = Counter()
        self.created_ids: set[int] = set()
        self.campaign_ids: dict[str, int] = {}
        self.fake_id = 0
        self.router = router if route and not dry_run else None
        self.routed: Counter[str] = Counter()
        self.routed_ids: set[int] = set()
        ranks = getattr(rules, "rank_names", ()) or ("D",)
        stages = getattr(getattr(rules, "stages", None), "keys", ()) or ("list",)
        self.floor_rank, self.first_stage = ranks[-1], stages[0]
        if not route:
            summary.routing = {"available": False, "note": "skipped (route=False)"}
        elif dry_run:
            summary.routing = {"available": router is not None, "note": "dry run: not routed"}
        elif self.router is None:
            summary.routing = {
                "available": False,
                "note": f"{ROUTING_MODULE}.route_returning_leads is not installed: returning "
                "leads were not routed",
            }

    # --- the run ---------------------------------------------------------------------------

    def run(self, progress: Progress | None, chunk_rows: int) -> None:
        from isdesk.store.models import Campaign, ImportRun, Touch

        plan, summary, db = self.plan, self.summary, self.db
        total = len(plan.items)
        existing = ImportRun.get_or_none(ImportRun.digest == plan.table.digest)
        if existing is not None and existing.status == "done":
            # What *this* run did: nothing; every row it read is one isdesk already has.
            summary.already_imported = True
            summary.import_run = existing.id
            summary.read = total
            summary.rejected = len(plan.rejects)
            summary.created = summary.merged = 0
            summary.unchanged = total - summary.rejected
            summary.routing = {"available": self.router is not None,
                               "note": "already imported: nothing to route"}  # fmt: skip
            if progress:
                progress(total, total)
            return
        if existing is not None:
            stored = json.loads(existing.options or "{}")
            if stored != plan.run_options:
                raise ImportConflictError(
                    f"an import of this file was interrupted after {existing.rows_done:,} rows "
                    f"with other options ({_describe(stored)}); run it again with those "
                    f"options to finish it (now: {_describe(plan.run_options)})"
                )
        self.campaign_ids = {c.name: c.id for c in Campaign.select(Campaign.id, Campaign.name)}
        done = 0
        run_id: int | None = None
        if existing is not None:
            records = {r.row: r for r in plan.items if isinstance(r, Record)}
            self.index = LeadIndex.load(
                resuming=existing.id,
                stated=lambda row: self._stated_when(records[row]) if row in records else None,
            )
            run_id, done = existing.id, existing.rows_done
            summary.resumed_after = done
            summary.created, summary.merged = existing.created, existing.merged
            summary.unchanged, summary.rejected = existing.unchanged, existing.rejected
            query = Touch.select(Touch.lead).where((Touch.import_run == run_id)
                                                   & (Touch.kind == "new"))  # fmt: skip
            self.created_ids = {t.lead_id for t in query}
        else:
            self.index = LeadIndex.load()
            summary.created = summary.merged = summary.unchanged = summary.rejected = 0
            if not self.dry_run:
                run_id = self._start_run(total)
        summary.import_run = run_id
        if progress:
            progress(done, total)
        while done < total:
            chunk = plan.items[done : done + chunk_rows]
            end = done + len(chunk)
            if self.dry_run:
                self._chunk(chunk, None)
            else:
                assert run_id is not None  # started above unless this is a dry run
                with db.atomic():
                    self._claim(run_id, done)
                    counts = self._chunk(chunk, run_id)
                    self._advance(run_id, end, counts, last=end >= total)
            done = end
            if progress:
                progress(done, total)
        if total == 0 and run_id is not None:
            with db.atomic():
                self._advance(run_id, 0, Counter(), last=True)
        summary.matched_by = dict(self.matched)
        summary.unchanged_by = dict(self.unchanged_by)
        if self.router is not None:
            summary.routing = {"available": True, "routed": sum(self.routed.values()),
                               "actions": dict(self.routed)}  # fmt: skip

    def _start_run(self, total: int) -> int:
        from isdesk.store.models import ImportRun

        plan = self.plan
        with self.db.atomic():
            row = ImportRun.create(
                digest=plan.table.digest,
                file_name=plan.table.path.name,
                mapping=plan.mapping.name,
                options=json.dumps(plan.run_options, ensure_ascii=False, sort_keys=True),
                rows_total=total,
                actor=self.actor_id,
                started_at=self.now,
            )
        return row.id

    def _claim(self, run_id: int, expected: int) -> None:
        """Lock the run's row and check nobody else moved it on meanwhile."""
        lock = " FOR UPDATE" if self.pg else ""
        found = self.db.execute_sql(
            f'SELECT rows_done FROM "import_run" WHERE id = {self.param}{lock}', (run_id,)
        ).fetchone()
        if found is None or found[0] != expected:
            raise ImportConflictError(
                "another process is importing the same file right now: let it finish, then "
                "run this import again (it will find the file imported)"
            )

    def _advance(self, run_id: int, done: int, counts: Counter[str], last: bool) -> None:
        p = self.param
        status = "done" if last else "running"
        self.db.execute_sql(
            f'UPDATE "import_run" SET rows_done = {p}, created = created + {p}, '
            f"merged = merged + {p}, unchanged = unchanged + {p}, rejected = rejected + {p}, "
            f"status = {p}, finished_at = {p} WHERE id = {p}",
            (done, counts["created"], counts["merged"], counts["unchanged"], counts["rejected"],
             status, self.now_db if last else None, run_id),
        )  # fmt: skip

    # --- one chunk -------------------------------------------------------------------------

    def _chunk(self, chunk: Sequence[Record | Reject], run_id: int | None) -> Counter[str]:
        counts: Counter[str] = Counter()
        records = [item for item in chunk if isinstance(item, Record)]
        counts["rejected"] = len(chunk) - len(records)
        lead_ids = self._ids("lead", len(records))
        # A lead created in another status than open also gets a status event (field
        # "import"): the history then starts it where it arrived (isdesk.analytics.replay).
        arrived = sum(1 for r in records if r.status != "open")
        event_ids = self._ids("lead_event", len(records) + arrived)
        spare = len(records)
        touch_ids = self._ids("touch", len(records))
        leads: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        touches: list[tuple[Any, ...]] = []
        returning: dict[int, None] = {}
        keys: list[tuple[Any, ...]] = []  # (external key, lead) learnt from a known lead's row
        flagged: dict[int, str] = {}  # known leads the source now marks do-not-call: the note
        for record in records:
            campaign_id = self._campaign(record)
            when = self._when(record)
            note = record.source + (f"：{record.campaign}" if record.campaign else "")
            self.summary.count_bad_phones(record.row, record.bad_phones)
            hit = self.index.match(record)
            if hit is None:
                lead_id = lead_ids[len(leads)]
                leads.append(self._lead_row(lead_id, record, campaign_id, when))
                self.index.add_record(lead_id, record)
                self.index.known[lead_id].seen(campaign_id, self._stated_when(record))
                self.created_ids.add(lead_id)
                kind, event_kind = "new", "created"
                counts["created"] += 1
                if record.status != "open":
                    events.append((event_ids[spare], lead_id, when, self.actor_id, "status",
                                   IMPORT_FIELD, None, record.status, note))  # fmt: skip
                    spare += 1
            else:
                lead_id, how = hit
                known = self.index.known[lead_id]
                if record.external_key and not known.external_key:
                    keys.append((record.external_key, lead_id))
                    known.external_key = record.external_key
                if record.do_not_call and not known.do_not_call:
                    flagged[lead_id] = record.do_not_call_note
                    known.do_not_call = True
                stated = self._stated_when(record)
                if not known.is_news(campaign_id, stated):
                    # A re-export repeating what isdesk has: not the person coming back.
                    counts["unchanged"] += 1
                    self.unchanged_by[how] += 1
                    continue
                known.seen(campaign_id, stated)
                if lead_id in self.created_ids:
                    how = "file"
                elif lead_id not in self.routed_ids:
                    returning[lead_id] = None
                self.matched[how] += 1
                kind, event_kind = "return", "touch"
                counts["merged"] += 1
            events.append((event_ids[len(touches)], lead_id, when, self.actor_id, event_kind, "",
                           None, record.source, note))  # fmt: skip
            touches.append((touch_ids[len(touches)], lead_id, campaign_id, record.source, when,
                            kind, run_id, record.row, self.now_db))  # fmt: skip
        self.summary.do_not_call += len(flagged) + sum(1 for row in leads if row[-2])
        self.summary.created += counts["created"]
        self.summary.merged += counts["merged"]
        self.summary.unchanged += counts["unchanged"]
        self.summary.rejected += counts["rejected"]
        if self.dry_run:
            return counts
        from isdesk.store.models import Lead, LeadEvent, Touch

        self._write(Lead, leads)
        self._write(LeadEvent, events)
        self._write(Touch, touches)
        self._learn(keys, flagged)
        if self.router is not None and returning:
            # One call for the chunk's returning leads: the loads are read once, the owners
            # and events written in bulk, inside this chunk's transaction.
            self.routed_ids.update(returning)
            for result in self.router(list(returning), self.rules, now=self.now):
                self.routed[str(getattr(result, "action", "routed"))] += 1
        return counts

    def _lead_row(
        self, lead_id: int, r: Record, campaign_id: int | None, when: dt.datetime
    ) -> tuple[Any, ...]:
        extra = json.dumps(r.extra, ensure_ascii=False) if r.extra else "{}"
        numbers = [number for _, number in r.phones]
        phones = json.dumps([{"kind": k, "number": v} for k, v in r.phones], ensure_ascii=False)
        key = lead_search_key(r.company, r.contact, r.email, r.source, numbers, r.department)
        return (
            lead_id, r.company, r.contact, r.title, r.phone, r.email, r.source, campaign_id,
            None, when, r.status, self.first_stage, self.floor_rank, False, 0, None, None, "",
            key, extra, 1, self.now_db,
            # migration 0009's columns, in Lead's order
            r.department, phones, r.external_key, r.do_not_call, r.do_not_call_note,
        )  # fmt: skip

    def _stated_when(self, record: Record) -> dt.datetime | None:
        """The date the row itself states (form, creation, card exchange, campaign day), as
        naive UTC; None when it states none (then it cannot be news by date)."""
        if record.acquired_at is None and record.campaign_date is None:
            return None
        return self._when(record)

    def _learn(self, keys: list[tuple[Any, ...]], flagged: dict[int, str]) -> None:
        """What a known lead's row taught without being news: the source's record id (so the
        next re-export matches on it) and a do-not-call flag the source now sets."""
        p = self.param
        cursor = self.db.cursor()
        if keys:
            cursor.executemany(
                f"UPDATE \"lead\" SET external_key = {p} WHERE id = {p} AND external_key = ''",
                keys,
            )
        if not flagged:
            return
        cursor.executemany(
            f'UPDATE "lead" SET do_not_call = {p}, do_not_call_note = {p}, '
            f"version = version + 1, updated_at = {p} WHERE id = {p}",
            [(True, note, self.now_db, lead_id) for lead_id, note in flagged.items()],
        )
        from isdesk.store.models import LeadEvent

        ids = self._ids("lead_event", len(flagged))
        self._write(
            LeadEvent,
            [
                (event_id, lead_id, self.now_db, self.actor_id, "do_not_call", "", "", "yes",
                 note)
                for event_id, (lead_id, note) in zip(ids, flagged.items(), strict=True)
            ],
        )  # fmt: skip

    def _when(self, record: Record) -> dt.datetime:
        """When the row's touch happened, as naive UTC: its date, the campaign's, or now."""
        if record.acquired_at is not None:
            return _naive(record.acquired_at)
        if record.campaign_date is not None:
            local = dt.datetime.combine(record.campaign_date, dt.time(), self.plan.options.zone)
            return _naive(local)
        return self.now_db

    def _campaign(self, record: Record) -> int | None:
        name = record.campaign
        if not name:
            return None
        found = self.campaign_ids.get(name)
        if found is not None:
            return found
        self.summary.campaigns_created.append(name)
        if self.dry_run:
            self.fake_id -= 1
            self.campaign_ids[name] = self.fake_id
            return self.fake_id
        from isdesk.store.models import Campaign

        row = Campaign.create(
            name=name,
            kind=record.campaign_type or self.plan.options.campaign_type or "",
            held_on=record.campaign_date,
            created_at=self.now,
            cost=record.campaign_cost,  # the first row's; later rows do not change it
        )
        self.campaign_ids[name] = row.id
        return row.id

    def _ids(self, table: str, count: int) -> list[int]:
        if count == 0:
            return []
        if self.dry_run:
            start = self.fake_id
            self.fake_id -= count
            return list(range(start - 1, start - count - 1, -1))
        if self.pg:
            cursor = self.db.execute_sql(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                (table, count),
            )
            return [row[0] for row in cursor]
        top = self.db.execute_sql(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"').fetchone()[0]
        return list(range(top + 1, top + count + 1))

    def _write(self, model: Any, rows: list[tuple[Any, ...]]) -> None:
        insert_rows(self.db, model, rows, page_size=10_000)


def _naive(moment: dt.datetime) -> dt.datetime:
    """How UtcDateTimeField stores an aware time: naive UTC."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def _describe(options: dict[str, Any]) -> str:
    shown = [f"--{k.replace('_', '-')} {v}" for k, v in sorted(options.items()) if v]
    return " ".join(shown) or "no options"
