"""The services answer each account within its role and scope: lists and the tree hold only the villages
a scoped account covers, a record outside them is refused (PermissionDenied, in Chinese) before anything
is read or written, a 镇领导 acts only on the cases he leads, and what is written names the account.

The town of conftest's ``workflow_town`` (杜黄村 with 张建国 and 赵大, 新桥村 with 王小明) gets a third
village, 石门村 with 钱三, so that a 驻村干部 covering two villages still misses one."""

from __future__ import annotations

from datetime import date

import pytest
from accounts import as_person
from conftest import WORKFLOW_DAY, WorkflowTown
from sqlalchemy import select

from zhuji_archive.domain.accounts import PermissionDenied, Role
from zhuji_archive.domain.reporting import MONTHLY, period_of
from zhuji_archive.domain.workflow import Action, Assignment, Classification, Level, Progress, Supervision
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.household_list import HouseholdFilter
from zhuji_archive.storage.models import ChangeLog, RequestEvent, Visit
from zhuji_archive.storage.request_queries import RequestQuery
from zhuji_archive.views.household_file import MemberData

D = date.fromisoformat
LEADER, OTHER_LEADER = "陈镇长", "李镇长"


@pytest.fixture
def town(workflow_town: WorkflowTown) -> WorkflowTown:
    arc = workflow_town.archive
    town_id = arc.organisation.tree()[0].id
    village = arc.organisation.add_village(town_id, "石门村")
    workflow_town.villages["石门村"] = village
    workflow_town.groups["石门村一组"] = arc.organisation.add_group(village, "一组")
    file = arc.households.new_file(workflow_town.groups["石门村一组"])
    file.members = [MemberData(name="钱三", relation="户主")]
    workflow_town.households["钱三"] = arc.households.save(file)
    return workflow_town


def requests_everywhere(town: WorkflowTown) -> dict[str, str]:
    """One request per household, recorded by the 党政办 account: head name -> request id."""
    return {
        head: town.archive.requests.record(household, "生活困难", f"{head}家的困难", D("2025-09-01"))
        for head, household in town.households.items()
    }


def person(town: WorkflowTown, name: str, role: Role, *villages: str) -> Archive:
    return as_person(town.archive, name, role, WORKFLOW_DAY, tuple(town.villages[v] for v in villages))


def heads(archive: Archive, flt: HouseholdFilter = HouseholdFilter()) -> set[str]:  # noqa: B008
    return {row.head_name for row in archive.household_list.page(flt)}


def tree_villages(archive: Archive) -> set[str]:
    names = set()

    def walk(nodes) -> None:  # type: ignore[no-untyped-def]
        for node in nodes:
            if node.kind == "village":
                names.add(node.name)
            walk(node.children)

    walk(archive.organisation.tree())
    return names


def test_a_village_cadre_lists_and_reads_only_their_village(town: WorkflowTown) -> None:
    ids = requests_everywhere(town)
    cadre = person(town, "赵村干", Role.VILLAGE, "杜黄村")

    assert heads(cadre) == {"张建国", "赵大"}
    assert cadre.household_list.count(HouseholdFilter()) == 2
    town_id = cadre.organisation.tree()[0].id
    assert cadre.household_list.count(HouseholdFilter(town_id=town_id)) == 2  # the tally, limited
    assert heads(cadre, HouseholdFilter(town_id=town_id, text="王")) == set()
    assert cadre.household_list.member_hits(HouseholdFilter(text="王")) == []
    assert tree_villages(cadre) == {"杜黄村"}
    assert [name for _id, name in cadre.organisation.villages()] == ["杜黄村"]

    rows = cadre.requests.list()
    assert {row.head_name for row in rows} == {"张建国", "赵大"}
    assert cadre.requests.total() == 2
    assert sum(cadre.requests.counts().values()) == 2
    assert {row.head_name for row in cadre.requests.page()} == {"张建国", "赵大"}
    assert cadre.requests.detail(ids["赵大"]).row.head_name == "赵大"

    with pytest.raises(PermissionDenied, match="范围"):
        cadre.household_list.page(HouseholdFilter(village_id=town.villages["新桥村"]))
    with pytest.raises(PermissionDenied):
        cadre.household_list.count(HouseholdFilter(group_id=town.groups["新桥村一组"]))
    with pytest.raises(PermissionDenied):
        cadre.households.load(town.households["王小明"])
    with pytest.raises(PermissionDenied):
        cadre.requests.detail(ids["王小明"])
    with pytest.raises(PermissionDenied):
        cadre.requests.list(RequestQuery(village_id=town.villages["新桥村"]))
    with pytest.raises(PermissionDenied):
        cadre.requests.record(town.households["王小明"], "生活困难", "代登记")
    with pytest.raises(PermissionDenied):
        cadre.households.new_file(town.groups["新桥村一组"])


def test_a_village_cadre_dashboard_and_todo_count_their_village_only(town: WorkflowTown) -> None:
    requests_everywhere(town)
    cadre = person(town, "赵村干", Role.VILLAGE, "杜黄村")
    office = town.archive

    assert cadre.dashboard.build().households == 2
    assert sum(cadre.dashboard.build().by_status.values()) == 2
    assert office.dashboard.build().households == 4
    with pytest.raises(PermissionDenied):
        cadre.dashboard.build(town.villages["新桥村"], "新桥村")
    todo = cadre.maintenance.todo()
    mine = {town.households["张建国"], town.households["赵大"]}
    assert {item.household_id for item in todo.items if item.household_id} <= mine
    assert any(item.household_id for item in todo.items)  # never visited: all are due


def test_a_cadre_with_two_villages_sees_both_and_not_the_third(town: WorkflowTown) -> None:
    requests_everywhere(town)
    cadre = person(town, "李驻村", Role.CADRE, "杜黄村", "新桥村")

    assert heads(cadre) == {"张建国", "赵大", "王小明"}
    assert cadre.household_list.count(HouseholdFilter()) == 3
    assert tree_villages(cadre) == {"杜黄村", "新桥村"}
    assert {row.head_name for row in cadre.requests.list()} == {"张建国", "赵大", "王小明"}
    assert cadre.requests.total() == 3
    assert cadre.dashboard.build().households == 3
    with pytest.raises(PermissionDenied):
        cadre.households.load(town.households["钱三"])

    office = town.archive
    assert heads(office) == {"张建国", "赵大", "王小明", "钱三"}
    assert tree_villages(office) == {"杜黄村", "新桥村", "石门村"}


def test_a_cadre_cannot_review_or_run_the_meeting(town: WorkflowTown) -> None:
    ids = requests_everywhere(town)
    cadre = person(town, "李驻村", Role.CADRE, "杜黄村", "新桥村")
    rid = ids["张建国"]
    cadre.requests.act(rid, Action.SORT, Classification("生活困难", "个性", "近期一时难以解决", Level.JOINT))
    with pytest.raises(PermissionDenied):
        cadre.requests.act(rid, Action.JOINT, supervision(OTHER_LEADER))
    with pytest.raises(PermissionDenied):
        cadre.meetings.create(WORKFLOW_DAY, "", "")
    with pytest.raises(PermissionDenied):
        cadre.requests.create_common_issue("同一问题", "", [ids["张建国"], ids["赵大"]])


def supervision(leader: str) -> Supervision:
    return Supervision(
        "诸暨市委办", D("2025-09-10"), leader, Assignment("镇综治中心", "何伟", D("2025-12-31"))
    )


def led_case(town: WorkflowTown, head: str, leader: str) -> str:
    """A 市镇联动 request under 挂牌督办 led by ``leader``, routed by the 党政办 account."""
    requests = town.archive.requests
    rid = requests.record(town.households[head], "信访", f"{head}的信访", D("2025-09-01"))
    requests.act(rid, Action.SORT, Classification("信访", "个性", "近期一时难以解决", Level.JOINT))
    requests.act(rid, Action.JOINT, supervision(leader))
    return rid


def test_a_leader_acts_only_on_the_cases_he_leads(town: WorkflowTown) -> None:
    mine = led_case(town, "张建国", LEADER)
    theirs = led_case(town, "王小明", OTHER_LEADER)
    fresh = town.archive.requests.record(town.households["赵大"], "生活困难", "新诉求", D("2025-09-01"))
    leader = person(town, LEADER, Role.LEADER)

    detail = leader.requests.act(mine, Action.PROGRESS, Progress(D("2025-09-20"), "已约谈责任单位"))
    assert detail.events[-1].action == Action.PROGRESS.value
    with pytest.raises(PermissionDenied, match="包案"):
        leader.requests.act(theirs, Action.PROGRESS, Progress(D("2025-09-20"), "代为记录"))
    with pytest.raises(PermissionDenied):
        leader.requests.act(mine, Action.SOLVE, None)
    with pytest.raises(PermissionDenied):
        leader.requests.act(
            fresh, Action.SORT, Classification("生活困难", "个性", "近期一时难以解决", Level.VILLAGE)
        )
    with pytest.raises(PermissionDenied):
        leader.requests.record(town.households["赵大"], "生活困难", "领导登记")
    with pytest.raises(PermissionDenied):
        leader.households.save(leader.households.load(town.households["赵大"]))
    # whole town to read
    assert leader.requests.total() == 3
    assert heads(leader) == {"张建国", "赵大", "王小明", "钱三"}
    assert [e.action for e in leader.requests.detail(theirs).events] == ["梳理", "市镇联动"]


def test_the_administrator_keeps_the_structure_and_reads_no_files(town: WorkflowTown) -> None:
    ids = requests_everywhere(town)
    admin = person(town, "管理员乙", Role.ADMIN)

    assert tree_villages(admin) == {"杜黄村", "新桥村", "石门村"}
    assert all(node.households == 0 for node in admin.organisation.tree())  # no casework figures
    admin.organisation.add_group(town.villages["石门村"], "二组")
    for refused in (
        lambda: admin.households.load(town.households["张建国"]),
        lambda: admin.household_list.page(HouseholdFilter()),
        lambda: admin.requests.list(),
        lambda: admin.requests.detail(ids["张建国"]),
        lambda: admin.dashboard.build(),
        lambda: admin.maintenance.todo(),
    ):
        with pytest.raises(PermissionDenied, match="系统管理员"):
            refused()


def test_a_reader_reads_in_scope_and_writes_nothing(town: WorkflowTown) -> None:
    ids = requests_everywhere(town)
    reader = person(town, "孙只读", Role.READER, "新桥村")

    assert heads(reader) == {"王小明"}
    assert reader.requests.detail(ids["王小明"]).row.head_name == "王小明"
    file = reader.households.load(town.households["王小明"])
    with pytest.raises(PermissionDenied, match="只读"):
        reader.households.save(file)
    with pytest.raises(PermissionDenied):
        reader.requests.record(town.households["王小明"], "生活困难", "只读登记")
    with pytest.raises(PermissionDenied):
        reader.requests.act(ids["王小明"], Action.SORT, None)
    with pytest.raises(PermissionDenied):
        reader.maintenance.record_visit(town.households["王小明"], WORKFLOW_DAY, "回访", "孙只读")
    with pytest.raises(PermissionDenied):
        reader.organisation.add_group(town.villages["新桥村"], "三组")


def test_what_is_written_names_the_account(town: WorkflowTown) -> None:
    cadre = person(town, "李驻村", Role.CADRE, "杜黄村", "新桥村")
    household = town.households["王小明"]
    rid = cadre.requests.record(household, "生活困难", "驻村干部登记", D("2025-09-01"))
    cadre.requests.act(
        rid, Action.SORT, Classification("生活困难", "个性", "近期一时难以解决", Level.VILLAGE)
    )
    visit = cadre.maintenance.record_visit(household, D("2025-09-20"), "回访", "李驻村")
    account = cadre.actor.account_id
    with cadre.db.sessions() as session:
        events = session.scalars(select(RequestEvent.account_id).where(RequestEvent.request_id == rid)).all()
        assert events == [account]
        assert session.get(Visit, visit).account_id == account
        logged = session.scalars(
            select(ChangeLog.account_id).where(
                ChangeLog.household_id == household, ChangeLog.operator == "李驻村"
            )
        ).all()
        assert logged and set(logged) == {account}


def test_exports_and_summaries_stay_in_scope(town: WorkflowTown, tmp_path) -> None:  # type: ignore[no-untyped-def]
    requests_everywhere(town)
    cadre = person(town, "赵村干", Role.VILLAGE, "杜黄村")

    whole = cadre.exports.roster(tmp_path / "scope.xlsx", "households")
    assert whole.rows == 2  # the roster of "everything" is the roster of his village
    assert town.archive.exports.roster(tmp_path / "town.xlsx", "households").rows == 4
    with pytest.raises(PermissionDenied):
        cadre.exports.roster(tmp_path / "other.xlsx", "households", village_id=town.villages["新桥村"])
    assert not (tmp_path / "other.xlsx").exists()
    with pytest.raises(PermissionDenied):
        cadre.exports.household_sheet(tmp_path / "sheet.pdf", town.households["王小明"])

    month = period_of(MONTHLY, WORKFLOW_DAY)
    assert cadre.summaries.build("village", town.villages["杜黄村"], month).scope_name == "杜黄村"
    with pytest.raises(PermissionDenied):
        cadre.summaries.build("village", town.villages["新桥村"], month)
    town_id = cadre.organisation.tree()[0].id
    with pytest.raises(PermissionDenied):  # the town's figures count the other villages
        cadre.summaries.build("town", town_id, month)
    with pytest.raises(PermissionDenied):
        cadre.summaries.submit("village", town.villages["新桥村"], month.previous())
