"""Importing leads in the TUI (I, team leads): see how a file will be read, then import it.

The preview shows the encoding, delimiter and mapping isdesk chose, the first rows exactly as
they would be stored, the columns kept as extra attributes and the rows that would be set
aside with their reason. The import itself runs in a worker with a progress bar and ends
with read = created + merged + unchanged + rejected and where the rejects file is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Footer, Input, ProgressBar, Static

from isdesk.i18n import tr
from isdesk.screens.base import BaseScreen
from isdesk.services.context import WorkContext

if TYPE_CHECKING:  # the importer loads when the screen first reads a file, not at start-up
    from isdesk.importer.previews import Preview
    from isdesk.importer.summary import ImportSummary

PREVIEW_FIELDS = (
    "company",
    "contact",
    "title",
    "phone",
    "email",
    "source",
    "campaign",
    "acquired_at",
)


class ImportScreen(BaseScreen):
    HELP_KIND = "import"
    BINDINGS = [
        Binding("ctrl+s", "run_import", "import.run", priority=True, id="import.run"),
        Binding("escape", "back", "lead.back", id="import.back"),
    ]

    @dataclass
    class Previewed(Message):
        preview: Preview | None
        error: str | None

    @dataclass
    class Progressed(Message):
        done: int
        total: int

    @dataclass
    class Finished(Message):
        summary: ImportSummary | None
        error: str | None

    def __init__(self, ctx: WorkContext) -> None:
        super().__init__(ctx)
        self.preview: Preview | None = None
        self.running = False

    def compose(self) -> ComposeResult:
        yield Static(tr("import.title"), id="queue-title")
        yield Input(placeholder=tr("import.path"), id="import-path")
        with Horizontal(id="import-options"):
            yield Input(placeholder=tr("import.source"), id="import-source")
            yield Input(placeholder=tr("import.campaign"), id="import-campaign")
            yield Input(placeholder=tr("import.campaign_type"), id="import-campaign-type")
        yield Static(id="import-info")
        table: DataTable[Text] = DataTable(id="import-preview")
        table.add_columns("#", *[tr(f"import.field.{f}") for f in PREVIEW_FIELDS], "")
        yield table
        yield ProgressBar(id="import-progress", show_eta=False)
        yield Static(id="import-summary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#import-progress").display = False
        self.query_one("#import-path").focus()

    @on(Input.Submitted, "#import-path")
    def _path_given(self, event: Input.Submitted) -> None:
        self._preview(event.value.strip())

    @work(thread=True, exclusive=True, group="import-preview", exit_on_error=False)
    def _preview(self, raw_path: str) -> None:
        from isdesk.importer.mappings import MappingError
        from isdesk.importer.previews import preview
        from isdesk.importer.reader import ReadError

        path = Path(raw_path).expanduser()
        if not path.is_file():
            self.post_message(self.Previewed(None, tr("import.no_file", path=str(path))))
            return
        try:
            result = preview(path, rules=self.ctx.rules)
        except (ReadError, MappingError) as error:
            self.post_message(self.Previewed(None, str(error)))
            return
        self.post_message(self.Previewed(result, None))

    def on_import_screen_previewed(self, message: Previewed) -> None:
        info = self.query_one("#import-info", Static)
        table = self.query_one(DataTable)
        table.clear()
        self.preview = message.preview
        if message.error is not None or message.preview is None:
            info.update(Text(message.error or "", style="bold red"))
            return
        p = message.preview
        text = Text()
        detected = tr("import.detected") if p.mapping_detected else ""
        text.append(
            tr(
                "import.read_as",
                encoding=p.encoding,
                delimiter={"\t": "TAB", ",": ",", ";": ";"}.get(p.delimiter, p.delimiter),
                mapping=p.mapping_name or "—",
                detected=detected,
            )
        )
        if p.extra_columns:
            text.append("\n" + tr("import.extra", columns=", ".join(p.extra_columns)))
        for problem in p.problems:
            text.append(f"\n⚠ {problem}", style="yellow")
        info.update(text)
        for row in p.rows:
            problem = str(row.get("_problem", ""))
            cells = [Text(str(row.get("_row", "")))]
            cells += [Text(str(row.get(f, "") or "")) for f in PREVIEW_FIELDS]
            cells.append(Text(problem, style="red") if problem else Text("✓", style="green"))
            table.add_row(*cells)

    def action_run_import(self) -> None:
        path = self.query_one("#import-path", Input).value.strip()
        if self.running or not path:
            return
        if self.preview is None or not self.preview.mapping_name:
            self.notify(tr("import.preview_first"), severity="warning")
            return
        self.running = True
        bar = self.query_one("#import-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self._import(
            path,
            self._value("#import-source"),
            self._value("#import-campaign"),
            self._value("#import-campaign-type"),
        )

    def _value(self, selector: str) -> str | None:
        return self.query_one(selector, Input).value.strip() or None

    @work(thread=True, exclusive=True, group="import-run", exit_on_error=False)
    def _import(
        self, path: str, source: str | None, campaign: str | None, campaign_type: str | None
    ) -> None:
        from isdesk.importer.convert import Options
        from isdesk.importer.mappings import MappingError
        from isdesk.importer.reader import ReadError
        from isdesk.importer.run import import_file
        from isdesk.importer.write import ImportConflictError

        ctx = self.ctx
        options = Options(
            source=source,
            campaign=campaign,
            campaign_type=campaign_type,
            zone=ctx.rules.calendar.zone,
        )
        try:
            summary = import_file(
                Path(path).expanduser(),
                rules=ctx.rules,
                options=options,
                actor_id=ctx.actor.id,
                progress=lambda done, total: self.post_message(self.Progressed(done, total)),
            )
        except (ReadError, MappingError, ImportConflictError, ValueError) as error:
            self.post_message(self.Finished(None, str(error)))
            return
        self.post_message(self.Finished(summary, None))

    def on_import_screen_progressed(self, message: Progressed) -> None:
        self.query_one("#import-progress", ProgressBar).update(
            total=message.total, progress=message.done
        )

    def on_import_screen_finished(self, message: Finished) -> None:
        self.running = False
        out = self.query_one("#import-summary", Static)
        if message.error is not None or message.summary is None:
            out.update(Text(message.error or "", style="bold red"))
            return
        s = message.summary
        text = Text(
            tr(
                "import.done",
                read=s.read,
                created=s.created,
                merged=s.merged,
                unchanged=s.unchanged,
                rejected=s.rejected,
            ),
            style="bold",
        )
        if s.already_imported:
            text.append("\n" + tr("import.already"))
        elif s.created:
            left = int(s.left_unassigned.get("count", 0) or 0)
            text.append("\n" + tr("import.assigned", assigned=s.assigned, left=left))
            for reason in s.left_unassigned.get("messages", [])[:3]:
                text.append(f"\n  {reason}", style="yellow")
        if s.rejects_file:
            text.append("\n" + tr("import.rejects", path=s.rejects_file), style="yellow")
        out.update(text)
        self.notify(
            tr(
                "import.done",
                read=s.read,
                created=s.created,
                merged=s.merged,
                unchanged=s.unchanged,
                rejected=s.rejected,
            )
        )

    def action_back(self) -> None:
        if not self.running:
            self.dismiss()
