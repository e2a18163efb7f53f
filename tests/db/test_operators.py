"""Who may work: the first user of a new database, registered operators, the rest refused."""

from __future__ import annotations

import pytest

from isdesk.cli.common import first_team
from isdesk.rules import load_rules
from isdesk.services.operators import OperatorError, add_operator, resolve_actor


def test_first_user_leads_the_first_team_the_rules_route_to(db) -> None:
    team = first_team(load_rules(None))
    assert team == "inbound"  # the shipped rules send 資料請求 and trials to inbound
    first = resolve_actor("yamada", first_team=team)
    assert (first.team, first.role) == ("inbound", "lead")
    with pytest.raises(OperatorError, match="isdesk operator add stranger"):
        resolve_actor("stranger", first_team=team)


def test_deactivated_operators_may_not_work(db) -> None:
    from isdesk.store.models import Operator

    add_operator("gone", team="inbound")
    with db.connection_context():
        Operator.update(active=False).where(Operator.name == "gone").execute()
    with pytest.raises(OperatorError, match="deactivated"):
        resolve_actor("gone")


def test_in_team_mode_the_operator_defaults_to_the_database_login(monkeypatch) -> None:
    from isdesk.config.settings import resolve_settings

    monkeypatch.delenv("ISDESK_OPERATOR", raising=False)
    team = resolve_settings(db="postgresql://sato.misaki@db.example:5432/isdesk")
    assert team.operator == "sato.misaki"
    assert (
        resolve_settings(db="postgresql://sato.misaki@db/isdesk", operator="boss").operator
        == "boss"
    )  # --as still wins


@pytest.mark.parametrize("display", ["\x1b[31m赤\x1b[0m", "a\x00b", "x" * 101])
def test_names_drawn_on_screen_must_be_printable(db, display: str) -> None:
    with pytest.raises(OperatorError, match="printable text"):
        add_operator("sato", team="inbound", display_name=display)
