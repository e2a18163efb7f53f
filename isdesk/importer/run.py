"""The import itself: plan a file (read, map, clean, check: no database), then write it in
chunks, each one transaction, resumable; then hand out the new leads.

The parts live beside this module: plan.py (ImportPlan, plan_import, the rejects file),
summary.py (ImportSummary) and write.py (the chunked, resumable writer). This module runs them
in order, finds the routing services (looked up here, so a test can replace ``_router``), and
re-exports the names other code imports from ``isdesk.importer.run``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from isdesk.importer.convert import Options
from isdesk.importer.plan import ImportPlan, plan_import, rejects_path, write_rejects
from isdesk.importer.summary import ImportSummary
from isdesk.importer.write import (
    CHUNK_ROWS,
    ROUTING_MODULE,
    ImportConflictError,
    Progress,
    _Writer,
)
from isdesk.rules import Rules
from isdesk.store.db import current_database, utcnow

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


def import_file(
    path: Path,
    *,
    rules: Rules,
    mapping: str | None = None,
    encoding: str | None = None,
    options: Options | None = None,
    **kwargs: Any,
) -> ImportSummary:
    """plan_import + execute_plan (keyword arguments as for execute_plan)."""
    plan = plan_import(path, rules=rules, mapping=mapping, encoding=encoding, options=options)
    return execute_plan(plan, rules=rules, **kwargs)


def execute_plan(
    plan: ImportPlan,
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
        summary.rejects_file = write_rejects(plan)
    router = _router() if route else None  # looked up here, where tests replace _router
    writer = _Writer(plan, rules, summary, now, actor_id, dry_run, route, router)
    with current_database().connection_context():
        writer.run(progress, chunk_rows)
        _assign(writer, assign)
    summary.seconds = time.perf_counter() - started
    return summary


# --- after the import -------------------------------------------------------------------------


def _assign(writer: _Writer, wanted: bool) -> None:
    """Hand out the new leads still unassigned (the assignment rules, every team)."""
    summary = writer.summary
    if writer.dry_run:
        summary.assignment = {"ran": False, "note": "dry run: not assigned"}
        return
    if not wanted:
        summary.assignment = {"ran": False, "note": "skipped (--no-assign)"}
        return
    if summary.already_imported or not writer.created_ids:
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
    report = assigner(writer.rules, now=writer.now, lead_ids=sorted(writer.created_ids))
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
