"""What screens and widgets ask of the running isdesk app, typed.

Screens sit below ``isdesk.app`` and may not import it (a layers contract), so Textual types
``self.app`` as a plain ``App``. :class:`Workstation` names the two services the isdesk app
adds; :func:`workstation` gives a node's app as one. ``IsdeskApp`` is held to the protocol
where it is defined.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar, cast

from textual.message_pump import MessagePump

T = TypeVar("T")


class Workstation(Protocol):
    lead_trail: list[int]  # leads worked this session, for "previous lead"

    def with_retry(self, fn: Callable[[], T]) -> T:
        """Run a write from a worker thread, riding out a lost database."""
        ...

    def report_error(self, error: BaseException) -> None:
        """Show a failed background call to the operator."""
        ...


def workstation(node: MessagePump) -> Workstation:
    """``node.app``, the running isdesk app, as the services it offers screens."""
    return cast(Workstation, node.app)
