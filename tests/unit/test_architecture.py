"""The layers hold at run time, not only in the import contracts: importing any module below the
UI loads neither Textual nor Rich, and a command that draws no screen starts without them."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import isdesk

ROOT = Path(__file__).resolve().parents[2]
UI_PREFIXES = ("isdesk.app", "isdesk.screens", "isdesk.widgets", "isdesk.__main__")


def core_modules() -> list[str]:
    """Every module of the package that is not the UI (the CLI included: it opens the UI lazily)."""
    names = [
        info.name
        for info in pkgutil.walk_packages(isdesk.__path__, "isdesk.")
        if not info.name.startswith(UI_PREFIXES) and ".migrations." not in info.name
    ]
    assert len(names) > 60, names  # the walk found the package, not an empty folder
    return sorted(names)


def test_no_core_module_loads_textual_or_rich() -> None:
    modules = core_modules()
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'rich'})\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_a_command_without_a_screen_starts_without_textual(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from isdesk.cli.main import main\n"
        "code = main(['rules', 'check'])\n"
        "bad = sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'rich'})\n"
        "assert code == 0 and not bad, (code, bad)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
