"""settings.yaml: read strictly, with file:line errors, below flags and environment variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from isdesk.config.settings import resolve_settings
from isdesk.config.settings_file import SettingsError, load_settings_file, settings_path


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config" / "settings.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_file_lives_in_the_config_dir_and_is_optional(tmp_path: Path) -> None:
    assert settings_path() == tmp_path / "config" / "settings.yaml"  # conftest's ISDESK_CONFIG_DIR
    assert resolve_settings().dial_command == ""


def test_settings_are_read_and_flags_and_environment_win(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, (
        "language: ja\n"
        "database: sqlite:////srv/isdesk/team.sqlite3\n"
        "theme: nord\n"
        "dial_command: softphone --call {phone}\n"
        "keymap:\n"
        "  lead.call: f2, ctrl+k\n"
    ))  # fmt: skip
    settings = resolve_settings()
    assert (settings.language, settings.db_url, settings.theme) == (
        "ja", "sqlite:////srv/isdesk/team.sqlite3", "nord"
    )  # fmt: skip
    assert settings.dial_command == "softphone --call {phone}"
    assert dict(settings.keymap) == {"lead.call": "f2,ctrl+k"}
    assert resolve_settings(language="en", db="sqlite:////tmp/x.sqlite3").language == "en"
    assert resolve_settings(db="sqlite:////tmp/x.sqlite3").db_url == "sqlite:////tmp/x.sqlite3"
    # the demo keeps its own database whatever the settings file says
    assert "demo" in resolve_settings(default_db=tmp_path / "demo.sqlite3").db_url
    monkeypatch.setenv("ISDESK_LANG", "en")
    monkeypatch.setenv("ISDESK_DB", "sqlite:////tmp/env.sqlite3")
    env = resolve_settings()
    assert (env.language, env.db_url) == ("en", "sqlite:////tmp/env.sqlite3")


@pytest.mark.parametrize(
    "text, where",
    [
        ("language: ja\nlangauge: en\n", ":2: langauge: unknown setting"),
        ("language: fr\n", ":1: language: 'fr': write ja or en"),
        ("theme: nord\ntheme: dracula\n", ":2: theme: given twice"),
        ("database: mysql://x\n", ":1: database: 'mysql://x'"),
        ("dial_command: softphone --call\n", ":1: dial_command: put {phone}"),
        ("dial_command: 'softphone \"{phone}'\n", ":1: dial_command: cannot be split"),
        ("keymap:\n  lead.call: [f2]\n", ":2: keymap.lead.call: write the keys"),
        ("keymap:\n  Lead Call: f2\n", ":2: keymap.Lead Call: not a binding id"),
        ("keymap: f2\n", ":1: keymap:"),
        ("language: [ja\n", "not valid YAML"),
        ("- ja\n", ":1: write `key: value` lines"),
    ],
)
def test_mistakes_name_the_file_line_and_key(tmp_path: Path, text: str, where: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SettingsError) as caught:
        load_settings_file(path)
    assert str(caught.value).startswith(str(path))
    assert where in str(caught.value)
