"""Hand-offs to field sales (トスアップ): who handed which lead to whom, with what note, and
what field sales decided. The lead's event log records each step as well; this table is the
field user's inbox and the record a rejection is counted from."""

import datetime

from peewee import AutoField, CharField, DateTimeField, ForeignKeyField, Model, TextField


def up(migrator, db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Operator(Base):
        id = AutoField()

        class Meta:
            table_name = "operator"

    class Lead(Base):
        id = AutoField()

        class Meta:
            table_name = "lead"

    class Handoff(Base):
        id = AutoField()
        lead = ForeignKeyField(Lead, on_delete="RESTRICT")
        from_operator = ForeignKeyField(Operator, on_delete="RESTRICT")
        to_user = ForeignKeyField(Operator, on_delete="RESTRICT")
        note = TextField(default="")
        status = CharField(default="pending")
        reason = CharField(default="")
        comment = TextField(default="")
        follow_up_at = DateTimeField(null=True)
        created_at = DateTimeField(default=datetime.datetime.utcnow)
        decided_at = DateTimeField(null=True)

        class Meta:
            table_name = "handoff"
            indexes = (
                (("to_user", "status", "created_at"), False),
                (("from_operator", "created_at"), False),
                (("lead", "created_at"), False),
            )

    db.create_tables([Handoff])
