"""The sync pages through real widgets (issue 14 GUI): 设备与同步 at a PostgreSQL hub for 党政办, 同步 on
a laptop joined through the services. Enrol at the hub page, join, record a change on the laptop,
生成同步文件 on the laptop page, 导入同步文件 on the hub page, the change is at the hub; a conflict
shows in the queue with both values and is decided there; the receipt brings the decision back."""

from __future__ import annotations

from pathlib import Path

import pg_cluster
import pytest
from accounts import PASSWORD, migrated_hub, open_archive
from PySide6.QtWidgets import QFileDialog, QMessageBox
from sync_windows import cells, hub_town, settle, window

from zhuji_archive.domain.accounts import Role
from zhuji_archive.gui.app import make_application
from zhuji_archive.gui.operations import wait_for
from zhuji_archive.gui.sync_page import HubSyncPage, LaptopSyncPage
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.sync import join


def _edit(arc: Archive, household_id: str, **fields: object) -> None:
    file = arc.households.load(household_id)
    for name, value in fields.items():
        setattr(file, name, value)
    arc.households.save(file)


def test_enrol_sync_and_decide_through_the_pages(
    qtbot, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    make_application()
    monkeypatch.setattr(QMessageBox, "open", lambda self: None)  # the code box must not block a test run
    name = "hub_sync_gui"
    made = hub_town(request, name)
    hub, household, login = made.hub, made.household, made.cadre_login

    # At the hub, 党政办 sees 设备与同步 and enrols the laptop there.
    hub_window = window(qtbot, hub, tmp_path, "hub")
    page = hub_window.sync_page
    assert isinstance(page, HubSyncPage)
    assert hub_window.tabs.tabText(hub_window.tabs.indexOf(page)) == "设备与同步"
    hub_window.tabs.setCurrentWidget(page)
    enrolment_file = tmp_path / "小李的笔记本.zjenrol"
    page.enrol("小李的笔记本", login, enrolment_file)
    settle(qtbot, hub)
    assert page.last_code and enrolment_file.exists()
    assert cells(page.devices, 0)[:2] == ["小李的笔记本", "驻村干部小李"]
    assert cells(page.devices, 0)[4:] == ["第0号", "使用中"]

    # The cadre joins with the file and the code read out; the laptop offers 同步, not the hub's page.
    laptop = join(enrolment_file, tmp_path / "laptop" / "档案.sqlite3", PASSWORD, page.last_code)
    request.addfinalizer(laptop.close)
    laptop_window = window(qtbot, laptop, tmp_path, "laptop")
    mine = laptop_window.sync_page
    assert isinstance(mine, LaptopSyncPage)
    laptop_window.tabs.setCurrentWidget(mine)
    settle(qtbot, laptop)
    assert mine.waiting.text() == "没有，全部已送达镇里"

    # A change on the laptop, and another on the same field at the hub: a conflict to be.
    _edit(laptop, household, address="甲村2号", phone="13800000001")
    _edit(hub, household, phone="13900000009")
    mine.reload()
    settle(qtbot, laptop)
    assert mine.waiting.text() == "1条"

    usb = tmp_path / "U盘"
    mine.export_to(usb)
    settle(qtbot, laptop)
    assert mine.last_file is not None and mine.last_file.parent == usb
    assert mine.last_file.name in mine.exported.text()

    page.apply_file(mine.last_file)
    settle(qtbot, hub)
    result = page.last_result
    assert result is not None and (result.applied, result.conflicts) == (1, 1)
    assert "回执已保存" in page.result.text()
    at_hub = hub.households.load(household)
    assert (at_hub.address, at_hub.phone) == ("甲村2号", "13800000001")  # the later arrival wins
    assert cells(page.devices, 0)[4] == "第1号" and cells(page.devices, 0)[3] != "—"
    assert page.conflicts.rowCount() == 1
    row = cells(page.conflicts, 0)
    # numbers masked as in the lists (the 党政办 role sees them masked by default)
    assert row[:3] == ["甲村2号（1号户）", "联系电话", "139****0009"] and row[4] == "138****0001"
    assert row[3].startswith(hub.actor.display_name + " ") and row[5].startswith("小李的笔记本 ")
    assert row[6] == "笔记本的值"  # kept in hub order: the laptop's arrived later

    # 党政办 takes the hub's value: it becomes the record's, and the receipt carries it back.
    page.conflicts.selectRow(0)
    assert page.take_hub.isEnabled() and page.take_laptop.isEnabled()
    page.take_hub.click()
    settle(qtbot, hub)
    assert page.conflicts.rowCount() == 0
    assert hub.households.load(household).phone == "13900000009"
    decision = result.receipt_path.with_name("after-decision.zjreceipt")
    page.apply_file(mine.last_file, decision)  # applied again: nothing new, a fresh receipt
    settle(qtbot, hub)
    assert page.last_result is not None and page.last_result.duplicate

    mine.apply_receipt(decision)
    settle(qtbot, laptop)
    assert "镇里已确认到第1号" in mine.applied.text()
    assert mine.waiting.text() == "没有，全部已送达镇里"
    assert laptop.households.load(household).phone == "13900000009"
    assert mine.receipt_at.text() != "还没有导入过回执"

    # 生成回执… for the selected device: the hub's next edit goes to the village without a file from it.
    _edit(hub, household, address="甲村3号")
    page.devices.selectRow(0)
    assert page.receipt_button.isEnabled()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_a, **_k: str(tmp_path / "回执盘"))
    page.receipt_button.click()
    settle(qtbot, hub)
    (made,) = (tmp_path / "回执盘").glob("*.zjreceipt")
    assert made.name in page.result.text()
    mine.apply_receipt(made)
    settle(qtbot, laptop)
    assert laptop.households.load(household).address == "甲村3号"

    # Revoking at the page: the device shows 已停用 and gets no receipt any more.
    page.devices.selectRow(0)
    page.revoke(page.device_rows[0].id)
    settle(qtbot, hub)
    assert cells(page.devices, 0)[5] == "已停用"
    page.devices.selectRow(0)
    assert not page.receipt_button.isEnabled()
    hub_window.close()
    laptop_window.close()
    settle(qtbot, hub, laptop)


def test_the_pages_are_offered_only_to_who_may(qtbot, request: pytest.FixtureRequest, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    make_application()
    name = "hub_sync_gui_roles"
    url = migrated_hub(name)
    request.addfinalizer(lambda: pg_cluster.cluster().drop(name))
    with open_archive(url, "领导老张", Role.LEADER) as leader:
        win = window(qtbot, leader, tmp_path, "leader")
        assert win.sync_page is None  # a leader watches the town but does not enrol devices
        win.close()
        wait_for(leader)
    with open_archive(tmp_path / "plain.sqlite3", "党政办小赵") as plain:
        win = window(qtbot, plain, tmp_path, "plain")
        if plain.db.on_hub:  # the PostgreSQL pass: every archive is a hub, where 党政办 has the page
            assert isinstance(win.sync_page, HubSyncPage)
        else:
            assert win.sync_page is None  # a file that never joined a hub has nothing to sync
        win.close()
        wait_for(plain)
