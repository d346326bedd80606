"""HouseholdListService on the demo archive: keyset paging for every order, search, filters.

Expected sets and orders are computed from the raw tables with sqlite3 and plain Python, and pinyin
keys with pypinyin directly, not through the code under test.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from accounts import raw_of
from pypinyin import Style, lazy_pinyin

from zhuji_archive.services.archive import Archive
from zhuji_archive.services.household_list import HouseholdFilter, HouseholdRow
from zhuji_archive.storage.household_queries import SORT_KEYS


@pytest.fixture
def raw(demo_archive: Archive) -> Iterator[sqlite3.Connection]:
    conn = raw_of(demo_archive.db)
    try:
        yield conn
    finally:
        conn.close()


def households(raw: sqlite3.Connection) -> list[dict[str, Any]]:
    query = """
        SELECT h.id, h.status, h.head_pinyin, h.member_count, h.economic_types, h.focus_tags,
               h.last_visit_date, h.number, g.sort, v.sort, COALESCE(c.name, ''), h.village_id, h.group_id,
               h.head_name, v.name, g.name
        FROM household h JOIN village_group g ON g.id = h.group_id JOIN village v ON v.id = h.village_id
        LEFT JOIN cadre c ON c.id = h.responsible_cadre_id
    """
    names = ("id", "status", "head_pinyin", "members", "economic", "focus", "last_visit", "number", "group_sort",
             "village_sort", "cadre", "village_id", "group_id", "head_name", "village_name", "group_name")
    return [dict(zip(names, row, strict=True)) for row in raw.execute(query)]


def members(raw: sqlite3.Connection) -> list[dict[str, Any]]:
    query = "SELECT household_id, name, relation, id_number, phone FROM member WHERE NOT removed"
    names = ("household_id", "name", "relation", "id_number", "phone")
    return [dict(zip(names, row, strict=True)) for row in raw.execute(query)]


def expected_key(h: dict[str, Any], sort: str) -> tuple[Any, ...]:
    return {
        "head": (h["head_pinyin"],),
        "group": (h["village_sort"], h["group_sort"], h["number"]),
        "members": (h["members"],),
        "economic": (h["economic"],),
        "focus": (h["focus"],),
        "cadre": ("".join(lazy_pinyin(h["cadre"])),),  # pinyin: 李 < 王 < 张
        "last_visit": (h["last_visit"] or "",),  # ISO text: never visited first
        "status": (h["status"], h["head_pinyin"]),  # within a status, by name
    }[sort] + (h["id"],)


def all_pages(archive: Archive, flt: HouseholdFilter, size: int = 50) -> list[HouseholdRow]:
    rows: list[HouseholdRow] = []
    after = None
    for _ in range(10_000):
        page = archive.household_list.page(flt, after, size)
        assert len(page) <= size
        rows.extend(page)
        if len(page) < size:
            return rows
        after = page[-1].sort_key
    raise AssertionError("paging does not end")


def ids(rows: list[HouseholdRow]) -> list[str]:
    return [r.id for r in rows]


def found(archive: Archive, text: str, status: str | None = "在册") -> set[str]:
    flt = HouseholdFilter(text=text, status=status)
    result = set(ids(all_pages(archive, flt)))
    assert archive.household_list.count(flt) == len(result)
    return result


def in_status(hh: list[dict[str, Any]], wanted: set[str], status: str | None = "在册") -> set[str]:
    return {h["id"] for h in hh if h["id"] in wanted and (status is None or h["status"] == status)}


# ---- paging --------------------------------------------------------------------------------------


def test_demo_has_enough_variety(raw: sqlite3.Connection) -> None:
    hh = households(raw)
    assert len(hh) == 300
    assert len({h["status"] for h in hh}) >= 2
    assert any(h["last_visit"] is None for h in hh)
    assert len({h["members"] for h in hh}) >= 3


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("sort", SORT_KEYS)
def test_keyset_pages_equal_one_big_page_in_sorted_order(
    demo_archive: Archive, raw: sqlite3.Connection, sort: str, descending: bool
) -> None:
    hh = households(raw)
    for status in ("在册", None):
        flt = HouseholdFilter(sort=sort, descending=descending, status=status)
        paged = all_pages(demo_archive, flt, 50)
        big = demo_archive.household_list.page(flt, None, 100_000)
        assert ids(paged) == ids(big)
        assert len(set(ids(paged))) == len(paged)
        wanted = [h for h in hh if status is None or h["status"] == status]
        assert demo_archive.household_list.count(flt) == len(wanted)
        expected = sorted(wanted, key=lambda h: expected_key(h, sort), reverse=descending)
        assert ids(paged) == [h["id"] for h in expected]


@pytest.mark.parametrize("size", [1, 7, 299, 300, 301])
def test_page_sizes(demo_archive: Archive, size: int) -> None:
    flt = HouseholdFilter(sort="members", status=None)
    assert ids(all_pages(demo_archive, flt, size)) == ids(demo_archive.household_list.page(flt, None, 1000))


def test_rows_carry_the_household_fields(demo_archive: Archive, raw: sqlite3.Connection) -> None:
    by_id = {h["id"]: h for h in households(raw)}
    rows = demo_archive.household_list.page(HouseholdFilter(status=None), None, 1000)
    assert len(rows) == len(by_id)
    for row in rows:
        h = by_id[row.id]
        assert (row.head_name, row.village_name, row.group_name, row.number) == (
            h["head_name"], h["village_name"], h["group_name"], h["number"])
        assert (row.member_count, row.cadre_name, row.status) == (h["members"], h["cadre"], h["status"])
        assert (row.last_visit_date.isoformat() if row.last_visit_date else None) == h["last_visit"]


def test_unknown_sort_key(demo_archive: Archive) -> None:
    with pytest.raises(ValueError):
        demo_archive.household_list.page(HouseholdFilter(sort="nonsense"))


def test_paging_with_filter_and_search(demo_archive: Archive, raw: sqlite3.Connection) -> None:
    village_id = households(raw)[0]["village_id"]
    flt = HouseholdFilter(village_id=village_id, text="z", sort="last_visit", descending=True)
    rows = all_pages(demo_archive, flt, 5)
    assert rows
    assert ids(rows) == ids(demo_archive.household_list.page(flt, None, 1000))


# ---- search --------------------------------------------------------------------------------------


def full_pinyin(name: str) -> str:
    return "".join(lazy_pinyin(name)).lower()


def initials(name: str) -> str:
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()


def heads_sample(raw: sqlite3.Connection, n: int = 6) -> list[dict[str, Any]]:
    on_file = {h["id"] for h in households(raw) if h["status"] == "在册"}
    heads = sorted((m for m in members(raw) if m["relation"] == "户主" and m["household_id"] in on_file),
                   key=lambda m: m["household_id"])
    return heads[:: max(1, len(heads) // n)][:n]


def test_search_by_pinyin_initials_of_a_head(demo_archive: Archive, raw: sqlite3.Connection) -> None:
    hh, mm = households(raw), members(raw)
    for head in heads_sample(raw):
        query = initials(head["name"])
        assert len(query) == len(head["name"])
        result = found(demo_archive, query)
        assert head["household_id"] in result
        expected = in_status(hh, {m["household_id"] for m in mm if initials(m["name"]).startswith(query)})
        assert result == expected
        assert found(demo_archive, query.upper()) == expected


def test_search_by_full_pinyin(demo_archive: Archive, raw: sqlite3.Connection) -> None:
    hh, mm = households(raw), members(raw)
    for head in heads_sample(raw):
        query = full_pinyin(head["name"])
        result = found(demo_archive, query)
        assert head["household_id"] in result
        assert result == in_status(hh, {m["household_id"] for m in mm if full_pinyin(m["name"]).startswith(query)})
    surname = full_pinyin(heads_sample(raw, 1)[0]["name"][0])
    assert found(demo_archive, surname) == in_status(
        hh, {m["household_id"] for m in mm if full_pinyin(m["name"]).startswith(surname)})


def test_search_by_a_members_name_shows_the_household(demo_archive: Archive, raw: sqlite3.Connection) -> None:
    hh, mm = households(raw), members(raw)
    head_names = {m["name"] for m in mm if m["relation"] == "户主"}
    on_file = {h["id"] for h in hh if h["status"] == "在册"}
    candidates = [m for m in mm if m["relation"] != "户主" and m["name"] not in head_names
                  and m["household_id"] in on_file]
    assert candidates
    for member in candidates[:5]:
        result = found(demo_archive, member["name"])
        assert member["household_id"] in result
        assert result == in_status(hh, {m["household_id"] for m in mm if member["name"] in m["name"]})
        row = next(r for r in demo_archive.household_list.page(HouseholdFilter(text=member["name"]), None, 1000)
                   if r.id == member["household_id"])
        assert row.head_name != member["name"]  # the row is the household, headed by someone else


def test_search_by_given_name_part(demo_archive: Archive, raw: sqlite3.Connection) -> None:
    hh, mm = households(raw), members(raw)
    part = heads_sample(raw, 1)[0]["name"][1:]
    assert found(demo_archive, part) == in_status(hh, {m["household_id"] for m in mm if part in m["name"]})


def test_search_by_id_number(demo_archive: Archive, raw: sqlite3.Connection) -> None:
    mm = members(raw)
    numbers = [m for m in mm if m["id_number"]]
    for member in numbers[::60]:
        assert found(demo_archive, member["id_number"], status=None) == {member["household_id"]}
        spaced = f" {member['id_number'][:6]} {member['id_number'][6:]} "
        assert found(demo_archive, spaced, status=None) == {member["household_id"]}


def test_search_by_id_number_ending_in_lowercase_x(demo_archive: Archive, raw: sqlite3.Connection) -> None:
    with_x = [m for m in members(raw) if m["id_number"].endswith("X")]
    assert with_x, "the demo should contain some numbers whose check character is X"
    member = with_x[0]
    assert found(demo_archive, member["id_number"].lower(), status=None) == {member["household_id"]}


def test_search_by_last_four_digits_of_a_phone(demo_archive: Archive, raw: sqlite3.Connection) -> None:
    hh, mm = households(raw), members(raw)
    phones = [m for m in mm if m["phone"]]
    for member in phones[::97][:4]:
        tail = member["phone"][-4:]
        result = found(demo_archive, tail, status=None)
        assert member["household_id"] in result
        expected = {
            m["household_id"] for m in mm
            if m["phone"].startswith(tail) or m["phone"].endswith(tail)
            or m["id_number"].startswith(tail) or m["id_number"].endswith(tail)
        }
        assert result == in_status(hh, expected, None)


def test_search_by_whole_phone(demo_archive: Archive, raw: sqlite3.Connection) -> None:
    hh, mm = households(raw), members(raw)
    phone = next(m["phone"] for m in mm if m["phone"])
    assert found(demo_archive, phone, None) == in_status(hh, {m["household_id"] for m in mm if m["phone"] == phone},
                                                         None)


def test_search_without_hits(demo_archive: Archive) -> None:
    assert found(demo_archive, "qqqqqq", None) == set()
    assert found(demo_archive, "龘", None) == set()


def test_blank_search_is_no_filter(demo_archive: Archive, raw: sqlite3.Connection) -> None:
    on_file = {h["id"] for h in households(raw) if h["status"] == "在册"}
    assert found(demo_archive, "   ") == on_file


# ---- filters -------------------------------------------------------------------------------------


def by_filter(archive: Archive, **kwargs: Any) -> set[str]:
    flt = HouseholdFilter(**kwargs)
    result = set(ids(all_pages(archive, flt)))
    assert archive.household_list.count(flt) == len(result)
    return result


def test_filter_by_village_and_group(demo_archive: Archive, raw: sqlite3.Connection) -> None:
    hh = households(raw)
    villages = sorted({h["village_id"] for h in hh})
    assert len(villages) == 8
    for village_id in villages:
        assert by_filter(demo_archive, village_id=village_id) == {
            h["id"] for h in hh if h["village_id"] == village_id and h["status"] == "在册"}
    for group_id in sorted({h["group_id"] for h in hh})[:6]:
        assert by_filter(demo_archive, group_id=group_id, status=None) == {
            h["id"] for h in hh if h["group_id"] == group_id}


def test_filter_by_town(demo_archive: Archive, raw: sqlite3.Connection) -> None:
    (town_id,) = raw.execute("SELECT id FROM town").fetchone()
    assert by_filter(demo_archive, town_id=town_id, status=None) == {h["id"] for h in households(raw)}
    assert by_filter(demo_archive, town_id="0" * 32, status=None) == set()


@pytest.mark.parametrize(("kind", "field"), [("economic_type", "economic_type"), ("focus_tag", "focus_tag")])
def test_filter_by_code(demo_archive: Archive, raw: sqlite3.Connection, kind: str, field: str) -> None:
    hh = households(raw)
    labels = [r[0] for r in raw.execute("SELECT DISTINCT label FROM household_code WHERE kind = ?", (kind,))]
    assert len(labels) >= 3
    for label in labels:
        holders = {r[0] for r in raw.execute(
            "SELECT household_id FROM household_code WHERE kind = ? AND label = ?", (kind, label))}
        assert by_filter(demo_archive, **{field: label}) == in_status(hh, holders)
        # the list column agrees with the code table
        column = "economic" if kind == "economic_type" else "focus"
        assert holders == {h["id"] for h in hh if label in h[column].split("、")}


@pytest.mark.parametrize("status", ["在册", "迁出", "合户", "注销", None])
def test_filter_by_status(demo_archive: Archive, raw: sqlite3.Connection, status: str | None) -> None:
    hh = households(raw)
    assert by_filter(demo_archive, status=status) == {h["id"] for h in hh if status is None or h["status"] == status}


def test_filters_combine(demo_archive: Archive, raw: sqlite3.Connection) -> None:
    hh, mm = households(raw), members(raw)
    village_id = hh[0]["village_id"]
    holders = {r[0] for r in raw.execute(
        "SELECT household_id FROM household_code WHERE kind = 'economic_type' AND label = '种植户'")}
    with_z = {m["household_id"] for m in mm if initials(m["name"]).startswith("z")
              or full_pinyin(m["name"]).startswith("z")}
    expected = {h["id"] for h in hh if h["village_id"] == village_id and h["status"] == "在册"
                and h["id"] in holders and h["id"] in with_z}
    assert expected
    assert by_filter(demo_archive, village_id=village_id, economic_type="种植户", text="z") == expected
