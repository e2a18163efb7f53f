"""Small rules of how things read on screen: durations, paths in toasts, queue columns, exports."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from isdesk.export.writer import write_new_private_file
from isdesk.i18n import duration, set_language
from isdesk.widgets.lead_table import column_widths
from isdesk.widgets.toast_text import path_lines


@pytest.mark.parametrize(
    ("seconds", "ja", "en"),
    [
        (876, "14分36秒", "14m36s"),
        (4800, "1時間20分", "1h20m"),
        (45, "45秒", "45s"),
        (65, "1分5秒", "1m05s"),
        (3000, "50分", "50m"),  # a meeting booked as 50 minutes, not "50分0秒"
        (0, "0秒", "0s"),
    ],
)
def test_a_duration_never_reads_as_a_time_of_day(seconds: int, ja: str, en: str) -> None:
    set_language("ja")
    assert duration(seconds) == ja
    set_language("en")
    assert duration(seconds) == en


def test_a_toast_keeps_the_file_name_whole_and_breaks_the_folder_after_a_slash() -> None:
    path = Path(
        "/var/lib/isdesk/a-rather-long-folder-name/exports/isdesk-daily-2026-11-24-sato.csv"
    )
    lines = path_lines(path, width=30).splitlines()
    assert lines[0] == path.name
    assert "".join(lines[1:]) == str(path.parent) + "/"
    assert all(line.endswith("/") for line in lines[1:])
    assert path_lines(Path.home() / "x" / "f.csv").splitlines() == ["f.csv", "~/x/"]


@pytest.mark.parametrize("show_owner", [False, True])
@pytest.mark.parametrize("width", [80, 100, 120, 160, 200])
def test_queue_columns_fill_the_width_and_give_way_in_order(width: int, show_owner: bool) -> None:
    columns = column_widths(width, show_owner=show_owner)
    keys = [c.key for c, _ in columns]
    assert sum(w for _, w in columns) + len(columns) == width  # one space after each
    assert {"rank", "sql", "company", "next_action"} <= set(keys)  # what the queue is for
    assert ("owner" in keys) == show_owner  # a team view always says whose lead it is
    if width >= 120:
        assert {"contact", "source", "last_touch"} <= set(keys)
    if width == 80:
        assert "source" not in keys and "contact" in keys  # the source goes first


def test_a_second_export_of_the_same_name_is_kept_beside_the_first(tmp_path: Path) -> None:
    target = tmp_path / "isdesk-report-funnel-2026-11-24.csv"
    first = write_new_private_file(target, b"ja")
    second = write_new_private_file(target, b"en")
    assert (first, second) == (target, tmp_path / "isdesk-report-funnel-2026-11-24-2.csv")
    assert (first.read_bytes(), second.read_bytes()) == (b"ja", b"en")
    assert stat.S_IMODE(os.stat(second).st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([first.name, second.name])
