"""Covering indexes for the KPI screen: activity by operator, time, kind and outcome, and the
event log by actor, kind and time (SQLs created, rank-ups), so a year of activity for fifty
operators aggregates without reading the table."""


def up(migrator, db):
    db.execute_sql('DROP INDEX IF EXISTS "activity_operator_id_at_kind"')
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "activity_operator_id_at_kind_outcome" '
        'ON "activity" ("operator_id", "at", "kind", "outcome")'
    )
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "lead_event_actor_id_kind_at" '
        'ON "lead_event" ("actor_id", "kind", "at")'
    )
