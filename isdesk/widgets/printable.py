"""Customer text made safe to draw: no control character ever reaches the terminal.

Lead lists and notes carry whatever their source held: NUL, BEL, backspace, DEL and ESC
sequences (``\\x1b[31m``, ``\\x1b[2J``) that a terminal would obey, clearing the screen or
moving the cursor. Widgets pass customer text through ``printable`` (or, in an Input,
``PrintableHighlighter``) when they draw it; the stored data is never changed.
"""

from __future__ import annotations

from rich.highlighter import Highlighter
from rich.text import Text

__all__ = ["PrintableHighlighter", "printable"]

# C0 controls as the Control Pictures block (␀ ␇ ␈ ␍ ␛ …), DEL as ␡, C1 controls (\x9b alone
# starts a CSI) as �.
_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)}
_PICTURES |= {0x7F: "\u2421"} | {code: "\ufffd" for code in range(0x80, 0xA0)}
_MULTI_LINE = _PICTURES | {0x09: " "}  # a tab would jump to the terminal's next tab stop
del _MULTI_LINE[0x0A]  # line breaks stay line breaks
_ONE_LINE = dict(_PICTURES)
del _ONE_LINE[0x09]  # Input expands tabs itself; each other control becomes one sign


def printable(value: str) -> str:
    """``value`` with every control character shown as a visible sign (line breaks kept)."""
    return value.replace("\r\n", "\n").translate(_MULTI_LINE)


class PrintableHighlighter(Highlighter):
    """For an Input: draws control characters (line breaks too) as signs, one for one, so the
    cursor still lines up; the Input's value stays exactly as typed or stored."""

    def highlight(self, text: Text) -> None:
        text.plain = text.plain.translate(_ONE_LINE)
