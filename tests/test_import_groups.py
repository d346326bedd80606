"""Sheets find their group by number in any usual spelling, and a group the village lacks is created
with the import (CLI flag, wizard entry), in the import's own transaction: all or nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from accounts import cli_as
from sqlalchemy import select

from zhuji_archive.domain import idcard
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.import_plan import ImportCancelled
from zhuji_archive.storage.models import Household, VillageGroup


def ledger(path: Path) -> Path:
    wb = openpyxl.Workbook()
    for index, (sheet, head, seq) in enumerate(
        (("石门村第二村民小组", "张建国", 11), ("第3组", "王福根", 21), ("石门村三村民小组", "赵大海", 31))
    ):
        ws = wb.active if index == 0 else wb.create_sheet()
        ws.title = sheet
        ws.append(["姓名", "与户主关系", "身份证号"])
        ws.append([head, "户主", idcard.make("330681", date(1960 + index, 3, 12), seq)])
    wb.save(path)
    return path


def group_names(archive: Archive) -> list[str]:
    return [name for _, name in archive.importer.groups(archive.importer.find_village("杜黄村"))]


def households_by_group(archive: Archive) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    with archive.db.sessions() as session:
        rows = session.execute(
            select(VillageGroup.name, Household.head_name).join(Household, Household.group_id == VillageGroup.id)
        )
        for group, head in rows:
            result.setdefault(group, []).append(head)
    return {k: sorted(v) for k, v in result.items()}


def test_sheets_are_matched_by_number_and_a_missing_group_is_proposed(archive: Archive, tmp_path: Path) -> None:
    importer = archive.importer
    sources = importer.read([ledger(tmp_path / "台账.xlsx")])
    village = importer.find_village("杜黄村")
    unassigned = importer.assign_groups(sources, village)
    two = dict((name, gid) for gid, name in importer.groups(village))["二组"]
    assert sources[0].group_id == two
    assert [s.sheet for s in unassigned] == ["第3组", "石门村三村民小组"]
    assert [name for _, name in importer.new_groups()] == ["三组"]
    assert group_names(archive) == ["一组", "二组"]  # nothing created by asking


def test_create_missing_groups_with_the_import(archive: Archive, tmp_path: Path) -> None:
    importer = archive.importer
    sources = importer.read([ledger(tmp_path / "台账.xlsx")])
    assert importer.assign_groups(sources, importer.find_village("杜黄村"), create_missing=True) == []
    assert sources[1].group_id == sources[2].group_id  # both sheets go to the one new group
    plan = importer.plan(sources)
    assert plan.groups_to_create() == ["三组"]
    assert group_names(archive) == ["一组", "二组"]  # planning writes nothing
    result = importer.run(plan)
    assert result.groups_created == ("三组",)
    assert result.summary().startswith("新建村民小组 三组，新建 3 户 3 人")
    assert group_names(archive) == ["一组", "二组", "三组"]
    assert households_by_group(archive) == {"二组": ["张建国"], "三组": ["王福根", "赵大海"]}


def test_a_failed_import_creates_no_group(archive: Archive, tmp_path: Path) -> None:
    importer = archive.importer
    sources = importer.read([ledger(tmp_path / "台账.xlsx")])
    importer.assign_groups(sources, importer.find_village("杜黄村"), create_missing=True)
    plan = importer.plan(sources)
    calls = iter(range(100))
    with pytest.raises(ImportCancelled):  # cancelled inside the transaction, after the group was added
        importer.run(plan, cancelled=lambda: next(calls) >= 1)
    assert group_names(archive) == ["一组", "二组"]
    assert households_by_group(archive) == {}


def test_a_group_created_meanwhile_refuses_the_stale_plan(archive: Archive, tmp_path: Path) -> None:
    importer = archive.importer
    sources = importer.read([ledger(tmp_path / "台账.xlsx")])
    village = importer.find_village("杜黄村")
    importer.assign_groups(sources, village, create_missing=True)
    plan = importer.plan(sources)
    archive.organisation.add_group(village, "三组")
    with pytest.raises(DomainError, match="已有了村民小组“三组”"):
        importer.run(plan)
    assert households_by_group(archive) == {}


def test_a_named_group_can_be_created(archive: Archive, tmp_path: Path) -> None:
    importer = archive.importer
    sources = importer.read([ledger(tmp_path / "台账.xlsx")])
    village = importer.find_village("杜黄村")
    with pytest.raises(DomainError, match="没有名为“新屋”的村民小组"):
        importer.assign_groups(sources, village, "新屋")
    importer.assign_groups(sources, village, "新屋", create_missing=True)
    importer.run(importer.plan(sources))
    assert households_by_group(archive) == {"新屋": ["张建国", "王福根", "赵大海"]}


def test_cli_create_group_flag(archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert archive.db.path is not None
    main = cli_as(archive.actor.login)
    args = ["import", str(ledger(tmp_path / "台账.xlsx")), "--village", "杜黄村", "--db", str(archive.db.path)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "本村还没有村民小组“三组”" in err and "--create-group" in err
    assert group_names(archive) == ["一组", "二组"]
    assert main([*args, "--create-group", "--dry-run"]) == 0
    assert "将新建村民小组：三组" in capsys.readouterr().out
    assert group_names(archive) == ["一组", "二组"]
    assert main([*args, "--create-group"]) == 0
    assert "新建村民小组 三组" in capsys.readouterr().out
    assert households_by_group(archive) == {"二组": ["张建国"], "三组": ["王福根", "赵大海"]}
