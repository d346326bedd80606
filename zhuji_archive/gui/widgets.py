"""Small widget helpers shared by the pages and dialogs."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit


def date_edit(day: date | None = None) -> QDateEdit:
    """A date field with a calendar popup in the ISO form cadres' forms use (2026-11-23)."""
    edit = QDateEdit(QDate(day) if day else QDate.currentDate())
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit
