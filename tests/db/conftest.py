"""Fixtures shared by the team-mode test modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.pg_server import PgServer
from tests.support.team_world import World
from tests.support.team_world import team_world as _team_world


@pytest.fixture(scope="session")
def world(pg_server: PgServer) -> Iterator[World]:
    """The matrix's team database, set up once; tests that change it roll back."""
    with _team_world(pg_server) as world:
        yield world
