"""A horizontal bar of a value against three target lines (minimum, expected, stretch)."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from isdesk.i18n import tr
from isdesk.rules import Lines


class TargetBar(Widget):
    """Two lines: the bar with a marker at each target line, then the numbers."""

    COMPONENT_CLASSES = {
        "target-bar--fill",
        "target-bar--empty",
        "target-bar--marker",
        "target-bar--projected",
    }

    DEFAULT_CSS = """
    TargetBar { height: 2; }
    TargetBar > .target-bar--fill { color: $success; }
    TargetBar.-below > .target-bar--fill { color: $error; }
    TargetBar.-minimum > .target-bar--fill { color: $warning; }
    TargetBar > .target-bar--empty { color: $panel-lighten-2; }
    TargetBar > .target-bar--marker { color: $text; text-style: bold; }
    TargetBar > .target-bar--projected { color: $accent; text-style: bold; }
    """

    value: reactive[int] = reactive(0)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lines = Lines(0, 0, 0)
        self.projected: int | None = None
        self.tier = "below"
        self.shown = False  # until the figures arrive: no bar, no verdict (never a false 0)

    def show(self, value: int, lines: Lines, tier: str, projected: int | None = None) -> None:
        self.lines = lines
        self.projected = projected
        self.tier = tier
        self.shown = True
        for name in ("below", "minimum", "expected", "stretch"):
            self.set_class(tier == name, f"-{name}")
        self.value = value
        self.refresh()

    def render(self) -> Text:
        if not self.shown:
            return Text(tr("kpi.loading"), style="dim")
        width = max(self.size.width - 1, 10)
        top = max(self.lines.stretch * 1.15, self.value, self.projected or 0, 1)

        def cell(amount: float) -> int:
            return min(width - 1, round(amount / top * (width - 1)))

        fill_to = cell(self.value)
        markers = {cell(self.lines.minimum), cell(self.lines.expected), cell(self.lines.stretch)}
        projected_at = cell(self.projected) if self.projected is not None else None
        styles = {
            k: self.get_component_rich_style(f"target-bar--{k}")
            for k in ("fill", "empty", "marker", "projected")
        }
        bar = Text(end="")
        for x in range(width):
            if x in markers:
                bar.append("┃", styles["marker"])
            elif x == projected_at:
                bar.append("◆", styles["projected"])
            elif x < fill_to:
                bar.append("█", styles["fill"])
            else:
                bar.append("░", styles["empty"])
        label = Text(f"{self.value:,}  ", style="bold", end="")
        label.append(
            tr(
                "kpi.lines",
                minimum=self.lines.minimum,
                expected=self.lines.expected,
                stretch=self.lines.stretch,
            )
        )
        label.append(f"  — {tr(f'tier.{self.tier}')}")
        return Text("\n").join([bar, label])
