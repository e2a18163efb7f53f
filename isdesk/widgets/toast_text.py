"""Text for a notification (toast) that names a file: never split in the middle of a name."""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len

TOAST_TEXT_CELLS = 34  # a toast is 60 cells, at most half the screen: 40 at 80 columns


def path_lines(path: Path, width: int = TOAST_TEXT_CELLS) -> str:
    """The file's name on its own line, then its folder (``~`` for home), broken after a ``/``.

    A toast wraps at spaces only, so a long path would fold mid-name; this folds it where a
    reader expects, and a name longer than the toast is the only thing ever cut.
    """
    home = str(Path.home())
    folder = str(path.parent)
    if folder == home or folder.startswith(home + "/"):
        folder = "~" + folder[len(home) :]
    lines = [path.name]
    current = ""
    for part in folder.split("/"):
        piece = part + "/"
        if current and cell_len(current + piece) > width:
            lines.append(current)
            current = ""
        current += piece
    if current:
        lines.append(current)
    return "\n".join(lines)
