"""The call table (migration 0007): a call is a row from the moment it starts; and the
appointments set during calls (migration 0013)."""

from __future__ import annotations

from peewee import AutoField, CharField, ForeignKeyField, IntegerField

from isdesk.store.db import BaseModel, UtcDateTimeField, utcnow
from isdesk.store.models import Activity, Lead, Operator

# running: on the phone · ended: F2 pressed, outcome not yet recorded · logged: its activity
# is written · cancelled: the operator chose, knowingly, to record no call.
CALL_STATUSES = ("running", "ended", "logged", "cancelled")
OPEN_CALL_STATUSES = ("running", "ended")


class PhoneCall(BaseModel):
    """One call an operator made on a lead, written when it starts so no crash loses it."""

    id = AutoField()
    lead = ForeignKeyField(Lead, backref="calls", on_delete="RESTRICT")
    operator = ForeignKeyField(Operator, backref="calls", on_delete="RESTRICT")
    started_at = UtcDateTimeField(default=utcnow)
    # The last moment the running app saw the call (a heartbeat): a killed process's call
    # lasted at least until then.
    last_seen_at = UtcDateTimeField(default=utcnow)
    ended_at = UtcDateTimeField(null=True)
    status = CharField(default="running")  # one of CALL_STATUSES
    activity = ForeignKeyField(Activity, null=True, on_delete="RESTRICT")
    duration_s = IntegerField(default=0)

    class Meta:
        table_name = "phone_call"
        indexes = ((("operator", "status"), False), (("lead", "started_at"), False))


class Appointment(BaseModel):
    """A meeting the operator set up for field sales (migration 0013): when, how long, who
    attends, where (a place or an online URL). Its activity counts it in the KPIs."""

    id = AutoField()
    lead = ForeignKeyField(Lead, backref="appointments", on_delete="RESTRICT")
    operator = ForeignKeyField(Operator, backref="appointments_set", on_delete="RESTRICT")
    attendee = ForeignKeyField(
        Operator, null=True, backref="appointments_attended", on_delete="RESTRICT"
    )
    starts_at = UtcDateTimeField()
    minutes = IntegerField(default=60)
    place = CharField(default="")
    note = CharField(default="")
    activity = ForeignKeyField(Activity, null=True, on_delete="RESTRICT")
    created_at = UtcDateTimeField(default=utcnow)

    class Meta:
        table_name = "appointment"
        indexes = ((("starts_at",), False), (("attendee", "starts_at"), False))
