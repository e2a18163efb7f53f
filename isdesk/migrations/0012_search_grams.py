"""The queue filter's index: every two-character substring (bigram) of each lead's search text.

``lead_gram (gram, lead_id)`` holds one row per distinct bigram of ``lead.search_text`` — which
is :func:`isdesk.domain.text.search_key`'s output, whatever that function folds — so a filter
of two or more characters reads the leads holding its rarest bigram instead of scanning every
lead in scope (isdesk.services.search; why bigrams and not FTS5 or pg_trgm: docs/benchmarks.md).

The database keeps the table in step, in the writing transaction, through triggers on ``lead``:
whatever writes or rewrites ``search_text`` (an edit, an import, a merge, a search-key rebuild
migration, a raw UPDATE) updates its bigrams, and nothing else fires them: an UPDATE that
does not change ``search_text`` (take-next, a hearing answer) costs nothing extra.

SQLite triggers may not use a WITH clause, so positions come from ``lead_gram_pos`` (1 …
``MAX_POSITIONS``). A text longer than that also gets the empty gram ``''``: the search always
reads those leads (and checks them with LIKE), so even an over-long text is found.

PostgreSQL: inserts fire one statement-level trigger over the inserted rows (an import's
chunk is one INSERT … SELECT, not 2,000 function calls); updates and deletes a row-level one.
The functions are SECURITY DEFINER (owned by isdesk_owner in team mode) so an operator's edit
keeps the index without operators being granted any write on it; reading it is governed by a
row-level policy (isdesk.teamdb.policies): only the bigrams of leads one may read.
"""

MAX_POSITIONS = 2048


def up(migrator, db):
    from isdesk.store.db import is_postgres

    if is_postgres(db):
        _up_postgres(db)
    else:
        _up_sqlite(db)


def _up_sqlite(db):
    n = MAX_POSITIONS
    db.execute_sql(
        'CREATE TABLE IF NOT EXISTS "lead_gram" ("gram" TEXT NOT NULL, "lead_id" INTEGER NOT NULL, '
        'PRIMARY KEY ("gram", "lead_id")) WITHOUT ROWID'
    )
    db.execute_sql('CREATE TABLE IF NOT EXISTS "lead_gram_pos" ("i" INTEGER PRIMARY KEY)')
    db.execute_sql(
        f'INSERT OR IGNORE INTO "lead_gram_pos" ("i") WITH RECURSIVE p(i) AS '
        f"(SELECT 1 UNION ALL SELECT i + 1 FROM p WHERE i < {n}) SELECT i FROM p"
    )

    def add(row: str) -> str:
        return (
            f'INSERT OR IGNORE INTO "lead_gram" ("gram", "lead_id") '
            f'SELECT substr({row}."search_text", p."i", 2), {row}."id" FROM "lead_gram_pos" p '
            f'WHERE p."i" < length({row}."search_text"); '
            f'INSERT OR IGNORE INTO "lead_gram" ("gram", "lead_id") SELECT \'\', {row}."id" '
            f'WHERE length({row}."search_text") > {n}; '
        )

    def remove(row: str) -> str:
        # By primary key, gram by gram: no second index on lead_id to keep up on every insert.
        return (
            f'DELETE FROM "lead_gram" WHERE "lead_id" = {row}."id" AND "gram" IN '
            f'(SELECT substr({row}."search_text", p."i", 2) FROM "lead_gram_pos" p '
            f'WHERE p."i" < length({row}."search_text") UNION ALL SELECT \'\'); '
        )

    db.execute_sql(
        'CREATE TRIGGER IF NOT EXISTS "lead_gram_insert" AFTER INSERT ON "lead" '
        f"BEGIN {add('NEW')}END"
    )
    db.execute_sql(
        'CREATE TRIGGER IF NOT EXISTS "lead_gram_update" AFTER UPDATE OF "search_text", "id" '
        'ON "lead" WHEN OLD."search_text" IS NOT NEW."search_text" OR OLD."id" IS NOT NEW."id" '
        f"BEGIN {remove('OLD')}{add('NEW')}END"
    )
    db.execute_sql(
        f'CREATE TRIGGER IF NOT EXISTS "lead_gram_delete" AFTER DELETE ON "lead" '
        f"BEGIN {remove('OLD')}END"
    )
    # The leads already there (the trigger's INSERT, once, for every lead).
    db.execute_sql(
        'INSERT OR IGNORE INTO "lead_gram" ("gram", "lead_id") '
        'SELECT substr(l."search_text", p."i", 2), l."id" FROM "lead" l '
        'JOIN "lead_gram_pos" p ON p."i" < length(l."search_text")'
    )
    db.execute_sql(
        'INSERT OR IGNORE INTO "lead_gram" ("gram", "lead_id") '
        f'SELECT \'\', "id" FROM "lead" WHERE length("search_text") > {n}'
    )


def _up_postgres(db):
    schema = db.execute_sql("SELECT current_schema()").fetchone()[0]
    s = '"' + schema.replace('"', '""') + '"'
    db.execute_sql(
        f"CREATE TABLE IF NOT EXISTS {s}.lead_gram (gram text NOT NULL, lead_id integer NOT NULL, "
        "PRIMARY KEY (gram, lead_id))"
    )
    grams = (
        "SELECT DISTINCT substr(r.search_text, i, 2) AS gram, r.id AS lead_id FROM {rows} r, "
        "LATERAL generate_series(1, length(r.search_text) - 1) AS i"
    )
    # SET search_path: a SECURITY DEFINER function must not resolve names through the caller's.
    definer = f"SECURITY DEFINER SET search_path = {s}, pg_catalog, pg_temp"
    db.execute_sql(
        f"CREATE OR REPLACE FUNCTION {s}.isdesk_lead_gram_inserted() RETURNS trigger "
        f"LANGUAGE plpgsql {definer} AS $$ BEGIN "
        f"INSERT INTO lead_gram (gram, lead_id) {grams.format(rows='inserted')} "
        "ON CONFLICT DO NOTHING; RETURN NULL; END $$"
    )
    db.execute_sql(
        f"CREATE OR REPLACE FUNCTION {s}.isdesk_lead_gram_changed() RETURNS trigger "
        f"LANGUAGE plpgsql {definer} AS $$ BEGIN "
        "IF TG_OP <> 'INSERT' THEN DELETE FROM lead_gram WHERE lead_id = OLD.id AND gram = ANY "
        "(ARRAY(SELECT substr(OLD.search_text, i, 2) "
        "FROM generate_series(1, length(OLD.search_text) - 1) AS i)); END IF; "
        "IF TG_OP = 'UPDATE' THEN INSERT INTO lead_gram (gram, lead_id) "
        "SELECT DISTINCT substr(NEW.search_text, i, 2), NEW.id "
        "FROM generate_series(1, length(NEW.search_text) - 1) AS i ON CONFLICT DO NOTHING; "
        "END IF; RETURN NULL; END $$"
    )
    for name in ("lead_gram_insert", "lead_gram_update", "lead_gram_delete"):
        db.execute_sql(f"DROP TRIGGER IF EXISTS {name} ON {s}.lead")
    db.execute_sql(
        f"CREATE TRIGGER lead_gram_insert AFTER INSERT ON {s}.lead "
        "REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {s}.isdesk_lead_gram_inserted()"
    )
    # The column list and WHEN keep every other UPDATE (take-next, answers) from firing it.
    db.execute_sql(
        f"CREATE TRIGGER lead_gram_update AFTER UPDATE OF search_text, id ON {s}.lead "
        "FOR EACH ROW WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text "
        f"OR OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION {s}.isdesk_lead_gram_changed()"
    )
    db.execute_sql(
        f"CREATE TRIGGER lead_gram_delete AFTER DELETE ON {s}.lead "
        f"FOR EACH ROW EXECUTE FUNCTION {s}.isdesk_lead_gram_changed()"
    )
    db.execute_sql(
        f"INSERT INTO {s}.lead_gram (gram, lead_id) {grams.format(rows=f'{s}.lead')} "
        "ON CONFLICT DO NOTHING"
    )
    db.execute_sql(f"ANALYZE {s}.lead_gram")
