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


def fit_to_items(combo: QComboBox) -> None:
    """Size a combo filled after it was first shown to its items, as if they had been there: Qt's
    default policy measures the items once, when the combo is first shown."""
    policy = combo.sizeAdjustPolicy()
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    combo.setSizeAdjustPolicy(policy)


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
