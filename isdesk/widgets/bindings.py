"""Bindings are data: declared with catalogue keys, shown in the UI language, listed live.

``localize_bindings`` translates a node's binding descriptions once per instance (the language
is chosen at start-up, after the classes were defined). ``live_actions`` is what the help
screen and the command palette both read: the actions the keys of a screen really run right
now, grouped by where they are bound, so neither can drift from the footer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from textual.app import App
from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode
from textual.screen import Screen

from isdesk.i18n import tr, tr_in

# Textual's own descriptions of the bindings it adds (App, Screen), as catalogue keys.
TEXTUAL_DESCRIPTIONS = {
    "palette": "app.palette",
    "Quit": "app.quit",
    "Focus Next": "app.focus_next",
    "Focus Previous": "app.focus_previous",
    "Copy selected text": "app.copy",
}

# Keys that move a cursor: in the help, not in the command palette (not an action to search).
CURSOR_MOVES = frozenset(
    {"queue.up", "queue.down", "queue.first", "queue.last", "queue.page_up", "queue.page_down"}
    | {f"lead.jump.{n}" for n in range(2, 10)}
)

# The catalogue key each binding id's description came from (for the English alias).
_DESCRIPTION_KEYS: dict[str, str] = {}


def localize_bindings(node: DOMNode) -> None:
    """Replace catalogue keys in ``node``'s binding descriptions with translated text.

    Descriptions are class data, fixed at import time; the language is chosen at start-up,
    so each instance translates its own copy once. Textual's own English descriptions are
    mapped to catalogue keys too.
    """
    translated = BindingsMap()
    for key, bindings in node._bindings.key_to_bindings.items():
        out = []
        for b in bindings:
            if b.description:
                source = TEXTUAL_DESCRIPTIONS.get(b.description, b.description)
                if b.id:
                    _DESCRIPTION_KEYS.setdefault(b.id, source)
                b = replace(b, description=tr(source))
            out.append(b)
        translated.key_to_bindings[key] = out
    node._bindings = translated


@dataclass(frozen=True)
class LiveAction:
    """One thing a key does on the current screen."""

    binding_id: str
    action: str
    description: str
    keys: str  # every key that runs it, as the footer shows them: "↓/j"
    everywhere: bool  # bound on the app (works on every screen), not on this screen
    node: DOMNode

    @property
    def help_line(self) -> str:
        """A sentence on what it does (``<id>.help`` in the catalogue)."""
        return tr(f"{self.binding_id}.help")

    @property
    def english(self) -> str:
        """The English description, so "rep" finds レポート in the Japanese palette too."""
        key = _DESCRIPTION_KEYS.get(self.binding_id, "")
        return tr_in("en", key) if key else ""


def live_actions(screen: Screen, key_display: Callable[[Binding], str]) -> list[LiveAction]:
    """The described actions that the screen's keys run now (disabled ones left out).

    Only bindings with an id are isdesk's; Textual's own editing keys (cursor left, select all)
    belong to the input boxes and are not listed.
    """
    keys: dict[tuple[int, str], list[str]] = {}
    first: dict[tuple[int, str], tuple[DOMNode, Binding]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.id or not binding.description or not active.enabled:
            continue
        slot = (id(active.node), binding.action)
        display = key_display(binding)
        keys.setdefault(slot, [])
        if display not in keys[slot]:
            keys[slot].append(display)
        first.setdefault(slot, (active.node, binding))
    out = []
    for slot, (node, binding) in first.items():
        out.append(
            LiveAction(
                binding_id=binding.id or "",
                action=binding.action,
                description=binding.description,
                keys="/".join(keys[slot]),
                everywhere=isinstance(node, App),
                node=node,
            )
        )
    return out
