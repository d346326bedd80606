"""Real troubled file systems for storage tests: a small tmpfs that fills up, a read-only mount.

Mounting needs root (the CI container runs as root); elsewhere the tests that need it are skipped,
saying why."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


@contextmanager
def small_tmpfs(folder: Path, size: str = "2m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``folder`` (created), unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (the CI container runs the tests as root)")
    folder.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder))
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False, capture_output=True)


def make_read_only(folder: Path) -> None:
    """Remount a tmpfs from small_tmpfs read-only (even root cannot write to it then)."""
    _mount("-o", "remount,ro", str(folder))


def fill(folder: Path) -> Path:
    """Write a filler file until the file system is full; return it."""
    filler = folder / "filler.bin"
    chunk = b"\0" * 4096
    with open(filler, "wb", buffering=0) as out:
        try:
            while True:
                out.write(chunk)
        except OSError as error:
            assert error.errno == errno.ENOSPC
    return filler
