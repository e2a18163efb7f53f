"""The call table (migration 0007): a call is a row from the moment it starts."""

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
