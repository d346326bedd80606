"""Starting the application: Qt, bundled fonts, logging in to the archive (gui/login.py), the main window."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QToolBar,
)

from zhuji_archive import APP_NAME, __version__
from zhuji_archive.gui.fonts import default_font, register_fonts
from zhuji_archive.gui.icon import ICON_NAME, app_icon
from zhuji_archive.gui.qt_chinese import install_chinese
from zhuji_archive.paths import default_database, private_file, private_folder, settings_file
from zhuji_archive.services.archive import Archive

if TYPE_CHECKING:
    from zhuji_archive.gui.main_window import MainWindow


def make_application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication set-up shared by the window, the tests (conftest's ``qapp``) and tools:
    name, Chinese locale and Qt's own Chinese texts, the bundled font."""
    app = QApplication.instance() or QApplication(argv or sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    install_chinese(app)
    app.setWindowIcon(app_icon())
    app.setDesktopFileName(ICON_NAME)  # ties windows to zhuji-archive.desktop (its menu icon) on Linux
    app.setFont(default_font(register_fonts()))
    return app  # type: ignore[return-value]


def app_settings(path: Path | None = None) -> QSettings:
    """The window's settings (layout, recent names): an INI file in the user's config folder, readable
    by the user only (it is made 0600 before Qt first writes it; Qt keeps a file's permissions)."""
    path = path or settings_file()
    try:
        private_file(path)
    except OSError:
        pass  # a read-only profile: Qt keeps the settings in memory
    return QSettings(str(path), QSettings.Format.IniFormat)


def install_error_handler() -> None:
    """Errors that reach the event loop: the machine's fault gets a plain Chinese message; a bug gets
    an apology with the details to pass on. Either way the window stays open and nothing half-saved
    remains, since every save is one transaction."""
    from zhuji_archive.logs import log_failure, safe_trace
    from zhuji_archive.storage.errors import describe_environment_error

    def handle(kind, error, trace) -> None:  # type: ignore[no-untyped-def]
        # Logged and shown without the error's own text: a database error may quote the row's values.
        log_failure("窗口操作", error)
        message = describe_environment_error(error)
        if message is not None:
            QMessageBox.warning(QApplication.activeWindow(), APP_NAME, message)
            return
        details = safe_trace(error)
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            APP_NAME,
            "程序出现了意外错误，刚才的操作没有完成（已保存的档案不受影响）。\n"
            "请把下面“详细信息”中的内容告诉维护人员。",
            parent=QApplication.activeWindow(),
        )
        box.setDetailedText(details)
        box.exec()

    sys.excepthook = handle


def show_read_only_banner(window: QMainWindow, reason: str) -> QLabel:
    """A band across the top of the window: this archive can be looked at, not changed."""
    banner = QLabel(f"本档案以只读方式打开（{reason}）：可以查看、打印和导出，所做的修改无法保存。")
    banner.setObjectName("readOnlyBanner")
    banner.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    banner.setStyleSheet("background: #fff3cd; color: #7a4f01; padding: 6px; font-weight: bold;")
    bar = QToolBar("只读提示", window)
    bar.setObjectName("readOnlyBar")
    bar.setMovable(False)
    bar.addWidget(banner)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    window.setWindowTitle(f"{window.windowTitle()}（只读）")
    return banner


def run(db_path: Path | str) -> int:
    """The window on an archive file or a hub (``postgresql://`` address), until it closes."""
    from zhuji_archive import logs

    logs.setup()
    app = make_application()
    if db_path == default_database():
        try:
            private_folder(db_path.parent)  # the user's data folder: archive, backups, logs
        except OSError:
            pass  # opening says why
    settings = app_settings()
    install_error_handler()
    while True:  # again after a restore from a backup: the restored archive is logged in to anew
        window = start_window(db_path, settings)
        if window is None:
            return 1
        code = app.exec()
        from zhuji_archive.gui.operations import wait_for

        wait_for(window.archive)  # no load may run on against a closed archive
        window.archive.close()
        if window.restored is None:
            return code
        db_path = window.restored.archive  # the file restored (the login window may have chosen another)


def start_window(db_path: Path | str, settings: QSettings) -> MainWindow | None:
    """Log in (or make the first administrator), then the main window, shown; None when the user gave
    up or the archive could not be opened (the user was told why)."""
    from zhuji_archive.gui.main_window import MainWindow

    archive = open_session(db_path, settings)
    if archive is None:
        return None
    window = MainWindow(archive, settings)
    if archive.db.read_only and not archive.db.on_hub:  # a file that cannot be written (a hub never is)
        show_read_only_banner(window, archive.db.read_only_reason)
    window.show()
    if archive.db.backup is not None:
        window.statusBar().showMessage(f"数据库已升级，升级前的副本保存在 {archive.db.backup}", 10000)
    start_daily_backup(window)
    return window


def start_daily_backup(window: MainWindow) -> None:
    """The day's first login backs the archive up (services/access.daily_backup): on the operation
    runner's write thread once the window shows — copying and verifying a county's archive (2 GB at
    400,000 households) held the login for seconds. A hub is backed up by its server; a file that
    cannot be written is not backed up from here."""
    from zhuji_archive.gui.operations import Operation
    from zhuji_archive.services import access

    archive = window.archive
    if archive.db.on_hub or archive.db.read_only:
        return

    def made(backup) -> None:  # type: ignore[no-untyped-def]
        archive.daily_backup = backup

    Operation(window, "每日自动备份", lambda _progress, _cancelled: access.daily_backup(archive), archive=archive).success(
        made
    ).run()


def open_session(db_path: Path | str, settings: QSettings) -> Archive | None:
    """Log in (or make the first administrator) through gui/login.py; an unexpected failure reaches
    the user in Chinese, with the details in the log only (a hub is named by server, never its password)."""
    from zhuji_archive.gui.login import start_session
    from zhuji_archive.logs import log_failure
    from zhuji_archive.services import access
    from zhuji_archive.storage.errors import describe_environment_error

    what = f"镇里的数据库“{access.shown(db_path)}”" if access.is_hub(db_path) else f"数据库文件“{db_path}”"
    try:
        return start_session(db_path, settings)
    except Exception as error:  # noqa: BLE001 - every start-up failure reaches the user in Chinese
        environment = log_failure("打开档案", error)
        message = (
            f"无法打开{what}：{describe_environment_error(error)}"
            if environment
            else f"打开{what}时程序出现了意外错误，档案没有打开，也没有被改动。"
            "详细情况已记入日志文件，请告知维护人员。"
        )
    QMessageBox.critical(None, APP_NAME, message)
    return None
