"""The rank badge, SQL status and "what to ask next" hint of the lead screen."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from isdesk.domain.qualification import Qualification
from isdesk.i18n import current_language, pick, tr
from isdesk.rules import Rules


class RankBadge(Static):
    """The lead's rank letter; the class -rank-a … -rank-d colours it."""

    def show_rank(self, rank: str) -> None:
        self.update(Text(f" {rank} "))
        for letter in "abcdefgh":
            self.set_class(rank.lower() == letter, f"-rank-{letter}")


class QualificationPanel(Horizontal):
    """Rank, SQL status and hint, updated from a Qualification in the same frame."""

    def compose(self) -> ComposeResult:
        yield Static(tr("lead.rank"), classes="caption")
        yield RankBadge(id="rank-badge")
        yield Static(id="sql-status")
        yield Static(id="rank-hint")

    def show(self, qual: Qualification, rules: Rules) -> None:
        self.query_one(RankBadge).show_rank(qual.rank)
        sql = self.query_one("#sql-status", Static)
        if qual.sql:
            sql.update(Text(tr("lead.sql_yes", heard=qual.heard, total=qual.total)))
        else:
            sql.update(
                Text(
                    tr(
                        "lead.sql_no",
                        heard=qual.heard,
                        total=qual.total,
                        missing=len(qual.missing_for_sql),
                    )
                )
            )
        sql.set_class(qual.sql, "-sql")
        hint = self.query_one("#rank-hint", Static)
        if qual.next_rank is None:
            hint.update(Text(tr("lead.hint_top")))
        elif qual.blocked_by:
            # A known answer is in the way: say which, and why, instead of "ask".
            separator = "、" if current_language() == "ja" else ", "
            reasons = separator.join(
                tr("lead.blocked_window", item=pick(rules.item(k).label), days=days)
                if days is not None
                else tr("lead.blocked_answer", item=pick(rules.item(k).label))
                for k, days in qual.blocked_by
            )
            asked = [k for k in qual.missing_for_next_rank if k not in dict(qual.blocked_by)]
            text = tr("lead.hint_blocked", rank=qual.next_rank, reasons=reasons)
            if asked:
                labels = separator.join(pick(rules.item(k).label) for k in asked)
                text += tr("lead.hint_also", items=labels)
            hint.update(Text(text))
        elif qual.missing_for_next_rank:
            separator = "、" if current_language() == "ja" else ", "
            labels = separator.join(pick(rules.item(k).label) for k in qual.missing_for_next_rank)
            hint.update(Text(tr("lead.hint", rank=qual.next_rank, items=labels)))
        else:
            hint.update(Text(tr("lead.hint_none")))
