"""Imported leads start where they arrived (a status event for each lead imported in a status
other than open), and a campaign's cost.

``campaign.cost``: what the campaign cost in yen (NULL: not given), set with
``isdesk campaign set-cost``; the campaigns report turns it into cost per lead, per SQL, per
order and ROI.

Since this version the importer writes, beside a created lead's ``created`` event, a
``status`` event with ``field = 'import'`` (old value NULL, new value the status the file
gave) when that status is not open; the long-view reports replay it as the lead's starting
status (isdesk.analytics.replay), so a lead imported as won, lost, nurturing or handed off is
not counted as an open lead in its first stage. This migration writes the same event for the
leads imported before: those with an arrival touch from an import (``touch.kind = 'new'`` with
an import run) whose current status is not open and that have no status event at all (so the
status they have is still the one they arrived in). The event is dated at the lead's
acquisition, as the importer dates it.
"""


def up(migrator, db):
    # Both steps may run again safely (the backfill writes only where no status event is).
    if "cost" not in {c.name for c in db.get_columns("campaign")}:
        db.execute_sql('ALTER TABLE "campaign" ADD COLUMN "cost" BIGINT')
    db.execute_sql(
        'INSERT INTO "lead_event" (lead_id, at, actor_id, kind, field, old_value, new_value, note) '
        "SELECT l.id, l.acquired_at, NULL, 'status', 'import', NULL, l.status, 'import' "
        "FROM \"lead\" l WHERE l.status <> 'open' "
        "AND EXISTS (SELECT 1 FROM touch t WHERE t.lead_id = l.id AND t.kind = 'new' "
        "AND t.import_run_id IS NOT NULL) "
        'AND NOT EXISTS (SELECT 1 FROM "lead_event" e WHERE e.lead_id = l.id '
        "AND e.kind = 'status')"
    )
