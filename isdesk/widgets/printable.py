"""Customer text made safe to draw: no control character ever reaches the terminal.

Lead lists and notes carry whatever their source held: NUL, BEL, backspace, DEL and ESC
sequences (``\\x1b[31m``, ``\\x1b[2J``) that a terminal would obey, clearing the screen or
moving the cursor. Widgets pass customer text through ``printable`` (or, in an Input,
``PrintableHighlighter``) when they draw it; the stored data is never changed.
"""

from __future__ import annotations

from rich.highlighter import Highlighter
from rich.text import Text

# The translation lives in isdesk.domain.text, so the CLI's tables escape customer text
# exactly as the screens draw it.
from isdesk.domain.text import ONE_LINE_SIGNS as _ONE_LINE
from isdesk.domain.text import printable

__all__ = ["PrintableHighlighter", "printable"]


class PrintableHighlighter(Highlighter):
    """For an Input: draws control characters (line breaks too) as signs, one for one, so the
    cursor still lines up; the Input's value stays exactly as typed or stored."""

    def highlight(self, text: Text) -> None:
        text.plain = text.plain.translate(_ONE_LINE)
