"""The moves a rebalance would make, shown for the lead to apply or cancel."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable

from isdesk.i18n import tr
from isdesk.screens.base import BaseDialog
from isdesk.services.assignment import Move


class RebalanceDialog(BaseDialog[bool]):
    """The moves a rebalance would make, shown before anything changes."""

    BINDINGS = [
        # priority: the table of moves would otherwise take Enter as "select row"
        Binding("enter,y", "apply", "team.apply", priority=True, id="team.apply"),
        Binding("escape,n", "cancel", "dialog.cancel", id="dialog.cancel"),
    ]

    def __init__(self, moves: list[Move], names: dict[str, str]) -> None:
        super().__init__()
        self.moves = moves
        self.names = names

    def compose(self) -> ComposeResult:
        with Vertical(id="rebalance-box", classes="dialog-box"):
            yield self.title_line(tr("team.rebalance_title", count=len(self.moves)))
            table: DataTable[Text] = DataTable(cursor_type="row")
            table.add_columns(tr("team.col.lead"), tr("team.col.from"), tr("team.col.to"))
            for m in self.moves:
                table.add_row(
                    Text(str(m.lead_id)),
                    Text(self.names.get(m.from_op, m.from_op)),
                    Text(self.names.get(m.to_op, m.to_op)),
                )
            yield table
            yield self.key_hints(tr("team.rebalance_keys"))

    def action_apply(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
