"""The tables isdesk lives on.

Current state lives on ``Lead`` and ``Answer``; every change to it is also appended to
``LeadEvent`` (append-only, enforced by triggers) so that later reports can compute transition
times and rates from the history rather than from snapshots.

Each foreign key ``x`` also has the column's value as ``x_id``, which peewee adds at run time;
the bare ``x_id: int`` annotations under the keys declare it for the type checker (an annotation
without a value creates nothing, so peewee's behaviour is unchanged).
"""

from __future__ import annotations

from peewee import (
    AutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from isdesk.store.db import BaseModel, UtcDateTimeField, utcnow

ROLES = ("operator", "lead", "field")
LEAD_STATUSES = ("open", "handed_off", "nurturing", "won", "lost")


class Operator(BaseModel):
    id = AutoField()
    name = CharField(unique=True)  # login name: the OS user or --as NAME
    display_name = CharField()
    team = CharField(index=True)
    role = CharField(default="operator")  # one of ROLES
    active = BooleanField(default=True)
    created_at = UtcDateTimeField(default=utcnow)


class Campaign(BaseModel):
    id = AutoField()
    name = CharField(unique=True)
    kind = CharField(default="")  # seminar, trade_show, download, …
    held_on = DateField(null=True)
    created_at = UtcDateTimeField(default=utcnow)
    cost = BigIntegerField(null=True)  # yen; migration 0011 (isdesk campaign set-cost)


class Lead(BaseModel):
    id = AutoField()
    company = CharField()
    contact = CharField(default="")
    title = CharField(default="")
    phone = CharField(default="")
    email = CharField(default="")
    source = CharField(default="")
    campaign = ForeignKeyField(Campaign, null=True, backref="leads", on_delete="RESTRICT")
    campaign_id: int | None
    owner = ForeignKeyField(Operator, null=True, backref="leads", on_delete="RESTRICT")
    owner_id: int | None
    acquired_at = UtcDateTimeField()
    status = CharField(default="open")  # one of LEAD_STATUSES
    stage = CharField(default="list")  # pipeline stage key from rules.yaml
    rank = CharField(default="D")
    is_sql = BooleanField(default=False)
    heard = IntegerField(default=0)
    last_touch_at = UtcDateTimeField(null=True)
    next_action_at = UtcDateTimeField(null=True)
    next_action = CharField(default="")
    # domain.text.lead_search_key of the searchable columns (width, case, kana and variant kanji
    # folded; phones also as digits), so filter-as-you-type is one LIKE on one column.
    search_text = TextField(default="")
    extra = TextField(default="{}")  # JSON: columns an import could not map, kept with the lead
    version = IntegerField(default=1)  # bumped by every change; lets a screen see it is stale
    updated_at = UtcDateTimeField(default=utcnow)
    # Migration 0009 (after the older columns, so bulk writers that name the first N keep working):
    department = CharField(default="")  # 部署名
    # JSON [{"kind": "direct"|"mobile"|"department"|"company"|"phone", "number": …}]: every
    # number the lead has, the one in ``phone`` (the one to call first: 直通 → 携帯 → 会社) first
    phones = TextField(default="[]")
    # The source's own record id ("salesforce:00Q…", "hubspot:51", "sansan:…", "eight:…"): a
    # re-export of the same record finds its lead by it.
    external_key = CharField(default="", index=True)
    do_not_call = BooleanField(default=False)  # 架電禁止: never handed out nor taken next
    do_not_call_note = TextField(default="")  # why: the CRM's column, or who set it and when

    class Meta:
        indexes = (
            (("owner", "status", "next_action_at"), False),
            (("owner", "status", "acquired_at"), False),
            (("status", "acquired_at"), False),
        )


class Answer(BaseModel):
    """The current answer to one hearing item of one lead."""

    id = AutoField()
    lead = ForeignKeyField(Lead, backref="answers", on_delete="CASCADE")
    lead_id: int
    item = CharField()  # hearing item key from rules.yaml
    value = TextField(default="")
    version = IntegerField(default=1)  # optimistic lock: a save names the version it edited
    updated_at = UtcDateTimeField(default=utcnow)
    updated_by = ForeignKeyField(Operator, null=True, on_delete="RESTRICT")
    updated_by_id: int | None

    class Meta:
        indexes = ((("lead", "item"), True),)


# "touch": an import met the lead again (a new campaign or source touch point; see Touch).
EVENT_KINDS = (
    "created", "answer", "rank", "sql", "stage", "owner", "status", "next_action", "touch",
    "do_not_call",
)  # fmt: skip


class LeadEvent(BaseModel):
    """One change to a lead, appended and never updated or deleted."""

    id = AutoField()
    lead = ForeignKeyField(Lead, backref="events", on_delete="RESTRICT")
    lead_id: int
    at = UtcDateTimeField(default=utcnow)
    actor = ForeignKeyField(Operator, null=True, on_delete="RESTRICT")
    actor_id: int | None
    kind = CharField()  # one of EVENT_KINDS
    field = CharField(default="")  # the hearing item for kind == "answer"
    old_value = TextField(null=True)
    new_value = TextField(null=True)
    note = TextField(default="")

    class Meta:
        table_name = "lead_event"
        indexes = (
            (("lead", "at"), False),
            (("kind", "at"), False),
            (("actor", "kind", "at"), False),  # migration 0002
        )


class Activity(BaseModel):
    """A call, e-mail, appointment, meeting or note logged against a lead."""

    id = AutoField()
    lead = ForeignKeyField(Lead, backref="activities", on_delete="RESTRICT")
    lead_id: int
    operator = ForeignKeyField(Operator, backref="activities", on_delete="RESTRICT")
    operator_id: int
    at = UtcDateTimeField(default=utcnow)
    kind = CharField()
    outcome = CharField(default="")
    duration_s = IntegerField(default=0)
    note = TextField(default="")
    customer_voice = BooleanField(default=False)
    rank_after = CharField(default="")
    sql_after = BooleanField(default=False)
    recording_url = TextField(default="")  # a phone system's recording of the call (0009)

    class Meta:
        indexes = (
            (("operator", "at", "kind", "outcome"), False),  # migration 0002
            (("lead", "at"), False),
        )


class ImportRun(BaseModel):
    """One file imported by ``isdesk import``, keyed by its content: progress for resuming.

    ``rows_done`` rows (in file order) are committed; an interrupted import run again on the
    same bytes continues after them, and a finished one imports nothing twice.
    """

    id = AutoField()
    digest = CharField(unique=True)  # sha256 of the file's bytes
    file_name = CharField(default="")
    mapping = CharField(default="")
    options = TextField(default="{}")  # JSON: the options that shape the rows (resume checks them)
    rows_total = IntegerField(default=0)
    rows_done = IntegerField(default=0)
    created = IntegerField(default=0)
    merged = IntegerField(default=0)
    rejected = IntegerField(default=0)
    status = CharField(default="running")  # running | done
    actor = ForeignKeyField(Operator, null=True, on_delete="RESTRICT")
    actor_id: int | None
    started_at = UtcDateTimeField(default=utcnow)
    finished_at = UtcDateTimeField(null=True)
    unchanged = IntegerField(default=0)  # matched a lead and brought nothing new (0009)

    class Meta:
        table_name = "import_run"


class Touch(BaseModel):
    """A lead's touch point: it arrived (kind "new") or came back (kind "return") through a
    campaign or source. Imports write one per file row, at most once: (import_run, row) is unique.
    """

    id = AutoField()
    lead = ForeignKeyField(Lead, backref="touches", on_delete="RESTRICT")
    lead_id: int
    campaign = ForeignKeyField(Campaign, null=True, backref="touches", on_delete="RESTRICT")
    campaign_id: int | None
    source = CharField(default="")
    at = UtcDateTimeField()
    kind = CharField(default="new")  # new | return
    import_run = ForeignKeyField(ImportRun, null=True, backref="touches", on_delete="RESTRICT")
    import_run_id: int | None
    row = IntegerField(null=True)  # the file row (as Excel numbers it, header = 1)
    created_at = UtcDateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("import_run", "row"), True),
            (("lead", "at"), False),
            (("campaign", "at"), False),
        )


ALL_MODELS = (Operator, Campaign, Lead, Answer, LeadEvent, Activity, ImportRun, Touch)
