"""GUI tests of the lock: after a while without input, or on 档案 → 锁定, every window's content is
covered until this account's password is typed; open windows and what was typed in them stay."""

from __future__ import annotations

from accounts import PASSWORD
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QSpinBox

from zhuji_archive.gui.lock import Cover, LockDialog


def _type(qtbot, edit, text: str) -> None:  # type: ignore[no-untyped-def]
    edit.clear()
    qtbot.keyClicks(edit, text)


def _first_group(nodes) -> str:  # type: ignore[no-untyped-def]
    for node in nodes:
        if node.kind == "group":
            return node.id
        found = _first_group(node.children)
        if found:
            return found
    return ""


def _unlock_with(qtbot, dialog: LockDialog, password: str) -> None:  # type: ignore[no-untyped-def]
    _type(qtbot, dialog.password, password)
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)


def test_idle_window_locks_and_unlocks_keeping_what_was_typed(qtbot, window):
    household = window.new_household(_first_group(window.archive.organisation.tree()))
    qtbot.waitExposed(household)
    household.ui.notesEdit.setFocus()
    qtbot.keyClicks(household.ui.notesEdit, "typed before the lock")
    assert household.dirty
    title = household.windowTitle()
    window.lock.watcher.set_timeout(300)
    qtbot.waitUntil(lambda: window.lock.locked, timeout=3000)
    # The main window shows a blank page; the household window stays open under a cover.
    assert window.content.currentWidget() is window.locked_page and not window.splitter.isVisible()
    assert household.isVisible()
    [cover] = household.findChildren(Cover)
    assert cover.isVisible() and cover.geometry() == household.rect()
    assert household.windowTitle() == "已锁定"  # a household's title may name its head
    dialog = window.lock.dialog
    assert dialog is not None and dialog.isVisible()
    assert QApplication.activeModalWidget() is dialog
    assert window.lock.dialog.windowModality() == Qt.WindowModality.ApplicationModal
    dialog.reject()  # Esc does not unlock
    assert window.lock.locked
    _unlock_with(qtbot, dialog, "Wrong-2026")
    assert dialog.message.text() == "密码不正确。" and window.lock.locked
    _unlock_with(qtbot, dialog, PASSWORD)
    assert not window.lock.locked
    assert window.splitter.isVisible() and household.isVisible()
    qtbot.waitUntil(lambda: not household.findChildren(Cover))
    assert household.windowTitle() == title
    assert household.ui.notesEdit.text().endswith("typed before the lock") and household.dirty
    # Idle again: it locks again (the timer restarted after unlocking).
    qtbot.waitUntil(lambda: window.lock.locked, timeout=3000)
    _unlock_with(qtbot, window.lock.dialog, PASSWORD)
    window.lock.watcher.set_timeout(0)


def test_input_keeps_the_window_unlocked(qtbot, window):
    window.lock.watcher.set_timeout(400)
    for _ in range(8):
        qtbot.wait(100)
        qtbot.keyClick(window.households.search, Qt.Key.Key_A)
    assert not window.lock.locked
    qtbot.waitUntil(lambda: window.lock.locked, timeout=3000)
    _unlock_with(qtbot, window.lock.dialog, PASSWORD)
    window.lock.watcher.set_timeout(0)


def test_lock_at_once_and_the_delay_after_wrong_passwords(qtbot, window):
    window.lock_action.trigger()
    assert window.lock_action.shortcut().toString() == "Ctrl+L"
    dialog = window.lock.dialog
    assert dialog is not None and window.content.currentWidget() is window.locked_page
    for attempt in range(3):
        _unlock_with(qtbot, dialog, f"Wrong-{attempt}")
    assert dialog.message.text() == "密码不正确。错误次数过多，请 2 秒后再试。"
    assert not dialog.unlock_button.isEnabled() and not dialog.password.isEnabled()
    dialog.password.setEnabled(True)
    _type(qtbot, dialog.password, PASSWORD)
    dialog.try_unlock()  # Enter during the wait does nothing
    assert window.lock.locked
    qtbot.waitUntil(dialog.unlock_button.isEnabled, timeout=4000)
    _unlock_with(qtbot, dialog, PASSWORD)
    assert not window.lock.locked and window.content.currentWidget() is window.splitter


def test_the_idle_time_is_a_setting(qtbot, window, when_modal):
    assert window.lock.watcher.timeout_ms == 10 * 60_000

    def set_never(dialog) -> None:  # type: ignore[no-untyped-def]
        spin: QSpinBox = dialog.parameters.spins["lock.idle_minutes"]
        spin.setValue(0)
        dialog.parameters.save()
        dialog.accept()

    when_modal(set_never)
    window.open_settings()
    assert window.archive.settings.get("lock.idle_minutes") == 0
    assert window.lock.watcher.timeout_ms == 0 and not window.lock.watcher.timer.isActive()
