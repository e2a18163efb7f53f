"""Bindings are declared with catalogue keys as descriptions and shown in the UI language."""

from __future__ import annotations

from dataclasses import replace

from textual.binding import BindingsMap
from textual.dom import DOMNode

from isdesk.i18n import tr


def localize_bindings(node: DOMNode) -> None:
    """Replace catalogue keys in ``node``'s binding descriptions with translated text.

    Descriptions are class data, fixed at import time; the language is chosen at start-up,
    so each instance translates its own copy once.
    """
    translated = BindingsMap()
    for key, bindings in node._bindings.key_to_bindings.items():
        translated.key_to_bindings[key] = [
            replace(b, description=tr(b.description)) if b.description else b for b in bindings
        ]
    node._bindings = translated
