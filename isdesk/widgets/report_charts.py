"""Charts for the long view, from Textual's own widgets: a trend line (a labelled Sparkline)
and the colours of a heat map (a cohort's shares as cell backgrounds).

Readable at 80x24: a trend line is one row — its label, the line, the latest value — and a
heat map keeps the table's numbers, only shading the cells behind them.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, Sparkline

# Five shades from pale to deep (a share of 0 % to 100 %); dark text on the light ones.
_HEAT = ("#1d2b3a", "#1f4e79", "#2e75b6", "#5b9bd5", "#9dc3e6")
_HEAT_TEXT = ("#d0d0d0", "#ffffff", "#ffffff", "#000000", "#000000")


def heat_style(share: float | None, top: float = 1.0) -> Style:
    """The background (and a readable text colour) of a heat-map cell: ``share`` of ``top``
    in five steps; a cell not yet seen (None) is left plain."""
    if share is None or top <= 0:
        return Style()
    step = min(int(share / top * len(_HEAT)), len(_HEAT) - 1)
    return Style(bgcolor=_HEAT[step], color=_HEAT_TEXT[step])


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


class TrendLine(Horizontal):
    """One labelled trend: ``label``, the Sparkline of ``values`` and the latest value."""

    def __init__(self, label: str, values: Sequence[float]) -> None:
        super().__init__(classes="trend-line")
        self.label, self.values = label, list(values)

    def compose(self) -> ComposeResult:
        yield Label(self.label, classes="trend-label")
        if len(self.values) >= 2 and max(self.values) > min(self.values):
            yield Sparkline(self.values, classes="trend-spark")
        else:  # one bucket, or flat: a Sparkline would draw full bars for nothing
            yield Label("—", classes="trend-spark")
        yield Label(_number(self.values[-1]) if self.values else "", classes="trend-last")
