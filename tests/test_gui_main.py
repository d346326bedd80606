"""GUI tests with pytest-qt: the main window on a demo database, driven as a cadre would."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QFontMetrics, QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox
from sqlalchemy import select

from zhuji_archive.domain import idcard
from zhuji_archive.domain.search_keys import pinyin_keys
from zhuji_archive.gui.app import make_application
from zhuji_archive.gui.household_model import IdRole
from zhuji_archive.gui.main_window import MainWindow
from zhuji_archive.gui.member_dialog import MemberDialog
from zhuji_archive.storage.models import Household, Member, Village, VillageGroup

VALID_ID = idcard.make("330681", __import__("datetime").date(1990, 5, 17), 123)  # a man born 1990-05-17
BAD_CHECK_ID = VALID_ID[:17] + ("0" if VALID_ID[17] != "0" else "1")


def _select_group(
    window: MainWindow, demo_archive, village_name: str = "杜黄村", group_name: str = "一组"
) -> str:
    with demo_archive.db.sessions() as session:
        group_id = session.scalar(
            select(VillageGroup.id)
            .join(Village)
            .where(Village.name == village_name, VillageGroup.name == group_name)
        )
    assert window.tree.select_node("group", group_id)
    return group_id


def ime_type(widget, text: str) -> None:
    """Type Chinese the way an input method does: one committed string (QTest only types ASCII)."""
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def _listed_ids(window: MainWindow) -> list[str]:
    model = window.households.model
    while model.canFetchMore():
        model.fetchMore()
    return [model.index(r, 0).data(IdRole) for r in range(model.rowCount())]


def test_selecting_a_group_lists_exactly_its_households(window, demo_archive):
    group_id = _select_group(window, demo_archive)
    with demo_archive.db.sessions() as session:
        expected = set(
            session.scalars(
                select(Household.id).where(Household.group_id == group_id, Household.status == "在册")
            )
        )
    assert set(_listed_ids(window)) == expected
    assert window.households.count_label.text() == f"共 {len(expected)} 户"
    assert window.households.new_button.isEnabled()


def test_tree_counts_match_the_database(window, demo_archive):
    root = window.tree.tree_model.item(0, 1)
    with demo_archive.db.sessions() as session:
        on_file = len(session.scalars(select(Household.id).where(Household.status == "在册")).all())
    assert root.text() == str(on_file)


def test_pinyin_initials_typed_in_search_find_the_household(window, demo_archive, qtbot):
    with demo_archive.db.sessions() as session:
        target = session.execute(
            select(Household.id, Household.head_name)
            .where(Household.status == "在册")
            .order_by(Household.number.desc())
        ).first()
    initials = pinyin_keys(target.head_name)[1]
    window.tree.setCurrentIndex(window.tree.tree_model.index(0, 0))  # whole town
    qtbot.keyClicks(window.households.search, initials)
    qtbot.waitUntil(lambda: window.households.model.filter.text == initials, timeout=3000)
    assert target.id in _listed_ids(window)
    assert window.households.model.total < 300
    # Every listed household has a member whose initials or full pinyin start with what was typed.
    with demo_archive.db.sessions() as session:
        for household_id in _listed_ids(window):
            keys = session.execute(
                select(Member.name_initials, Member.name_pinyin).where(Member.household_id == household_id)
            )
            assert any(i.startswith(initials) or p.startswith(initials) for i, p in keys)


def test_add_member_with_invalid_id_shows_error_then_saves_after_fix(window, demo_archive, qtbot):
    _select_group(window, demo_archive)
    household_id = _listed_ids(window)[0]
    dialog = window.open_household(household_id)
    qtbot.waitExposed(dialog)
    before = len(dialog.file.active(dialog.file.members))
    qtbot.mouseClick(dialog.ui.membersAddButton, Qt.MouseButton.LeftButton)
    member_dialog: MemberDialog = dialog.member_dialog
    assert member_dialog.isVisible()
    ui = member_dialog.ui
    ime_type(ui.nameEdit, "楼新民")
    ui.relationCombo.setCurrentText("子")
    qtbot.keyClicks(ui.idEdit, BAD_CHECK_ID.lower())
    assert "校验位" in ui.idError.text() and ui.idError.isVisible()  # shown while typing
    qtbot.mouseClick(ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert member_dialog.isVisible(), "an invalid ID must keep the dialog open"
    assert "校验位" in ui.idError.text()
    ui.idEdit.clear()
    qtbot.keyClicks(ui.idEdit, VALID_ID)
    assert ui.idError.text() == ""
    assert ui.sexCombo.currentText() == "男"
    assert ui.birthEdit.date().toPython().isoformat() == "1990-05-17"
    with qtbot.waitSignal(member_dialog.accepted):
        qtbot.mouseClick(ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert dialog.dirty and dialog.windowTitle().endswith("*")
    assert dialog.members.rowCount() == before + 1
    qtbot.mouseClick(
        dialog.ui.buttonBox.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton
    )
    assert not dialog.dirty, dialog.ui.problemsLabel.text()

    # Reopen from the database: the member is there, the history shows the addition.
    dialog.close()
    reopened = window.open_household(household_id)
    names = {m.name: m for m in reopened.file.members}
    assert names["楼新民"].id_number == VALID_ID and names["楼新民"].sex == "男"
    history = [reopened.history.record(r) for r in range(reopened.history.rowCount())]
    assert any(h.field == "身份证号" and h.new_value == VALID_ID and h.operator == "测试员" for h in history)
    assert any(h.action == "新增" and h.note == "成员楼新民" for h in history)


def test_second_head_is_refused_with_the_problem_shown(window, demo_archive, qtbot):
    _select_group(window, demo_archive)
    dialog = window.open_household(_listed_ids(window)[0])
    spouse_row = next(
        r for r in range(dialog.members.rowCount()) if dialog.members.record(r).relation != "户主"
    )
    dialog.members.record(spouse_row).relation = "户主"
    dialog._mark_dirty()
    assert dialog.save() is False
    assert "只能有一名户主" in dialog.ui.problemsLabel.text()
    assert dialog.ui.tabs.currentIndex() == 0
    assert dialog.dirty


def test_unsaved_changes_prompt_before_closing(window, demo_archive, qtbot, monkeypatch):
    _select_group(window, demo_archive)
    household_id = _listed_ids(window)[0]
    dialog = window.open_household(household_id)
    original = dialog.file.address
    ime_type(dialog.ui.addressEdit, "（新址）")
    assert dialog.dirty
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    monkeypatch.setattr(dialog, "ask_unsaved", lambda: answers.pop(0))
    dialog.close()
    assert dialog.isVisible(), "Cancel keeps the window open"
    dialog.close()
    assert not dialog.isVisible()
    assert demo_archive.households.load(household_id).address == original  # discarded, nothing written


def test_edit_in_place_and_history_records_old_and_new(window, demo_archive, qtbot):
    _select_group(window, demo_archive)
    household_id = _listed_ids(window)[0]
    dialog = window.open_household(household_id)
    old_address = dialog.file.address
    dialog.ui.addressEdit.clear()
    ime_type(dialog.ui.addressEdit, "安华镇杜黄村新街12号")
    dialog.ui.tabs.setCurrentIndex(5)
    qtbot.mouseClick(dialog.ui.visitsAddButton, Qt.MouseButton.LeftButton)
    assert dialog.save(), dialog.ui.problemsLabel.text()
    saved = demo_archive.households.load(household_id)
    assert saved.address == "安华镇杜黄村新街12号"
    history = demo_archive.households.history(household_id)
    assert any(
        e.field == "住址" and e.old_value == old_address and e.new_value == "安华镇杜黄村新街12号"
        for e in history
    )
    row = window.households.model.row_of(household_id)
    assert row is not None
    assert window.households.model.rows[row].last_visit_date == saved.visits[0].date


def test_new_household_in_a_group(window, demo_archive, qtbot):
    group_id = _select_group(window, demo_archive)
    dialog = window.new_household(group_id)
    qtbot.mouseClick(dialog.ui.membersAddButton, Qt.MouseButton.LeftButton)
    member_dialog = dialog.member_dialog
    assert member_dialog.ui.relationCombo.currentText() == "户主"  # the first member defaults to head
    ime_type(member_dialog.ui.nameEdit, "斯永福")
    with qtbot.waitSignal(member_dialog.accepted):
        qtbot.mouseClick(
            member_dialog.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
        )
    dialog.economic_boxes[0].setChecked(True)
    assert dialog.save(), dialog.ui.problemsLabel.text()
    ime_type(window.households.search, "斯永福")
    qtbot.waitUntil(lambda: window.households.model.filter.text == "斯永福", timeout=3000)
    assert _listed_ids(window) == [dialog.file.id]


def test_window_remembers_size_splitter_and_columns(qtbot, demo_archive, settings):
    make_application()
    first = MainWindow(demo_archive, settings)
    qtbot.addWidget(first)
    first.show()
    first.resize(790, 580)
    first.splitter.setSizes([333, 700])
    first.households.view.setColumnWidth(0, 177)
    qtbot.wait(10)
    tree_width = first.splitter.sizes()[0]
    first.close()
    second = MainWindow(demo_archive, settings)
    qtbot.addWidget(second)
    second.show()
    assert (second.size().width(), second.size().height()) == (first.size().width(), first.size().height())
    assert first.size().height() == 580
    qtbot.wait(10)
    assert second.splitter.sizes()[0] == tree_width
    assert second.households.view.columnWidth(0) == 177


def test_chinese_renders_with_the_bundled_font(window, demo_archive, tmp_path):
    families = QFontDatabase.families()
    assert "WenQuanYi Micro Hei" in families
    metrics = QFontMetrics(QApplication.font())
    for char in "群众档案户主村民小组诸暨郦":
        assert metrics.inFontUcs4(ord(char)), char
    _select_group(window, demo_archive)
    dialog = window.open_household(_listed_ids(window)[0])
    out = Path(__import__("os").environ.get("ZHUJI_SCREENSHOTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    for name, widget in (("main-window.png", window), ("household.png", dialog)):
        image = widget.grab().toImage()
        assert image.width() > 600 and image.height() > 400
        assert widget.grab().save(str(out / name))
