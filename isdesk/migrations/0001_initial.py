"""The first schema: operators, campaigns, leads, answers, the lead event log, activities.

Models here are a frozen copy, independent of isdesk.store.models, so that this migration
builds the same tables forever while the application models move on.
"""

import datetime

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    PostgresqlDatabase,
    TextField,
)


def up(migrator, db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Operator(Base):
        id = AutoField()
        name = CharField(unique=True)
        display_name = CharField()
        team = CharField(index=True)
        role = CharField(default="operator")
        active = BooleanField(default=True)
        created_at = DateTimeField(default=datetime.datetime.utcnow)

    class Campaign(Base):
        id = AutoField()
        name = CharField(unique=True)
        kind = CharField(default="")
        held_on = DateField(null=True)
        created_at = DateTimeField(default=datetime.datetime.utcnow)

    class Lead(Base):
        id = AutoField()
        company = CharField()
        contact = CharField(default="")
        title = CharField(default="")
        phone = CharField(default="")
        email = CharField(default="")
        source = CharField(default="")
        campaign = ForeignKeyField(Campaign, null=True, on_delete="RESTRICT")
        owner = ForeignKeyField(Operator, null=True, on_delete="RESTRICT")
        acquired_at = DateTimeField()
        status = CharField(default="open")
        stage = CharField(default="list")
        rank = CharField(default="D")
        is_sql = BooleanField(default=False)
        heard = IntegerField(default=0)
        last_touch_at = DateTimeField(null=True)
        next_action_at = DateTimeField(null=True)
        next_action = CharField(default="")
        search_text = TextField(default="")
        extra = TextField(default="{}")
        version = IntegerField(default=1)
        updated_at = DateTimeField(default=datetime.datetime.utcnow)

        class Meta:
            indexes = (
                (("owner", "status", "next_action_at"), False),
                (("owner", "status", "acquired_at"), False),
                (("status", "acquired_at"), False),
            )

    class Answer(Base):
        id = AutoField()
        lead = ForeignKeyField(Lead, on_delete="CASCADE")
        item = CharField()
        value = TextField(default="")
        version = IntegerField(default=1)
        updated_at = DateTimeField(default=datetime.datetime.utcnow)
        updated_by = ForeignKeyField(Operator, null=True, on_delete="RESTRICT")

        class Meta:
            indexes = ((("lead", "item"), True),)

    class LeadEvent(Base):
        id = AutoField()
        lead = ForeignKeyField(Lead, on_delete="RESTRICT")
        at = DateTimeField(default=datetime.datetime.utcnow)
        actor = ForeignKeyField(Operator, null=True, on_delete="RESTRICT")
        kind = CharField()
        field = CharField(default="")
        old_value = TextField(null=True)
        new_value = TextField(null=True)
        note = TextField(default="")

        class Meta:
            table_name = "lead_event"
            indexes = ((("lead", "at"), False), (("kind", "at"), False))

    class Activity(Base):
        id = AutoField()
        lead = ForeignKeyField(Lead, on_delete="RESTRICT")
        operator = ForeignKeyField(Operator, on_delete="RESTRICT")
        at = DateTimeField(default=datetime.datetime.utcnow)
        kind = CharField()
        outcome = CharField(default="")
        duration_s = IntegerField(default=0)
        note = TextField(default="")
        customer_voice = BooleanField(default=False)
        rank_after = CharField(default="")
        sql_after = BooleanField(default=False)

        class Meta:
            indexes = ((("operator", "at", "kind"), False), (("lead", "at"), False))

    db.create_tables([Operator, Campaign, Lead, Answer, LeadEvent, Activity])

    # The event log is the history every report is computed from: refuse edits in the
    # database itself, not only in the application.
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql(
            # %% is psycopg2's escape for a literal % (the plpgsql placeholder).
            "CREATE FUNCTION isdesk_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '%% is append-only', TG_TABLE_NAME; END $$"
        )
        db.execute_sql(
            "CREATE TRIGGER lead_event_append_only BEFORE UPDATE OR DELETE ON lead_event "
            "FOR EACH ROW EXECUTE FUNCTION isdesk_append_only()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            db.execute_sql(
                f"CREATE TRIGGER lead_event_no_{action.lower()} BEFORE {action} ON lead_event "
                "BEGIN SELECT RAISE(ABORT, 'lead_event is append-only'); END"
            )
