"""The layers hold at run time, not only in the import contracts: importing any module below the
UI loads neither Textual nor Rich, and a command that draws no screen starts without them."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

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


SEED = """
import sys
from isdesk.store.db import open_database
from isdesk.store.schema import upgrade
from tests.support import factories as f
db = open_database(sys.argv[1])
upgrade(db)
boss, sato = f.operator("boss", role="lead"), f.operator("sato")
f.lead(None, company="中央物産株式会社", acquired_days=-2)
f.lead(None, company="東京カブシキ", acquired_days=-1)
f.lead(sato, company="大阪物流", last_touch_days=-1, next_action_days=30)
"""

# Commands that draw no screen, with the operator they run as and the exit codes that mean
# they did their work (3: `next` found nothing to take).
COMMANDS = [
    (["rules", "check"], None),
    (["next", "--format", "json"], "sato"),
    (["assign", "--dry-run"], "boss"),
    (["report", "funnel"], "boss"),
    (["export", "daily", "--date", "2026-11-02"], "boss"),
]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('arch') / 'seeded.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "-c", SEED, url], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return url


@pytest.mark.parametrize(("argv", "who"), COMMANDS, ids=[" ".join(c[0][:2]) for c in COMMANDS])
def test_a_command_without_a_screen_starts_without_textual(
    seeded: str, argv: list[str], who: str | None
) -> None:
    """Each command runs in a fresh interpreter, through main() as `isdesk` calls it, and does
    its work; afterwards neither Textual nor Rich was ever imported."""
    args = argv if who is None else ["--db", seeded, "--as", who, *argv]
    code = (
        "import sys\n"
        "from isdesk.cli.main import main\n"
        f"code = main({args!r})\n"
        "bad = sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'rich'})\n"
        "assert code == 0 and not bad, (code, bad)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip(), "the command printed its result"
