"""Whether the window keeps turning while slow work runs: a real call made slow (a county's archive, a
far server: the one place a stand-in is right) records when its pause began and ended, a 20 ms timer
ticks on the GUI thread, and the GUI thread must have ticked while the pause lasted.

A GUI thread blocked by the work cannot tick at all during the pause; a free one ticks up to 50 times
a second. Asking for ten ticks inside a three-second pause, rather than for no long gap between ticks,
leaves room for a busy shared test machine's own stalls (1.7 s seen in CI) without letting a blocked
window pass."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QTimer

SLOW = 3.0  # seconds: a county-scale query or a 2 GB backup takes about this long


class Pause:
    """The pause a slowed call makes before the real one: ``started`` is set as it begins."""

    def __init__(self, seconds: float = SLOW) -> None:
        self.seconds = seconds
        self.started = threading.Event()
        self.began: float | None = None
        self.ended: float | None = None

    def wait(self) -> None:
        self.began = time.monotonic()
        self.started.set()
        time.sleep(self.seconds)
        self.ended = time.monotonic()


def slowed(monkeypatch: Any, owner: Any, name: str, seconds: float = SLOW) -> Pause:
    """Replace ``owner.name`` by the real call after a pause (works for a class's method too)."""
    real, pause = getattr(owner, name), Pause(seconds)

    def slow(*args: Any, **kwargs: Any) -> Any:
        pause.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, slow)
    return pause


@contextmanager
def ticking() -> Iterator[list[float]]:
    """The times a 20 ms timer on the GUI thread ticked while the block ran."""
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    try:
        yield ticks
    finally:
        timer.stop()


def assert_turned(ticks: list[float], pause: Pause) -> None:
    """The GUI thread ticked at least ten times while the slow call was paused."""
    assert pause.began is not None and pause.ended is not None, "the slow call did not run to its end"
    inside = [t for t in ticks if pause.began < t < pause.ended]
    assert len(inside) >= 10, (len(inside), pause.ended - pause.began)
