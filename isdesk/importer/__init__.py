"""Importing leads from marketing: CSV exported by MA tools and CRMs (``isdesk import``).

Headless: no Textual here. The TUI's import screen uses ``preview`` to show what a file
becomes, then ``plan_import`` + ``execute_plan`` (or ``import_file``) to import it.
Names are loaded lazily so that building the CLI parser does not import peewee.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Preview": "previews",
    "preview": "previews",
    "ImportPlan": "plan",
    "ImportSummary": "summary",
    "ImportConflictError": "write",
    "execute_plan": "run",
    "import_file": "run",
    "plan_import": "plan",
    "rejects_path": "plan",
    "Options": "convert",
    "ReadError": "reader",
    "MappingError": "mappings",
    "PRESETS": "mappings",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
