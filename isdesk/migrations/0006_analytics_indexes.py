"""Covering indexes for the long-view reports (isdesk report …), which read the whole history.

- ``lead_event_history``: the pipeline events only (stage, status, sql, hand-off), in lead and
  time order, with every column the reports read: a partial index, so the answer, rank, owner
  and created events (four fifths of the log) do not weigh on it. Read with the same
  ``kind IN (…)`` condition so both SQLite and PostgreSQL can use it.
- ``lead_event_kind_field_at``: one hearing item's answers (the budget, for order values)
  without reading every answer event's row.
- ``activity_lead_id_kind_at_operator_id``: a lead's first contact, first appointment and
  last activity by kind without reading the table rows.
"""

HISTORY_KINDS = "('stage', 'status', 'sql', 'handoff')"


def up(migrator, db):
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "lead_event_history" ON "lead_event" '
        '("lead_id", "at", "id", "kind", "field", "old_value", "new_value", "actor_id") '
        f'WHERE "kind" IN {HISTORY_KINDS}'
    )
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "lead_event_kind_field_at" '
        'ON "lead_event" ("kind", "field", "at")'
    )
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "activity_lead_id_kind_at_operator_id" '
        'ON "activity" ("lead_id", "kind", "at", "operator_id")'
    )
