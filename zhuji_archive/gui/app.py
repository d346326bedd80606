"""Starting the application: Qt, bundled fonts, the operator's name, the archive, the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QInputDialog,
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
from zhuji_archive.storage.database import DatabaseError


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


def open_archive(db_path: Path, operator: str) -> Archive | None:
    """Open the archive, or tell the user in Chinese why not (and return None)."""
    from zhuji_archive.logs import log_failure
    from zhuji_archive.storage.errors import describe_environment_error

    try:
        return Archive.open(db_path, operator)
    except DatabaseError as error:
        message = str(error)
    except Exception as error:  # noqa: BLE001 - every start-up failure reaches the user in Chinese
        environment = log_failure("打开档案", error)
        message = (
            f"无法打开数据库文件“{db_path}”：{describe_environment_error(error)}"
            if environment
            else f"打开数据库文件“{db_path}”时程序出现了意外错误，档案没有打开，也没有被改动。"
            "详细情况已记入日志文件，请告知维护人员。"
        )
    QMessageBox.critical(None, APP_NAME, message)
    return None


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


def run(db_path: Path, operator: str | None = None) -> int:
    from zhuji_archive import logs
    from zhuji_archive.gui.main_window import MainWindow

    logs.setup()
    app = make_application()
    settings = app_settings()
    operator = operator or ask_operator(settings)
    if not operator:
        return 1
    if db_path == default_database():
        try:
            private_folder(db_path.parent)  # the user's data folder: archive, backups, logs
        except OSError:
            pass  # opening says why
    install_error_handler()
    while True:  # again after a restore from a backup: the restored archive is logged in to anew
        archive = open_archive(db_path, operator)
        if archive is None:
            return 2
        window = MainWindow(archive, settings)
        if archive.db.read_only:
            show_read_only_banner(window, archive.db.read_only_reason)
        window.show()
        if archive.db.backup is not None:
            window.statusBar().showMessage(f"数据库已升级，升级前的副本保存在 {archive.db.backup}", 10000)
        code = app.exec()
        from zhuji_archive.gui.operations import wait_for

        wait_for(archive)  # no load may run on against a closed archive
        archive.close()
        if window.restored is None:
            return code
