"""Text search in storage: LIKE wildcards typed by a user match literally, and no text a user can
type or paste (the last code point, lone surrogates, NUL) makes a search raise."""

from __future__ import annotations

from datetime import date

from conftest import WorkflowTown
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhuji_archive.domain.search_keys import MAX_CHAR, prefix_upper_bound, searchable
from zhuji_archive.storage.household_queries import HouseholdFilter
from zhuji_archive.storage.request_queries import RequestQuery

DESCRIPTIONS = ("收入增长50%以上", "路灯_损坏", "反斜杠\\问题", "普通诉求", "ABC大写")
SLOW = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _record_all(town: WorkflowTown) -> None:
    for text in DESCRIPTIONS:
        town.archive.requests.record(town.households["张建国"], "生活困难", text, date(2025, 9, 1))


def _fold(text: str) -> str:
    """SQLite's LIKE folds ASCII letters only."""
    return text.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"))


def _found(town: WorkflowTown, text: str) -> set[str]:
    return {r.description for r in town.archive.requests.list(RequestQuery(text=text))}


def test_percent_and_underscore_in_request_search_match_literally(workflow_town: WorkflowTown) -> None:
    _record_all(workflow_town)
    assert _found(workflow_town, "%") == {"收入增长50%以上"}
    assert _found(workflow_town, "_") == {"路灯_损坏"}
    assert _found(workflow_town, "路灯_") == {"路灯_损坏"}
    assert _found(workflow_town, "路_") == set()
    assert _found(workflow_town, "\\") == {"反斜杠\\问题"}
    assert _found(workflow_town, "50%以") == {"收入增长50%以上"}


def test_request_search_for_the_last_code_point_or_a_lone_surrogate(workflow_town: WorkflowTown) -> None:
    _record_all(workflow_town)
    assert _found(workflow_town, MAX_CHAR) == set()
    assert _found(workflow_town, "\ud800") == {r.description for r in workflow_town.archive.requests.list()}
    assert _found(workflow_town, "路灯\udfff_") == {"路灯_损坏"}


def test_request_search_ignores_the_case_of_letters(workflow_town: WorkflowTown) -> None:
    """On a hub PostgreSQL's LIKE told "a" from "A" (Hypothesis found it in the hub run); SQLite's never did."""
    _record_all(workflow_town)
    assert _found(workflow_town, "abc") == {"ABC大写"}
    assert _found(workflow_town, "aBc大") == {"ABC大写"}


@SLOW
@given(text=st.text(max_size=6) | st.sampled_from(["%", "_", "\\", "%_", "50%", MAX_CHAR, "\ud800x"]))
def test_request_search_never_raises_and_matches_substrings(workflow_town: WorkflowTown, text: str) -> None:
    if not workflow_town.archive.requests.list(RequestQuery(text="路灯_")):
        _record_all(workflow_town)
    rows = workflow_town.archive.requests.list(RequestQuery(text=text))
    needle = _fold(searchable(text).strip())
    expected = {
        r.description
        for r in workflow_town.archive.requests.list()
        if needle in _fold(r.description) or needle in _fold(r.head_name) or needle in _fold(r.number or "")
    }
    assert {r.description for r in rows} == expected


@SLOW
@given(text=st.text(max_size=8) | st.sampled_from([MAX_CHAR, "张" + MAX_CHAR, "1" + MAX_CHAR, "\ud7ff", "\udc00"]))
def test_household_search_never_raises(workflow_town: WorkflowTown, text: str) -> None:
    workflow_town.archive.household_list.page(HouseholdFilter(text=text))


def test_household_search_finds_a_name_before_the_last_code_point(workflow_town: WorkflowTown) -> None:
    rows = workflow_town.archive.household_list.page(HouseholdFilter(text="张建国" + MAX_CHAR))
    assert rows == []
    rows = workflow_town.archive.household_list.page(HouseholdFilter(text="张\ud800建"))
    assert [r.head_name for r in rows] == ["张建国"]


@given(prefix=st.text(min_size=1, max_size=4), other=st.text(max_size=6))
def test_prefix_upper_bound_for_arbitrary_text(prefix: str, other: str) -> None:
    prefix, other = searchable(prefix), searchable(other)
    if not prefix:
        return
    upper = prefix_upper_bound(prefix)
    if upper is None:
        assert set(prefix) == {MAX_CHAR}
        return
    assert not any("\ud800" <= ch <= "\udfff" for ch in upper)
    assert (prefix <= other < upper) == other.startswith(prefix)
    assert prefix <= prefix + other < upper


def test_a_cadre_name_with_wildcards_counts_only_that_cadres_visits(workflow_town: WorkflowTown) -> None:
    from zhuji_archive.storage.maintenance_queries import count_visits_by

    archive = workflow_town.on(date(2025, 9, 26))
    household = workflow_town.households["张建国"]
    archive.maintenance.record_visit(household, date(2025, 9, 1), "回访", "王_华、李四")
    archive.maintenance.record_visit(household, date(2025, 9, 2), "回访", "王小华")
    archive.maintenance.record_visit(household, date(2025, 9, 3), "回访", "赵%")
    with archive.db.sessions() as session:

        def count(name: str) -> int:
            return count_visits_by(session, name, [household], date(2025, 9, 1), date(2025, 9, 30))

        assert count("王_华") == 1
        assert count("王小华") == 1
        assert count("李四") == 1
        assert count("赵%") == 1
        assert count("%") == 0


def test_a_hub_whose_database_orders_text_by_pinyin_still_finds_members_by_prefix() -> None:
    """A member search is a prefix range (name >= '王' AND name < '玌'), which means "starts with" only
    in code-point order. A hub created in a database whose default collation is Chinese (ICU, by
    pinyin) found no name at all until the search keys got the "C" collation (migration 0012)."""
    import pg_cluster
    from accounts import ADMIN_LOGIN, ADMIN_PASSWORD
    from sqlalchemy import select

    from zhuji_archive.services import access
    from zhuji_archive.services.demo import generate
    from zhuji_archive.storage import household_queries
    from zhuji_archive.storage.models import Member

    server = pg_cluster.cluster()
    database = "t_pinyin_collation"
    with server.admin() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        connection.execute(
            f"CREATE DATABASE \"{database}\" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'zh' LOCALE 'C.UTF-8'"
        )
    archive = None
    try:
        archive = access.create(server.url(database), ADMIN_LOGIN, "管理员", ADMIN_PASSWORD)
        generate(archive.db, households=20, seed=5, today=date(2025, 9, 1))
        with archive.db.sessions() as session:
            name, initials, id_number = session.execute(
                select(Member.name, Member.name_initials, Member.id_number)
                .where(Member.id_number != "", Member.removed.is_(False))
                .order_by(Member.id)
                .limit(1)
            ).one()
            for text in (name[:1], name, initials, id_number, id_number[-6:]):
                assert household_queries.count(session, HouseholdFilter(text=text)) >= 1, text
    finally:
        if archive is not None:
            archive.close()
        server.drop(database)
