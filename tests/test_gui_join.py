"""从镇里领取档案 in the first-start window (issue 14), through real widgets: the cadre picks the enrolment
file 党政办 wrote at a hub (a SQLite hub here), types the one-time code and the password, chooses where to
save, and the window opens on the laptop's new archive. A wrong code, a wrong password, a file that is no
enrolment file and a place already taken are said in Chinese in the window and leave nothing behind."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from accounts import PASSWORD, admin, ensure_account, open_archive
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication

from zhuji_archive.domain.accounts import Role
from zhuji_archive.gui.app import start_window
from zhuji_archive.gui.hub_dialog import recent_archives
from zhuji_archive.gui.join_dialog import JoinDialog
from zhuji_archive.gui.login import CreateAdminDialog
from zhuji_archive.gui.operations import wait_for
from zhuji_archive.gui.sync_page import LaptopSyncPage
from zhuji_archive.services import access
from zhuji_archive.views.household_file import MemberData

SUFFIXES = ("", "-wal", "-shm", ".keys")


def _enrolment(tmp_path: Path) -> tuple[Path, str, str]:
    """A hub with one household in 甲村 and a 驻村干部 for it; his enrolment file, code and login."""
    where = tmp_path / "hub" / "镇里.sqlite3"
    where.parent.mkdir()
    with open_archive(where, "党政办小王", Role.OFFICE) as hub:
        town = hub.organisation.add_town("安华镇", "诸暨市", "330681")
        village = hub.organisation.add_village(town, "甲村")
        group = hub.organisation.add_group(village, "一组")
        file = hub.households.new_file(group)
        file.address = "甲村1号"
        file.members = [MemberData(name="甲户主", relation="户主", sex="男", birth_date=date(1960, 1, 1))]
        hub.households.save(file)
        with admin(where) as chief:
            login = ensure_account(chief, "驻村干部小李", Role.CADRE, (village,))
        enrolment = hub.sync.enrol_device("小李的笔记本", login)
    path = tmp_path / "U盘" / "小李的笔记本.zjenrol"
    path.parent.mkdir()
    path.write_bytes(enrolment.data)
    return path, enrolment.code, login


def _type(qtbot, edit, text: str) -> None:  # type: ignore[no-untyped-def]
    edit.clear()
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        edit.insert(text)  # Chinese goes through the input method, which QTest cannot press


def _try(qtbot, dialog: JoinDialog, file: Path, code: str, password: str, target: Path) -> str:  # type: ignore[no-untyped-def]
    """Fill the four fields, click 领取, wait for the outcome; the window's message."""
    _type(qtbot, dialog.file, str(file))
    _type(qtbot, dialog.code, code)
    _type(qtbot, dialog.password, password)
    _type(qtbot, dialog.target, str(target))
    qtbot.mouseClick(dialog.join_button, Qt.MouseButton.LeftButton)
    if dialog.handle is not None:
        qtbot.waitUntil(lambda: not dialog.handle.running, timeout=30000)
    return dialog.message.text() or dialog.fields.error_text("target") or dialog.fields.error_text("file")


def _left_behind(target: Path) -> list[str]:
    return [target.name + s for s in SUFFIXES if Path(f"{target}{s}").exists()]


def test_the_first_start_fetches_the_archive_from_the_hub_and_opens_it(qtbot, when_modal, tmp_path: Path) -> None:
    enrolment, code, login = _enrolment(tmp_path)
    laptop_folder = tmp_path / "笔记本"
    laptop_folder.mkdir()
    taken = laptop_folder / "已有的文件.sqlite3"
    taken.write_bytes(b"not an archive, and must stay so")
    target = laptop_folder / "小李的档案.sqlite3"
    seen: list[str] = []

    def fill(dialog: JoinDialog) -> None:
        assert dialog.windowTitle().endswith("从镇里领取档案")
        assert Path(dialog.target.text()).parent == laptop_folder  # offered beside the archive being started
        wrong_code = "-".join(["0000"] * 4) if code != "0000-0000-0000-0000" else "1111-1111-1111-1111"
        seen.append(_try(qtbot, dialog, enrolment, wrong_code, PASSWORD, target))
        seen.append(_left_behind(target) and "left" or "")
        assert dialog.password.text() == "" and dialog.join_button.isEnabled()
        seen.append(_try(qtbot, dialog, enrolment, code, "Wrong-2026", target))
        seen.append(_left_behind(target) and "left" or "")
        seen.append(_try(qtbot, dialog, enrolment, code, PASSWORD, taken))
        seen.append(_try(qtbot, dialog, taken, code, PASSWORD, target))
        seen.append(_left_behind(target) and "left" or "")
        _try(qtbot, dialog, enrolment, code, PASSWORD, target)  # right: the window closes, the archive opens

    def first_start(start: CreateAdminDialog) -> None:
        assert isinstance(start, CreateAdminDialog) and start.choice is not None
        assert start.choice.join_button.text() == "从镇里领取档案…"

        def poll() -> None:
            modal = QApplication.activeModalWidget()
            if isinstance(modal, JoinDialog) and modal.isVisible():
                fill(modal)
            else:
                QTimer.singleShot(10, poll)

        QTimer.singleShot(0, poll)
        qtbot.mouseClick(start.choice.join_button, Qt.MouseButton.LeftButton)  # blocks until the dialog ends

    when_modal(first_start)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = start_window(laptop_folder / "新档案.sqlite3", settings)
    assert window is not None
    qtbot.addWidget(window)
    assert seen == [
        "登记码不对，或登记文件已损坏", "",
        "密码不对：请用这个账号在镇里的密码", "",
        "这个位置已经有文件，请另选一个位置（已有的文件不会被改动）",
        "这不是设备登记文件", "",
    ]
    assert taken.read_bytes() == b"not an archive, and must stay so"
    assert not (laptop_folder / "新档案.sqlite3").exists()  # the first start made no archive of its own
    archive = window.archive
    assert archive.db.path == target and archive.actor.login == login
    assert access.state(target) is access.ArchiveState.LOCKED
    assert isinstance(window.sync_page, LaptopSyncPage)
    assert archive.sync.status().role == "laptop"
    assert recent_archives(settings)[0] == str(target)
    window.close()
    wait_for(archive)
    archive.close()
    access.unlock(target, login, PASSWORD).close()  # the account's password at the hub opens it


def test_leaving_the_window_makes_nothing(qtbot, tmp_path: Path) -> None:
    enrolment, code, _login = _enrolment(tmp_path)
    dialog = JoinDialog(tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.join_button, Qt.MouseButton.LeftButton)  # nothing filled in: each field says so
    assert [dialog.fields.error_text(f) for f in ("file", "code", "password")] == [
        "请选择登记文件", "请填写登记码", "请填写密码"
    ]
    assert dialog.handle is None
    target = Path(dialog.target.text())
    assert target.parent == tmp_path and target.name == "笔记本档案.sqlite3"
    _type(qtbot, dialog.file, str(tmp_path / "没有这个文件.zjenrol"))
    _type(qtbot, dialog.code, code)
    _type(qtbot, dialog.password, PASSWORD)
    qtbot.mouseClick(dialog.join_button, Qt.MouseButton.LeftButton)
    assert dialog.fields.error_text("file") == "找不到这个登记文件" and dialog.handle is None
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and dialog.archive is None
    assert not _left_behind(target)
