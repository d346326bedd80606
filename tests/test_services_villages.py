"""VillageService: the village information table round-trips, validates and keeps a history."""

from __future__ import annotations

from datetime import date

import pytest
from accounts import open_archive, raw_of

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.services.archive import Archive
from zhuji_archive.views.villages import EventData, LeaderData, PartyMemberData, RepData, VillageInfo


@pytest.fixture
def village_id(archive: Archive) -> str:
    (town,) = archive.organisation.tree()
    (village,) = town.children
    return village.id


def filled(archive: Archive, village_id: str) -> VillageInfo:
    info = archive.villages.load(village_id)
    info.population = 1520
    info.household_total = 460
    info.farmland_mu = 1830.5
    info.forest_mu = 2600.0
    info.collective_income = 86.4
    info.main_industries = "香榧、茶叶"
    info.notes = "距镇政府5公里"
    info.leaders = [
        LeaderData(name="王书记", post="党支部书记", phone="138 0000 1111"),
        LeaderData(name="陈主任", post="村委会主任", phone="0575-87001234"),
    ]
    info.party_members = [PartyMemberData(name="赵老党员", sex="男", birth_date=date(1950, 6, 1),
                                          joined_on=date(1975, 7, 1), party_group="第1党小组")]
    group_id = info.groups[1][0]
    info.reps = [RepData(name="钱代表", group_id=group_id, phone="13900002222", notes="二组代表")]
    info.events = [
        EventData(date=date(2025, 3, 1), category="组织建设", title="党员冬训"),
        EventData(date=date(2025, 8, 8), category="安全生产", title="汛前排查", content="排查隐患3处", major=True),
    ]
    return info


def test_load_empty_village(archive: Archive, village_id: str) -> None:
    info = archive.villages.load(village_id)
    assert (info.id, info.name) == (village_id, "杜黄村")
    assert info.population is None
    assert (info.leaders, info.party_members, info.reps, info.events) == ([], [], [], [])
    assert [name for _, name in info.groups] == ["一组", "二组"]


def test_load_unknown_village(archive: Archive) -> None:
    with pytest.raises(DomainError):
        archive.villages.load("0" * 32)


def test_round_trip(archive: Archive, village_id: str) -> None:
    info = filled(archive, village_id)
    archive.villages.save(info)
    loaded = archive.villages.load(village_id)
    assert (loaded.population, loaded.household_total, loaded.farmland_mu, loaded.forest_mu) == (
        1520, 460, 1830.5, 2600.0)
    assert (loaded.collective_income, loaded.main_industries, loaded.notes) == (86.4, "香榧、茶叶", "距镇政府5公里")
    assert [(x.name, x.post, x.phone) for x in loaded.leaders] == [
        ("王书记", "党支部书记", "13800001111"), ("陈主任", "村委会主任", "0575-87001234")]
    (party,) = loaded.party_members
    assert (party.name, party.sex, party.birth_date, party.joined_on, party.party_group) == (
        "赵老党员", "男", date(1950, 6, 1), date(1975, 7, 1), "第1党小组")
    (rep,) = loaded.reps
    assert (rep.name, rep.group_id, rep.phone, rep.notes) == ("钱代表", info.groups[1][0], "13900002222", "二组代表")
    assert dict(loaded.groups)[rep.group_id] == "二组"
    assert [(e.date, e.category, e.title, e.content, e.major) for e in loaded.events] == [
        (date(2025, 8, 8), "安全生产", "汛前排查", "排查隐患3处", True),
        (date(2025, 3, 1), "组织建设", "党员冬训", "", False),
    ]
    assert all(row.id for row in (*loaded.leaders, *loaded.party_members, *loaded.reps, *loaded.events))


def test_leaders_keep_their_order(archive: Archive, village_id: str) -> None:
    archive.villages.save(filled(archive, village_id))
    info = archive.villages.load(village_id)
    info.leaders.reverse()
    archive.villages.save(info)
    assert [x.name for x in archive.villages.load(village_id).leaders] == ["陈主任", "王书记"]


def test_edit_and_remove_are_logged(archive: Archive, village_id: str, tmp_path) -> None:
    archive.villages.save(filled(archive, village_id))
    created = archive.villages.history(village_id)
    assert created and {e.operator for e in created} == {"测试员"}
    assert any(e.action == "新增" and e.entity == "村级班子" and "王书记" in e.note for e in created)
    assert any(e.action == "修改" and e.field == "人口" and e.old_value == "" and e.new_value == "1520"
               for e in created)

    clerk = open_archive(tmp_path / "archive.sqlite3", "村文书")
    try:
        info = clerk.villages.load(village_id)
        info.population = 1533
        info.leaders[1].phone = "13700003333"
        info.events[0].removed = True
        clerk.villages.save(info)
    finally:
        clerk.close()

    new = [e for e in archive.villages.history(village_id) if e.operator == "村文书"]
    lines = {(e.action, e.entity, e.field, e.old_value, e.new_value) for e in new}
    assert lines == {
        ("修改", "村基本情况", "人口", "1520", "1533"),
        ("修改", "村级班子", "联系电话", "0575-87001234", "13700003333"),
        ("删除", "村情事项", "", "", ""),
    }
    loaded = archive.villages.load(village_id)
    assert [e.title for e in loaded.events] == ["党员冬训"]
    assert loaded.population == 1533


def test_history_rows_carry_the_village(archive: Archive, village_id: str) -> None:
    archive.villages.save(filled(archive, village_id))
    conn = raw_of(archive.db)
    try:
        rows = conn.execute("SELECT village_id, household_id FROM change_log WHERE entity NOT IN ('账号', '操作')").fetchall()
    finally:
        conn.close()
    assert rows
    assert all(v == village_id and h is None for v, h in rows)
    assert len(archive.villages.history(village_id)) == len(rows)


def test_saving_unchanged_table_logs_nothing(archive: Archive, village_id: str) -> None:
    archive.villages.save(filled(archive, village_id))
    count = len(archive.villages.history(village_id))
    archive.villages.save(archive.villages.load(village_id))
    assert len(archive.villages.history(village_id)) == count


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda i: i.events.append(EventData(date=date(2025, 1, 1), category="文化活动", title="春晚")), "category"),
        (lambda i: i.events.append(EventData(date=None, category="重大事项", title="无日期")), "date"),
        (lambda i: i.events.append(EventData(date=date(2025, 1, 1), category="重大事项", title=" ")), "title"),
        (lambda i: i.leaders.append(LeaderData(name="  ", post="委员")), "name"),
        (lambda i: i.reps.append(RepData(name="孙代表", phone="12345")), "phone"),
        (lambda i: setattr(i, "population", -1), "population"),
        (lambda i: setattr(i, "farmland_mu", -0.5), "farmland_mu"),
    ],
)
def test_invalid_tables_are_refused(archive: Archive, village_id: str, change, field: str) -> None:
    archive.villages.save(filled(archive, village_id))
    before = archive.villages.load(village_id)
    count = len(archive.villages.history(village_id))
    info = archive.villages.load(village_id)
    info.notes = "不应保存"
    change(info)
    with pytest.raises(DomainError) as caught:
        archive.villages.save(info)
    assert caught.value.field == field
    assert archive.villages.load(village_id) == before
    assert len(archive.villages.history(village_id)) == count


def test_invalid_event_category_names_the_allowed_ones(archive: Archive, village_id: str) -> None:
    info = archive.villages.load(village_id)
    info.events = [EventData(date=date(2025, 1, 1), category="其他", title="x")]
    with pytest.raises(DomainError) as caught:
        archive.villages.save(info)
    assert "综治信访" in str(caught.value)


def test_removed_rows_are_not_validated(archive: Archive, village_id: str) -> None:
    info = archive.villages.load(village_id)
    info.events = [EventData(date=None, category="随便", title="", removed=True)]
    info.leaders = [LeaderData(name="", removed=True)]
    archive.villages.save(info)
    loaded = archive.villages.load(village_id)
    assert loaded.events == [] and loaded.leaders == []
