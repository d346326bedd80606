"""What the sync GUI tests share: a main window on an open archive, waiting until its operations end by
themselves, a table's cells, and a PostgreSQL hub with one village, one household and a cadre to enrol."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pg_cluster
import pytest
from accounts import admin, ensure_account, migrated_hub, open_archive
from PySide6.QtCore import QSettings

from zhuji_archive.domain.accounts import Role
from zhuji_archive.gui.main_window import MainWindow
from zhuji_archive.gui.operations import runner_for
from zhuji_archive.services.archive import Archive
from zhuji_archive.views.household_file import MemberData


def window(qtbot, arc: Archive, tmp_path: Path, name: str) -> MainWindow:  # type: ignore[no-untyped-def]
    win = MainWindow(arc, QSettings(str(tmp_path / f"{name}.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def settle(qtbot, *archives: Archive) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):  # a write's success starts the pages' reloads: let those end too
        for arc in archives:  # wait for the work to end by itself (wait_for would cancel it)
            qtbot.waitUntil(lambda a=arc: not runner_for(a).busy, timeout=30000)
        qtbot.wait(30)  # results reach the GUI thread through queued signals


def cells(table, row: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [table.item(row, c).text() for c in range(table.columnCount())]


@dataclass
class HubTown:
    """党政办 logged in at a PostgreSQL hub holding 甲村 一组 with one household, and a cadre of 甲村."""

    hub: Archive
    village: str
    household: str
    cadre_login: str


def hub_town(request: pytest.FixtureRequest, name: str) -> HubTown:
    url = migrated_hub(name)
    request.addfinalizer(lambda: pg_cluster.cluster().drop(name))
    hub = open_archive(url, "党政办小王", Role.OFFICE)
    request.addfinalizer(hub.close)
    town = hub.organisation.add_town("安华镇", "诸暨市", "330681")
    village = hub.organisation.add_village(town, "甲村")
    group = hub.organisation.add_group(village, "一组")
    file = hub.households.new_file(group)
    file.address = "甲村1号"
    file.members = [MemberData(name="甲户主", relation="户主", sex="男", birth_date=date(1960, 1, 1))]
    household = hub.households.save(file)
    with admin(url) as chief:
        login = ensure_account(chief, "驻村干部小李", Role.CADRE, (village,))
    return HubTown(hub, village, household, login)
