"""SQLite: bulk writers may index their leads' bigrams themselves (isdesk.store.grams).

``lead_gram_bulk`` holds a row only inside a bulk writer's transaction; while it does, the
insert trigger of migration 0012 stands aside and the writer inserts the same tokens it would
have computed, in one executemany. Every other insert keeps the trigger. PostgreSQL: nothing
(its trigger is one statement over the inserted rows already).
"""


def up(migrator, db):
    from isdesk.store.db import is_postgres

    if is_postgres(db):
        return
    n, long_token = 2048, "LONG"  # as migration 0012 defined them
    db.execute_sql('CREATE TABLE IF NOT EXISTS "lead_gram_bulk" ("on" INTEGER DEFAULT 1)')
    tokens = (
        'COALESCE((SELECT group_concat(hex(substr(NEW."search_text", p."i", 2)), \' \') '
        'FROM "lead_gram_pos" p WHERE p."i" < length(NEW."search_text")), \'\') '
        f"|| CASE WHEN length(NEW.\"search_text\") > {n} THEN ' {long_token}' ELSE '' END"
    )
    db.execute_sql('DROP TRIGGER IF EXISTS "lead_gram_insert"')
    db.execute_sql(
        'CREATE TRIGGER "lead_gram_insert" AFTER INSERT ON "lead" '
        'WHEN NOT EXISTS (SELECT 1 FROM "lead_gram_bulk") '
        f'BEGIN INSERT INTO "lead_gram" (rowid, grams) VALUES (NEW."id", {tokens}); END'
    )
