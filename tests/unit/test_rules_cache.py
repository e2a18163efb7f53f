"""The validated-rules cache (isdesk.rules.cache): the same file and code load the stored rules
without PyYAML; any change, a damaged or foreign cache file, validates the file again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from isdesk.rules import DEFAULT_RULES, RulesError, load_rules
from isdesk.rules.cache import cached_rules

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_bytes(DEFAULT_RULES.read_bytes())
    return path


def _stored(folder: Path) -> Path:
    (store,) = folder.glob("rules-*.pickle")
    return store


def test_a_second_start_loads_the_stored_rules_without_yaml(rules_file: Path, tmp_path) -> None:
    folder = tmp_path / "cache"
    first = cached_rules(rules_file, folder)
    assert first == load_rules(rules_file)
    assert oct(_stored(folder).stat().st_mode & 0o777) == "0o600"
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from isdesk.rules import load_rules\n"
        "from isdesk.rules.cache import cached_rules\n"
        f"rules = cached_rules(Path({str(rules_file)!r}), Path({str(folder)!r}))\n"
        "assert not [m for m in sys.modules if m.startswith('yaml.')], 'parsed again'\n"
        f"assert rules == load_rules(Path({str(rules_file)!r}))\n"
        "print(rules.assignment.holding_cap, rules.source)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["150", str(rules_file)]


def test_a_changed_file_is_validated_again_and_a_broken_one_still_stops(
    rules_file: Path, tmp_path
) -> None:
    folder = tmp_path / "cache"
    cached_rules(rules_file, folder)
    stat = rules_file.stat()
    text = rules_file.read_text(encoding="utf-8")
    same_size = text.replace("holding_cap: 150", "holding_cap: 151")
    assert len(same_size) == len(text)
    rules_file.write_text(same_size, encoding="utf-8")
    os.utime(rules_file, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same mtime
    assert cached_rules(rules_file, folder).assignment.holding_cap == 151  # the hash differs
    rules_file.write_text(text.replace("holding_cap: 150", "holding_cap: lots"), "utf-8")
    with pytest.raises(RulesError, match="holding_cap"):
        cached_rules(rules_file, folder)
    rules_file.write_text(text, encoding="utf-8")
    assert cached_rules(rules_file, folder).assignment.holding_cap == 150


def test_a_damaged_or_foreign_cache_file_is_ignored(rules_file: Path, tmp_path) -> None:
    folder = tmp_path / "cache"
    good = cached_rules(rules_file, folder)
    store = _stored(folder)
    store.write_bytes(b"not a pickle")
    assert cached_rules(rules_file, folder) == good  # rebuilt
    assert store.read_bytes() != b"not a pickle"
    os.chmod(store, 0o666)  # writable by others: not trusted, never unpickled
    store.write_bytes(b"\x80\x05K\x01.")  # a valid pickle of the wrong shape, too
    assert cached_rules(rules_file, folder) == good
    missing = tmp_path / "nowhere.yaml"
    with pytest.raises(RulesError, match="cannot read the file"):
        cached_rules(missing, folder)
