"""Calls as rows of their own (``phone_call``): written when the call starts, updated by a
heartbeat while it runs, closed when its activity is logged or the operator cancels it, so a
crash, a kill or a closed terminal leaves a call the next start can offer to finish."""

import datetime

from peewee import AutoField, CharField, DateTimeField, ForeignKeyField, IntegerField, Model


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

    class Activity(Base):
        id = AutoField()

        class Meta:
            table_name = "activity"

    class PhoneCall(Base):
        id = AutoField()
        lead = ForeignKeyField(Lead, on_delete="RESTRICT")
        operator = ForeignKeyField(Operator, on_delete="RESTRICT")
        started_at = DateTimeField(default=datetime.datetime.utcnow)
        last_seen_at = DateTimeField(default=datetime.datetime.utcnow)
        ended_at = DateTimeField(null=True)
        status = CharField(default="running")
        activity = ForeignKeyField(Activity, null=True, on_delete="RESTRICT")
        duration_s = IntegerField(default=0)

        class Meta:
            table_name = "phone_call"
            indexes = ((("operator", "status"), False), (("lead", "started_at"), False))

    db.create_tables([PhoneCall])
