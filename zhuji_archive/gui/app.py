"""Starting the application: Qt, bundled fonts, the operator's name, the archive, the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from zhuji_archive import APP_NAME, __version__
from zhuji_archive.gui.fonts import default_font, register_fonts
from zhuji_archive.gui.icon import ICON_NAME, app_icon
from zhuji_archive.paths import settings_file
from zhuji_archive.services.archive import Archive
from zhuji_archive.storage.database import DatabaseError


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    app.setDesktopFileName(ICON_NAME)  # ties windows to zhuji-archive.desktop (its menu icon) on Linux
    app.setFont(default_font(register_fonts()))
    return app  # type: ignore[return-value]


def app_settings() -> QSettings:
    return QSettings(str(settings_file()), QSettings.Format.IniFormat)


def ask_operator(settings: QSettings) -> str | None:
    """Who is working: chosen from recent names or typed; remembered for next time."""
    recent = [name for name in (settings.value("operator/recent") or []) if name]
    if isinstance(recent, str):
        recent = [recent]
    name, ok = QInputDialog.getItem(None, APP_NAME, "请选择或输入操作人姓名：", recent or [""], 0, True)
    name = name.strip()
    if not ok or not name:
        return None
    settings.setValue("operator/recent", [name, *[n for n in recent if n != name]][:8])
    return name


def install_error_handler() -> None:
    """Errors that reach the event loop: the machine's fault gets a plain Chinese message; a bug gets
    an apology with the details to pass on. Either way the window stays open and nothing half-saved
    remains, since every save is one transaction."""
    import traceback

    from zhuji_archive.storage.errors import describe_environment_error

    def handle(kind, error, trace) -> None:  # type: ignore[no-untyped-def]
        message = describe_environment_error(error)
        if message is not None:
            QMessageBox.warning(QApplication.activeWindow(), APP_NAME, message)
            return
        details = "".join(traceback.format_exception(kind, error, trace))
        sys.stderr.write(details)
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


def run(db_path: Path, operator: str | None = None) -> int:
    from zhuji_archive.gui.main_window import MainWindow

    app = make_application()
    settings = app_settings()
    operator = operator or ask_operator(settings)
    if not operator:
        return 1
    try:
        archive = Archive.open(db_path, operator)
    except DatabaseError as error:
        QMessageBox.critical(None, APP_NAME, str(error))
        return 2
    except OSError as error:
        QMessageBox.critical(None, APP_NAME, f"无法打开数据库文件“{db_path}”：{error.strerror or error}")
        return 2
    install_error_handler()
    window = MainWindow(archive, settings)
    window.show()
    if archive.db.backup is not None:
        window.statusBar().showMessage(f"数据库已升级，升级前的副本保存在 {archive.db.backup}", 10000)
    code = app.exec()
    archive.close()
    return code
