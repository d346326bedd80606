"""Locking the window after a while without input (and on 档案 → 锁定): every window's content is
covered, nothing is closed, and only this account's password uncovers it.

``IdleWatcher`` is an application event filter that restarts a timer on each keyboard or mouse input;
``WindowLock`` covers the main window (its central page changes to a blank one) and every other open
window (an opaque cover over its content, the window itself stays open with whatever was typed in it),
then shows an application-modal ``LockDialog``, which stays above any dialog that was already running.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from zhuji_archive.domain.accounts import failed_login_delay
from zhuji_archive.gui.account_forms import password_edit, title_label
from zhuji_archive.services.archive import Archive

IDLE_SETTING = "lock.idle_minutes"
_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


class IdleWatcher(QObject):
    """Emits ``idle`` after ``timeout_ms`` without keyboard or mouse input anywhere in the program
    (0 = never)."""

    idle = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle)
        self.paused = False
        self.set_timeout(timeout_ms)
        QApplication.instance().installEventFilter(self)

    def set_timeout(self, timeout_ms: int) -> None:
        self.timeout_ms = max(0, timeout_ms)
        self.restart()

    def restart(self) -> None:
        if self.timeout_ms and not self.paused:
            self.timer.start(self.timeout_ms)
        else:
            self.timer.stop()

    def pause(self, paused: bool) -> None:
        self.paused = paused
        self.restart()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in _INPUT and self.timeout_ms and not self.paused:
            self.timer.start()
        return False


class Cover(QLabel):
    """An opaque sheet over one window's content while the program is locked; the window's title
    (which may name a household) is replaced too, and given back by ``remove``."""

    def __init__(self, window: QWidget) -> None:
        super().__init__("已锁定", window)
        self.title = window.windowTitle()
        window.setWindowTitle("已锁定")
        self.setObjectName("lockCover")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setAutoFillBackground(True)
        self.setStyleSheet("background: #dfe3e8; color: #555; font-size: 16pt;")
        self.setGeometry(window.rect())
        window.installEventFilter(self)
        self.raise_()
        self.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            self.setGeometry(watched.rect())
            self.raise_()
        elif event.type() == QEvent.Type.ChildAdded:
            self.raise_()
        return False

    def remove(self) -> None:
        window = self.parentWidget()
        window.removeEventFilter(self)
        window.setWindowTitle(self.title)
        self.hide()
        self.deleteLater()


class LockDialog(QDialog):
    """Asks for the password of the account that is logged in; wrong answers wait longer each time."""

    unlocked = Signal()

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.failures = 0
        self.remaining = 0
        self.setWindowTitle("已锁定")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        layout = QVBoxLayout(self)
        actor = archive.actor
        layout.addWidget(title_label("档案已锁定"))
        who = QLabel(
            f"登录账号：{actor.display_name} · {actor.role.label}（{actor.login}）\n"
            "请输入这个账号的密码继续工作；打开的窗口和未保存的内容都保留着。"
        )
        who.setWordWrap(True)
        layout.addWidget(who)
        row = QHBoxLayout()
        row.addWidget(QLabel("密码"))
        self.password = password_edit()
        row.addWidget(self.password, 1)
        layout.addLayout(row)
        self.message = QLabel()
        self.message.setObjectName("lockMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        layout.addWidget(self.message)
        self.unlock_button = QPushButton("解锁")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.try_unlock)
        self.password.returnPressed.connect(self.try_unlock)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        layout.addLayout(buttons)
        self.countdown = QTimer(self)
        self.countdown.setInterval(1000)
        self.countdown.timeout.connect(self._tick)
        self.setMinimumWidth(420)

    def try_unlock(self) -> None:
        if self.remaining:
            return
        if self.archive.accounts.check_own_password(self.password.text()):
            self.password.clear()
            self.message.clear()
            self.failures = 0
            self.unlocked.emit()
            return
        self.failures += 1
        self.password.clear()
        delay = failed_login_delay(self.failures)
        if delay:
            self.remaining = delay
            self.unlock_button.setEnabled(False)
            self.password.setEnabled(False)
            self._show_wait()
            self.countdown.start()
        else:
            self.message.setText("密码不正确。")

    def _show_wait(self) -> None:
        self.message.setText(f"密码不正确。错误次数过多，请 {self.remaining} 秒后再试。")

    def _tick(self) -> None:
        self.remaining = max(0, self.remaining - 1)
        if self.remaining:
            self._show_wait()
            return
        self.countdown.stop()
        self.unlock_button.setEnabled(True)
        self.password.setEnabled(True)
        self.password.setFocus()
        self.message.setText("现在可以再试一次。")

    def reject(self) -> None:
        """Esc does not unlock."""

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802 - Qt's name
        event.ignore()


class WindowLock(QObject):
    """Locks ``window`` (and every other window of the program) after the idle time the archive's
    setting gives, or when asked; unlocks with the account's password."""

    lockedChanged = Signal(bool)  # noqa: N815 - Qt's signal style

    def __init__(self, window: QMainWindow, archive: Archive, show_locked, show_content) -> None:  # type: ignore[no-untyped-def]
        super().__init__(window)
        self.window = window
        self.archive = archive
        self._show_locked = show_locked
        self._show_content = show_content
        self.covers: list[Cover] = []
        self.dialog: LockDialog | None = None
        self.watcher = IdleWatcher(self.configured_ms(), self)
        self.watcher.idle.connect(self.lock)

    @property
    def locked(self) -> bool:
        return self.dialog is not None

    def configured_ms(self) -> int:
        return self.archive.settings.get(IDLE_SETTING) * 60_000

    def reload_setting(self) -> None:
        self.watcher.set_timeout(self.configured_ms())

    def lock(self) -> None:
        if self.locked:
            return
        self.watcher.pause(True)
        for widget in QApplication.topLevelWidgets():
            if widget is self.window or not widget.isVisible():
                continue
            if widget.windowType() in (Qt.WindowType.Popup, Qt.WindowType.ToolTip):
                widget.hide()  # an open menu or tooltip: nothing is lost by closing it
                continue
            if widget.windowType() in (Qt.WindowType.Window, Qt.WindowType.Dialog, Qt.WindowType.Sheet):
                self.covers.append(Cover(widget))
        self._show_locked()
        self.dialog = LockDialog(self.archive, self.window)
        self.dialog.unlocked.connect(self.unlock)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        self.dialog.password.setFocus()
        self.lockedChanged.emit(True)

    def unlock(self) -> None:
        if self.dialog is None:
            return
        for cover in self.covers:
            try:
                cover.remove()
            except RuntimeError:  # its window was deleted meanwhile
                pass
        self.covers.clear()
        self._show_content()
        dialog, self.dialog = self.dialog, None
        dialog.hide()
        dialog.deleteLater()
        self.watcher.pause(False)
        self.lockedChanged.emit(False)
