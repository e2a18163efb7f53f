"""The lead screen and what only it opens: the activity and hand-off dialogs."""

from isdesk.screens.lead.screen import LeadScreen

__all__ = ["LeadScreen"]
