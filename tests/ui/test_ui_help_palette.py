"""Help and the command palette tell the truth: generated from the live bindings of each screen."""

from __future__ import annotations

from isdesk.screens.help import HelpScreen
from isdesk.screens.palette import AppCommands, ScreenCommands
from isdesk.screens.team import PickOperatorDialog
from tests.support import factories as f
from tests.support.ui import SIZE, make_app, settle


def _help_text(app) -> str:
    from tests.support.snapshots import screen_text

    return screen_text(app)


async def _hits(app, query: str) -> list[tuple[str, str]]:
    out = []
    for provider in (ScreenCommands(app.screen), AppCommands(app.screen)):
        found = provider.search(query) if query else provider.discover()
        async for hit in found:
            title = hit.text if hasattr(hit, "text") and hit.text else str(hit.display)
            out.append((str(title), str(hit.help)))
    return out


async def test_help_lists_the_screens_keys_and_the_everywhere_keys_as_the_footer_does(db) -> None:
    boss = f.operator("boss", role="lead", display="上田")
    app = make_app(db, boss, language="ja")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        titles = [title for title, _ in app.screen.sections]
        assert titles == ["ワークキュー", "画面共通"]
        own, everywhere = (dict((k, d) for k, d, _ in rows) for _, rows in app.screen.sections)
        assert own["↓/j"] == "下へ" and own["↑/k"] == "上へ"  # every key of an action, one line
        assert own["n"] == "次のリード" and own["R"] == "レポート" and own["T"] == "チーム"
        assert everywhere["q"] == "終了"  # the key the footer shows, not ^q
        assert "↓/j" not in everywhere and "Up" not in _help_text(app)
        assert all(help_line for _, _, help_line in app.screen.sections[0][1])
        await pilot.press("escape", "K", "question_mark")
        await settle(pilot)
        assert app.screen.sections[0][0] == "KPI画面"
        keys = dict((k, d) for k, d, _ in app.screen.sections[0][1])
        assert keys["x"] == "日報CSV" and "n" not in keys  # the KPI screen's own, not the queue's


async def test_an_operator_sees_no_team_keys_in_help_or_palette(db) -> None:
    me = f.operator("sato", display="佐藤")
    app = make_app(db, me, language="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [t for t, _ in await _hits(app, "")]
        assert any(t.startswith("Next lead") for t in titles)
        assert not any(t.startswith(("Teams", "Reports", "Import")) for t in titles)


async def test_the_palette_offers_every_action_with_a_help_line_of_its_own(db) -> None:
    boss = f.operator("boss", role="lead", display="上田")
    app = make_app(db, boss, language="ja")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        hits = await _hits(app, "")
        titles = [t for t, _ in hits]
        for wanted in ("次のリード", "チーム", "レポート", "取り込み", "KPI", "ヘルプ", "終了"):
            assert any(t.startswith(wanted) for t in titles), wanted
        assert all(help_line and help_line != title for title, help_line in hits)
        assert all("." not in help_line.split()[0] for _, help_line in hits)  # no raw key
        assert len(titles) == len(set(titles))  # each action once
        # The English name finds the Japanese entry: "rep" → レポート.
        assert any(t.startswith("レポート") for t, _ in await _hits(app, "rep"))
        await pilot.press("R")
        await settle(pilot)
        titles = [t for t, _ in await _hits(app, "")]
        assert any(t.startswith("CSV") for t in titles) and any("次のタブ" in t for t in titles)


async def test_a_dialog_shows_its_own_keys_in_the_ui_language(db) -> None:
    boss = f.operator("boss", role="lead", display="上田")
    app = make_app(db, boss, language="ja")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(PickOperatorDialog([("a", "青木"), ("b", "馬場")]))
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        title, rows = app.screen.sections[0]
        assert title == "このダイアログ"
        assert ("esc", "取消") in [(k, d) for k, d, _ in rows]
        assert "dialog.cancel" not in _help_text(app) and "log.cancel" not in _help_text(app)
