"""The lead's profile card and history timeline (read-only)."""

from __future__ import annotations

import datetime as dt

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from isdesk.i18n import duration, next_action_text, pick, to_local, tr
from isdesk.rules import Rules
from isdesk.services.leads import HistoryEntry, LeadProfile
from isdesk.widgets.labels import stage_label, status_label
from isdesk.widgets.printable import printable


def _local(moment) -> str:
    return to_local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


class ProfileCard(Static):
    """Company, contact and where the lead came from. Customer data is shown literally."""

    def show(self, profile: LeadProfile, rules: Rules) -> None:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        if profile.do_not_call:  # first, where nobody dialling can miss it
            grid.add_row(
                Text(tr("lead.dnc"), style="bold reverse"),
                Text(printable(profile.do_not_call_note or "—"), style="bold"),
            )
        phones = profile.phones or ((("phone", profile.phone),) if profile.phone else ())
        rows = [
            ("lead.company", profile.company),
            ("lead.contact", profile.contact),
            ("lead.department", profile.department),
            ("lead.title_", profile.title),
            # the one to call first under 電話 (its kind beside it), the others under their kind
            *[
                ("lead.phone", number if kind == "phone" else f"{number} ({tr(f'phone.{kind}')})")
                if i == 0
                else (f"phone.{kind}", number)
                for i, (kind, number) in enumerate(phones)
            ],
            *([] if phones else [("lead.phone", "")]),
            ("lead.email", profile.email),
            ("lead.source", profile.source),
            ("lead.campaign", profile.campaign),
            ("lead.owner", profile.owner or tr("lead.unassigned")),
            ("lead.acquired", _local(profile.acquired_at)),
            ("lead.stage", stage_label(rules, profile.stage)),
        ]
        for key, value in rows:
            grid.add_row(Text(tr(key)), Text(printable(value) or "—"))
        self.update(grid)


class HistoryTimeline(Static):
    """The lead's events, newest first."""

    def show(self, history: tuple[HistoryEntry, ...], rules: Rules) -> None:
        labels = {item.key: pick(item.label) for item in rules.hearing}
        text = Text()
        for entry in history:
            text.append(_local(entry.at), style="dim")
            text.append(f" {printable(entry.actor or '—')} ", style="italic")
            text.append(printable(self._describe(entry, labels, rules)))
            text.append("\n")
        self.update(text)

    @staticmethod
    def _describe(entry: HistoryEntry, labels: dict[str, str], rules: Rules) -> str:
        blank = tr("history.empty")
        old = entry.old_value or blank
        new = entry.new_value or blank
        if entry.kind == "created":
            return tr("history.created")
        if entry.kind == "answer":
            return tr(
                "history.answer", field=labels.get(entry.field, entry.field), old=old, new=new
            )
        if entry.kind == "activity":
            text = tr(f"kind.{entry.field}")
            if entry.new_value:
                text += f" ({tr(f'outcome.{entry.new_value}')})"
            if entry.old_value:
                text += f" {duration(int(entry.old_value))}"
            return f"{text} {entry.note}".rstrip()
        if entry.kind == "next_action":
            when = ""
            if entry.new_value:
                when = to_local(dt.datetime.fromisoformat(entry.new_value)).strftime("%m/%d %H:%M")
            note = next_action_text(entry.note)
            return tr("history.next_action", new=f"{when} {note}".strip() or blank)
        if entry.kind == "stage":
            return tr("history.stage", old=stage_label(rules, old), new=stage_label(rules, new))
        if entry.kind == "do_not_call":
            if entry.new_value:
                return tr("history.do_not_call_on", note=entry.note or "").rstrip()
            return tr("history.do_not_call_off")
        if entry.kind == "handoff":
            if entry.field == "rejected":
                reason = tr(f"reason.{entry.new_value}") if entry.new_value else ""
                return f"{tr('history.handoff_rejected', reason=reason)} {entry.note}".rstrip()
            if entry.field == "accepted":
                return tr("history.handoff_accepted", who=new)
            return f"{tr('history.handoff_sent', to=new)} {entry.note}".rstrip()
        if entry.kind == "touch":  # the person came back (an import row, a form)
            return tr("history.touch", source=entry.note or entry.new_value or blank)
        if entry.kind == "status":
            return tr("history.status", old=status_label(old), new=status_label(new))
        if entry.kind == "sql":  # "true"/"false" as written by the qualification
            return tr("history.sql_on" if entry.new_value == "true" else "history.sql_off")
        if entry.kind in ("rank", "owner"):
            return tr(f"history.{entry.kind}", old=old, new=new)
        return f"{entry.kind} {entry.note}"
