"""Starting the application: Qt, bundled fonts, the operator's name, the archive, the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog, QMessageBox

from zhuji_archive import APP_NAME, __version__
from zhuji_archive.gui.fonts import default_font, register_fonts
from zhuji_archive.gui.qt_chinese import install_chinese
from zhuji_archive.paths import settings_file
from zhuji_archive.services.archive import Archive
from zhuji_archive.storage.database import DatabaseError


def make_application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication set-up shared by the window, the tests (conftest's ``qapp``) and tools:
    name, Chinese locale and Qt's own Chinese texts, the bundled font."""
    app = QApplication.instance() or QApplication(argv or sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    install_chinese(app)
    app.setFont(default_font(register_fonts()))
    return app  # type: ignore[return-value]


def app_settings() -> QSettings:
    return QSettings(str(settings_file()), QSettings.Format.IniFormat)


RECENT_OPERATORS = "operators"  # a QSettings array: operators/size, operators/1/name, …
LEGACY_RECENT = "operator/recent"  # before: a plain value, which an INI file cannot tell from a list
MAX_RECENT = 8


def recent_operators(settings: QSettings) -> list[str]:
    """The names of recent operators, most recent first.

    Versions before this one wrote ``operator/recent``: for one name INI stores it as ``recent=李新手``,
    which reads back as a string, and iterating that string split the name into 李/新/手; a user who
    then accepted the pre-filled "李" stored one-character "names". Those values are read here
    once: a string is one name, and one-character entries (never a whole name, only fragments of
    that split) are dropped."""
    size = settings.beginReadArray(RECENT_OPERATORS)
    names = []
    for i in range(size):
        settings.setArrayIndex(i)
        names.append(str(settings.value("name") or ""))
    settings.endArray()
    if not size:
        legacy = settings.value(LEGACY_RECENT)
        if isinstance(legacy, str):
            names = [legacy]
        elif isinstance(legacy, list):
            names = [str(name) for name in legacy if len(str(name).strip()) > 1]
    unique: list[str] = []
    for name in (n.strip() for n in names):
        if name and name not in unique:
            unique.append(name)
    return unique[:MAX_RECENT]


def remember_operator(settings: QSettings, name: str) -> None:
    """Put ``name`` first in the recent list, as an array that reads back as a list of whole names."""
    names = [name, *[n for n in recent_operators(settings) if n != name]][:MAX_RECENT]
    settings.remove(LEGACY_RECENT)
    settings.remove(RECENT_OPERATORS)
    settings.beginWriteArray(RECENT_OPERATORS, len(names))
    for i, each in enumerate(names):
        settings.setArrayIndex(i)
        settings.setValue("name", each)
    settings.endArray()
    settings.sync()


def ask_operator(settings: QSettings) -> str | None:
    """Who is working: chosen from recent names or typed; remembered for next time. Every change is
    signed with this name, so a one-character answer (a surname alone) is asked again."""
    recent = recent_operators(settings)
    label = "请选择或输入操作人姓名："
    typed = recent[0] if recent else ""
    while True:
        dialog = QInputDialog()
        dialog.setWindowTitle(APP_NAME)
        dialog.setLabelText(label)
        dialog.setComboBoxItems(recent or [""])
        dialog.setComboBoxEditable(True)
        dialog.setTextValue(typed)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        name = dialog.textValue().strip()
        if not name:
            return None
        if len(name) >= 2:
            break
        label = f"“{name}”不是完整的姓名，所有修改都将以操作人署名。请输入完整姓名："
        typed = name
    remember_operator(settings, name)
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
