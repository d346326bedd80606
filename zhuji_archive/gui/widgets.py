"""Small widget helpers shared by the pages and dialogs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit


def date_edit(day: date | None = None) -> QDateEdit:
    """A date field with a calendar popup in the ISO form cadres' forms use (2026-11-23)."""
    edit = QDateEdit(QDate(day) if day else QDate.currentDate())
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def refill(combo: QComboBox, items: Iterable[tuple[str, Any]]) -> None:
    """Replace a combo's (label, data) items, keeping the current choice when it is still there."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    for label, data in items:
        combo.addItem(label, data)
    index = combo.findData(current)
    combo.setCurrentIndex(max(index, 0))
    combo.blockSignals(False)
