"""Field sales' home: the leads handed to them, to accept, reject or move along the stages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from isdesk.domain.followup import follow_up_at
from isdesk.i18n import to_local, tr
from isdesk.rules.values import parse_date
from isdesk.screens.actions import BackgroundActions
from isdesk.screens.base import BaseDialog
from isdesk.services.context import WorkContext
from isdesk.services.handoff import (
    REJECT_REASONS,
    HandoffView,
    accept_handoff,
    inbox,
    move_stage,
    reject_handoff,
)
from isdesk.widgets.labels import stage_label


class RejectDialog(BaseDialog[tuple[str, str, dt.date | None] | None]):
    """Why the lead goes back: 1 not qualified, 2 timing (+ date), 3 lost after meetings."""

    BINDINGS = [
        Binding("ctrl+s", "send", "handoff.send", priority=True, id="inbox.reject.send"),
        Binding("escape", "cancel", "dialog.cancel", id="dialog.cancel"),
    ]

    def __init__(self, today: dt.date) -> None:
        super().__init__()
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(id="reject-box", classes="dialog-box"):
            yield self.title_line(tr("inbox.reject_title"))
            yield OptionList(
                *[
                    Option(f"{n}  {tr(f'reason.{r}')}", id=r)
                    for n, r in enumerate(REJECT_REASONS, start=1)
                ],
                id="reject-reason",
            )
            yield Input(placeholder=tr("log.date_placeholder"), id="reject-date")
            yield Input(placeholder=tr("inbox.comment"), id="reject-comment")
            yield Static("", id="log-error")
            yield self.key_hints(tr("inbox.reject_keys"))

    def on_mount(self) -> None:
        reasons = self.query_one("#reject-reason", OptionList)
        reasons.highlighted = 0
        reasons.focus()

    def on_key(self, event) -> None:
        if self.focused is self.query_one("#reject-reason") and (event.character or "") in "123":
            self.query_one("#reject-reason", OptionList).highlighted = int(event.character) - 1
            self._reason_chosen()
            event.stop()

    @on(OptionList.OptionSelected)
    def _reason_chosen(self) -> None:
        timing = self._reason() == "timing"
        (self.query_one("#reject-date") if timing else self.query_one("#reject-comment")).focus()

    @on(Input.Submitted, "#reject-date")
    def _date_done(self) -> None:
        self.query_one("#reject-comment").focus()

    @on(Input.Submitted, "#reject-comment")
    def _comment_done(self) -> None:
        self.action_send()

    def _reason(self) -> str:
        reasons = self.query_one("#reject-reason", OptionList)
        index = reasons.highlighted or 0
        return reasons.get_option_at_index(index).id or REJECT_REASONS[0]

    def action_send(self) -> None:
        reason = self._reason()
        day = None
        if reason == "timing":
            day = parse_date(self.query_one("#reject-date", Input).value, self.today)
            if day is None:
                self.query_one("#log-error", Static).update(tr("answer.date.invalid"))
                self.query_one("#reject-date").focus()
                return
        self.dismiss((reason, self.query_one("#reject-comment", Input).value, day))

    def action_cancel(self) -> None:
        self.dismiss(None)


class InboxScreen(BackgroundActions):
    HELP_KIND = "inbox"
    BINDINGS = [
        Binding("a", "accept", "inbox.accept", id="inbox.accept"),
        Binding("r", "reject", "inbox.reject", id="inbox.reject"),
        Binding("n", "next_stage", "inbox.next_stage", id="inbox.next_stage"),
        Binding("d", "toggle_decided", "inbox.toggle", id="inbox.toggle"),
    ]

    @dataclass
    class Loaded(Message):
        items: list[HandoffView]

    def __init__(self, ctx: WorkContext) -> None:
        super().__init__(ctx)
        self.items: list[HandoffView] = []
        self.include_decided = False

    def compose(self) -> ComposeResult:
        yield Static(id="inbox-title")
        with Horizontal(id="inbox-body"):
            yield OptionList(id="inbox-list")
            with VerticalScroll(id="inbox-detail"):
                yield Static(id="inbox-note")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#inbox-list").focus()
        self.set_interval(10, self.reload)

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        self._load(self.include_decided)

    @work(thread=True, exclusive=True, group="inbox-load", exit_on_error=False)
    def _load(self, include_decided: bool) -> None:
        self.post_message(self.Loaded(inbox(self.ctx.actor, include_decided=include_decided)))

    def on_inbox_screen_loaded(self, message: Loaded) -> None:
        self.items = message.items
        option_list = self.query_one("#inbox-list", OptionList)
        keep = option_list.highlighted or 0
        option_list.clear_options()
        # The status comes first, padded to the widest: a narrow list cuts the company's name,
        # never whether a hand-off is still waiting.
        statuses = {i.status: tr(f"inbox.status.{i.status}") for i in self.items}
        width = max((cell_len(t) for t in statuses.values()), default=0)
        for item in self.items:
            status = statuses[item.status]
            line = Text(f"{to_local(item.created_at):%m/%d} ", style="dim", no_wrap=True)
            line.append(
                status + " " * (width - cell_len(status)) + " ",
                style="bold" if item.status == "pending" else "dim",
            )
            line.append(f"[{item.rank}] ", style="bold")
            line.append(f"{item.company}  {item.contact}  ")
            line.append(tr("inbox.from", name=item.from_name), style="italic")
            line.overflow = "ellipsis"
            option_list.add_option(Option(line, id=str(item.id)))
        if self.items:
            option_list.highlighted = min(keep, len(self.items) - 1)
        pending = sum(1 for i in self.items if i.status == "pending")
        self.query_one("#inbox-title", Static).update(
            Text(tr("inbox.title", name=self.ctx.actor.display_name, pending=pending))
        )
        self._show_detail()

    @on(OptionList.OptionHighlighted)
    def _show_detail(self) -> None:
        item = self.current
        note = self.query_one("#inbox-note", Static)
        if item is None:
            note.update(Text(tr("inbox.empty")))
            return
        text = Text()
        text.append(f"{item.company}\n", style="bold")
        text.append(f"{item.contact}  {item.phone}  {item.email}\n")
        text.append(
            f"{tr('lead.rank')} {item.rank} · {tr('lead.stage')} "
            f"{stage_label(self.ctx.rules, item.stage)} · "
            f"{tr(f'inbox.status.{item.status}')}\n\n"
        )
        text.append(item.note)
        if item.reason:
            text.append(f"\n\n{tr(f'reason.{item.reason}')} {item.comment}", style="italic")
        note.update(text)

    @property
    def current(self) -> HandoffView | None:
        index = self.query_one("#inbox-list", OptionList).highlighted
        if index is None or index >= len(self.items):
            return None
        return self.items[index]

    def after_action(self) -> None:
        self.reload()

    def action_accept(self) -> None:
        item, ctx = self.current, self.ctx
        if item is not None:
            self.run_in_background(
                lambda: accept_handoff(ctx.actor, item.id, ctx.rules),
                tr("inbox.accepted", company=item.company),
            )

    def action_reject(self) -> None:
        item, ctx = self.current, self.ctx
        if item is None:
            return

        def chosen(result: tuple[str, str, dt.date | None] | None) -> None:
            if result is None:
                return
            reason, comment, day = result
            when = follow_up_at(day, ctx.rules.calendar) if day else None
            self.run_in_background(
                lambda: reject_handoff(
                    ctx.actor, item.id, reason, ctx.rules, comment=comment, follow_up_at=when
                ),
                tr("inbox.rejected", company=item.company),
            )

        self.app.push_screen(RejectDialog(ctx.today()), chosen)

    def action_next_stage(self) -> None:
        item, ctx = self.current, self.ctx
        if item is None:
            return
        stages = ctx.rules.stages.keys
        if item.stage not in stages or item.stage == stages[-1]:
            return
        target = stages[stages.index(item.stage) + 1]
        label = stage_label(ctx.rules, target)
        self.run_in_background(
            lambda: move_stage(ctx.actor, item.lead_id, target, ctx.rules),
            tr("inbox.moved", company=item.company, stage=label),
        )

    def action_toggle_decided(self) -> None:
        self.include_decided = not self.include_decided
        self.reload()
