"""The queue filter's index: every two-character substring (bigram) of each lead's search text.

The index is built from ``lead.search_text`` — :func:`isdesk.domain.text.search_key`'s output,
whatever that function folds — so a filter of two or more characters reads the leads holding
its bigrams instead of scanning every lead in scope (isdesk.services.search; why bigrams and
not FTS5's trigram tokenizer or pg_trgm: that module's docstring and docs/benchmarks.md).

SQLite: ``lead_gram`` is a contentless FTS5 table, one row per lead (rowid = lead id) whose
tokens are the lead's bigrams in order, each written as the hex of its UTF-8 bytes; a filter is
the phrase of its bigrams. FTS5 collects a transaction's postings in memory and writes them
sorted, so a 2,000-row import chunk costs a fraction of what 100,000 B-tree inserts at random
places would (measured: a (gram, lead_id) table made bulk inserts ~15x slower than this).
PostgreSQL: ``lead_gram (gram, lead_id)``, a plain table with its primary key, which a
row-level policy can protect in team mode (isdesk.teamdb.policies).

The database keeps the index in step, in the writing transaction, through triggers on ``lead``:
whatever writes or rewrites ``search_text`` (an edit, an import, a merge, a search-key rebuild
migration, a raw UPDATE) updates its bigrams, and nothing else fires them: an UPDATE that
does not change ``search_text`` (take-next, a hearing answer) costs nothing extra.

SQLite triggers may not use a WITH clause, so positions come from ``lead_gram_pos`` (1 …
``MAX_POSITIONS``). A text longer than that also gets the token ``LONG``: the search always
reads those leads (and checks them with LIKE), so even an over-long text is found.

PostgreSQL: inserts fire one statement-level trigger over the inserted rows (an import's
chunk is one INSERT … SELECT, not 2,000 function calls); updates and deletes a row-level one.
The functions are SECURITY DEFINER (owned by isdesk_owner in team mode) so an operator's edit
keeps the index without operators being granted any write on it; reading it is governed by a
row-level policy: only the bigrams of leads one may read.
"""

MAX_POSITIONS = 2048
LONG_TOKEN = "LONG"  # not hex: marks a text longer than MAX_POSITIONS


def up(migrator, db):
    from isdesk.store.db import is_postgres

    if is_postgres(db):
        _up_postgres(db)
    else:
        _up_sqlite(db)


def _up_sqlite(db):
    n = MAX_POSITIONS
    db.execute_sql('CREATE TABLE IF NOT EXISTS "lead_gram_pos" ("i" INTEGER PRIMARY KEY)')
    db.execute_sql(
        f'INSERT OR IGNORE INTO "lead_gram_pos" ("i") WITH RECURSIVE p(i) AS '
        f"(SELECT 1 UNION ALL SELECT i + 1 FROM p WHERE i < {n}) SELECT i FROM p"
    )
    # Contentless FTS5 over one "document" per lead: its bigrams in order, each as the hex of
    # its UTF-8 bytes (so the ascii tokenizer keeps every bigram one token, whatever the
    # script). A filter is then the phrase of its bigrams: exactly the leads containing it.
    db.execute_sql(
        "CREATE VIRTUAL TABLE IF NOT EXISTS \"lead_gram\" USING fts5(grams, content='', "
        "columnsize=0, tokenize='ascii')"
    )

    def tokens(row: str) -> str:
        return (
            f'COALESCE((SELECT group_concat(hex(substr({row}."search_text", p."i", 2)), \' \') '
            f'FROM "lead_gram_pos" p WHERE p."i" < length({row}."search_text")), \'\') '
            f"|| CASE WHEN length({row}.\"search_text\") > {n} THEN ' {LONG_TOKEN}' ELSE '' END"
        )

    def add(row: str) -> str:
        return f'INSERT INTO "lead_gram" (rowid, grams) VALUES ({row}."id", {tokens(row)}); '

    def remove(row: str) -> str:
        # A contentless table forgets a row by being told the very tokens it was given.
        return (
            f'INSERT INTO "lead_gram" ("lead_gram", rowid, grams) '
            f"VALUES ('delete', {row}.\"id\", {tokens(row)}); "
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
    # The leads already there, as the insert trigger would have indexed them.
    db.execute_sql(
        f'INSERT INTO "lead_gram" (rowid, grams) SELECT l."id", {tokens("l")} FROM "lead" l'
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
