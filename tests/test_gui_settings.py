"""GUI tests of the settings window: code lists, parameters and holiday adjustments."""

from __future__ import annotations

from datetime import date

import pytest

from zhuji_archive.domain.workflow import Level
from zhuji_archive.gui.app import make_application
from zhuji_archive.gui.household_dialog import HouseholdDialog
from zhuji_archive.gui.settings_dialog import SettingsDialog
from zhuji_archive.services.household_list import HouseholdFilter


@pytest.fixture
def dialog(qtbot, demo_archive):
    make_application()
    widget = SettingsDialog(demo_archive)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _choose_kind(dialog: SettingsDialog, title: str) -> None:
    codes = dialog.codes
    row = next(i for i in range(codes.kinds.count()) if codes.kinds.item(i).text() == title)
    codes.kinds.setCurrentRow(row)


def _select_value(dialog: SettingsDialog, label: str) -> None:
    values = dialog.codes.values
    values.setCurrentRow(next(i for i in range(values.count()) if values.item(i).data(256) == label))


def test_added_focus_tag_is_offered_in_a_new_household(dialog, demo_archive, qtbot):
    _choose_kind(dialog, "重点关注")
    dialog.codes.new_value.setText("低保边缘户")
    dialog.codes.add_button.click()
    assert "低保边缘户" in demo_archive.codes.values("focus_tag")
    group_id = demo_archive.organisation.tree()[0].children[0].children[0].children[0].id
    household = HouseholdDialog(demo_archive, group_id=group_id)
    qtbot.addWidget(household)
    assert "低保边缘户" in [box.text() for box in household.focus_boxes]
    household.dirty = False


def test_used_value_is_retired_not_deleted_and_stays_on_old_records(dialog, demo_archive, qtbot):
    _choose_kind(dialog, "经济类型")
    assert demo_archive.codes.usage("economic_type", "种植户") > 0
    _select_value(dialog, "种植户")
    dialog.codes.remove_button.click()
    assert "停用" in dialog.codes.message.text()
    assert "种植户" not in demo_archive.codes.values("economic_type")
    assert "种植户" in demo_archive.codes.values("economic_type", include_retired=True)
    household_id = demo_archive.household_list.page(HouseholdFilter(economic_type="种植户"))[0].id
    household = HouseholdDialog(demo_archive, household_id=household_id)
    qtbot.addWidget(household)
    box = next(b for b in household.economic_boxes if b.text() == "种植户")
    assert box.isChecked()  # the old record keeps its retired value
    _select_value(dialog, "种植户")
    dialog.codes.restore_button.click()
    assert "种植户" in demo_archive.codes.values("economic_type")


def test_unused_value_is_deleted(dialog, demo_archive):
    _choose_kind(dialog, "诉求类别")
    dialog.codes.new_value.setText("临时类别")
    dialog.codes.add_button.click()
    _select_value(dialog, "临时类别")
    dialog.codes.remove_button.click()
    assert "临时类别" not in demo_archive.codes.values("request_category", include_retired=True)


def test_deadline_parameter_changes_the_default_deadline(dialog, demo_archive):
    before = demo_archive.requests.default_deadline(Level.VILLAGE, date(2026, 3, 2))
    dialog.parameters.spins["deadline.村级"].setValue(5)
    dialog.parameters.save()
    after = demo_archive.requests.default_deadline(Level.VILLAGE, date(2026, 3, 2))
    assert demo_archive.settings.get("deadline.村级") == 5
    # 2026-03-02 is a Monday with no holiday that week or the next: 10 → 5 working days is one week earlier.
    assert (before, after) == (date(2026, 3, 16), date(2026, 3, 9))


def test_holiday_override_for_an_unknown_year(dialog, demo_archive):
    holidays = dialog.holidays
    holidays.day.setDate(date(2030, 10, 1))
    holidays.note.setText("2030年国庆")
    holidays.add()
    calendar = demo_archive.requests.calendar()
    assert not calendar.is_workday(date(2030, 10, 1))  # a Tuesday made a holiday
    holidays.table.setCurrentCell(0, 0)
    holidays.remove()
    assert demo_archive.requests.calendar().is_workday(date(2030, 10, 1))
