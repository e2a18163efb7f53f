"""Every UI text in Japanese and English, keyed by a short English id (see isdesk.i18n).

Data only, one module per area: the screen or widget that shows the texts (a key sits with
the area that shows it, whatever its prefix). Labels of hearing items are not here: they come
from rules.yaml. :data:`CATALOGUE` is every area's ``TEXTS`` in the order below, which is the
order of the single table this package once was.
"""

from collections.abc import Mapping

from isdesk.i18n.catalogue.app import TEXTS as APP
from isdesk.i18n.catalogue.call import TEXTS as CALL
from isdesk.i18n.catalogue.handoff import TEXTS as HANDOFF
from isdesk.i18n.catalogue.help import TEXTS as HELP
from isdesk.i18n.catalogue.importer import TEXTS as IMPORTER
from isdesk.i18n.catalogue.kpi import TEXTS as KPI
from isdesk.i18n.catalogue.labels import TEXTS as LABELS
from isdesk.i18n.catalogue.lead import TEXTS as LEAD
from isdesk.i18n.catalogue.longview import TEXTS as LONGVIEW
from isdesk.i18n.catalogue.queue import TEXTS as QUEUE
from isdesk.i18n.catalogue.reports import TEXTS as REPORTS
from isdesk.i18n.catalogue.team import TEXTS as TEAM

__all__ = ["CATALOGUE"]


def _merged(*areas: Mapping[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """The areas as one table, in order. A key two areas both define is an error: within one
    dict literal ruff reports a repeated key, across modules only this can."""
    merged: dict[str, tuple[str, str]] = {}
    for area in areas:
        for key, pair in area.items():
            if key in merged:
                raise ValueError(f"catalogue key {key!r} is defined in two areas")
            merged[key] = pair
    return merged


CATALOGUE: dict[str, tuple[str, str]] = _merged(
    APP, QUEUE, LEAD, CALL, HANDOFF, IMPORTER, REPORTS, TEAM, KPI, HELP, LABELS, LONGVIEW
)
