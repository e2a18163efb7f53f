"""The append-only history, loaded once into plain tuples for the long-view reports.

Every report reads the same few grouped and ordered queries (no per-lead queries), timestamps
as whole UTC epoch seconds computed by the database (``unixepoch`` / ``EXTRACT(EPOCH …)``), and
only rows before ``as_of``: a report "as of" a past day sees exactly what was known then.

:class:`History` loads lazily: a report touches only the tables and columns it needs (most
need a lead's id and acquisition time only: :attr:`History.acquired`). The pipeline events
(stage, status, sql, hand-off) are replayed once per lead into a :class:`Timeline`: the stays
in each stage (entered, left, moved on or dropped), when each stage was first reached, when
the lead first became SQL; plus the dated SQL, hand-off and order events the period views
count. What does not depend on the replay's state — when a lead first became SQL or reached a
stage, the funnel's furthest stage, a campaign's counts — also comes from grouped queries, so
a report that needs no stays does not pay for the replay. The covering indexes of migration
0006 serve these reads.

Bulk reads and the replay run with the cyclic garbage collector paused (:func:`gc_paused`):
the rows are plain tuples, and on the 100k-lead demo collections walking them cost more than
the replay itself.

Event conventions (isdesk.services.handoff, isdesk.demo): stage events old → new with stage
keys; status events to open | handed_off | nurturing | won | lost; sql events "false" →
"true"; ``kind='handoff'`` with ``field`` sent | accepted | rejected. A hand-off is a
``handoff/sent`` event or a status change to ``handed_off`` (the service writes both at the
same instant; older or imported histories may have only the status change) — one per lead and
instant. An order is a stage event to the last stage.

The tables and the SQL helpers are History's base, isdesk.analytics.history_tables; the
milestones and the replay are its two parts (isdesk.analytics.milestones, .replay).
"""

import datetime as dt

from isdesk.analytics.history_tables import HistoryTables
from isdesk.analytics.history_tables import _extra_amount as _extra_amount  # for scorecard
from isdesk.analytics.milestones import GroupedMilestones
from isdesk.analytics.replay import ReplayedPipeline
from isdesk.analytics.rows import (
    ACTIVE_STATUSES,
    CONTACT_KINDS,
    HISTORY_KINDS,
    REACHED_SQL,
    Dated,
    LeadRow,
    Operators,
    Stay,
    Timeline,
    gc_paused,
    without_gc,
)
from isdesk.analytics.timebase import (
    DAY_S,
    Months,
    epoch,
    from_epoch,
    local_midnight,
)
from isdesk.rules import Rules

# The row types, time helpers and constants live in isdesk.analytics.rows and
# isdesk.analytics.timebase; the reports import them from here.
__all__ = [
    "ACTIVE_STATUSES",
    "CONTACT_KINDS",
    "DAY_S",
    "HISTORY_KINDS",
    "REACHED_SQL",
    "Dated",
    "History",
    "LeadRow",
    "Months",
    "Operators",
    "Stay",
    "Timeline",
    "epoch",
    "from_epoch",
    "gc_paused",
    "local_midnight",
    "without_gc",
]


class History(HistoryTables):
    """Lazily loaded history of one database up to ``as_of`` (default: now).

    Open a connection around its use (``with db.connection_context(): …``); every property
    runs its query once.

    History keeps the tables (its base, :class:`~isdesk.analytics.history_tables.HistoryTables`:
    :attr:`acquired`, :attr:`leads`, :attr:`amounts`, …); it has two parts, each given the
    history to read through: the milestones from grouped queries (:attr:`milestones`:
    :attr:`first_sql`, :meth:`reached_at`, …; isdesk.analytics.milestones) and the replayed
    pipeline (:attr:`pipeline`: :attr:`timelines`, :attr:`orders`, …; isdesk.analytics.replay).
    The reports ask History, which hands each question to its part.
    """

    def __init__(
        self, rules: Rules, as_of: dt.datetime | None = None, *, in_database: bool = True
    ) -> None:
        super().__init__(rules, as_of, in_database=in_database)
        self.milestones = GroupedMilestones(self)
        self.pipeline = ReplayedPipeline(self)

    # --- the milestones from grouped queries (GroupedMilestones) -------------------------

    @property
    def first_sql(self) -> dict[int, int]:
        """lead -> when it first became SQL: :attr:`GroupedMilestones.first_sql`."""
        return self.milestones.first_sql

    def reached_at(self, stage: int) -> dict[int, int]:
        """lead -> when it first reached stage index ``stage``:
        :meth:`GroupedMilestones.reached_at`."""
        return self.milestones.reached_at(stage)

    def furthest_by_source(
        self, lo: int | None = None, hi: int | None = None
    ) -> list[tuple[str, int, int]]:
        """The funnel as one grouped query: :meth:`GroupedMilestones.furthest_by_source`."""
        return self.milestones.furthest_by_source(lo, hi)

    def campaign_counts(
        self, lo: int | None = None, hi: int | None = None
    ) -> dict[int, tuple[int, int, int, int, int, int]]:
        """Per campaign counts: :meth:`GroupedMilestones.campaign_counts`."""
        return self.milestones.campaign_counts(lo, hi)

    def return_counts(
        self, lo: int | None = None, hi: int | None = None
    ) -> dict[int, tuple[int, int, int]]:
        """Per campaign, the leads that came back: :meth:`GroupedMilestones.return_counts`."""
        return self.milestones.return_counts(lo, hi)

    # --- the replayed pipeline (ReplayedPipeline) -----------------------------------------

    @property
    def timelines(self) -> dict[int, Timeline]:
        """lead -> Timeline: :attr:`ReplayedPipeline.timelines`."""
        return self.pipeline.timelines

    def timeline(self, lead: LeadRow) -> Timeline:
        """The lead's timeline: :meth:`ReplayedPipeline.timeline`."""
        return self.pipeline.timeline(lead)

    def timeline_of(self, lead: int, acquired: int) -> Timeline:
        """:meth:`ReplayedPipeline.timeline_of`."""
        return self.pipeline.timeline_of(lead, acquired)

    @property
    def sql_events(self) -> list[Dated]:
        """Every sql false → true event: :attr:`ReplayedPipeline.sql_events`."""
        return self.pipeline.sql_events

    @property
    def handoffs(self) -> list[Dated]:
        """Every hand-off: :attr:`ReplayedPipeline.handoffs`."""
        return self.pipeline.handoffs

    @property
    def orders(self) -> list[Dated]:
        """Every stage change to the last stage: :attr:`ReplayedPipeline.orders`."""
        return self.pipeline.orders
