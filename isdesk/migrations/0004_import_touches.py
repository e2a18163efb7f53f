"""Imports: a lead's touch points (campaign and source each time it arrives or comes back) and
the progress of each imported file, so an interrupted import resumes without duplicates.

Frozen model copies, as in 0001: this migration builds the same tables forever.
"""

import datetime

from peewee import (
    AutoField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def up(migrator, db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Operator(Base):
        id = AutoField()

    class Campaign(Base):
        id = AutoField()

    class Lead(Base):
        id = AutoField()

    class ImportRun(Base):
        id = AutoField()
        digest = CharField(unique=True)
        file_name = CharField(default="")
        mapping = CharField(default="")
        options = TextField(default="{}")
        rows_total = IntegerField(default=0)
        rows_done = IntegerField(default=0)
        created = IntegerField(default=0)
        merged = IntegerField(default=0)
        rejected = IntegerField(default=0)
        status = CharField(default="running")
        actor = ForeignKeyField(Operator, null=True, on_delete="RESTRICT")
        started_at = DateTimeField(default=datetime.datetime.utcnow)
        finished_at = DateTimeField(null=True)

        class Meta:
            table_name = "import_run"

    class Touch(Base):
        id = AutoField()
        lead = ForeignKeyField(Lead, on_delete="RESTRICT")
        campaign = ForeignKeyField(Campaign, null=True, on_delete="RESTRICT")
        source = CharField(default="")
        at = DateTimeField()
        kind = CharField(default="new")
        import_run = ForeignKeyField(ImportRun, null=True, on_delete="RESTRICT")
        row = IntegerField(null=True)
        created_at = DateTimeField(default=datetime.datetime.utcnow)

        class Meta:
            indexes = (
                (("import_run", "row"), True),
                (("lead", "at"), False),
                (("campaign", "at"), False),
            )

    db.create_tables([ImportRun, Touch])
