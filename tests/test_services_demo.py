"""The demo generator (deterministic, valid data) and the editable code lists."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from accounts import open_archive, raw_connection, raw_of

from zhuji_archive.domain import codes, idcard
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.workflow import Status
from zhuji_archive.services import demo
from zhuji_archive.services.archive import Archive
from zhuji_archive.views.household_file import MemberData

DAY = date(2026, 11, 2)  # the day conftest's demo is generated for


@pytest.fixture
def raw(demo_archive: Archive) -> Iterator[Any]:
    conn = raw_of(demo_archive.db)  # never Python's sqlite3 on an archive
    try:
        yield conn
    finally:
        conn.close()


def people(path: Path) -> list[tuple[str, str, str, str]]:
    conn = raw_connection(path)
    try:
        return conn.execute(
            "SELECT id, name, id_number, birth_date FROM member ORDER BY id").fetchall()
    finally:
        conn.close()


def build(path: Path, seed: int, households: int = 60) -> demo.DemoSummary:
    arc = open_archive(path, "演示数据")
    try:
        return demo.generate(arc.db, households=households, seed=seed, today=DAY)
    finally:
        arc.close()


# ---- determinism ---------------------------------------------------------------------------------


def test_same_seed_and_day_give_identical_files(tmp_path: Path) -> None:
    first = build(tmp_path / "a.sqlite3", seed=11)
    second = build(tmp_path / "b.sqlite3", seed=11)
    assert first == second
    assert first.households == 60
    a, b = people(tmp_path / "a.sqlite3"), people(tmp_path / "b.sqlite3")
    assert len(a) == first.members
    assert a == b


def test_another_seed_gives_other_people(tmp_path: Path) -> None:
    build(tmp_path / "a.sqlite3", seed=11)
    build(tmp_path / "c.sqlite3", seed=12)
    a = {(name, number) for _, name, number, _ in people(tmp_path / "a.sqlite3")}
    c = {(name, number) for _, name, number, _ in people(tmp_path / "c.sqlite3")}
    assert a != c


def test_summary_matches_the_file(raw: Any) -> None:
    assert raw.execute("SELECT COUNT(*) FROM household").fetchone() == (300,)
    assert raw.execute("SELECT COUNT(*) FROM village").fetchone() == (len(demo.VILLAGES),)
    villages = [name for (name,) in raw.execute("SELECT name FROM village ORDER BY sort")]
    assert villages == [name for name, _ in demo.VILLAGES]
    # household numbers run 1..n without gaps inside each group
    for (group_id,) in raw.execute("SELECT id FROM village_group").fetchall():
        numbers = [r[0] for r in raw.execute(
            "SELECT number FROM household WHERE group_id = ? ORDER BY number", (group_id,))]
        assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize(("index", "name"), [(0, "一组"), (9, "十组"), (10, "十一组"), (19, "二十组"), (98, "九十九组")])
def test_group_names(index: int, name: str) -> None:
    assert demo.group_name(index) == name


# ---- validity ------------------------------------------------------------------------------------


def test_every_id_number_is_valid_and_agrees(raw: Any) -> None:
    rows = raw.execute("SELECT name, id_number, birth_date, sex FROM member").fetchall()
    assert len(rows) > 300
    for name, number, birth, sex in rows:
        assert number, f"{name} has no ID number"
        info = idcard.parse(number, today=DAY)
        assert info.birth_date.isoformat() == birth, name
        assert info.sex == sex, name
        assert number.startswith(demo.ZHUJI_REGION)
    numbers = [r[1] for r in rows]
    assert len(numbers) == len(set(numbers))


def test_every_household_on_file_has_one_head(raw: Any) -> None:
    heads = Counter(r[0] for r in raw.execute(
        "SELECT m.household_id FROM member m JOIN household h ON h.id = m.household_id "
        "WHERE h.status = '在册' AND NOT m.removed AND m.relation = '户主'"))
    on_file = [r[0] for r in raw.execute("SELECT id FROM household WHERE status = '在册'")]
    assert on_file
    assert all(heads[h] == 1 for h in on_file)


def test_list_columns_agree_with_records(raw: Any) -> None:
    rows = raw.execute(
        "SELECT h.id, h.head_name, h.member_count, h.last_visit_date, "
        "(SELECT name FROM member WHERE household_id = h.id AND relation = '户主'), "
        "(SELECT COUNT(*) FROM member WHERE household_id = h.id AND NOT removed), "
        "(SELECT MAX(date) FROM visit WHERE household_id = h.id AND NOT deleted) FROM household h").fetchall()
    for _, head_name, count, last_visit, head, real_count, real_last in rows:
        assert (head_name, count, last_visit) == (head, real_count, real_last)


def test_addresses_name_the_village_a_hamlet_and_a_house_number(raw: Any) -> None:
    """Like 杜黄村上杜黄12号: the household's own village, then a 自然村, then a house number that no
    other household of that 自然村 has; varied, not one street for the whole town."""
    import re

    rows = raw.execute(
        "SELECT h.address, v.name, g.id FROM household h JOIN village v ON v.id = h.village_id"
        " JOIN village_group g ON g.id = h.group_id"
    ).fetchall()
    pattern = re.compile(r"^(?P<village>.+?村)(?P<hamlet>[^0-9]{2,4}?)(?P<number>[1-9][0-9]*)号$")
    places: Counter[tuple[str, str]] = Counter()
    hamlets_of: dict[str, set[str]] = {}
    for address, village, _group in rows:
        match = pattern.match(address)
        assert match is not None, address
        assert match["village"] == village and not address.startswith("安华镇"), address
        places[(village, match["hamlet"], match["number"])] += 1  # type: ignore[index]
        hamlets_of.setdefault(village, set()).add(match["hamlet"])
    assert max(places.values()) == 1  # no two households share a door
    assert len({address for address, _v, _g in rows}) == len(rows)
    assert all(len(h) >= 2 for h in hamlets_of.values())  # each village has several 自然村
    assert len(set().union(*hamlets_of.values())) >= 2 * len(hamlets_of)
    # A group lies in one 自然村.
    by_group: dict[str, set[str]] = {}
    for address, _village, group in rows:
        by_group.setdefault(group, set()).add(pattern.match(address)["hamlet"])  # type: ignore[index]
    assert all(len(h) == 1 for h in by_group.values())


def test_requests_exist_in_every_status(raw: Any) -> None:
    present = {r[0] for r in raw.execute("SELECT DISTINCT status FROM request")}
    assert {status.value for status in Status} <= present


def test_nothing_is_dated_after_the_day(raw: Any) -> None:
    day = DAY.isoformat()
    for table, column in (("visit", "date"), ("assistance", "date"), ("request", "recorded_on"),
                          ("member", "birth_date"), ("village_event", "date")):
        (latest,) = raw.execute(f"SELECT MAX({column}) FROM {table}").fetchone()
        assert latest is not None and latest <= day, table


def test_demo_households_pass_the_service_rules(demo_archive: Archive, raw: Any) -> None:
    """A generated file obeys the same rules as a typed one, and saving it unchanged changes nothing."""
    assert date.today() >= DAY
    household_ids = [r[0] for r in raw.execute("SELECT id FROM household WHERE status = '在册' ORDER BY id LIMIT 8")]
    for household_id in household_ids:
        file = demo_archive.households.load(household_id)
        assert demo_archive.households.validate(file) == []
        demo_archive.households.save(file)
        assert demo_archive.households.history(household_id) == []
        assert demo_archive.households.load(household_id) == file


# ---- code lists ----------------------------------------------------------------------------------


def test_defaults_are_seeded(archive: Archive) -> None:
    for kind in codes.ALL_KINDS:
        assert archive.codes.values(kind.key) == list(kind.defaults)


def test_seeding_twice_adds_nothing(archive: Archive) -> None:
    archive.codes.ensure_seeded()
    for kind in codes.ALL_KINDS:
        assert archive.codes.values(kind.key, include_retired=True) == list(kind.defaults)


def test_add_value(archive: Archive) -> None:
    archive.codes.add("economic_type", "  茶叶户 ")
    assert archive.codes.values("economic_type") == [*codes.ECONOMIC_TYPE.defaults, "茶叶户"]
    archive.codes.add("economic_type", "民宿户")
    assert archive.codes.values("economic_type")[-2:] == ["茶叶户", "民宿户"]


def test_duplicate_value_is_refused(archive: Archive) -> None:
    with pytest.raises(DomainError) as caught:
        archive.codes.add("economic_type", "种植户")
    assert "种植户" in str(caught.value)
    assert caught.value.field == "label"
    assert archive.codes.values("economic_type").count("种植户") == 1


@pytest.mark.parametrize(("kind", "label"), [("no_such_list", "甲"), ("economic_type", " "),
                                             ("economic_type", "字" * 21)])
def test_bad_additions(archive: Archive, kind: str, label: str) -> None:
    with pytest.raises(DomainError):
        archive.codes.add(kind, label)


def test_remove_used_value_retires_it(demo_archive: Archive, raw: Any) -> None:
    (used,) = raw.execute(
        "SELECT COUNT(*) FROM household_code WHERE kind = 'economic_type' AND label = '种植户'").fetchone()
    assert used > 0
    assert demo_archive.codes.usage("economic_type", "种植户") == used
    assert demo_archive.codes.remove("economic_type", "种植户") == "停用"
    assert "种植户" not in demo_archive.codes.values("economic_type")
    assert "种植户" in demo_archive.codes.values("economic_type", include_retired=True)
    # the households keep the value
    assert raw.execute(
        "SELECT COUNT(*) FROM household_code WHERE kind = 'economic_type' AND label = '种植户'").fetchone() == (used,)
    # adding it again brings it back
    demo_archive.codes.add("economic_type", "种植户")
    assert "种植户" in demo_archive.codes.values("economic_type")


def test_remove_value_used_by_a_member(archive: Archive) -> None:
    (town,) = archive.organisation.tree()
    group_id = town.children[0].children[0].id
    file = archive.households.new_file(group_id)
    file.members = [MemberData(name="赵一", relation="户主", education="中专")]
    archive.households.save(file)
    assert archive.codes.usage("education", "中专") == 1
    assert archive.codes.remove("education", "中专") == "停用"
    assert archive.codes.values("education", include_retired=True) == list(codes.EDUCATION.defaults)


def test_remove_unused_value_deletes_it(archive: Archive) -> None:
    archive.codes.add("focus_tag", "退役军人户")
    assert archive.codes.usage("focus_tag", "退役军人户") == 0
    assert archive.codes.remove("focus_tag", "退役军人户") == "删除"
    assert "退役军人户" not in archive.codes.values("focus_tag", include_retired=True)
    assert archive.codes.remove("focus_tag", "问题户") == "删除"  # a default nobody uses
    assert "问题户" not in archive.codes.values("focus_tag", include_retired=True)


def test_remove_missing_value(archive: Archive) -> None:
    with pytest.raises(DomainError):
        archive.codes.remove("focus_tag", "没有这个")
