"""Import PyYAML on first use, not when the rules package loads.

Every rules module imports ``yaml`` for its parser, but a start that finds its validated rules
in the cache (:mod:`isdesk.rules.cache`) parses no YAML: importing PyYAML would cost it ~15 ms
of a ~100 ms `isdesk next`. Until something reads one of its attributes, ``sys.modules["yaml"]``
is a stand-in that then imports the real module (under a lock: the app's threads) and forwards
to it. Imported first by ``isdesk.rules``; does nothing when PyYAML is loaded already.
"""

from __future__ import annotations

import importlib
import sys
import threading
import types
from typing import Any


class _DeferredModule(types.ModuleType):
    _lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        with _DeferredModule._lock:
            real = sys.modules.get(self.__name__)
            if real is self or real is None:
                sys.modules.pop(self.__name__, None)
                try:
                    real = importlib.import_module(self.__name__)
                except BaseException:
                    sys.modules[self.__name__] = self
                    raise
            # From now on the names are found here, without this method or the lock.
            self.__dict__.update(real.__dict__)
        return getattr(real, name)


def defer(name: str) -> None:
    if name not in sys.modules:
        sys.modules[name] = _DeferredModule(name)


defer("yaml")
