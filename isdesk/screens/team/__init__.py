"""Team tabs (T, team leads): load, caps and results per operator, the queue waiting.

Each team is a tab whose numbers refresh by themselves while operators work (only the tab on
screen polls). In their own team a lead can rebalance (b: see the moves first, then apply them
in one transaction) and move chosen leads between operators (Enter on an operator).

The tabs are in screen.py, a team's table in panel.py, the rebalance preview in
rebalance_dialog.py, an operator's leads and whom they go to in move_leads.py.
"""

from isdesk.screens.team.move_leads import MoveLeadsScreen, PickOperatorDialog
from isdesk.screens.team.panel import COLUMNS, NARROW_DROPS, TIER_STYLE, WIDE_FROM, TeamPanel
from isdesk.screens.team.rebalance_dialog import RebalanceDialog
from isdesk.screens.team.screen import REFRESH_SECONDS, TeamScreen

# Everything the one module held, importable from isdesk.screens.team as before.
__all__ = [
    "COLUMNS",
    "NARROW_DROPS",
    "REFRESH_SECONDS",
    "TIER_STYLE",
    "WIDE_FROM",
    "MoveLeadsScreen",
    "PickOperatorDialog",
    "RebalanceDialog",
    "TeamPanel",
    "TeamScreen",
]
