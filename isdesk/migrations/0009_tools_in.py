"""The tools around the desk, coming in: business cards, CRM record ids, phones, do-not-call.

- ``lead.department`` (部署名), ``lead.phones`` (every number, JSON, the preferred first),
  ``lead.external_key`` (the source's own record id, indexed: a re-export finds its lead),
  ``lead.do_not_call`` and ``lead.do_not_call_note`` (架電禁止 and why);
- ``activity.recording_url`` (a phone system's recording of a call);
- ``import_run.unchanged`` (rows that matched a lead and brought nothing new);
- ``lead.search_text`` rebuilt for every lead with this version's search key: kana folded
  (hiragana = katakana = half-width), variant kanji (髙 = 高, 齋 = 斎, 邊 = 辺), phones also as
  digits. A lead's ``phones`` starts as its one ``phone``.

Columns are added with database defaults, so rows inserted by name without them get the
default. Nothing is dropped. Team mode: the new columns live on tables whose grants and
policies already cover them (row-level security is per row, privileges per table).
"""

import json

from isdesk.domain.text import lead_search_key

_BATCH = 2_000


def _columns(pg):
    boolean = "BOOLEAN NOT NULL DEFAULT FALSE" if pg else "INTEGER NOT NULL DEFAULT 0"
    text = "TEXT NOT NULL DEFAULT ''"
    return [
        ("lead", "department", "VARCHAR(255) NOT NULL DEFAULT ''"),
        ("lead", "phones", "TEXT NOT NULL DEFAULT '[]'"),
        ("lead", "external_key", "VARCHAR(255) NOT NULL DEFAULT ''"),
        ("lead", "do_not_call", boolean),
        ("lead", "do_not_call_note", text),
        ("activity", "recording_url", text),
        ("import_run", "unchanged", "INTEGER NOT NULL DEFAULT 0"),
    ]


def up(migrator, db):
    from peewee import PostgresqlDatabase

    pg = isinstance(db, PostgresqlDatabase)
    for table, column, kind in _columns(pg):
        db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {kind}')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "lead_external_key" ON "lead" ("external_key")')
    param = "%s" if pg else "?"
    last = 0
    while True:
        rows = db.execute_sql(
            'SELECT id, company, contact, phone, email, source FROM "lead" '
            f"WHERE id > {param} ORDER BY id LIMIT {_BATCH}",
            (last,),
        ).fetchall()
        if not rows:
            break
        updates = []
        for lead_id, company, contact, phone, email, source in rows:
            phones = [phone] if phone else []
            updates.append(
                (
                    json.dumps(
                        [{"kind": "phone", "number": p} for p in phones], ensure_ascii=False
                    ),
                    lead_search_key(company, contact, email, source, phones),
                    lead_id,
                )
            )
        db.cursor().executemany(
            f'UPDATE "lead" SET phones = {param}, search_text = {param} WHERE id = {param}',
            updates,
        )
        last = rows[-1][0]
