"""Small widget helpers shared by the pages and dialogs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QDate
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QDateEdit, QTableView


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


def record_view(model: QAbstractItemModel) -> QTableView:
    """A table of records: whole rows selected, alternating colours, no row numbers, the last column
    taking the rest of the width."""
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    return view
