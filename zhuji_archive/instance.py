"""While the program runs on Windows it holds a named mutex, so the installer and the uninstaller can see
that it is open and refuse to replace or remove its files under it (installer/zhuji-archive.nsi)."""

from __future__ import annotations

import sys

MUTEX_NAME = "zhuji-archive-running"  # the same name is checked in installer/zhuji-archive.nsi
_handle: int | None = None


def hold_running_mutex() -> bool:
    """Create the mutex for the life of the process (Windows only); True if it is held."""
    global _handle
    if sys.platform != "win32":
        return False
    if _handle is None:
        import ctypes

        _handle = ctypes.windll.kernel32.CreateMutexW(None, False, MUTEX_NAME) or None
    return _handle is not None
