"""Saving a workbook so that a failure (a full disk, a pulled-out stick) leaves no open file behind."""

from __future__ import annotations

from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter


def save_workbook(workbook: Workbook, path: Path | str) -> None:
    """``workbook.save(path)``, except that when writing fails the zip file is let go of without
    writing its directory: openpyxl leaves it open, and its finaliser then fails again on the full
    disk, long after the error was reported (and the partial file removed)."""
    archive = ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True)
    try:
        ExcelWriter(workbook, archive).save()
    except BaseException:
        handle, archive.fp = archive.fp, None
        if handle is not None:
            try:
                handle.close()
            except OSError:
                pass  # the same full disk; the original error is on its way up
        raise
