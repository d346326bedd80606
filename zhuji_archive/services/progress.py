"""The progress and cancel protocol of long service calls: a service takes ``progress(done, total)``
and ``cancelled()`` callables; a ``Job`` reports the one and stops at the other."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


class OperationCancelled(Exception):
    """The user cancelled a long operation; nothing was written. Each service raises its own subclass."""


class Job:
    """Progress and cancellation of one long service call; ``stop`` is the exception raised on cancel."""

    def __init__(
        self,
        progress: Progress | None,
        cancelled: Cancelled | None,
        stop: type[OperationCancelled] = OperationCancelled,
    ) -> None:
        self.progress = progress
        self.cancelled = cancelled
        self.stop = stop

    def check(self) -> None:
        """Stop here if the user cancelled."""
        if self.cancelled is not None and self.cancelled():
            raise self.stop

    def step(self, done: int, total: int) -> None:
        """Stop here if the user cancelled, else report ``done`` of ``total``."""
        self.check()
        if self.progress is not None:
            self.progress(done, total)
