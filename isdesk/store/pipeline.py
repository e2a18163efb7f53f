"""Tables of the hand-off to field sales (migration 0005)."""

from __future__ import annotations

from peewee import AutoField, CharField, ForeignKeyField, TextField

from isdesk.store.db import BaseModel, UtcDateTimeField, utcnow
from isdesk.store.models import Lead, Operator

HANDOFF_STATUSES = ("pending", "accepted", "rejected")


class Handoff(BaseModel):
    """One lead handed from an inside-sales operator to a field user, and the decision."""

    # The ``x_id`` annotations declare peewee's foreign-key id attributes for the type checker.

    id = AutoField()
    lead = ForeignKeyField(Lead, backref="handoffs", on_delete="RESTRICT")
    lead_id: int
    from_operator = ForeignKeyField(Operator, backref="handoffs_sent", on_delete="RESTRICT")
    from_operator_id: int
    to_user = ForeignKeyField(Operator, backref="handoffs_received", on_delete="RESTRICT")
    to_user_id: int
    note = TextField(default="")  # the BANT summary the operator sent
    status = CharField(default="pending")  # one of HANDOFF_STATUSES
    reason = CharField(default="")  # for rejections: not_qualified | timing | lost
    comment = TextField(default="")
    follow_up_at = UtcDateTimeField(null=True)  # timing: when to try again
    created_at = UtcDateTimeField(default=utcnow)
    decided_at = UtcDateTimeField(null=True)

    class Meta:
        table_name = "handoff"
        indexes = (
            (("to_user", "status", "created_at"), False),
            (("from_operator", "created_at"), False),
            (("lead", "created_at"), False),
        )
