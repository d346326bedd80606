"""The command line against a real demo archive: the real program in a subprocess where the whole path
matters (start-up, exit codes, output), main() with captured output elsewhere; files written are read back.
Every command logs in as the demo archive's 党政办 account (--user, the password on standard input)."""

from __future__ import annotations

import errno
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from accounts import PASSWORD, login_for, raw_connection
from openpyxl import load_workbook
from pypdf import PdfReader

from zhuji_archive.cli import common
from zhuji_archive.cli import main as cli_main
from zhuji_archive.domain.accounts import Role
from zhuji_archive.services.household_list import HouseholdFilter
from zhuji_archive.storage import keyring

REPO = Path(__file__).resolve().parent.parent
ID_NUMBER = re.compile(r"\d{17}[\dX]")
SHEET_ID = re.compile(r"档案识别码：([0-9a-f]{32})")


# The account the demo_archive fixture logs in with (tests/accounts.open_archive's default person).
LOGIN = login_for("测试员" + Role.OFFICE.value)
AS_OFFICE = ["--user", LOGIN, "--password-stdin"]


def run_cli(*args: str, cwd: Path = REPO, password: str = PASSWORD) -> subprocess.CompletedProcess[str]:
    """The real program, logged in as the 党政办 account, its password on standard input."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "zhuji_archive", *AS_OFFICE, *args],
        input=password + "\n",
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def main(argv: list[str]) -> int:
    """main() logged in as the 党政办 account, its password on standard input."""
    saved = sys.stdin
    sys.stdin = io.StringIO(PASSWORD + "\n")
    try:
        return cli_main([*AS_OFFICE, *argv])
    finally:
        sys.stdin = saved


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def sheet_ids(path: Path) -> list[list[str]]:
    """Per page, the household identifiers printed in sheet titles (a sheet's first page has one)."""
    return [SHEET_ID.findall(compact(page.extract_text())) for page in PdfReader(path).pages]


def households(archive, **scope: str) -> list:
    """Households on file in archive order (village, group, number), as the window lists them."""
    return archive.household_list.page(HouseholdFilter(sort="group", **scope), limit=10_000)


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """An empty folder for what a command writes (the demo archive lives in tmp_path itself)."""
    folder = tmp_path / "输出"
    folder.mkdir()
    return folder


def ids_of(archive, village: str, group: str | None = None) -> dict[str, str]:
    village_id = archive.exports.find_village(village)
    found = {"village_id": village_id}
    if group:
        found["group_id"] = archive.exports.find_group(village_id, group)
    return found


# ---- whatever goes wrong reaches the user as a Chinese message ------------------------------------------


def test_a_file_that_is_no_archive_is_refused_in_chinese() -> None:
    for command in (["info"], ["search", "张"], ["print", "blank", "-o", "x.pdf"], ["export", "roster", "-o", "x.xlsx"]):
        result = run_cli("--db", "README.md", *command)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("错误：“README.md”不是群众档案的数据库文件"), result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""
    assert not (REPO / "x.pdf").exists() and not (REPO / "x.xlsx").exists()


def test_a_missing_folder_or_damaged_archive_is_refused_in_chinese(demo_archive, tmp_path: Path) -> None:
    result = run_cli("--db", str(tmp_path / "没有.sqlite3"), "info")
    assert result.returncode == 2 and "不存在" in result.stderr
    assert not (tmp_path / "没有.sqlite3").exists(), "a look-up must not create an archive"
    result = run_cli("--db", str(tmp_path), "info")
    assert result.returncode == 2 and "是一个文件夹" in result.stderr
    damaged = tmp_path / "损坏.sqlite3"
    data = demo_archive.db.path.read_bytes()
    damaged.write_bytes(data[:100] + b"\xff" * 8000 + data[8100:40960])
    shutil.copyfile(keyring.keyring_path(demo_archive.db.path), keyring.keyring_path(damaged))
    result = run_cli("--db", str(damaged), "info")
    assert result.returncode == 2, result.stderr
    assert "已损坏" in result.stderr and "备份" in result.stderr
    assert not re.search(r"[A-Za-z]{3,}", result.stderr.replace(str(damaged), "").replace(".bak", "")), result.stderr


def test_a_bug_gives_an_apology_and_a_log_without_personal_data(
    demo_archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from zhuji_archive.services.archive_info import ArchiveInfoService

    def broken(self) -> None:
        raise RuntimeError("户主张三 330681199001011234 的档案")

    log = tmp_path / "日志" / "zhuji-archive.log"
    monkeypatch.setattr(common, "bug_log_path", lambda: log)
    monkeypatch.setattr(ArchiveInfoService, "info", broken)
    assert main(["--db", str(demo_archive.db.path), "info"]) == common.BUG
    err = capsys.readouterr().err
    assert "很抱歉，程序出错了" in err and str(log) in err
    assert "Traceback" not in err and "张三" not in err and "RuntimeError" not in err
    written = log.read_text(encoding="utf-8")
    assert "builtins.RuntimeError" in written and "query.py" in written and "info" in written
    assert "张三" not in written and "330681199001011234" not in written


def test_a_full_disk_is_told_apart_from_a_bug(
    demo_archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from zhuji_archive.services.exports import ExportService

    def full(self, path, **kwargs) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(common, "bug_log_path", lambda: tmp_path / "bug.log")
    monkeypatch.setattr(ExportService, "blank_form", full)
    assert main(["--db", str(demo_archive.db.path), "print", "blank", "-o", str(tmp_path / "b.pdf")]) == 3
    err = capsys.readouterr().err
    assert err.startswith("错误：磁盘空间已满") and "No space" not in err
    assert not (tmp_path / "bug.log").exists()


# ---- arguments are checked against what the archive holds --------------------------------------------


def test_a_focus_tag_must_be_in_the_code_list(demo_archive, out_dir: Path, capsys) -> None:
    db, out = str(demo_archive.db.path), out_dir / "名册.xlsx"
    assert main(["--db", db, "export", "roster", "--tag", "不存在户", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "重点关注类别“不存在户”不在代码表中" in err
    assert all(tag in err for tag in demo_archive.codes.values("focus_tag"))
    assert not out.exists()
    assert main(["--db", db, "export", "roster", "--kind", "成员花名册", "--tag", "低保户", "-o", str(out)]) == 2
    assert "--tag 只用于重点户名册" in capsys.readouterr().err
    assert main(["--db", db, "export", "roster", "--kind", "重点户名册", "-o", str(out)]) == 2
    assert "须用 --tag 指定类别" in capsys.readouterr().err
    assert not out.exists()
    # A tag alone means the focus roster of that tag.
    assert main(["--db", db, "export", "roster", "--tag", "低保户", "-o", str(out)]) == 0
    assert load_workbook(out).active["A1"].value.endswith("低保户名册")


def test_villages_groups_and_cadres_are_checked_and_listed(demo_archive, out_dir: Path, capsys) -> None:
    db = str(demo_archive.db.path)
    assert main(["--db", db, "export", "ledger", "--village", "无此村", "-o", str(out_dir / "l.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "没有名为“无此村”的村" in err and "杜黄村" in err
    assert main(["--db", db, "print", "book", "--village", "杜黄村", "--group", "九组", "-o", str(out_dir / "b.pdf")]) == 2
    assert "该村没有名为“九组”的村民小组。该村的村民小组：一组、二组" in capsys.readouterr().err
    cadres = [c.name for c in demo_archive.organisation.cadres("驻村干部")]
    assert main(["--db", db, "print", "summary", "--cadre", "无此人", "--month", "2026-11", "-o", str(out_dir / "s.pdf")]) == 2
    err = capsys.readouterr().err
    assert "没有名为“无此人”的驻村干部" in err and cadres[0] in err
    assert main(["--db", db, "search", "张", "--group", "一组"]) == 2
    assert "须同时指定 --village" in capsys.readouterr().err
    assert not list(out_dir.iterdir())


def test_the_ledger_exports_only_the_status_asked_for(demo_archive, tmp_path: Path, capsys) -> None:
    out = tmp_path / "台账.xlsx"
    assert main(["--db", str(demo_archive.db.path), "export", "ledger", "--status", "办理中", "-o", str(out)]) == 0
    ws = load_workbook(out).active
    header = next(i for i, row in enumerate(ws.iter_rows(values_only=True), 1) if "办理状态" in row)
    column = [c.value for c in ws[header]].index("办理状态")
    rows = [row for row in ws.iter_rows(min_row=header + 1, values_only=True) if isinstance(row[0], int)]
    assert len(rows) > 1
    assert {row[column] for row in rows} == {"办理中"}


def test_output_names_must_match_what_is_written(demo_archive, out_dir: Path, capsys) -> None:
    db = str(demo_archive.db.path)
    assert main(["--db", db, "export", "roster", "-o", str(out_dir / "x.csv")]) == 2
    assert main(["--db", db, "print", "blank", "-o", str(out_dir / "x.xlsx")]) == 2
    assert not list(out_dir.iterdir())
    # The extension's case does not matter.
    assert main(["--db", db, "export", "roster", "-o", str(out_dir / "名册.XLSX")]) == 0
    assert load_workbook(out_dir / "名册.XLSX").active.max_row > 3


def test_a_book_without_volumes_accepts_zero(demo_archive, tmp_path: Path, capsys) -> None:
    out = tmp_path / "册.pdf"
    argv = ["--db", str(demo_archive.db.path), "print", "book", "--village", "杜黄村", "--group", "一组", "-o", str(out)]
    assert main([*argv, "--volume-limit", "0"]) == 0
    assert out.exists()


# ---- household sheets by village, group and number -----------------------------------------------------


def test_print_one_household_by_its_number(demo_archive, out_dir: Path, capsys) -> None:
    row = households(demo_archive, **ids_of(demo_archive, "杜黄村", "二组"))[1]
    out = out_dir / "户表.pdf"
    argv = ["--db", str(demo_archive.db.path), "print", "household", "--village", "杜黄村", "--group", "二组"]
    assert main([*argv, "--number", str(row.number), "-o", str(out)]) == 0
    pages = sheet_ids(out)
    assert pages[0] == [row.id] and not any(pages[1:])
    assert f"第{row.number}户" in compact(PdfReader(out).pages[0].extract_text())
    assert main([*argv, "--number", "9999", "-o", str(out_dir / "无.pdf")]) == 2
    assert "杜黄村二组没有第9999户" in capsys.readouterr().err
    assert not (out_dir / "无.pdf").exists()


def test_print_a_whole_group_in_one_file_each_household_on_a_new_page(demo_archive, tmp_path: Path) -> None:
    expected = households(demo_archive, **ids_of(demo_archive, "杜黄村", "一组"))
    assert len(expected) > 3
    out = tmp_path / "一组户表.pdf"
    result = run_cli("--db", str(demo_archive.db.path), "print", "household", "--village", "杜黄村", "--group", "一组", "-o", str(out))
    assert result.returncode == 0, result.stderr
    pages = sheet_ids(out)
    assert [hid for page in pages for hid in page] == [r.id for r in expected]
    assert all(len(page) <= 1 for page in pages), "two households share a page"
    assert pages[0], "the file starts with the first household"
    assert f"已打印户表 {len(expected)} 户，共 {len(pages)} 页" in result.stdout


def test_print_a_whole_village(demo_archive, tmp_path: Path, capsys) -> None:
    expected = households(demo_archive, **ids_of(demo_archive, "杜黄村"))
    out = tmp_path / "杜黄村户表.pdf"
    assert main(["--db", str(demo_archive.db.path), "print", "household", "--village", "杜黄村", "-o", str(out)]) == 0
    assert [hid for page in sheet_ids(out) for hid in page] == [r.id for r in expected]
    assert {r.group_name for r in expected} == {"一组", "二组"}


def test_print_household_refuses_mixed_selections(demo_archive, out_dir: Path, capsys) -> None:
    db, out = str(demo_archive.db.path), str(out_dir / "h.pdf")
    hid = households(demo_archive)[0].id
    assert main(["--db", db, "print", "household", "--id", hid, "--group", "一组", "-o", out]) == 2
    assert "用 --id 指定户时不能再给" in capsys.readouterr().err
    assert main(["--db", db, "print", "household", "--village", "杜黄村", "--number", "3", "-o", out]) == 2
    assert "须同时给出 --village 和 --group" in capsys.readouterr().err
    assert not list(out_dir.iterdir())


# ---- search and info -------------------------------------------------------------------------------------


def a_member_who_is_not_head(archive):
    for row in households(archive):
        file = archive.households.load(row.id)
        for member in file.members:
            if member.relation != "户主" and member.id_number and not member.removed:
                return row, member
    raise AssertionError("the demo has no such member")


def test_search_prints_one_line_per_member_found(demo_archive) -> None:
    row, member = a_member_who_is_not_head(demo_archive)
    db = str(demo_archive.db.path)
    result = run_cli("--db", db, "search", member.id_number[-6:])
    assert result.returncode == 0, result.stderr
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert [row.village_name, row.group_name, str(row.number), row.head_name, member.name] in lines
    assert all(len(line) == 5 for line in lines)
    assert not ID_NUMBER.search(result.stdout) and member.id_number[-6:] not in result.stdout
    # By name: the same households the window's list finds for the same text.
    result = run_cli("--db", db, "search", member.name)
    found = {tuple(line.split("\t")[:3]) for line in result.stdout.splitlines()}
    window = demo_archive.household_list.page(HouseholdFilter(text=member.name), limit=10_000)
    assert found == {(r.village_name, r.group_name, str(r.number)) for r in window}
    assert all(line.split("\t")[4].startswith(member.name) for line in result.stdout.splitlines())


def test_search_by_pinyin_initials_and_within_a_village(demo_archive, capsys) -> None:
    from zhuji_archive.domain.search_keys import pinyin_keys

    row, member = a_member_who_is_not_head(demo_archive)
    initials = pinyin_keys(member.name)[0]
    db = str(demo_archive.db.path)
    assert main(["--db", db, "search", initials, "--village", row.village_name]) == 0
    lines = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [row.village_name, row.group_name, str(row.number), row.head_name, member.name] in lines
    assert {line[0] for line in lines} == {row.village_name}
    assert main(["--db", db, "search", initials[0]]) == 0
    assert len(capsys.readouterr().out.splitlines()) > 1
    assert main(["--db", db, "search", initials[0], "--limit", "1"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1 and "只列出了前 1 行" in captured.err


def test_search_that_finds_nothing_exits_1(demo_archive) -> None:
    result = run_cli("--db", str(demo_archive.db.path), "search", "查无此人")
    assert result.returncode == 1
    assert result.stdout == "" and "没有找到“查无此人”" in result.stderr


def test_info_counts_what_the_file_holds(demo_archive) -> None:
    path = demo_archive.db.path
    result = run_cli("--db", str(path), "info")
    assert result.returncode == 0, result.stderr
    info = dict(line.split("\t") for line in result.stdout.splitlines())
    con = raw_connection(path)  # counted here straight from the file, not through the program
    try:
        version = con.execute("select version_num from alembic_version").fetchone()[0]
        statuses = dict(con.execute("select status, count(*) from household group by status").fetchall())
        members = con.execute(
            "select count(*) from member m join household h on h.id = m.household_id"
            " where not m.removed and h.status = '在册'"
        ).fetchone()[0]
        requests = dict(con.execute("select status, count(*) from request where not deleted group by status").fetchall())
        groups = con.execute("select count(*) from village_group").fetchone()[0]
    finally:
        con.close()
    assert info["文件"] == str(path.resolve())
    assert info["数据库版本"] == version
    assert info["村民小组"] == str(groups)
    assert info["户·在册"] == str(statuses["在册"]) and info["户·注销"] == str(statuses.get("注销", 0))
    assert info["户·合计"] == str(sum(statuses.values()))
    assert info["人·在册户成员"] == str(members)
    assert {k.removeprefix("诉求·"): int(v) for k, v in info.items() if k.startswith("诉求·") and v != "0"} == {
        **requests,
        "合计": sum(requests.values()),
    }


def test_report_periods_are_checked(demo_archive, out_dir: Path, capsys) -> None:
    argv = ["--db", str(demo_archive.db.path), "print", "summary", "--village", "杜黄村"]
    assert main([*argv, "--month", "2026-13", "-o", str(out_dir / "月报.pdf")]) == 2
    assert "月份“2026-13”格式不对" in capsys.readouterr().err
    assert main([*argv, "--week", "2026-02-30", "-o", str(out_dir / "周报.pdf")]) == 2
    assert "日期“2026-02-30”格式不对" in capsys.readouterr().err
    assert not list(out_dir.iterdir())


def test_demo_never_overwrites_a_file_that_is_no_archive(tmp_path: Path, capsys) -> None:
    notes = tmp_path / "笔记.txt"
    notes.write_text("不是档案\n", encoding="utf-8")
    assert main(["demo", "--households", "1", "--db", str(notes), "--force"]) == 2
    assert "不是群众档案的数据库文件" in capsys.readouterr().err
    assert notes.read_text(encoding="utf-8") == "不是档案\n"
