"""Request list paging against a real SQLite file: over random requests (many on one day) and random page
sizes, the pages of every filter give each matching request exactly once, newest 登记日期 first and ties
by id, and the total (from the kept tally or a count) is the number of requests the filter matches."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import WorkflowTown
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhuji_archive.domain.workflow import Action, Classification, Level
from zhuji_archive.services.requests import RequestService
from zhuji_archive.storage.models import Request
from zhuji_archive.storage.request_queries import RequestQuery

HEADS = ("张建国", "赵大", "王小明")
CATEGORIES = ("生活困难", "矛盾纠纷", "基础设施")
# (household, days before 2025-09-20, category, sorted?, deleted?): few days, so dates tie often.
REQUEST = st.tuples(
    st.sampled_from(HEADS),
    st.integers(0, 3),
    st.sampled_from(CATEGORIES),
    st.booleans(),
    st.booleans(),
)


def paged(requests: RequestService, query: RequestQuery, size: int) -> list[str]:
    """Walk the list the way the page does: the first page, then the rows after the last one shown."""
    ids: list[str] = []
    rows = requests.page(query, limit=size)
    while rows:
        assert len(rows) <= size and len(ids) < 100, "paging does not end"
        ids += [r.id for r in rows]
        rows = requests.page(query, after=requests.page_key(rows[-1]), limit=size)
    return ids


def expected(town: WorkflowTown, match) -> list[str]:  # type: ignore[no-untyped-def]
    """The matching requests in list order, from the stored rows (not through the list query)."""
    with town.archive.db.sessions() as session:
        stored = [r for r in session.query(Request).all() if not r.deleted and match(r)]
    stored.sort(key=lambda r: r.id)
    stored.sort(key=lambda r: r.recorded_on, reverse=True)
    return [r.id for r in stored]


@pytest.fixture
def town(workflow_town: WorkflowTown) -> WorkflowTown:
    return workflow_town


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(requests=st.lists(REQUEST, min_size=0, max_size=14), size=st.integers(1, 5))
def test_every_page_walk_gives_each_request_once_in_order(town: WorkflowTown, requests, size) -> None:
    service = town.archive.requests
    with town.archive.db.sessions() as session, session.begin():
        session.query(Request).update({Request.deleted: True})  # each example starts from none listed
    base = date(2025, 9, 20)
    for head, days, category, sort, delete in requests:
        rid = service.record(town.households[head], category, f"诉求{days}{category}", base - timedelta(days=days))
        if sort:
            service.act(rid, Action.SORT, Classification(category, "个性", "近期一时难以解决", Level.VILLAGE))
        if delete:
            with town.archive.db.sessions() as session, session.begin():
                session.get(Request, rid).deleted = True  # type: ignore[union-attr]
    village = town.villages["杜黄村"]
    dh_households = {town.households["张建国"], town.households["赵大"]}
    filters = [
        (RequestQuery(), lambda r: True),
        (RequestQuery(statuses=("已梳理",)), lambda r: r.status == "已梳理"),
        (RequestQuery(village_id=village), lambda r: r.household_id in dh_households),
        (
            RequestQuery(village_id=village, statuses=("登记",)),
            lambda r: r.household_id in dh_households and r.status == "登记",
        ),
        (RequestQuery(category="矛盾纠纷"), lambda r: r.category == "矛盾纠纷"),
        (RequestQuery(text="赵大"), lambda r: r.household_id == town.households["赵大"]),
    ]
    for query, match in filters:
        want = expected(town, match)
        assert paged(service, query, size) == want, query
        assert service.total(query) == len(want), query
        assert [r.id for r in service.list(query)] == want
        counts = service.counts(query)
        assert sum(counts.values()) == len(want)
