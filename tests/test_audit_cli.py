"""`zhuji-archive audit verify`: exit 0 with the count on an intact log, 4 naming the first broken
entry (number and time, no personal data), 2 without an account or with one not allowed to read the log."""

from __future__ import annotations

import io

import pytest
from accounts import ADMIN_LOGIN, ADMIN_PASSWORD, PASSWORD, as_person, ensure_account, raw_connection

from zhuji_archive.cli import main
from zhuji_archive.domain.accounts import Role
from zhuji_archive.services.archive import Archive


def _verify(monkeypatch, archive: Archive, user: str | None, password: str = ADMIN_PASSWORD) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    argv = ["audit", "verify", "--db", str(archive.db.path), "--password-stdin"]
    return main(argv + (["--user", user] if user else []))


def test_an_intact_log_exits_zero_with_the_count(archive: Archive, monkeypatch, capsys) -> None:
    code = _verify(monkeypatch, archive, ADMIN_LOGIN)
    out = capsys.readouterr().out
    assert code == 0 and "操作日志完整" in out
    count = archive.audit.verify().checked
    assert f"共 {count} 条" in out and count > 0


def test_a_broken_log_exits_non_zero_naming_the_first_broken_entry(
    archive: Archive, monkeypatch, capsys
) -> None:
    connection = raw_connection(archive.db.path)
    connection.execute("UPDATE change_log SET operator = '张建国' WHERE seq = 3")
    connection.commit()
    connection.close()
    code = _verify(monkeypatch, archive, ADMIN_LOGIN)
    out = capsys.readouterr().out
    assert code == 4 and "第 3 条" in out and "时间" in out and "张建国" not in out


@pytest.mark.parametrize("case", ["no user", "wrong password", "not allowed"])
def test_without_a_right_account_it_refuses(archive: Archive, monkeypatch, capsys, case: str) -> None:
    if case == "no user":
        code = _verify(monkeypatch, archive, None)
    elif case == "wrong password":
        code = _verify(monkeypatch, archive, ADMIN_LOGIN, "Wrong-2026")
    else:
        as_person(archive, "镇领导甲", Role.LEADER)
        code = _verify(monkeypatch, archive, ensure_account(archive, "镇领导甲", Role.LEADER), PASSWORD)
    err = capsys.readouterr().err
    assert code == 2 and "错误" in err
