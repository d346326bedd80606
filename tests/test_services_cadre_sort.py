"""The 责任干部 column sorts by pinyin (李 li < 王 wang < 张 zhang), kept current by save, import,
demo and migration; the list walks the (status, cadre_pinyin, id) index."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from accounts import open_archive, raw_of
from alembic import command

from zhuji_archive.services.archive import Archive
from zhuji_archive.services.demo import generate
from zhuji_archive.services.household_list import HouseholdFilter
from zhuji_archive.storage.database import alembic_config, make_engine
from zhuji_archive.views.household_file import MemberData

# Code point order is 张 (U+5F20) < 李 (U+674E) < 王 (U+738B); pinyin order is 李 < 王 < 张.
CADRES = ("张驻村", "李驻村", "王驻村")


def _groups(archive: Archive) -> list[str]:
    (town,) = archive.organisation.tree()
    (village,) = town.children
    return [g.id for g in village.children]


def _household(archive: Archive, group_id: str, head: str, cadre_id: str | None) -> str:
    file = archive.households.new_file(group_id)
    file.members = [MemberData(name=head, relation="户主")]
    file.responsible_cadre_id = cadre_id
    return archive.households.save(file)


def _cadre_order(archive: Archive, descending: bool = False) -> list[str]:
    rows = archive.household_list.page(HouseholdFilter(sort="cadre", descending=descending), None, 50)
    return [r.cadre_name for r in rows]


def test_cadre_column_sorts_by_pinyin_not_code_point(archive: Archive) -> None:
    group = _groups(archive)[0]
    cadre_ids = {name: archive.organisation.add_cadre(name, "驻村干部") for name in CADRES}
    for n, name in enumerate(CADRES):
        _household(archive, group, f"户主{n}", cadre_ids[name])
    assert _cadre_order(archive) == ["李驻村", "王驻村", "张驻村"]
    assert _cadre_order(archive, descending=True) == ["张驻村", "王驻村", "李驻村"]


def test_changing_the_cadre_of_a_household_moves_it(archive: Archive) -> None:
    group = _groups(archive)[0]
    zhang = archive.organisation.add_cadre("张驻村", "驻村干部")
    wang = archive.organisation.add_cadre("王驻村", "驻村干部")
    li = archive.organisation.add_cadre("李驻村", "驻村干部")
    _household(archive, group, "甲", wang)
    moving = _household(archive, group, "乙", zhang)
    file = archive.households.load(moving)
    file.responsible_cadre_id = li
    archive.households.save(file)
    assert _cadre_order(archive) == ["李驻村", "王驻村"]
    file = archive.households.load(moving)
    file.responsible_cadre_id = None
    archive.households.save(file)
    assert _cadre_order(archive) == ["", "王驻村"]  # no cadre first, as an empty key


def test_keyset_paging_by_cadre_crosses_equal_keys(archive: Archive) -> None:
    group = _groups(archive)[0]
    cadre_ids = [archive.organisation.add_cadre(name, "驻村干部") for name in CADRES]
    made = {_household(archive, group, f"户主{n}", cadre_ids[n % 3]) for n in range(9)}
    seen: list[str] = []
    after = None
    while True:
        page = archive.household_list.page(HouseholdFilter(sort="cadre"), after, 2)
        seen += [r.cadre_name for r in page]
        if len(page) < 2:
            break
        after = page[-1].sort_key
    assert seen == ["李驻村"] * 3 + ["王驻村"] * 3 + ["张驻村"] * 3
    assert len(made) == 9


@pytest.mark.file_archive  # SQLite's query plan
def test_the_list_walks_the_cadre_index(archive: Archive) -> None:
    conn = raw_of(archive.db)
    try:
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM household WHERE status = '在册' ORDER BY cadre_pinyin, id LIMIT 5"
        ).fetchall()
        indexes = {row[1] for row in conn.execute("PRAGMA index_list('household')")}
    finally:
        conn.close()
    assert "ix_household_status_cadre_pinyin" in " ".join(str(r) for r in plan)
    assert "ix_household_status_cadre" not in indexes  # the code-point index is gone


def test_import_and_demo_fill_the_key(tmp_path: Path) -> None:
    arc = open_archive(tmp_path / "demo.sqlite3", "测试员")
    try:
        generate(arc.db, households=40, seed=3)
        conn = raw_of(arc.db)
        rows = conn.execute("SELECT DISTINCT cadre_name, cadre_pinyin FROM household").fetchall()
        conn.close()
        from pypinyin import lazy_pinyin

        assert rows and all(key == "".join(lazy_pinyin(name)) for name, key in rows)
        names = [r.cadre_name for r in arc.household_list.page(HouseholdFilter(sort="cadre"), None, 100)]
        keys = ["".join(lazy_pinyin(n)) for n in names]
        assert keys == sorted(keys)
    finally:
        arc.close()


@pytest.mark.file_archive  # an old file's upgrade
def test_upgrade_backfills_the_key_from_cadre_names(tmp_path: Path) -> None:
    """A file at 0004 whose households carry cadre names: after opening, the key is filled and the
    list sorts by it."""
    path = tmp_path / "v4.sqlite3"
    url = f"sqlite:///{path}"
    config = alembic_config(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
    engine.dispose()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO town (id, name, county, region_code) VALUES ('t', '安华镇', '诸暨市', '330681')")
    conn.execute(
        "INSERT INTO village (id, town_id, name, sort, main_industries, notes) VALUES ('v', 't', '杜黄村', 0, '', '')"
    )
    conn.execute("INSERT INTO village_group (id, village_id, name, sort) VALUES ('g', 'v', '一组', 0)")
    for n, cadre in enumerate(("张驻村", "李驻村", "王驻村", "")):
        conn.execute(
            "INSERT INTO household (id, group_id, village_id, number, address, phone, status, status_note, notes,"
            " created_at, updated_at, head_name, head_pinyin, member_count, economic_types, focus_tags,"
            " last_visit_key, group_sort, cadre_name) VALUES (?, 'g', 'v', ?, '', '', '在册', '', '',"
            " '2025-01-01 00:00:00', '2025-01-01 00:00:00', ?, '', 1, '', '', '', '', ?)",
            (f"h{n}", n + 1, f"户主{n}", cadre),
        )
    conn.commit()
    conn.close()
    arc = open_archive(path)  # the version-0.1-style plain file is encrypted on this first open
    try:
        assert _cadre_order(arc) == ["", "李驻村", "王驻村", "张驻村"]
    finally:
        arc.close()



def test_cadre_pick_lists_are_in_pinyin_order(archive: Archive) -> None:
    """The sibling of the list column: every cadre pick-list (household file, to-do list, summary,
    service links) comes from OrganisationService.cadres, by kind and then by pinyin."""
    for name in CADRES:
        archive.organisation.add_cadre(name, "驻村干部")
    archive.organisation.add_cadre("安镇长", "镇领导")
    assert [c.name for c in archive.organisation.cadres("驻村干部")] == ["李驻村", "王驻村", "张驻村"]
    kinds = [c.kind for c in archive.organisation.cadres()]
    assert kinds == sorted(kinds)
