"""Appointments (``appointment``): the meeting an operator sets up for field sales, with its
start, length, attendee and place, so it can be sent as an iCalendar invitation and exported
for a date range. Its ``activity`` row (kind appointment) keeps counting it in the KPIs."""

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

    class Appointment(Base):
        id = AutoField()
        lead = ForeignKeyField(Lead, on_delete="RESTRICT")
        operator = ForeignKeyField(Operator, on_delete="RESTRICT")
        attendee = ForeignKeyField(Operator, null=True, on_delete="RESTRICT")
        starts_at = DateTimeField()
        minutes = IntegerField(default=60)
        place = CharField(default="")
        note = CharField(default="")
        activity = ForeignKeyField(Activity, null=True, on_delete="RESTRICT")
        created_at = DateTimeField(default=datetime.datetime.utcnow)

        class Meta:
            table_name = "appointment"
            indexes = ((("starts_at",), False), (("attendee", "starts_at"), False))

    db.create_tables([Appointment])
