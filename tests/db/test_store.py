"""The store on SQLite and PostgreSQL: schema upgrades, privacy, append-only history."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest
from peewee import DatabaseError

from isdesk.store.db import DatabaseUrlError, open_database, parse_database_url
from isdesk.store.models import Lead, LeadEvent, Operator
from isdesk.store.schema import schema_version, upgrade


def test_upgrade_records_version_and_is_idempotent(db) -> None:
    assert schema_version(db) >= 1
    assert upgrade(db) == []  # a second start applies nothing


def test_lead_event_log_refuses_update_and_delete(db) -> None:
    with db.connection_context():
        op = Operator.create(name="sato", display_name="佐藤", team="inbound")
        lead = Lead.create(company="株式会社テスト", acquired_at=dt.datetime.now(dt.UTC))
        LeadEvent.create(lead=lead, actor=op, kind="created")
        with pytest.raises(DatabaseError, match="append-only"), db.atomic():
            LeadEvent.update(note="rewritten").execute()
        with pytest.raises(DatabaseError, match="append-only"), db.atomic():
            LeadEvent.delete().execute()
        assert LeadEvent.select().count() == 1


def test_timestamps_come_back_timezone_aware_in_utc(db) -> None:
    jst = dt.timezone(dt.timedelta(hours=9))
    acquired = dt.datetime(2026, 4, 1, 9, 0, tzinfo=jst)
    with db.connection_context():
        lead = Lead.create(company="X", acquired_at=acquired)
        back = Lead.get_by_id(lead.id).acquired_at
    assert back == acquired
    assert back.utcoffset() == dt.timedelta(0)


def test_sqlite_file_is_private_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "isdesk.sqlite3"
    db = open_database(f"sqlite:///{path}")
    upgrade(db)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with db.connection_context():
        assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 5000
        for name in os.listdir(path.parent):  # -wal and -shm inherit the file's mode
            assert stat.S_IMODE(os.stat(path.parent / name).st_mode) == 0o600


def test_newer_schema_refuses_to_start(db) -> None:
    from playhouse.migrations import Runner

    from isdesk.store.schema import MIGRATIONS_DIR, SchemaTooNewError

    runner = Runner(db, str(MIGRATIONS_DIR))
    with db.connection_context():
        runner.History.create(name="9999_from_the_future")
    with pytest.raises(SchemaTooNewError, match="newer isdesk"):
        upgrade(db)


@pytest.mark.parametrize(
    "url, message",
    [
        ("mysql://x/y", "sqlite:///PATH or postgresql://"),
        ("sqlite://", "give a file path"),
        ("sqlite:///:memory:", "invisible to background workers"),
        ("postgresql://u@h:5432/", "name the database"),
    ],
)
def test_bad_database_urls_say_what_to_write(url: str, message: str) -> None:
    with pytest.raises(DatabaseUrlError, match=message):
        parse_database_url(url)


def test_an_older_database_is_upgraded_forward_keeping_its_rows(db_url: str) -> None:
    from playhouse.migrations import Runner

    from isdesk.store.schema import MIGRATIONS_DIR, known_migrations

    database = open_database(db_url)
    with database.connection_context():
        Runner(database, str(MIGRATIONS_DIR)).up(target="0001_initial")
        Operator.create(name="sato", display_name="佐藤", team="inbound")
    assert schema_version(database) == 1
    later = [m.name for m in known_migrations()][1:]
    assert upgrade(database) == later
    assert schema_version(database) == known_migrations()[-1].idx
    with database.connection_context():
        assert Operator.get(Operator.name == "sato").display_name == "佐藤"
    if hasattr(database, "close_all"):
        database.close_all()


def test_migration_0009_rebuilds_the_search_key_of_existing_leads(db_url: str) -> None:
    """Leads written before 0009 get kana-folded keys with phone digits, and their one phone."""
    import json

    from playhouse.migrations import Runner

    from isdesk.store.schema import MIGRATIONS_DIR

    database = open_database(db_url)
    with database.connection_context():
        Runner(database, str(MIGRATIONS_DIR)).up(target="0006_analytics_indexes")
        database.execute_sql(
            'INSERT INTO "lead" (company, contact, title, phone, email, source, acquired_at, '
            "status, stage, rank, is_sql, heard, next_action, search_text, extra, version, "
            "updated_at) VALUES ('ｻｸﾗｼｽﾃﾑ株式会社', '髙橋 一郎', '', '03-1234-5678', '', '展示会', "
            "'2026-10-01 00:00:00', 'open', 'list', 'D', "
            + ("false" if "postgres" in db_url else "0")
            + ", 0, '', 'old key', '{}', 1, '2026-10-01 00:00:00')"
        )
    upgrade(database)
    with database.connection_context():
        lead = Lead.get()
        assert lead.search_text.startswith("さくらしすてむ株式会社高橋一郎")
        assert lead.search_text.endswith("|0312345678")
        assert json.loads(lead.phones) == [{"kind": "phone", "number": "03-1234-5678"}]
        assert (lead.do_not_call, lead.external_key, lead.department) == (False, "", "")
    if hasattr(database, "close_all"):
        database.close_all()
