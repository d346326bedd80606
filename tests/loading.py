"""Waiting for pages that load through the operation runner (gui/operations.py)."""

from __future__ import annotations

from typing import Any

from zhuji_archive.gui.operations import runner_for


def loaded(qtbot: Any, archive: Any, timeout: int = 30000) -> None:
    """Let the event loop run until every load and operation of ``archive``'s window has ended."""
    runner = runner_for(archive)
    qtbot.waitUntil(lambda: not runner.busy, timeout=timeout)
