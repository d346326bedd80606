"""GUI tests of masked numbers in the household list: the masked phone column, 显示完整号码 through the
service (scope checked, logged), and the settings section that lets a role see full numbers in lists."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QPoint, Qt

from tests.accounts import as_person
from zhuji_archive.domain.accounts import Role
from zhuji_archive.gui.app import make_application
from zhuji_archive.gui.household_model import COL_HEAD, COL_PHONE
from zhuji_archive.gui.household_page import HouseholdPage
from zhuji_archive.gui.settings_dialog import SettingsDialog

PHONE = "13812345678"


@pytest.fixture
def town(workflow_town):
    arc = workflow_town.archive
    file = arc.households.load(workflow_town.households["张建国"])
    file.phone = PHONE
    arc.households.save(file)
    return workflow_town


def page_for(qtbot, archive) -> HouseholdPage:
    make_application()
    page = HouseholdPage(archive)
    qtbot.addWidget(page)
    page.show()
    page.set_node("town", archive.organisation.tree()[0].id)  # the window's first place: the town
    return page


def row_of(page: HouseholdPage, head: str) -> int:
    model = page.model
    return next(r for r in range(model.rowCount()) if model.index(r, COL_HEAD).data() == head)


def test_a_village_account_sees_a_masked_phone_and_reveals_it_with_a_log(qtbot, town) -> None:
    village = town.villages["杜黄村"]
    person = as_person(town.archive, "村干部甲", Role.VILLAGE, villages=(village,))
    page = page_for(qtbot, person)
    row = row_of(page, "张建国")
    cell = page.model.index(row, COL_PHONE)
    assert page.model.headerData(COL_PHONE, Qt.Orientation.Horizontal) == "联系电话"
    assert cell.data() == "138****5678"
    page.view.setCurrentIndex(cell)
    page.reveal_action.trigger()
    assert page.model.index(row, COL_PHONE).data() == PHONE
    logged = [e for e in person.households.history(town.households["张建国"]) if e.action == "查看号码"]
    assert [(e.operator, e.note) for e in logged] == [("村干部甲", "在户表以外显示完整联系电话")]
    page.model.reload()  # a new list shows it masked again
    assert page.model.index(row_of(page, "张建国"), COL_PHONE).data() == "138****5678"


def test_the_context_menu_offers_the_reveal_on_a_masked_number(qtbot, town) -> None:
    page = page_for(qtbot, town.archive)
    menu = page.row_menu(page.model.index(row_of(page, "张建国"), COL_PHONE))
    assert menu is not None and [a.text() for a in menu.actions()] == ["打开户档案", "显示完整号码"]
    page.model.show_revealed(town.households["张建国"], PHONE)
    menu = page.row_menu(page.model.index(row_of(page, "张建国"), COL_HEAD))
    assert menu is not None and [a.text() for a in menu.actions()] == ["打开户档案"]
    assert page.row_menu(page.view.indexAt(QPoint(-5, -5))) is None


def test_the_settings_section_lets_a_role_see_full_numbers_in_lists(qtbot, town) -> None:
    make_application()
    office = town.archive
    dialog = SettingsDialog(office)
    qtbot.addWidget(dialog)
    checks = dialog.parameters.full_numbers
    assert set(checks) == {Role.OFFICE, Role.LEADER, Role.CADRE, Role.VILLAGE, Role.READER}
    assert all(c.isEnabled() and not c.isChecked() for c in checks.values())
    checks[Role.CADRE].setChecked(True)
    dialog.parameters.save()
    assert office.settings.lists_show_full(Role.CADRE) and not office.settings.lists_show_full(Role.VILLAGE)
    cadre = as_person(office, "驻村乙", Role.CADRE, villages=(town.villages["杜黄村"],))
    page = page_for(qtbot, cadre)
    assert page.model.index(row_of(page, "张建国"), COL_PHONE).data() == PHONE


def test_an_account_that_cannot_manage_settings_sees_the_section_read_only(qtbot, town) -> None:
    make_application()
    person = as_person(
        town.archive, "村干部甲", Role.VILLAGE, villages=(town.villages["杜黄村"],), today=date(2026, 3, 1)
    )
    dialog = SettingsDialog(person)
    qtbot.addWidget(dialog)
    assert not any(c.isEnabled() for c in dialog.parameters.full_numbers.values())
