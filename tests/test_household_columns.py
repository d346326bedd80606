"""A household's derived list columns are computed once: a save, an import and the demo give the same
columns for the same household, and the pure function gives what a recount of the rows gives."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import openpyxl
from accounts import open_archive
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from zhuji_archive.domain.codes import ECONOMIC_TYPE, FOCUS_TAG, RELATION
from zhuji_archive.domain.household_columns import ListColumns, group_sort_key, list_columns
from zhuji_archive.services.archive import Archive
from zhuji_archive.storage.household_queries import read_list_columns
from zhuji_archive.storage.models import Household
from zhuji_archive.views.household_file import MemberData

COLUMNS = list(ListColumns.__dataclass_fields__)
CHARS = "张王李赵刘陈杨黄周吴建国秀英伟芳明华丽强军敏静磊洋艳勇娟涛超"
names = st.text(alphabet=CHARS, min_size=2, max_size=4)
others = st.lists(st.tuples(names, st.sampled_from([r for r in RELATION.defaults if r != "户主"])), max_size=5)
labels_of = {
    kind: st.lists(st.sampled_from(codes.defaults), max_size=4) for kind, codes in
    (("economic_type", ECONOMIC_TYPE), ("focus_tag", FOCUS_TAG))
}
households = st.fixed_dictionaries(
    {
        "head_first": st.booleans(),
        "head": names,
        "others": others,
        "economic": labels_of["economic_type"],
        "focus": labels_of["focus_tag"],
    }
)


def members_of(h: dict) -> list[tuple[str, str]]:
    head = (h["head"], "户主")
    return [head, *h["others"]] if h["head_first"] else [*h["others"], head]


def new_archive(folder: Path) -> tuple[Archive, str]:
    arc = open_archive(folder / "archive.sqlite3", "测试员")
    town = arc.organisation.add_town("安华镇", "诸暨市", "330681")
    village = arc.organisation.add_village(town, "杜黄村")
    arc.organisation.add_group(village, "一组")
    return arc, arc.organisation.add_group(village, "二组")


def stored(arc: Archive, household_id: str) -> dict[str, object]:
    with arc.db.transaction() as session:
        h = session.get(Household, household_id)
        return {name: getattr(h, name) for name in COLUMNS}


def by_save(folder: Path, h: dict) -> dict[str, object]:
    arc, group = new_archive(folder)
    try:
        file = arc.households.new_file(group)
        file.members = [MemberData(name=name, relation=relation) for name, relation in members_of(h)]
        file.economic_types = list(h["economic"])
        file.focus_tags = list(h["focus"])
        return stored(arc, arc.households.save(file))
    finally:
        arc.close()


def by_import(folder: Path, h: dict) -> dict[str, object]:
    arc, _ = new_archive(folder)
    try:
        path = folder / "台账.xlsx"
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "二组"
        ws.append(["户号", "姓名", "与户主关系", "经济类型", "重点关注"])
        for row, (name, relation) in enumerate(members_of(h)):
            first = row == 0
            ws.append([1, name, relation, "、".join(h["economic"]) if first else None,
                       "、".join(h["focus"]) if first else None])
        wb.save(path)
        sources = arc.importer.read([path])
        assert not arc.importer.assign_groups(sources, arc.importer.find_village("杜黄村"), None)
        plan = arc.importer.plan(sources)
        assert not plan.blocking_problems(), [p.message for p in plan.problems]
        arc.importer.run(plan)
        with arc.db.transaction() as session:
            (household_id,) = session.scalars(select(Household.id)).all()
        return stored(arc, household_id)
    finally:
        arc.close()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(households)
def test_save_and_import_give_the_same_columns(h: dict) -> None:
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        saved, imported = by_save(Path(a), h), by_import(Path(b), h)
    assert saved == imported
    assert saved["head_name"] == h["head"]
    assert saved["member_count"] == 1 + len(h["others"])
    assert saved["economic_types"] == "、".join(sorted(set(h["economic"])))
    assert saved["focus_tags"] == "、".join(sorted(set(h["focus"])))


def test_the_demo_writes_the_columns_a_recount_gives(demo_archive: Archive) -> None:
    with demo_archive.db.transaction() as session:
        rows = session.scalars(select(Household)).all()
        assert len(rows) == 300
        for h in rows:
            expected = read_list_columns(session, h).as_row()
            assert {name: getattr(h, name) for name in COLUMNS} == expected, h.id


def test_the_columns_of_plain_values() -> None:
    columns = list_columns(
        members=[("李秀英", "配偶"), ("张建国", "户主"), ("张伟", "子")],
        codes=[("focus_tag", "问题户"), ("economic_type", "种植户"), ("economic_type", "打工户"),
               ("economic_type", "种植户")],
        cadre_name="王小明",
        place_sort=(3, 12),
        visits=[(date(2026, 3, 1), "建档走访"), (date(2026, 9, 9), "回访"), (date(2025, 1, 1), "半年大走访")],
    )
    assert columns == ListColumns(
        head_name="张建国", head_pinyin="zhangjianguo", member_count=3, economic_types="打工户、种植户",
        focus_tags="问题户", cadre_name="王小明", cadre_pinyin="wangxiaoming", group_sort="00003-00012",
        last_visit_date=date(2026, 9, 9), last_visit_key="2026-09-09", last_big_visit_date=date(2026, 3, 1),
    )
    assert group_sort_key(3, 12) < group_sort_key(3, 100) < group_sort_key(10, 1)
    nobody = list_columns(members=[], codes=[], cadre_name="", place_sort=(1, 1), visits=[])
    assert (nobody.head_name, nobody.head_pinyin, nobody.last_visit_key, nobody.last_big_visit_date) == ("", "", "", None)
