"""GUI tests: the first window and the large dialogs fit a 1366×768 laptop screen and can shrink to
1024×600 (the tests run on an offscreen 1366×768 screen, see conftest)."""

from __future__ import annotations

from accounts import open_archive
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import select

from zhuji_archive.gui.cadre_dialog import CadreDialog
from zhuji_archive.gui.import_wizard import ImportWizard
from zhuji_archive.gui.main_window import MainWindow
from zhuji_archive.gui.screen_fit import FRAME_ALLOWANCE, fitted_size
from zhuji_archive.gui.settings_dialog import SettingsDialog
from zhuji_archive.storage.models import Household, Request

NETBOOK = QSize(1024, 600)


def _area() -> QRect:
    area = QGuiApplication.primaryScreen().availableGeometry()
    assert area.size() == QSize(1366, 768)  # the screen conftest asks the offscreen platform for
    return area


def _on_screen(widget: QWidget) -> None:
    """The whole window, frame included, lies inside the available screen, and it could shrink to a
    1024×600 screen."""
    area = _area()
    assert area.contains(widget.frameGeometry()), (widget.windowTitle(), widget.frameGeometry())
    hint = widget.minimumSizeHint()
    assert hint.width() <= NETBOOK.width() and hint.height() <= NETBOOK.height(), (widget.windowTitle(), hint)


def _global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def test_first_window_fits_the_screen_with_its_status_bar(window):
    _on_screen(window)
    assert _area().contains(_global_rect(window.statusBar()))


def test_a_long_archive_path_does_not_widen_the_window(qtbot, tmp_path, settings):
    folder = tmp_path / ("很长的文件夹名称" * 6) / ("另一个很长的文件夹名称" * 6)
    folder.mkdir(parents=True)
    archive = open_archive(folder / "安华镇群众档案.sqlite3", "测试员")
    window = MainWindow(archive, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    # The whole path is still there to read, in the status bar's tooltip.
    assert any(str(folder) in w.toolTip() for w in window.statusBar().findChildren(QWidget))
    _on_screen(window)
    window.close()
    archive.close()


def test_saved_geometry_from_a_bigger_screen_is_not_restored(qtbot, demo_archive, settings):
    big = QWidget()
    big.setGeometry(100, 100, 1840, 1000)  # as saved on a 1920×1080 office screen
    settings.setValue("main/geometry", big.saveGeometry())
    window = MainWindow(demo_archive, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    _on_screen(window)
    # A geometry that fits is restored as it was.
    window.setGeometry(40, 60, 900, 560)
    window.close()
    again = MainWindow(demo_archive, settings)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.geometry() == QRect(40, 60, 900, 560)


def test_print_preview_fits_the_screen(qtbot, window):
    action = next(a for a in window.outputs.menu.actions() if a.text().startswith("打印空白户表"))
    action.trigger()
    qtbot.waitUntil(lambda: bool(window.outputs.previews), timeout=20000)
    preview = window.outputs.previews[-1]
    qtbot.waitExposed(preview)
    _on_screen(preview)
    for button in (preview.print_button, preview.whole_button):
        assert _area().contains(_global_rect(button))
    preview.close()


def test_large_dialogs_fit_the_screen(qtbot, window, demo_archive):
    with demo_archive.db.sessions() as session:
        household_id = session.scalar(select(Household.id).limit(1))
        request_id = session.scalar(select(Request.id).limit(1))
    household = window.open_household(household_id)
    request = window.open_request(request_id)
    others = [cls(demo_archive, window) for cls in (SettingsDialog, CadreDialog, ImportWizard)]
    for dialog in others:
        qtbot.addWidget(dialog)
        dialog.show()
    QApplication.processEvents()
    for dialog in (household, request, *others):
        qtbot.waitExposed(dialog)
        _on_screen(dialog)
    for dialog in (household, request, *others):
        dialog.close()


def test_sizes_follow_small_screens():
    for area in (QRect(0, 0, 1366, 728), QRect(0, 0, 1024, 560), QRect(0, 0, 1280, 760)):
        size = fitted_size(QSize(1280, 800), area)
        assert size.width() + FRAME_ALLOWANCE.width() <= area.width()
        assert size.height() + FRAME_ALLOWANCE.height() <= area.height()
    assert fitted_size(QSize(760, 520), QRect(0, 0, 1920, 1040)) == QSize(760, 520)


def test_the_request_lists_show_every_column_without_scrolling_sideways(window, demo_archive, qtbot):
    """On a 1366-wide laptop the request list and the township review queue show every column, 责任单位/
    责任人 and 登记日期 included; 诉求内容 takes what width is left and elides the rest."""
    from loading import loaded

    window.showMaximized()
    for page, view in ((window.requests, window.requests.view), (window.township, window.township.queue.view)):
        window.tabs.setCurrentWidget(page)
        loaded(qtbot, demo_archive)
        qtbot.waitUntil(lambda view=view: view.model().rowCount() > 0)
        QApplication.processEvents()
        assert view.horizontalScrollBar().maximum() == 0, type(page).__name__
        description = next(c for c in range(view.model().columnCount()) if view.model().headerData(c, Qt.Orientation.Horizontal) == "诉求内容")
        assert view.columnWidth(description) >= 150
