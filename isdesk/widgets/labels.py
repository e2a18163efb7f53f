"""Ids made readable: teams, assignment groups, stages, campaign types and statuses by label.

Nothing on screen is a raw id: a team is "インバウンド", a group "イベント・紹介", a stage "案件化".
Labels come from rules.yaml where the team sets them (stages, groups) and from the catalogue
for the fixed vocabularies; an id nobody labelled is shown as it is (it is then the team's word).
"""

from __future__ import annotations

from isdesk.i18n import pick, tr
from isdesk.rules import Rules


def _catalogued(prefix: str, key: str) -> str:
    full = f"{prefix}.{key}"
    text = tr(full)
    return key if text == full else text


def team_label(team: str) -> str:
    """``inbound`` → インバウンド (the catalogue's ``teamname.*``), else the team's own name."""
    return _catalogued("teamname", team)


def group_label(rules: Rules, name: str) -> str:
    """An assignment group by its rules.yaml label."""
    for group in rules.assignment.groups:
        if group.name == name and group.label is not None:
            return pick(group.label)
    return _catalogued("groupname", name)


def stage_label(rules: Rules, key: str) -> str:
    """A pipeline stage by its rules.yaml label."""
    label = rules.stages.labels.get(key)
    return pick(label) if label else _catalogued("stage", key)


def campaign_type_label(kind: str) -> str:
    """``trade_show`` → 展示会."""
    return _catalogued("campaign_type", kind)


def status_label(status: str) -> str:
    """A lead's status (``nurturing`` → ナーチャリング)."""
    return _catalogued("status", status)
