"""The long view (isdesk report …): periods, acquisition cohorts, campaigns, the funnel, stage
times and a forecast, all computed from the append-only history (lead_event, activity,
handoff, touch), never from a lead's current state alone. Headless: no Textual here.

Use::

    with db.connection_context():
        history = History(rules, as_of=None)      # loads lazily, once per table
        report = funnel_report(history, cohort=dt.date(2026, 9, 1))
    report.tables()    # frozen Table(key, title, columns, rows) for a screen
    report.to_rows()   # the main table as dicts
    report.to_json()   # everything, JSON-ready

Every report is a frozen dataclass (see isdesk.analytics.report); isdesk.analytics.render
turns one into text, CSV for Excel or JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from isdesk.analytics.campaigns import CampaignsReport, campaigns_report
from isdesk.analytics.cohorts import CohortsReport, cohorts_report
from isdesk.analytics.forecast import ForecastReport, forecast_report
from isdesk.analytics.funnel import FunnelReport, funnel_report
from isdesk.analytics.history import History
from isdesk.analytics.periods import PeriodsReport, periods_report
from isdesk.analytics.report import Column, ReportBase, Table
from isdesk.analytics.stage_times import StageTimesReport, stage_times_report
from isdesk.analytics.voice import VoiceReport, voice_report

__all__ = [
    "BUILDERS",
    "CampaignsReport",
    "CohortsReport",
    "Column",
    "ForecastReport",
    "FunnelReport",
    "History",
    "PeriodsReport",
    "ReportBase",
    "StageTimesReport",
    "Table",
    "VoiceReport",
    "build_report",
    "campaigns_report",
    "cohorts_report",
    "forecast_report",
    "funnel_report",
    "periods_report",
    "stage_times_report",
    "voice_report",
]

# Each builder takes the history and its own keyword options.
BUILDERS: dict[str, Callable[..., ReportBase]] = {
    "periods": periods_report,
    "cohorts": cohorts_report,
    "campaigns": campaigns_report,
    "funnel": funnel_report,
    "stages": stage_times_report,
    "forecast": forecast_report,
    "voice": voice_report,
}


def build_report(report_kind: str, history: History, /, **options: Any) -> ReportBase:
    """Build report ``report_kind`` (a key of BUILDERS) from ``history`` with its options."""
    return BUILDERS[report_kind](history, **options)
