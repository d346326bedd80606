"""Logging in on the command line, `setup` and `users`: the real program in a subprocess where standard
input and exit codes matter, main() elsewhere; archives are real encrypted files."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from accounts import ADMIN_LOGIN, ADMIN_PASSWORD, PASSWORD, admin, ensure_account, open_archive

from zhuji_archive.cli import common, main
from zhuji_archive.domain.accounts import Role, ScopeUnit, UnitKind
from zhuji_archive.services import access
from zhuji_archive.storage import cipher, keyring

REPO = Path(__file__).resolve().parent.parent
FIXTURE_0_1 = Path(__file__).parent / "fixtures" / "archive-0.1.0.db"
NEW_PASSWORD = "Setup-2026"


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "zhuji_archive", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )


def with_stdin(monkeypatch: pytest.MonkeyPatch, text: str, *, terminal: bool = False) -> None:
    stream = io.StringIO(text)
    stream.isatty = lambda: terminal  # type: ignore[method-assign]
    monkeypatch.setattr("sys.stdin", stream)


def is_chinese_refusal(text: str) -> bool:
    return text.startswith("错误：") and "Traceback" not in text


@pytest.fixture
def town(tmp_path: Path) -> Path:
    """An archive with two villages and accounts of several roles; its path."""
    path = tmp_path / "档案.sqlite3"
    with open_archive(path) as office:
        town_id = office.organisation.add_town("安华镇", "诸暨市", "330681")
        office.organisation.add_village(town_id, "杜黄村")
        office.organisation.add_village(town_id, "新桥村")
    return path


# ---- logging in -----------------------------------------------------------------------------------------


def test_user_with_password_on_stdin_opens_the_archive_as_that_account(town: Path) -> None:
    with admin(town) as chief:
        login = ensure_account(chief, "县督查", Role.READER)
    result = run_cli("info", "--db", str(town), "--user", login, "--password-stdin", stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    assert "村\t2" in result.stdout.splitlines()
    # Before the command as well as after it, and the login is compared as the login window does.
    result = run_cli("--db", str(town), "--user", login.upper(), "--password-stdin", "info", stdin=PASSWORD)
    assert result.returncode == 0, result.stderr


def test_without_user_the_command_is_refused_in_chinese(town: Path) -> None:
    result = run_cli("info", "--db", str(town), "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    assert result.returncode == common.REFUSED
    assert result.stdout == ""
    assert is_chinese_refusal(result.stderr) and "--user" in result.stderr


def test_a_wrong_password_is_refused_and_counted(town: Path) -> None:
    result = run_cli(
        "info", "--db", str(town), "--user", ADMIN_LOGIN, "--password-stdin", stdin="Wrong-2026\n"
    )
    assert result.returncode == common.REFUSED
    assert result.stdout == ""
    assert result.stderr.strip() == "错误：登录名或密码不正确。"
    ring = keyring.Keyring.load(keyring.keyring_path(town))
    assert ring.failure_count(ADMIN_LOGIN)[0] == 1
    # An unknown login gets the same words: the command line does not tell which logins exist.
    result = run_cli("info", "--db", str(town), "--user", "nobody", "--password-stdin", stdin=PASSWORD + "\n")
    assert result.returncode == common.REFUSED and result.stderr.strip() == "错误：登录名或密码不正确。"


def test_without_a_terminal_the_password_must_come_from_stdin(
    town: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with_stdin(monkeypatch, ADMIN_PASSWORD + "\n", terminal=False)
    assert main(["info", "--db", str(town), "--user", ADMIN_LOGIN]) == common.REFUSED
    assert "--password-stdin" in capsys.readouterr().err
    with_stdin(monkeypatch, "", terminal=False)
    assert main(["info", "--db", str(town), "--user", ADMIN_LOGIN, "--password-stdin"]) == common.REFUSED
    assert "标准输入中没有密码" in capsys.readouterr().err


def test_on_a_terminal_the_password_is_asked_without_echo(
    town: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asked: list[str] = []

    def getpass(prompt: str = "") -> str:
        asked.append(prompt)
        return ADMIN_PASSWORD

    with_stdin(monkeypatch, "", terminal=True)
    monkeypatch.setattr("getpass.getpass", getpass)
    assert main(["users", "--db", str(town), "--user", ADMIN_LOGIN]) == common.OK
    assert asked == ["密码："]
    assert capsys.readouterr().out.startswith(f"{ADMIN_LOGIN}\t系统管理员\t")


def test_an_archive_without_accounts_is_refused_with_how_to_make_the_administrator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "旧档案.sqlite3"
    shutil.copyfile(FIXTURE_0_1, old)
    empty = tmp_path / "空.sqlite3"
    empty.touch()
    for path in (old, empty):
        with_stdin(monkeypatch, ADMIN_PASSWORD + "\n")
        assert main(["info", "--db", str(path), "--user", ADMIN_LOGIN, "--password-stdin"]) == common.REFUSED
        err = capsys.readouterr().err
        assert "还没有账号" in err and "启动一次程序" in err and "zhuji-archive setup" in err
    assert cipher.is_plain_sqlite(old), "a refused command must not encrypt the old archive"


def test_an_archive_without_its_keyring_is_refused_naming_the_key_file(
    town: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    moved = town.with_name("搬走.sqlite3")
    shutil.copyfile(town, moved)
    with_stdin(monkeypatch, ADMIN_PASSWORD + "\n")
    assert main(["info", "--db", str(moved), "--user", ADMIN_LOGIN, "--password-stdin"]) == common.REFUSED
    err = capsys.readouterr().err
    assert "钥匙文件" in err and keyring.keyring_path(moved).name in err


def test_a_damaged_keyring_is_refused_in_chinese(
    town: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring.keyring_path(town).write_text("{不是钥匙", encoding="utf-8")
    with_stdin(monkeypatch, ADMIN_PASSWORD + "\n")
    assert main(["info", "--db", str(town), "--user", ADMIN_LOGIN, "--password-stdin"]) == common.REFUSED
    err = capsys.readouterr().err
    assert is_chinese_refusal(err) and "钥匙文件" in err and "已损坏" in err


# ---- users ----------------------------------------------------------------------------------------------


def test_users_prints_login_role_and_scope_of_each_account(town: Path) -> None:
    with admin(town) as chief:
        villages = {name: village_id for village_id, name in chief.organisation.villages()}
        duhuang, xinqiao = villages["杜黄村"], villages["新桥村"]
        chief.accounts.create(
            "wang.zhucun",
            "王驻村",
            Role.CADRE,
            [ScopeUnit(UnitKind.VILLAGE, duhuang), ScopeUnit(UnitKind.VILLAGE, xinqiao)],
            PASSWORD,
        )
        chief.accounts.create(
            "cun.duhuang", "杜村干", Role.VILLAGE, [ScopeUnit(UnitKind.VILLAGE, duhuang)], PASSWORD
        )
        chief.accounts.create("ducha", "督查组", Role.READER, [], PASSWORD)
        gone = chief.accounts.create("lingdao", "陈领导", Role.LEADER, [], PASSWORD)
        chief.accounts.disable(gone)
    result = run_cli(
        "users", "--db", str(town), "--user", ADMIN_LOGIN, "--password-stdin", stdin=ADMIN_PASSWORD
    )
    assert result.returncode == 0, result.stderr
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert all(len(line) == 3 for line in lines), result.stdout
    rows = {line[0]: line[1:] for line in lines}
    assert rows[ADMIN_LOGIN] == ["系统管理员", "（不办理档案）"]
    assert rows["wang.zhucun"][0] == "驻村干部"
    assert set(rows["wang.zhucun"][1].split("、")) == {"杜黄村", "新桥村"}
    assert rows["cun.duhuang"] == ["村干部", "杜黄村"]
    assert rows["ducha"] == ["只读", "全镇"]
    assert [role for role, _scope in rows.values()].count("党政办") == 1  # the fixture's 党政办 account
    assert "lingdao" not in rows, "a disabled account cannot log in and is not listed by default"
    result = run_cli(
        "users",
        "--disabled",
        "--db",
        str(town),
        "--user",
        ADMIN_LOGIN,
        "--password-stdin",
        stdin=ADMIN_PASSWORD,
    )
    assert result.returncode == 0 and result.stdout == "lingdao\t镇领导\t全镇\n"


def test_users_is_refused_to_an_account_that_may_not_manage_accounts(town: Path) -> None:
    with admin(town) as chief:
        login = ensure_account(chief, "测试员", Role.OFFICE)
    result = run_cli("users", "--db", str(town), "--user", login, "--password-stdin", stdin=PASSWORD)
    assert result.returncode == common.REFUSED
    assert result.stdout == ""
    assert is_chinese_refusal(result.stderr) and "管理账号" in result.stderr


# ---- setup ----------------------------------------------------------------------------------------------


def test_setup_makes_a_new_encrypted_archive_with_its_administrator(tmp_path: Path) -> None:
    path = tmp_path / "新档案.sqlite3"
    result = run_cli(
        "setup",
        "--db",
        str(path),
        "--user",
        "Zhang.Admin",
        "--name",
        "张管理",
        "--password-stdin",
        stdin=NEW_PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stderr
    assert "zhang.admin" in result.stderr and "张管理" in result.stderr
    assert access.state(path) is access.ArchiveState.LOCKED
    assert not cipher.is_plain_sqlite(path)
    with access.unlock(path, "zhang.admin", NEW_PASSWORD) as chief:
        assert chief.actor.role is Role.ADMIN and chief.actor.display_name == "张管理"
        assert not chief.accounts.must_change_password()
    # Once made, setup refuses: accounts are added by the administrator, not by a second setup.
    again = run_cli("setup", "--db", str(path), "--user", "other", "--password-stdin", stdin=NEW_PASSWORD)
    assert again.returncode == common.REFUSED and "已经建立了账号" in again.stderr


def test_setup_encrypts_an_archive_of_version_0_1_without_loss(tmp_path: Path) -> None:
    path = tmp_path / "旧档案.sqlite3"
    shutil.copyfile(FIXTURE_0_1, path)
    result = run_cli("setup", "--db", str(path), "--user", "admin", "--password-stdin", stdin=NEW_PASSWORD)
    assert result.returncode == 0, result.stderr
    assert "旧档案已加密" in result.stderr
    assert not cipher.is_plain_sqlite(path)
    info = run_cli("info", "--db", str(path), "--user", "admin", "--password-stdin", stdin=NEW_PASSWORD)
    assert info.returncode == 0, info.stderr
    assert int(dict(line.split("\t") for line in info.stdout.splitlines())["户·合计"]) > 0


def test_setup_refuses_a_weak_password_and_files_that_are_no_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "新档案.sqlite3"
    with_stdin(monkeypatch, "123\n")
    assert main(["setup", "--db", str(path), "--user", "admin", "--password-stdin"]) == common.REFUSED
    assert "密码至少 8 个字符" in capsys.readouterr().err
    assert not path.exists() and not keyring.keyring_path(path).exists()
    notes = tmp_path / "笔记.txt"
    notes.write_text("不是档案\n", encoding="utf-8")
    with_stdin(monkeypatch, NEW_PASSWORD + "\n")
    assert main(["setup", "--db", str(notes), "--user", "admin", "--password-stdin"]) == common.REFUSED
    assert "不是群众档案的数据库文件" in capsys.readouterr().err
    assert notes.read_text(encoding="utf-8") == "不是档案\n"
    with_stdin(monkeypatch, NEW_PASSWORD + "\n")
    assert (
        main(["setup", "--db", str(tmp_path / "没有" / "a.sqlite3"), "--user", "admin", "--password-stdin"])
        == 2
    )
    assert "不存在" in capsys.readouterr().err


def test_setup_on_a_terminal_asks_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    typed = iter([NEW_PASSWORD, NEW_PASSWORD + "x"])
    with_stdin(monkeypatch, "", terminal=True)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    path = tmp_path / "新档案.sqlite3"
    assert main(["setup", "--db", str(path), "--user", "admin"]) == common.REFUSED
    assert "两次输入的密码不一致" in capsys.readouterr().err
    assert not path.exists()


# ---- users add ------------------------------------------------------------------------------------------


def add_args(town: Path, login: str, *extra: str) -> list[str]:
    return ["users", "add", "--db", str(town), "--user", login, "--password-stdin", *extra]


def test_users_add_makes_an_account_that_logs_in_with_the_second_stdin_line(town: Path) -> None:
    result = run_cli(
        *add_args(town, ADMIN_LOGIN, "--login", "Wang.ZhuCun", "--name", "王驻村", "--role", "驻村干部"),
        "--village",
        "杜黄村",
        "--village",
        "新桥村",
        stdin=f"{ADMIN_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert result.returncode == 0, result.stderr
    assert "已建立" in result.stderr and result.stdout == ""
    with access.unlock(town, "wang.zhucun", NEW_PASSWORD) as cadre:
        assert cadre.actor.role is Role.CADRE and cadre.actor.display_name == "王驻村"
        assert not cadre.accounts.must_change_password(), "a scripted account keeps the password it was given"
        names = {name for _id, name in cadre.organisation.villages()}
    assert names == {"杜黄村", "新桥村"}
    listed = run_cli(
        "users", "--db", str(town), "--user", ADMIN_LOGIN, "--password-stdin", stdin=ADMIN_PASSWORD
    )
    assert "wang.zhucun\t驻村干部\t" in listed.stdout


def test_users_add_refuses_unknown_villages_missing_scope_and_other_roles(
    town: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refused(args: list[str], stdin: str, expected: str) -> None:
        with_stdin(monkeypatch, stdin)
        assert main(args) == common.REFUSED
        err = capsys.readouterr().err
        assert is_chinese_refusal(err) and expected in err, err

    both = f"{ADMIN_PASSWORD}\n{NEW_PASSWORD}\n"
    refused(
        add_args(
            town, ADMIN_LOGIN, "--login", "a1", "--name", "甲", "--role", "村干部", "--village", "王家村"
        ),
        both,
        "没有名为“王家村”的村",
    )
    refused(
        add_args(town, ADMIN_LOGIN, "--login", "a2", "--name", "乙", "--role", "驻村干部"), both, "负责的村"
    )
    refused(
        add_args(town, ADMIN_LOGIN, "--login", "a3", "--name", "丙", "--role", "党政办"),
        f"{ADMIN_PASSWORD}\n123\n",
        "密码至少 8 个字符",
    )
    with admin(town) as chief:
        office = ensure_account(chief, "测试员", Role.OFFICE)
    refused(
        add_args(town, office, "--login", "a4", "--name", "丁", "--role", "党政办"),
        f"{PASSWORD}\n{NEW_PASSWORD}\n",
        "管理账号",
    )
    with admin(town) as chief:
        logins = {item.login for item in chief.accounts.list()}
    assert not logins & {"a1", "a2", "a3", "a4"}


def test_users_add_takes_the_login_options_before_add_too(
    town: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    with_stdin(monkeypatch, f"{ADMIN_PASSWORD}\n{NEW_PASSWORD}\n")
    argv = ["users", "--db", str(town), "--user", ADMIN_LOGIN, "--password-stdin", "add"]
    assert main([*argv, "--login", "li", "--name", "李办", "--role", "党政办"]) == common.OK
    with access.unlock(town, "li", NEW_PASSWORD) as office:
        assert office.actor.role is Role.OFFICE
