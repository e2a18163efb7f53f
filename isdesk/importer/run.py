"""The import itself: plan a file (read, map, clean, check: no database), then write it in
chunks, each one transaction, resumable.

Speed: every lead's match keys are loaded once into memory (LeadIndex); rows are written with
explicit ids as tuples through the DB-API cursor (``executemany`` on SQLite, ``execute_values``
on PostgreSQL), the SQL peewee would generate, since peewee's ``insert_many`` is ~9x slower
(shared/MEASURED.md). Ids: SQLite takes MAX(id)+1 inside the chunk's BEGIN IMMEDIATE (nobody
else can insert meanwhile); PostgreSQL reserves them from the serial sequences, so concurrent
users never collide (leaving gaps for rows that merged).

Resuming: an ImportRun row per file digest counts the rows committed. Each chunk checks that
count under a lock, writes its rows, and moves the count on in the same transaction; a run
that was killed continues after the last committed chunk, and a finished file imports nothing
twice (touches are also unique per (import run, row)).
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import secrets
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peewee import Database

from isdesk.importer.convert import Options, Record, Reject, convert_row
from isdesk.importer.mappings import (
    FieldMap,
    LeadMapping,
    MappingError,
    detect_mapping,
    resolve_mapping,
)
from isdesk.importer.matching import LeadIndex
from isdesk.importer.reader import REJECT_COLUMNS, Table, read_table
from isdesk.rules import Rules
from isdesk.store.db import is_postgres, utcnow
from isdesk.text import search_key

__all__ = [
    "CHUNK_ROWS",
    "ImportConflictError",
    "ImportPlan",
    "ImportSummary",
    "execute_plan",
    "import_file",
    "plan_import",
    "rejects_path",
]

CHUNK_ROWS = 2_000
ROUTING_MODULE = "isdesk.services.assignment"

Progress = Callable[[int, int], None]


class ImportConflictError(RuntimeError):
    """The file's import cannot go on as asked (another process, or other options)."""


@dataclass
class ImportPlan:
    """A file read, mapped and checked, ready to write (nothing touched the database yet)."""

    table: Table
    mapping: LeadMapping
    detected: bool
    fields: FieldMap
    items: list[Record | Reject]  # every data row in file order
    options: Options

    @property
    def rejects(self) -> list[Reject]:
        return [item for item in self.items if isinstance(item, Reject)]

    @property
    def run_options(self) -> dict[str, Any]:
        return {"mapping": self.mapping.name, **self.options.key()}


@dataclass
class ImportSummary:
    """What an import did: read = created + merged + rejected (blank rows are not read)."""

    file: str
    read: int = 0
    created: int = 0
    merged: int = 0
    rejected: int = 0
    rejects_file: str | None = None
    encoding: str = ""
    delimiter: str = ","
    mapping: str = ""
    mapping_detected: bool = False
    columns: dict[str, list[str]] = field(default_factory=dict)
    extra_columns: list[str] = field(default_factory=list)
    blank: int = 0
    dry_run: bool = False
    already_imported: bool = False
    resumed_after: int = 0  # data rows committed by an earlier, interrupted run
    matched_by: dict[str, int] = field(default_factory=dict)  # email | phone | company | file
    campaigns_created: list[str] = field(default_factory=list)
    routing: dict[str, Any] = field(default_factory=dict)
    assigned: int = 0  # new leads handed out by the assignment pass after the import
    left_unassigned: dict[str, Any] = field(default_factory=dict)  # count, reasons, messages
    assignment: dict[str, Any] = field(default_factory=dict)  # ran, note, by_operator
    import_run: int | None = None
    seconds: float = 0.0
    reject_samples: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Exactly read, created, merged, rejected and rejects_file; the rest under details."""
        delimiter = {"\t": "tab", ",": "comma", ";": "semicolon"}.get(self.delimiter)
        return {
            "read": self.read,
            "created": self.created,
            "merged": self.merged,
            "rejected": self.rejected,
            "rejects_file": self.rejects_file,
            "details": {
                "file": self.file,
                "encoding": self.encoding,
                "delimiter": delimiter or self.delimiter,
                "mapping": self.mapping,
                "mapping_detected": self.mapping_detected,
                "columns": self.columns,
                "extra_columns": self.extra_columns,
                "blank_rows": self.blank,
                "dry_run": self.dry_run,
                "already_imported": self.already_imported,
                "resumed_after_rows": self.resumed_after,
                "matched_by": self.matched_by,
                "campaigns_created": self.campaigns_created,
                "routing": self.routing,
                "assigned": self.assigned,
                "left_unassigned": self.left_unassigned,
                "assignment": self.assignment,
                "import_run": self.import_run,
                "seconds": round(self.seconds, 3),
                "reject_samples": self.reject_samples,
            },
        }


def rejects_path(path: Path) -> Path:
    """``leads.csv`` → ``leads.rejects.csv`` in the same folder."""
    return path.with_name(f"{path.stem}.rejects.csv")


def plan_import(
    path: Path,
    *,
    rules: Rules | None = None,
    mapping: str | None = None,
    encoding: str | None = None,
    options: Options | None = None,
) -> ImportPlan:
    """Read, map and check every row of ``path``; raises ReadError / MappingError."""
    custom = getattr(rules, "mappings", None) if rules is not None else None
    chosen = resolve_mapping(mapping, custom) if mapping else None
    table = read_table(Path(path), encoding)
    if chosen is None:
        chosen, fields = detect_mapping(table.columns, custom)
    else:
        fields = chosen.bind(table.columns)
        if not fields.reachable:
            raise MappingError(
                f"mapping {chosen.name} finds no e-mail or phone column among "
                f"{', '.join(table.columns[:8])}: choose another --mapping or leave it out"
            )
    if options is None:
        options = Options(zone=rules.calendar.zone) if rules is not None else Options()
    items = [convert_row(chosen, fields, row, cells, options) for row, cells in table.rows]
    return ImportPlan(table, chosen, mapping is None, fields, items, options)


def import_file(
    path: Path,
    db: Database,
    *,
    rules: Rules,
    mapping: str | None = None,
    encoding: str | None = None,
    options: Options | None = None,
    **kwargs: Any,
) -> ImportSummary:
    """plan_import + execute_plan (keyword arguments as for execute_plan)."""
    plan = plan_import(path, rules=rules, mapping=mapping, encoding=encoding, options=options)
    return execute_plan(plan, db, rules=rules, **kwargs)


def execute_plan(
    plan: ImportPlan,
    db: Database,
    *,
    rules: Rules,
    dry_run: bool = False,
    actor_id: int | None = None,
    progress: Progress | None = None,
    chunk_rows: int = CHUNK_ROWS,
    now: dt.datetime | None = None,
    route: bool = True,
    assign: bool = True,
) -> ImportSummary:
    """Write the plan (or, ``dry_run``, only count what would happen) and say what was done.

    ``progress(done, total)`` is called after each chunk with data-row counts. ``route`` False
    skips the returning-lead rules (the bench uses it to time the import alone). After the
    last chunk commits, the leads the import created that are still unassigned are handed out
    by the assignment rules (``assign_unassigned``, every team receiving), in a transaction of
    their own; ``assign`` False (``isdesk import --no-assign``) leaves them in the queue.
    """
    started = time.perf_counter()
    now = now or utcnow()
    table = plan.table
    summary = ImportSummary(
        file=str(table.path),
        read=len(plan.items),
        encoding=table.encoding,
        delimiter=table.delimiter,
        mapping=plan.mapping.name,
        mapping_detected=plan.detected,
        columns=plan.fields.describe(),
        extra_columns=plan.fields.extra_columns,
        blank=table.blank,
        dry_run=dry_run,
        reject_samples=[{"row": r.row, "reason": r.reason} for r in plan.rejects[:10]],
    )
    if not dry_run:
        summary.rejects_file = _write_rejects(plan)
    writer = _Writer(plan, db, rules, summary, now, actor_id, dry_run, route)
    with db.connection_context():
        writer.run(progress, chunk_rows)
        writer.assign(assign)
    summary.seconds = time.perf_counter() - started
    return summary


class _Writer:
    """One execution of a plan against the database."""

    def __init__(
        self,
        plan: ImportPlan,
        db: Database,
        rules: Rules,
        summary: ImportSummary,
        now: dt.datetime,
        actor_id: int | None,
        dry_run: bool,
        route: bool,
    ) -> None:
        self.plan, self.db, self.rules, self.summary = plan, db, rules, summary
        self.now, self.actor_id, self.dry_run = now, actor_id, dry_run
        self.pg = is_postgres(db)
        self.param = db.param
        self.now_db = _naive(now)
        self.matched: Counter[str] = Counter()
        self.created_ids: set[int] = set()
        self.campaign_ids: dict[str, int] = {}
        self.fake_id = 0
        self.router = _router() if route and not dry_run else None
        self.routed: Counter[str] = Counter()
        self.routed_ids: set[int] = set()
        ranks = getattr(rules, "rank_names", ()) or ("D",)
        stages = getattr(getattr(rules, "stages", None), "keys", ()) or ("list",)
        self.floor_rank, self.first_stage = ranks[-1], stages[0]
        if not route:
            summary.routing = {"available": False, "note": "skipped (route=False)"}
        elif dry_run:
            summary.routing = {"available": _router() is not None, "note": "dry run: not routed"}
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
            summary.already_imported = True
            summary.import_run = existing.id
            summary.read = existing.created + existing.merged + existing.rejected
            summary.created, summary.merged = existing.created, existing.merged
            summary.rejected = existing.rejected
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
        self.index = LeadIndex.load(db)
        done = 0
        run_id: int | None = None
        if existing is not None:
            run_id, done = existing.id, existing.rows_done
            summary.resumed_after = done
            summary.created, summary.merged = existing.created, existing.merged
            summary.rejected = existing.rejected
            query = Touch.select(Touch.lead).where((Touch.import_run == run_id)
                                                   & (Touch.kind == "new"))  # fmt: skip
            self.created_ids = {t.lead_id for t in query}
        else:
            summary.created = summary.merged = summary.rejected = 0
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
            f"merged = merged + {p}, rejected = rejected + {p}, status = {p}, "
            f"finished_at = {p} WHERE id = {p}",
            (done, counts["created"], counts["merged"], counts["rejected"], status,
             self.now_db if last else None, run_id),
        )  # fmt: skip

    # --- one chunk -------------------------------------------------------------------------

    def _chunk(self, chunk: Sequence[Record | Reject], run_id: int | None) -> Counter[str]:
        counts: Counter[str] = Counter()
        records = [item for item in chunk if isinstance(item, Record)]
        counts["rejected"] = len(chunk) - len(records)
        lead_ids = self._ids("lead", len(records))
        event_ids = self._ids("lead_event", len(records))
        touch_ids = self._ids("touch", len(records))
        leads: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        touches: list[tuple[Any, ...]] = []
        returning: dict[int, None] = {}
        for i, record in enumerate(records):
            campaign_id = self._campaign(record)
            when = self._when(record)
            note = record.source + (f"：{record.campaign}" if record.campaign else "")
            hit = self.index.match(record)
            if hit is None:
                lead_id = lead_ids[len(leads)]
                leads.append(self._lead_row(lead_id, record, campaign_id, when))
                self.index.add_record(lead_id, record)
                self.created_ids.add(lead_id)
                kind, event_kind = "new", "created"
                counts["created"] += 1
            else:
                lead_id, how = hit
                if lead_id in self.created_ids:
                    how = "file"
                elif lead_id not in self.routed_ids:
                    returning[lead_id] = None
                self.matched[how] += 1
                kind, event_kind = "return", "touch"
                counts["merged"] += 1
            events.append((event_ids[i], lead_id, when, self.actor_id, event_kind, "", None,
                           record.source, note))  # fmt: skip
            touches.append((touch_ids[i], lead_id, campaign_id, record.source, when, kind, run_id,
                            record.row, self.now_db))  # fmt: skip
        self.summary.created += counts["created"]
        self.summary.merged += counts["merged"]
        self.summary.rejected += counts["rejected"]
        if self.dry_run:
            return counts
        from isdesk.store.models import Lead, LeadEvent, Touch

        self._write(Lead, leads)
        self._write(LeadEvent, events)
        self._write(Touch, touches)
        if self.router is not None and returning:
            # One call for the chunk's returning leads: the loads are read once, the owners
            # and events written in bulk, inside this chunk's transaction.
            self.routed_ids.update(returning)
            for result in self.router(list(returning), self.rules, now=self.now):
                self.routed[str(getattr(result, "action", "routed"))] += 1
        return counts

    # --- after the import ------------------------------------------------------------------

    def assign(self, wanted: bool) -> None:
        """Hand out the new leads still unassigned (the assignment rules, every team)."""
        summary = self.summary
        if self.dry_run:
            summary.assignment = {"ran": False, "note": "dry run: not assigned"}
            return
        if not wanted:
            summary.assignment = {"ran": False, "note": "skipped (--no-assign)"}
            return
        if summary.already_imported or not self.created_ids:
            summary.assignment = {"ran": False, "note": "no new leads"}
            return
        assigner = _assigner()
        if assigner is None:
            summary.assignment = {
                "ran": False,
                "note": f"{ROUTING_MODULE}.assign_unassigned is not installed: new leads were "
                "not assigned",
            }
            return
        report = assigner(self.rules, now=self.now, lead_ids=sorted(self.created_ids))
        summary.assigned = len(report.rows)
        summary.assignment = {
            "ran": True,
            "note": "",
            "by_operator": dict(sorted(Counter(r.operator for r in report.rows).items())),
        }
        reasons = Counter(u.reason for u in report.unassigned)
        messages = Counter(u.message for u in report.unassigned)
        summary.left_unassigned = {
            "count": len(report.unassigned),
            "reasons": dict(sorted(reasons.items())),
            "messages": [m for m, _ in messages.most_common(10)],
        }

    def _lead_row(
        self, lead_id: int, r: Record, campaign_id: int | None, when: dt.datetime
    ) -> tuple[Any, ...]:
        extra = json.dumps(r.extra, ensure_ascii=False) if r.extra else "{}"
        return (
            lead_id, r.company, r.contact, r.title, r.phone, r.email, r.source, campaign_id,
            None, when, r.status, self.first_stage, self.floor_rank, False, 0, None, None, "",
            search_key(r.company, r.contact, r.phone, r.email, r.source), extra, 1, self.now_db,
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
        if not rows:
            return
        meta = model._meta
        columns = ", ".join(f'"{f.column_name}"' for f in meta.sorted_fields)
        cursor = self.db.cursor()
        if self.pg:
            from psycopg2.extras import execute_values

            sql = f'INSERT INTO "{meta.table_name}" ({columns}) VALUES %s'
            execute_values(cursor, sql, rows, page_size=1000)
        else:
            marks = ", ".join([self.param] * len(meta.sorted_fields))
            cursor.executemany(
                f'INSERT INTO "{meta.table_name}" ({columns}) VALUES ({marks})', rows
            )


def _routing_service(name: str) -> Callable[..., Any] | None:
    try:
        module = importlib.import_module(ROUTING_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name != ROUTING_MODULE:
            raise
        return None
    return getattr(module, name, None)


def _router() -> Callable[..., Any] | None:
    """route_returning_leads(lead_ids, rules, *, now) -> routes, if the assignment service is
    installed, else None."""
    return _routing_service("route_returning_leads")


def _assigner() -> Callable[..., Any] | None:
    """assign_unassigned(rules, *, now, lead_ids) -> report, if installed, else None."""
    return _routing_service("assign_unassigned")


def _naive(moment: dt.datetime) -> dt.datetime:
    """How UtcDateTimeField stores an aware time: naive UTC."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def _describe(options: dict[str, Any]) -> str:
    shown = [f"--{k.replace('_', '-')} {v}" for k, v in sorted(options.items()) if v]
    return " ".join(shown) or "no options"


def _write_rejects(plan: ImportPlan) -> str | None:
    """``<name>.rejects.csv`` beside the input (UTF-8 with BOM, 0600): original columns, then
    isdesk_row and isdesk_reason. Removed when a new run of the file rejects nothing."""
    import csv
    import io

    target = rejects_path(plan.table.path)
    rejects = plan.rejects
    if not rejects:
        target.unlink(missing_ok=True)
        return None
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    columns = [c for c in plan.table.columns]
    keep = [i for i, c in enumerate(columns) if c not in REJECT_COLUMNS]
    out.writerow([columns[i] for i in keep] + list(REJECT_COLUMNS))
    for reject in rejects:
        out.writerow([reject.cells[i] for i in keep] + [reject.row, reject.reason])
    data = buffer.getvalue().encode("utf-8-sig")
    temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return str(target)
