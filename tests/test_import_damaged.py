"""Damaged workbooks: whatever part of the zip package is broken, the import says in Chinese that the
file is damaged (never a traceback), at reading, at the sheet read and at the later format read."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from accounts import cli_as

from zhuji_archive.domain import idcard
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.services.archive import Archive

DAMAGED = "文件已损坏"


def ledger(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "一组"
    ws.append(["姓名", "与户主关系", "身份证号", "出生年月"])
    # 1965.1 is ambiguous (1965-01 or 1965-10): the planner asks openpyxl for the cell's number format.
    ws.append(["张建国", "户主", idcard.make("330681", date(1965, 3, 12), 11), 1965.1])
    wb.save(path)
    return path


def corrupt(path: Path, member: str, how: str) -> Path:
    """Break one zip entry: its local header's signature, or its compressed bytes."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as package:
        info = package.getinfo(member)
    start = info.header_offset
    if how == "header":
        data[start : start + 4] = b"XXXX"
    else:
        body = start + 30 + len(info.filename.encode()) + len(info.extra)
        for i in range(body + 2, body + min(40, info.compress_size)):
            data[i] ^= 0x5A
    broken = path.with_name(f"{how}-{member.replace('/', '_')}.xlsx")
    broken.write_bytes(bytes(data))
    return broken


def read_and_plan(archive: Archive, path: Path) -> None:
    importer = archive.importer
    sources = importer.read([path])
    importer.assign_groups(sources, importer.find_village("杜黄村"))
    importer.plan(sources)


@pytest.mark.parametrize("how", ["header", "data"])
@pytest.mark.parametrize(
    "member", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml"]
)
def test_a_damaged_part_of_the_package_is_reported_as_a_damaged_file(
    archive: Archive, tmp_path: Path, member: str, how: str
) -> None:
    broken = corrupt(ledger(tmp_path / "台账.xlsx"), member, how)
    with pytest.raises(DomainError) as caught:
        read_and_plan(archive, broken)
    assert DAMAGED in caught.value.message and broken.name in caught.value.message


def test_the_undamaged_file_reads(archive: Archive, tmp_path: Path) -> None:
    read_and_plan(archive, ledger(tmp_path / "台账.xlsx"))


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 truncated", b"not a workbook at all" * 50])
def test_truncated_or_foreign_files(archive: Archive, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "坏.xlsx"
    path.write_bytes(content)
    with pytest.raises(DomainError, match=DAMAGED):
        archive.importer.read([path])


def test_cli_reports_a_damaged_local_header_without_a_traceback(
    archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert archive.db.path is not None
    broken = corrupt(ledger(tmp_path / "台账.xlsx"), "xl/worksheets/sheet1.xml", "header")
    main = cli_as(archive.actor.login)
    code = main(["import", str(broken), "--village", "杜黄村", "--db", str(archive.db.path)])
    err = capsys.readouterr().err
    assert code == 2
    assert DAMAGED in err and "Traceback" not in err and "Error" not in err
