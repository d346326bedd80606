"""The household window when someone else saved the same household meanwhile: told who changed what,
offered to reload; the user decides, nothing is dropped silently."""

from __future__ import annotations

from accounts import open_archive
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import select

from zhuji_archive.gui.household_dialog import HouseholdDialog
from zhuji_archive.services.archive import Archive
from zhuji_archive.storage.models import Household


def _first_household(archive: Archive) -> str:
    with archive.db.sessions() as session:
        return session.scalars(select(Household.id).where(Household.status == "在册").limit(1)).one()


def _address(archive: Archive, household_id: str) -> str:
    with archive.db.sessions() as session:
        return session.get(Household, household_id).address  # type: ignore[union-attr]


def _edit_address_elsewhere(archive: Archive, household_id: str, address: str) -> None:
    other = open_archive(archive.db.path, "邻座干部")  # type: ignore[arg-type]
    try:
        file = other.households.load(household_id)
        file.address = address
        other.households.save(file)
    finally:
        other.close()


def _type_address_and_save(dialog: HouseholdDialog, qtbot, address: str) -> None:
    dialog.ui.addressEdit.clear()
    qtbot.keyClicks(dialog.ui.addressEdit, address)
    qtbot.mouseClick(dialog.ui.buttonBox.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)


def test_stale_save_offers_reload_and_reloads_when_chosen(window, demo_archive, qtbot, monkeypatch) -> None:
    household_id = _first_household(demo_archive)
    dialog = window.open_household(household_id)
    qtbot.waitExposed(dialog)
    _edit_address_elsewhere(demo_archive, household_id, "No.1 Xinjie")
    asked: list[str] = []
    monkeypatch.setattr(HouseholdDialog, "ask_reload", lambda self, message: asked.append(message) or True)

    _type_address_and_save(dialog, qtbot, "No.9 Laojie")

    assert len(asked) == 1 and "邻座干部" in asked[0] and "住址" in asked[0]
    assert "No.1 Xinjie" not in asked[0] and "No.9 Laojie" not in asked[0]
    assert _address(demo_archive, household_id) == "No.1 Xinjie"  # the other's change stands
    assert dialog.ui.addressEdit.text() == "No.1 Xinjie"  # reloaded, as the user chose
    assert not dialog.dirty
    # now the user's edit goes on top of the other's
    _type_address_and_save(dialog, qtbot, "No.9 Laojie")
    assert _address(demo_archive, household_id) == "No.9 Laojie"


def test_stale_save_keeps_the_users_edit_when_reload_is_declined(window, demo_archive, qtbot, monkeypatch) -> None:
    household_id = _first_household(demo_archive)
    dialog = window.open_household(household_id)
    qtbot.waitExposed(dialog)
    _edit_address_elsewhere(demo_archive, household_id, "No.1 Xinjie")
    monkeypatch.setattr(HouseholdDialog, "ask_reload", lambda self, message: False)

    _type_address_and_save(dialog, qtbot, "No.9 Laojie")

    assert _address(demo_archive, household_id) == "No.1 Xinjie"
    assert dialog.ui.addressEdit.text() == "No.9 Laojie"
    assert dialog.dirty


def test_village_page_offers_reload_when_the_table_changed_meanwhile(window, demo_archive, qtbot, monkeypatch) -> None:
    from zhuji_archive.gui.village_page import VillagePage
    from zhuji_archive.storage.models import Village

    with demo_archive.db.sessions() as session:
        village_id = session.scalars(select(Village.id).order_by(Village.sort)).first()
    page = window.village
    page.show_village(village_id)
    other = open_archive(demo_archive.db.path, "邻座干部")  # type: ignore[arg-type]
    try:
        info = other.villages.load(village_id)
        info.population = 4321
        other.villages.save(info)
    finally:
        other.close()
    asked: list[str] = []
    monkeypatch.setattr(VillagePage, "ask_reload", lambda self, message: asked.append(message) or True)
    page.population.setValue(1234)
    assert page.save() is False
    assert len(asked) == 1 and "邻座干部" in asked[0] and "人口" in asked[0]
    assert page.population.value() == 4321  # reloaded: the other's figure is shown
    assert demo_archive.villages.load(village_id).population == 4321
