"""zhuji-archive backup / restore (cli/backups.py): a 系统管理员 logs in with --user and --password-stdin."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from accounts import ADMIN_LOGIN, ADMIN_PASSWORD, PASSWORD, admin, login_for, open_archive

from zhuji_archive.cli import common, main
from zhuji_archive.domain.accounts import Role
from zhuji_archive.services import access


@pytest.fixture
def archive_path(tmp_path: Path) -> Path:
    path = tmp_path / "档案.sqlite3"
    with open_archive(path) as office:
        town = office.organisation.add_town("安华镇", "诸暨市", "330681")
        office.organisation.add_village(town, "杜黄村")
    return path


def run(monkeypatch, password: str, *args: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return main(list(args))


def test_backup_then_restore_from_the_command_line(archive_path, tmp_path, monkeypatch, capsys):
    usb = tmp_path / "U盘"
    code = run(
        monkeypatch,
        ADMIN_PASSWORD,
        "backup",
        "--db",
        str(archive_path),
        "--user",
        ADMIN_LOGIN,
        "--password-stdin",
        "--to",
        str(usb),
    )
    out, err = capsys.readouterr()
    assert code == common.OK, err
    backup = Path(out.strip())
    assert backup.parent == usb and backup.is_file() and Path(str(backup) + ".keys").is_file()
    assert "已备份" in err and "校验通过" in err

    with open_archive(archive_path) as office:
        village = office.organisation.villages()[0][0]
        office.organisation.rename("village", village, "新杜黄村")

    code = run(
        monkeypatch,
        ADMIN_PASSWORD,
        "restore",
        "--db",
        str(archive_path),
        "--from",
        str(backup),
        "--user",
        ADMIN_LOGIN,
        "--password-stdin",
    )
    out, err = capsys.readouterr()
    assert code == common.OK, err
    assert "请重新登录" in err
    assert Path(out.strip()).is_file()  # the archive as it was before the restore
    with access.unlock(archive_path, ADMIN_LOGIN, ADMIN_PASSWORD) as chief:
        assert [name for _, name in chief.organisation.villages()] == ["杜黄村"]


def test_an_account_without_the_right_or_a_wrong_password_is_refused_in_chinese(
    archive_path, monkeypatch, capsys
):
    office = login_for("测试员" + Role.OFFICE.value)
    code = run(
        monkeypatch, PASSWORD, "backup", "--db", str(archive_path), "--user", office, "--password-stdin"
    )
    assert code == common.REFUSED
    assert capsys.readouterr().err.startswith("错误：")
    code = run(
        monkeypatch,
        "wrong-2026",
        "backup",
        "--db",
        str(archive_path),
        "--user",
        ADMIN_LOGIN,
        "--password-stdin",
    )
    assert code == common.REFUSED
    assert "登录名或密码不正确" in capsys.readouterr().err


def test_restoring_something_that_is_no_backup_is_refused(archive_path, tmp_path, monkeypatch, capsys):
    stray = tmp_path / "别的.sqlite3"
    stray.write_bytes(b"x" * 100)
    code = run(
        monkeypatch,
        ADMIN_PASSWORD,
        "restore",
        "--db",
        str(archive_path),
        "--from",
        str(stray),
        "--user",
        ADMIN_LOGIN,
        "--password-stdin",
    )
    assert code == common.REFUSED
    assert "不是群众档案的备份" in capsys.readouterr().err
    with admin(archive_path) as chief:
        assert [name for _, name in chief.organisation.villages()] == ["杜黄村"]
