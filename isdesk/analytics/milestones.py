"""Milestones from grouped queries: what does not depend on the replay's state.

When a lead first became SQL or first reached a stage, the funnel's furthest stage and a
campaign's counts each come from one grouped query, so a report that needs no stays does not
pay for the replay (isdesk.analytics.replay). Once the timelines are replayed anyway,
:attr:`~GroupedMilestones.first_sql` and :meth:`~GroupedMilestones.reached_at` read them
instead. A test holds these to what the replay gives, on both backends.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from isdesk.analytics.rows import _HISTORY_IN, _NOT_TRUE, CONTACT_KINDS, REACHED_SQL

if TYPE_CHECKING:
    from isdesk.analytics.history import History


class GroupedMilestones:
    """The grouped-query milestones of a :class:`~isdesk.analytics.history.History`, which
    holds one as ``history.milestones`` and answers :attr:`first_sql` and the rest through it.

    It reads through the history's SQL helpers (``_rows``, ``_epoch``, ``_cutoff``,
    ``_history_index``), its ``stages`` and ``acquired``, and, once replayed, its pipeline's
    timelines.
    """

    def __init__(self, history: History) -> None:
        self.history = history
        self._reached_at: dict[int, dict[int, int]] = {}

    # --- milestones from grouped queries (no replay) -------------------------------------

    @cached_property
    def first_sql(self) -> dict[int, int]:
        """lead -> when it first became SQL (its timeline's ``first_sql``), for leads that did.

        One grouped query unless the timelines are already replayed: the first sql false → true
        event does not depend on the lead's state. May hold leads acquired after as_of; look
        leads up, do not iterate.
        """
        h = self.history
        if h.pipeline.replayed:
            return {
                lead: tl.first_sql
                for lead, tl in h.pipeline.timelines.items()
                if tl.first_sql is not None
            }
        return dict(
            h._rows(
                f"SELECT lead_id, {h._epoch('MIN(at)')} FROM lead_event "
                f"WHERE kind = 'sql' AND new_value = 'true' AND {_NOT_TRUE} AND at < ? "
                "GROUP BY lead_id",
                (h._cutoff,),
            )
        )

    def reached_at(self, stage: int) -> dict[int, int]:
        """lead -> when it first reached stage index ``stage`` (its timeline's
        ``reached[stage]``), for leads that did. Like :attr:`first_sql`: one grouped query
        unless the timelines are already replayed; may hold leads acquired after as_of."""
        h = self.history
        if stage == 0:
            return h.acquired
        cache = self._reached_at
        if stage in cache:
            return cache[stage]
        out: dict[int, int]
        if h.pipeline.replayed:
            out = {
                lead: reached
                for lead, tl in h.pipeline.timelines.items()
                if (reached := tl.reached[stage]) is not None
            }
        else:
            out = dict(
                h._rows(
                    f"SELECT lead_id, {h._epoch('MIN(at)')} "
                    f"FROM lead_event{h._history_index} WHERE kind IN {_HISTORY_IN} "
                    "AND kind = 'stage' AND new_value = ? AND at < ? "
                    "GROUP BY lead_id",
                    (h.stages[stage], h._cutoff),
                )
            )
        cache[stage] = out
        return out

    def furthest_by_source(
        self, lo: int | None = None, hi: int | None = None
    ) -> list[tuple[str, int, int]]:
        """(source, furthest stage index reached, leads) of the leads acquired in [lo, hi)
        (epoch seconds; None: unbounded) before as_of: the funnel as one grouped query.

        A lead's furthest stage is the highest its stage events ever named (its timeline's
        last non-empty ``reached``); a lead without one has reached only the first stage.
        """
        h = self.history
        whens = " ".join(f"WHEN ? THEN {i}" for i in range(len(h.stages)))
        acquired = h._epoch("l.acquired_at")
        where: str = ""
        params: list[object] = [*h.stages, h._cutoff, h._cutoff]
        if lo is not None:
            where += f" AND {acquired} >= ?"
            params.append(lo)
        if hi is not None:
            where += f" AND {acquired} < ?"
            params.append(hi)
        return h._rows(
            f'SELECT l.source, COALESCE(f.top, 0), COUNT(*) FROM "lead" l LEFT JOIN '
            f"(SELECT lead_id, MAX(CASE new_value {whens} END) AS top "
            f"FROM lead_event{h._history_index} "
            f"WHERE kind IN {_HISTORY_IN} AND kind = 'stage' AND at < ? GROUP BY lead_id) f "
            f"ON f.lead_id = l.id WHERE l.acquired_at < ?{where} "
            "GROUP BY l.source, COALESCE(f.top, 0)",
            params,
        )

    def campaign_counts(
        self, lo: int | None = None, hi: int | None = None
    ) -> dict[int, tuple[int, int, int, int, int, int]]:
        """campaign -> (leads, contacted (attempted), reached, with an appointment, became
        SQL, reached the last stage) of the leads acquired in [lo, hi) (epoch seconds; None:
        unbounded) before as_of that arrived through the campaign (see
        :attr:`first_touch_campaign`).

        One grouped query: each figure is whether the lead has a row of its kind before
        as_of (:attr:`first_contact`, :attr:`first_reach`, :attr:`first_appointment`,
        :attr:`first_sql`, :meth:`reached_at` of the last stage), which needs no replay. May
        hold campaigns
        since deleted.
        """
        h = self.history
        kinds = ", ".join(f"'{k}'" for k in CONTACT_KINDS)
        cutoff = h._cutoff
        index = h._history_index
        acquired = h._epoch("l.acquired_at")
        params: list[object] = [cutoff, cutoff, cutoff, cutoff, cutoff]
        ordered = "1"
        if h.last_stage > 0:
            ordered = (
                f"CASE WHEN EXISTS (SELECT 1 FROM lead_event e{index} WHERE e.lead_id = l.id "
                f"AND e.kind IN {_HISTORY_IN} AND e.kind = 'stage' AND e.new_value = ? "
                "AND e.at < ?) THEN 1 ELSE 0 END"
            )
            params += [h.stages[-1], cutoff]
        where = ""
        params.append(cutoff)
        if lo is not None:
            where += f" AND {acquired} >= ?"
            params.append(lo)
        if hi is not None:
            where += f" AND {acquired} < ?"
            params.append(hi)
        rows: list[tuple[Any, ...]] = h._rows(
            "SELECT cid, COUNT(*), SUM(contacted), SUM(reached), SUM(appointment), SUM(is_sql), "
            "SUM(ordered) "
            "FROM (SELECT COALESCE(l.campaign_id, (SELECT t.campaign_id FROM touch t "
            "WHERE t.lead_id = l.id AND t.kind = 'new' AND t.at < ? "
            "ORDER BY t.at, t.id LIMIT 1)) AS cid, "
            "CASE WHEN EXISTS (SELECT 1 FROM activity a WHERE a.lead_id = l.id "
            f"AND a.kind IN ({kinds}) AND a.at < ?) THEN 1 ELSE 0 END AS contacted, "
            "CASE WHEN EXISTS (SELECT 1 FROM activity a WHERE a.lead_id = l.id "
            f"AND {REACHED_SQL} AND a.at < ?) THEN 1 ELSE 0 END AS reached, "
            "CASE WHEN EXISTS (SELECT 1 FROM activity a WHERE a.lead_id = l.id "
            "AND a.kind = 'appointment' AND a.at < ?) THEN 1 ELSE 0 END AS appointment, "
            f"CASE WHEN EXISTS (SELECT 1 FROM lead_event e{index} WHERE e.lead_id = l.id "
            f"AND e.kind IN {_HISTORY_IN} AND e.kind = 'sql' AND e.new_value = 'true' "
            f"AND {_NOT_TRUE} AND e.at < ?) THEN 1 ELSE 0 END AS is_sql, "
            f"{ordered} AS ordered "
            f'FROM "lead" l WHERE l.acquired_at < ?{where}) per_lead '
            "WHERE cid IS NOT NULL GROUP BY cid",
            params,
        )
        return {
            cid: (int(leads), int(contacted), int(reached), int(appointment), int(sql), int(last))
            for cid, leads, contacted, reached, appointment, sql, last in rows
        }

    def return_counts(
        self, lo: int | None = None, hi: int | None = None
    ) -> dict[int, tuple[int, int, int]]:
        """campaign -> (returning leads, of them SQL since, of them ordered since): the leads
        that came back through the campaign (a ``kind = 'return'`` touch) in [lo, hi) (epoch
        seconds of the touch; None: unbounded) before as_of, and of those how many had a first
        sql false → true event or reached the last stage at or after their first such return.

        Returns are reported apart from the leads a campaign brought (the attribution rule of
        :attr:`first_touch_campaign`): a lead that comes back never moves to the campaign.
        """
        h = self.history
        cutoff = h._cutoff
        index = h._history_index
        at = h._epoch("t.at")
        where: str = ""
        params: list[object] = [cutoff]
        if lo is not None:
            where += f" AND {at} >= ?"
            params.append(lo)
        if hi is not None:
            where += f" AND {at} < ?"
            params.append(hi)
        rows = h._rows(
            "SELECT r.campaign_id, COUNT(*), "
            "SUM(CASE WHEN EXISTS (SELECT 1 FROM lead_event e"
            f"{index} WHERE e.lead_id = r.lead_id AND e.kind IN {_HISTORY_IN} "
            f"AND e.kind = 'sql' AND e.new_value = 'true' AND {_NOT_TRUE} "
            "AND e.at >= r.first_at AND e.at < ?) THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN EXISTS (SELECT 1 FROM lead_event e"
            f"{index} WHERE e.lead_id = r.lead_id AND e.kind IN {_HISTORY_IN} "
            "AND e.kind = 'stage' AND e.new_value = ? AND e.at >= r.first_at AND e.at < ?) "
            "THEN 1 ELSE 0 END) "
            "FROM (SELECT t.campaign_id, t.lead_id, MIN(t.at) AS first_at FROM touch t "
            "WHERE t.kind = 'return' AND t.campaign_id IS NOT NULL AND t.at < ?"
            f"{where} GROUP BY t.campaign_id, t.lead_id) r GROUP BY r.campaign_id",
            [cutoff, h.stages[-1], cutoff, *params],
        )
        return {cid: (int(n), int(s or 0), int(o or 0)) for cid, n, s, o in rows}
