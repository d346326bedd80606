"""Every item model the application shows passes pytest-qt's ``qtmodeltester`` on realistic data.

The models are collected from the real widgets of the main window (every page), a household file,
a request, the meeting panel, the settings and the cadre register on the demo archive, so a model
added to a page is checked without being listed here."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QComboBox, QWidget
from sqlalchemy import func, select

import zhuji_archive.gui
from zhuji_archive.gui.cadre_dialog import CadreDialog
from zhuji_archive.gui.household_model import HouseholdTableModel
from zhuji_archive.gui.record_table import Column, RecordTableModel
from zhuji_archive.gui.request_model import PagedRequestModel, RequestTableModel
from zhuji_archive.gui.settings_dialog import SettingsDialog
from zhuji_archive.storage.models import Meeting, MeetingItem, Request, RequestEvent, Visit


def _our_model_classes() -> set[type]:
    """Every item-model class defined in zhuji_archive.gui."""
    found = set()
    for info in pkgutil.walk_packages(zhuji_archive.gui.__path__, "zhuji_archive.gui."):
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, QAbstractItemModel) and cls.__module__ == module.__name__:
                found.add(cls)
    return found


def _models_under(widgets: list[QWidget]) -> list[QAbstractItemModel]:
    models: dict[int, QAbstractItemModel] = {}
    for top in widgets:
        for view in [top, *top.findChildren(QWidget)]:
            if isinstance(view, QAbstractItemView | QComboBox) and view.model() is not None:
                models.setdefault(id(view.model()), view.model())
    return list(models.values())


def _busiest(demo_archive, column, *where):  # type: ignore[no-untyped-def]
    with demo_archive.db.sessions() as session:
        return session.scalar(
            select(column).where(*where).group_by(column).order_by(func.count().desc()).limit(1)
        )


def test_model_flags_of_an_invalid_index_are_none():
    records = RecordTableModel([Column("name", "姓名")], [])
    assert records.flags(QModelIndex()) == Qt.ItemFlag.NoItemFlags
    assert RequestTableModel(checkable=True).flags(QModelIndex()) == Qt.ItemFlag.NoItemFlags


def test_every_item_model_passes_the_model_tester(window, demo_archive, qtbot, qtmodeltester):
    household_id = _busiest(demo_archive, Visit.household_id)
    request_id = _busiest(demo_archive, RequestEvent.request_id)
    meeting_id = _busiest(demo_archive, MeetingItem.meeting_id)
    assert household_id and request_id and meeting_id
    with demo_archive.db.sessions() as session:
        assert session.get(Meeting, meeting_id) is not None
        village_id = session.get(Request, request_id).village_id
    for page in range(window.tabs.count()):
        window.tabs.setCurrentIndex(page)
    window.tree.select_node("village", village_id)
    window.tabs.setCurrentWidget(window.township)
    window.township.setCurrentWidget(window.township.meetings)
    window.township.meetings.show_meeting(meeting_id)
    household = window.open_household(household_id)
    request = window.open_request(request_id)
    settings = SettingsDialog(demo_archive, window)
    cadres = CadreDialog(demo_archive, window)
    for dialog in (settings, cadres):
        qtbot.addWidget(dialog)
        dialog.show()
    QApplication.processEvents()

    # The window's models last: pytest-qt's tester stays attached to the last one until teardown.
    models = _models_under([household, request, settings, cadres, window])
    # A class is covered by its own models or by a subclass's (the request lists all page in now:
    # RequestTableModel is checked through PagedRequestModel).
    covered = {cls for cls in _our_model_classes() if any(isinstance(m, cls) for m in models)}
    assert _our_model_classes() <= covered, "an item model of the application is not on any page tested"
    ours = [m for m in models if type(m) in _our_model_classes()]
    # Realistic data: the models of our own classes are checked with rows in them.
    for cls in (HouseholdTableModel, PagedRequestModel, RecordTableModel):
        assert any(m.rowCount() > 0 for m in ours if type(m) is cls), cls.__name__
    assert len([m for m in ours if isinstance(m, RecordTableModel) and m.rowCount()]) >= 6

    for model in models:
        if model.metaObject().className() == "QTreeModel":
            # QTreeWidget's own model fails Qt's own tester (it gives a second column's index the
            # first column's children); that is Qt's code, not ours.
            continue
        if type(model) in _our_model_classes():
            # pytest-qt's stricter Python checks (data types per role …); they misjudge Qt's own
            # QTreeWidget model (a second column's children), so Qt's models get Qt's tester only.
            qtmodeltester.check(model, force_py=True)
        qtmodeltester.check(model)  # Qt's own tester; its complaints are warnings, which fail the test
        # While the tester watches: the changes the application makes to its models.
        if isinstance(model, HouseholdTableModel):
            while model.canFetchMore():
                model.fetchMore()
            model.sort(0, Qt.SortOrder.DescendingOrder)
        elif isinstance(model, RecordTableModel) and model.parent() is household and model.rowCount():
            model.remove(model.rowCount() - 1)
        elif isinstance(model, RequestTableModel) and model.checkable and model.rowCount():
            model.set_all_checked(True)
            model.setData(model.index(0, 0), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    household.may_close = lambda: True  # the removed rows were never meant to be saved
    for dialog in (household, request):
        dialog.close()
