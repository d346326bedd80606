"""Window sizes that fit the screen in use: a township laptop has 1366×768, a netbook 1024×600.

Large windows ask for the size they would like and get at most what the screen offers (its
available geometry, without the task bar), so title bar, status bar and buttons stay reachable.
A saved window position is used only if it still fits the screen the window lands on."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# Room for the window manager's border and title bar, which Qt knows only once a window is shown.
FRAME_ALLOWANCE = QSize(16, 40)


def available_area(widget: QWidget) -> QRect:
    """The available geometry of the screen the window is (or will be) shown on."""
    parent = widget.parentWidget()
    screen = (parent.window().screen() if parent is not None else None) or widget.screen()
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def frame_allowance(widget: QWidget) -> QSize:
    if widget.isVisible():
        frame, inner = widget.frameGeometry(), widget.geometry()
        return QSize(frame.width() - inner.width(), frame.height() - inner.height())
    return FRAME_ALLOWANCE


def fitted_size(preferred: QSize, area: QRect, allowance: QSize = FRAME_ALLOWANCE) -> QSize:
    """``preferred``, shrunk where it would not fit into ``area`` together with its frame."""
    return preferred.boundedTo(QSize(area.width() - allowance.width(), area.height() - allowance.height()))


def fit_to_screen(widget: QWidget, preferred: QSize | None = None) -> QSize:
    """Resize a window to ``preferred`` (its current size if omitted), or less if the screen is
    smaller; a window without a parent is also placed in the middle of the screen (a dialog is
    placed over its parent by Qt). Returns the size given."""
    area = available_area(widget)
    allowance = frame_allowance(widget)
    size = fitted_size(preferred or widget.size(), area, allowance)
    widget.resize(size)
    if widget.parentWidget() is None:
        left = area.left() + max(0, (area.width() - size.width() - allowance.width()) // 2)
        top = area.top() + max(0, (area.height() - size.height() - allowance.height()) // 2)
        widget.move(left, top)
    return size


def fits_on_screen(widget: QWidget) -> bool:
    """Whether the window lies inside the available geometry of a screen with room for its frame.
    (Qt itself keeps a restored title bar below the top of the screen.)"""
    inner = widget.normalGeometry() if widget.isMaximized() else widget.geometry()
    screen = QGuiApplication.screenAt(inner.center())
    if screen is None:
        return False
    area, allowance = screen.availableGeometry(), frame_allowance(widget)
    return (
        area.contains(inner)
        and inner.width() + allowance.width() <= area.width()
        and inner.height() + allowance.height() <= area.height()
    )


def restore_geometry(widget: QWidget, saved: object, preferred: QSize) -> bool:
    """Restore a saved geometry if it fits the current screen; otherwise (another screen, a lower
    resolution, nothing saved) size the window from the screen. Returns whether it was restored."""
    if isinstance(saved, QByteArray | bytes) and widget.restoreGeometry(QByteArray(saved)):
        if fits_on_screen(widget):
            return True
        widget.setWindowState(widget.windowState() & ~Qt.WindowState.WindowMaximized)
    fit_to_screen(widget, preferred)
    return False
