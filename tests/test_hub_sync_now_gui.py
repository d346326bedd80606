"""立即同步 on the laptop's 同步 page through real widgets (issue 14, docs/sync.md): the real endpoint
(uvicorn on a free localhost port, tests/test_hub_sync_http.py's Served) over a real PostgreSQL hub, a
laptop joined by the ordinary enrolment. The address is asked once and remembered in the window's
QSettings; a change reaches the hub and the page says so; a refusal and a stopped server leave the
change waiting and say why."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox
from sync_windows import settle
from test_hub_sync import _address, _edit, _town
from test_hub_sync_http import Served

from zhuji_archive.gui.app import make_application
from zhuji_archive.gui.main_window import MainWindow
from zhuji_archive.gui.sync_page import ADDRESS_KEY, AddressDialog, LaptopSyncPage


def test_sync_now_from_the_page_delivers_and_says_so(
    qtbot, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    make_application()
    boxes: list[str] = []
    monkeypatch.setattr(QMessageBox, "open", lambda self: boxes.append(self.text()))
    town = _town(request, tmp_path)
    served = Served(town)
    request.addfinalizer(served.stop)
    settings_path = tmp_path / "laptop.ini"
    win = MainWindow(town.laptop, QSettings(str(settings_path), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    page = win.sync_page
    assert isinstance(page, LaptopSyncPage)
    win.tabs.setCurrentWidget(page)
    settle(qtbot, town.laptop)
    assert page.now_button.text() == "立即同步…"
    assert page.hub_address.text().startswith("还没有填写")

    _edit(town.laptop, town.household, address="甲村2号")
    page.reload()
    settle(qtbot, town.laptop)
    assert page.waiting.text() == "1条"

    # The first 立即同步 asks for the address: a wrong one is explained in the dialog, the right one is kept.
    asked: list[str] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, AddressDialog)
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        dialog.address.setText("192.168.1.10:端口")
        ok.click()
        asked.append(dialog.problem.text())
        assert dialog.isVisible()  # not accepted
        dialog.address.setText(served.address)
        ok.click()

    QTimer.singleShot(0, answer)
    qtbot.mouseClick(page.now_button, Qt.MouseButton.LeftButton)
    settle(qtbot, town.laptop)
    assert asked and "端口不对" in asked[0]
    assert _address(town.hub, town.household) == "甲村2号"  # the change is at the hub
    assert page.last_now is not None and (page.last_now.sent, page.last_now.hub_applied) == (1, 1)
    assert page.now_result.text().startswith("已送达镇里1条更改；回执已导入")
    assert "镇里已确认到第1号" in page.now_result.text()
    assert page.waiting.text() == "没有，全部已送达镇里"
    assert page.receipt_at.text() != "还没有导入过回执"
    assert page.hub_address.text() == served.address and page.now_button.isEnabled()
    assert QSettings(str(settings_path), QSettings.Format.IniFormat).value(ADDRESS_KEY) == served.address
    assert "已送达镇里1条更改" in win.statusBar().currentMessage()
    assert not boxes

    # Remembered: the next 立即同步 asks nothing. The hub refuses a revoked device: the change waits.
    def no_dialog() -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, AddressDialog):
            asked.append("asked again")
            modal.reject()

    _edit(town.laptop, town.household, address="甲村3号")
    town.hub.sync.revoke_device(town.device_id)
    QTimer.singleShot(0, no_dialog)
    qtbot.mouseClick(page.now_button, Qt.MouseButton.LeftButton)
    settle(qtbot, town.laptop)
    assert len(asked) == 1
    assert page.now_result.text().startswith("镇里拒收了这次同步：")
    assert "本机没有任何改动" in page.now_result.text() and boxes == [page.now_result.text()]
    assert page.waiting.text() == "1条" and _address(town.hub, town.household) == "甲村2号"

    # The server stopped: the unreachable message, and the change still waiting.
    served.stop()
    qtbot.mouseClick(page.now_button, Qt.MouseButton.LeftButton)
    settle(qtbot, town.laptop)
    text = page.now_result.text()
    assert text.startswith(f"连不上镇里的同步服务（{served.address}）")
    assert "本机1条待发送的更改都还在" in text and boxes[-1] == text
    assert page.waiting.text() == "1条" and page.now_button.isEnabled()
    assert town.laptop.sync.waiting() == 1 and _address(town.hub, town.household) == "甲村2号"
    assert win.statusBar().currentMessage() == "立即同步没有完成"
    win.close()
    settle(qtbot, town.laptop)
