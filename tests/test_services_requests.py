"""RequestService against real SQLite files: the logged path from 登记 to 已反馈, refusals that change
nothing, 不满意 feedback, the list filters (time status worked out by hand on the holiday calendar),
counts, common issues and the 挂牌督办 list.

"Today" is WORKFLOW_DAY, Friday 2025-09-26: the next working days are Sunday 09-28 (make-up day),
09-29 and 09-30, then the National Day holiday 10-01..10-08; with the default warning of 3 working
days a deadline of 10-08 is still 临期 and 10-09 is the first 正常 one."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
from conftest import WORKFLOW_DAY, WorkflowTown
from sqlalchemy import func, select

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.workflow import (
    Action,
    Assignment,
    Classification,
    Explanation,
    Feedback,
    Level,
    OnTheSpot,
    Progress,
    Reopen,
    Resolution,
    Status,
    Supervision,
    TimeStatus,
)
from zhuji_archive.services.requests import RequestService
from zhuji_archive.storage.models import ChangeLog, Request, RequestEvent, RequestFeedback, utcnow
from zhuji_archive.storage.request_queries import RequestQuery
from zhuji_archive.views.household_file import RequestData

D = date.fromisoformat
RECORDED = D("2025-09-01")
NOT_SOON = "近期一时难以解决"


def classification(level: Level, category: str = "生活困难", scope: str = "个性") -> Classification:
    return Classification(category, scope, NOT_SOON, level)


def feedback(satisfaction: str, on: str, opinion: str = "问题已解决，感谢") -> Feedback:
    return Feedback(D(on), "王书记", "李驻村", "赵村干", opinion, satisfaction, True)


def stored(town: WorkflowTown, request_id: str) -> dict[str, Any]:
    with town.archive.db.sessions() as session:
        r = session.get(Request, request_id)
        assert r is not None
        return {c.name: getattr(r, c.name) for c in Request.__table__.columns}


def counts_of(town: WorkflowTown) -> tuple[int, int, int]:
    with town.archive.db.sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(RequestEvent)) or 0,
            session.scalar(select(func.count()).select_from(RequestFeedback)) or 0,
            session.scalar(select(func.count()).select_from(ChangeLog)) or 0,
        )


def record(town: WorkflowTown, head: str, description: str, category: str = "生活困难") -> str:
    return town.archive.requests.record(town.households[head], category, description, RECORDED)


def in_progress(
    town: WorkflowTown, head: str, description: str, deadline: str, level: Level = Level.VILLAGE, **kw: str
) -> str:
    requests = town.archive.requests
    rid = record(town, head, description, kw.get("category", "生活困难"))
    requests.act(rid, Action.SORT, classification(level, kw.get("category", "生活困难")))
    requests.act(rid, Action.ASSIGN, Assignment("村委会", kw.get("person", "王书记"), D(deadline)))
    return rid


# ---- the whole path, logged ----------------------------------------------------------------------
def test_request_goes_from_registration_to_closed_with_every_step_logged(workflow_town: WorkflowTown) -> None:
    town = workflow_town
    requests = town.archive.requests
    household = town.households["张建国"]
    start = utcnow()
    rid = requests.record(household, "生产困难", "  灌溉渠漏水，春耕放水困难  ", RECORDED)
    assert requests.detail(rid).row.description == "灌溉渠漏水，春耕放水困难"
    assert requests.detail(rid).allowed == [Action.SORT, Action.SOLVE_ON_SPOT]

    requests.act(rid, Action.SORT, Classification("生产困难", "共性", NOT_SOON, Level.VILLAGE))
    requests.act(rid, Action.ASSIGN, Assignment("村委会", "王书记", D("2025-10-16"), "尽快修复"))
    requests.act(rid, Action.SOLVE, Resolution(D("2025-09-20"), "组织施工", "村集体出资修复", "已通水"))
    detail = requests.act(rid, Action.FEEDBACK, feedback("满意", "2025-09-25"))
    end = utcnow()

    assert detail.row.status == Status.CLOSED == detail.case.status
    assert detail.allowed == [Action.REOPEN]
    assert (detail.row.category, detail.row.scope, detail.row.level) == ("生产困难", "共性", "村级")
    assert (detail.row.responsible_unit, detail.row.responsible_person) == ("村委会", "王书记")
    assert detail.row.deadline == D("2025-10-16")
    assert detail.row.satisfaction == "满意"
    assert detail.row.time_status == TimeStatus.NONE
    assert "已通水" in detail.row.resolution
    assert detail.row.village_name == "杜黄村" and detail.row.head_name == "张建国"
    row = stored(town, rid)
    assert row["village_id"] == town.villages["杜黄村"]
    assert row["closed_on"] == D("2025-09-25")
    assert (row["measures"], row["method"], row["result"]) == ("组织施工", "村集体出资修复", "已通水")

    steps = [(e.action, e.from_status, e.to_status, e.on) for e in detail.events]
    assert steps == [
        ("梳理", "登记", "已梳理", WORKFLOW_DAY),
        ("交办", "已梳理", "办理中", WORKFLOW_DAY),
        ("办结", "办理中", "已办结", D("2025-09-20")),  # the business date the user gave
        ("反馈", "已办结", "已反馈", D("2025-09-25")),
    ]
    for event in detail.events:
        assert event.operator == "测试员"
        assert start <= event.at <= end
    assert [e.at for e in detail.events] == sorted(e.at for e in detail.events)
    notes = [e.note for e in detail.events]
    assert (
        "村委会" in notes[1] and "王书记" in notes[1] and "2025-10-16" in notes[1] and "尽快修复" in notes[1]
    )
    assert notes[2] == "已通水"
    assert "满意" in notes[3]

    history = town.archive.households.history(household)
    handled = [(h.old_value, h.new_value) for h in history if h.entity == "诉求" and h.action == "办理"]
    assert sorted(handled) == sorted(
        [("登记", "已梳理"), ("已梳理", "办理中"), ("办理中", "已办结"), ("已办结", "已反馈")]
    )
    assert all(h.field == "办理状态" and h.operator == "测试员" for h in history if h.action == "办理")
    assert any(h.entity == "诉求" and h.action == "新增" for h in history)


def test_record_needs_category_description_and_household(workflow_town: WorkflowTown) -> None:
    requests = workflow_town.archive.requests
    household = workflow_town.households["赵大"]
    before = counts_of(workflow_town)
    with pytest.raises(DomainError) as caught:
        requests.record(household, "", "房屋漏雨")
    assert caught.value.field == "category"
    with pytest.raises(DomainError) as caught:
        requests.record(household, "生活困难", "   ")
    assert caught.value.field == "description"
    with pytest.raises(DomainError):
        requests.record("0" * 32, "生活困难", "房屋漏雨")
    assert requests.list() == [] and counts_of(workflow_town) == before
    rid = requests.record(household, "生活困难", "房屋漏雨")
    assert requests.detail(rid).row.recorded_on == WORKFLOW_DAY


def test_request_recorded_in_the_household_file_belongs_to_its_village(workflow_town: WorkflowTown) -> None:
    town = workflow_town
    file = town.archive.households.load(town.households["王小明"])
    file.requests.append(RequestData(recorded_on=RECORDED, category="生活困难", description="申请危房改造"))
    town.archive.households.save(file)
    rows = town.archive.requests.list(RequestQuery(village_id=town.villages["新桥村"]))
    assert [r.description for r in rows] == ["申请危房改造"]
    assert town.archive.requests.counts(RequestQuery(village_id=town.villages["新桥村"])) == {"登记": 1}
    assert town.archive.requests.list(RequestQuery(village_id=town.villages["杜黄村"])) == []


# ---- refusals ---------------------------------------------------------------------------------------
def test_refused_actions_change_nothing_in_the_database(workflow_town: WorkflowTown) -> None:
    town = workflow_town
    requests = town.archive.requests
    rid = record(town, "赵大", "宅基地界线纠纷", "矛盾纠纷")
    requests.act(rid, Action.SORT, classification(Level.VILLAGE, "矛盾纠纷"))
    row_before, counts_before = stored(town, rid), counts_of(town)

    attempts: list[tuple[Action, Any, str | None]] = [
        (Action.SOLVE, Resolution(D("2025-09-20"), "调解", "调解", "已调解"), None),  # not allowed now
        (Action.REPORT, None, None),  # a village-level request is not reported to the town
        (Action.FEEDBACK, feedback("满意", "2025-09-25"), None),
        (Action.ASSIGN, Assignment("村调解委员会", "", D("2025-10-16")), "person"),
        (Action.ASSIGN, Assignment("", "王书记", D("2025-10-16")), "unit"),
        (Action.ASSIGN, Assignment("村调解委员会", "王书记", None), "deadline"),
        (Action.ASSIGN, Assignment("村调解委员会", "王书记", D("2025-08-31")), "deadline"),
        (Action.ASSIGN, None, None),
        (Action.SORT, Classification("", "个性", NOT_SOON, Level.TOWN), "category"),
    ]
    for action, payload, field in attempts:
        with pytest.raises(DomainError) as caught:
            requests.act(rid, action, payload)
        assert caught.value.field == field, (action, caught.value.message)
        assert stored(town, rid) == row_before
        assert counts_of(town) == counts_before
    with pytest.raises(DomainError):
        requests.act("f" * 32, Action.SORT, classification(Level.VILLAGE))
    assert counts_of(town) == counts_before


def test_act_many_is_all_or_nothing_and_names_the_refused_request(workflow_town: WorkflowTown) -> None:
    town = workflow_town
    requests = town.archive.requests
    ready = record(town, "张建国", "门前路灯不亮")
    requests.act(ready, Action.SORT, classification(Level.CADRE))
    unsorted = record(town, "王小明", "申请临时救助")
    before = counts_of(town), stored(town, ready), stored(town, unsorted)
    with pytest.raises(DomainError) as caught:
        requests.act_many([ready, unsorted], Action.ASSIGN, Assignment("村委会", "王书记", D("2025-10-16")))
    assert "王小明" in caught.value.message
    assert (counts_of(town), stored(town, ready), stored(town, unsorted)) == before


# ---- feedback --------------------------------------------------------------------------------------
def test_unsatisfied_feedback_reopens_and_both_feedbacks_are_kept(workflow_town: WorkflowTown) -> None:
    town = workflow_town
    requests = town.archive.requests
    rid = in_progress(town, "张建国", "房屋漏雨", "2025-10-16")
    requests.act(rid, Action.SOLVE, Resolution(D("2025-09-10"), "补漏", "维修", "不再漏雨"))
    detail = requests.act(rid, Action.FEEDBACK, feedback("不满意", "2025-09-12", "下雨仍然漏"))
    assert detail.row.status == Status.IN_PROGRESS
    assert detail.allowed == [Action.PROGRESS, Action.SOLVE, Action.EXPLAIN]
    assert detail.row.satisfaction == "不满意"
    assert stored(town, rid)["closed_on"] is None
    last = detail.events[-1]
    assert (last.action, last.from_status, last.to_status) == ("反馈", "已办结", "办理中")
    assert "下雨仍然漏" in last.note

    requests.act(rid, Action.SOLVE, Resolution(D("2025-09-20"), "更换屋面", "重新施工", "彻底修好"))
    detail = requests.act(rid, Action.FEEDBACK, feedback("基本满意", "2025-09-24", "基本解决"))
    assert detail.row.status == Status.CLOSED
    assert [(f.on, f.satisfaction, f.opinion) for f in detail.feedbacks] == [
        (D("2025-09-12"), "不满意", "下雨仍然漏"),
        (D("2025-09-24"), "基本满意", "基本解决"),
    ]
    assert detail.row.satisfaction == "基本满意"
    assert stored(town, rid)["closed_on"] == D("2025-09-24")
    assert [e.to_status for e in detail.events] == [
        "已梳理",
        "办理中",
        "已办结",
        "办理中",
        "已办结",
        "已反馈",
    ]


def test_closed_request_is_reopened_only_with_a_reason(workflow_town: WorkflowTown) -> None:
    town = workflow_town
    requests = town.archive.requests
    rid = record(town, "赵大", "咨询养老保险补缴", "政策咨询")
    spot = OnTheSpot(
        Classification("政策咨询", "个性", "立即可以解决", Level.CADRE),
        Resolution(RECORDED, "当场讲解政策", "现场解答", "当场解决"),
    )
    detail = requests.act(rid, Action.SOLVE_ON_SPOT, spot)
    assert detail.row.status == Status.SOLVED and detail.allowed == [Action.FEEDBACK]
    requests.act(rid, Action.FEEDBACK, feedback("满意", "2025-09-02"))
    before = stored(town, rid), counts_of(town)
    with pytest.raises(DomainError) as caught:
        requests.act(rid, Action.REOPEN, Reopen("  "))
    assert caught.value.field == "reason"
    assert (stored(town, rid), counts_of(town)) == before
    detail = requests.act(rid, Action.REOPEN, Reopen("补缴政策有变化，需重新办理"))
    assert detail.row.status == Status.IN_PROGRESS
    row = stored(town, rid)
    assert row["reopen_reason"] == "补缴政策有变化，需重新办理" and row["closed_on"] is None
    assert detail.events[-1].note == "补缴政策有变化，需重新办理"


# ---- the list, its filters and counts -----------------------------------------------------------------
@pytest.fixture
def listed(workflow_town: WorkflowTown) -> dict[str, str]:
    """Nine requests, by description, in chosen states and with chosen deadlines."""
    town = workflow_town
    requests = town.archive.requests
    ids = {
        "A": in_progress(town, "张建国", "A", "2025-09-25"),  # yesterday
        "B": in_progress(town, "张建国", "B", "2025-09-26", Level.CADRE, category="生产困难"),  # today
        "C": in_progress(town, "赵大", "C", "2025-10-08"),  # 3 working days ahead
        "D": in_progress(town, "王小明", "D", "2025-10-09", Level.CADRE, category="矛盾纠纷"),  # 4 ahead
    }
    ids["E"] = record(town, "王小明", "E", "信访")
    requests.act(ids["E"], Action.SORT, classification(Level.TOWN, "信访"))
    requests.act(ids["E"], Action.REPORT)
    ids["F"] = record(town, "赵大", "F", "信访")
    requests.act(ids["F"], Action.SORT, classification(Level.JOINT, "信访"))
    requests.act(
        ids["F"],
        Action.JOINT,
        Supervision(
            "诸暨市信访局", D("2025-09-20"), "陈国平", Assignment("镇综治中心", "何伟", D("2025-12-31"))
        ),
    )
    ids["G"] = record(town, "张建国", "G")
    requests.act(
        ids["G"],
        Action.SOLVE_ON_SPOT,
        OnTheSpot(
            Classification("生活困难", "个性", "立即可以解决", Level.CADRE),
            Resolution(RECORDED, "当场协调", "现场办理", "已解决"),
        ),
    )
    ids["H"] = record(town, "赵大", "H", "基础设施")
    ids["I"] = record(town, "王小明", "I", "生产困难")
    requests.act(ids["I"], Action.SORT, classification(Level.TOWN, "生产困难"))
    return ids


def names(rows: list[Any]) -> set[str]:
    return {row.description for row in rows}


def test_time_status_of_each_row(workflow_town: WorkflowTown, listed: dict[str, str]) -> None:
    rows = {r.description: r.time_status for r in workflow_town.archive.requests.list()}
    assert rows == {
        "A": TimeStatus.OVERDUE,
        "B": TimeStatus.DUE_SOON,
        "C": TimeStatus.DUE_SOON,
        "D": TimeStatus.ON_TRACK,
        "E": TimeStatus.NONE,
        "F": TimeStatus.ON_TRACK,
        "G": TimeStatus.NONE,
        "H": TimeStatus.NONE,
        "I": TimeStatus.NONE,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (RequestQuery(), set("ABCDEFGHI")),
        (RequestQuery(category="生活困难"), set("ACG")),
        (RequestQuery(level="村级"), set("AC")),
        (RequestQuery(level="驻村干部"), set("BDG")),
        (RequestQuery(level="镇级"), set("EI")),
        (RequestQuery(statuses=("办理中",)), set("ABCDF")),
        (RequestQuery(statuses=("待上会", "已梳理")), set("EI")),
        (RequestQuery(time_status="超期"), set("A")),
        (RequestQuery(time_status="临期"), set("BC")),
        (RequestQuery(time_status="正常"), set("DF")),
        (RequestQuery(time_status="无时限"), set("EGHI")),
        (RequestQuery(leader="陈国平"), set("F")),
        (RequestQuery(leader="周建华"), set()),
        (RequestQuery(township_only=True), set("EFI")),
        (RequestQuery(supervised_only=True), set("F")),
        (RequestQuery(text="赵大"), set("CFH")),
        (RequestQuery(category="生活困难", time_status="临期"), set("C")),
    ],
)
def test_filters(
    workflow_town: WorkflowTown, listed: dict[str, str], query: RequestQuery, expected: set[str]
) -> None:
    requests = workflow_town.archive.requests
    rows = requests.list(query)
    assert names(rows) == expected
    assert requests.counts(query) == dict(Counter(r.status for r in rows))
    if query.time_status:
        assert {r.time_status.value for r in rows} <= {query.time_status}


def test_village_filter_and_counts(workflow_town: WorkflowTown, listed: dict[str, str]) -> None:
    requests = workflow_town.archive.requests
    dh, xq = workflow_town.villages["杜黄村"], workflow_town.villages["新桥村"]
    assert names(requests.list(RequestQuery(village_id=dh))) == set("ABCFGH")
    assert names(requests.list(RequestQuery(village_id=xq))) == set("DEI")
    assert names(requests.list(RequestQuery(village_id=dh, time_status="临期"))) == set("BC")
    assert requests.counts() == {"办理中": 5, "待上会": 1, "已办结": 1, "登记": 1, "已梳理": 1}
    assert requests.counts(RequestQuery(village_id=dh)) == {"办理中": 4, "已办结": 1, "登记": 1}
    assert requests.counts(RequestQuery(village_id=xq)) == {"办理中": 1, "待上会": 1, "已梳理": 1}
    household = workflow_town.households["张建国"]
    assert names(requests.list(RequestQuery(household_id=household))) == set("ABG")


def test_warning_days_and_holiday_table_move_the_lights(
    workflow_town: WorkflowTown, listed: dict[str, str]
) -> None:
    archive = workflow_town.archive

    def lights() -> dict[str, str]:
        return {
            r.description: r.time_status.value for r in archive.requests.list() if r.description in "ABCD"
        }

    archive.settings.set("warn_days", 0)
    assert lights() == {"A": "超期", "B": "临期", "C": "正常", "D": "正常"}
    assert names(archive.requests.list(RequestQuery(time_status="临期"))) == {"B"}
    archive.settings.set("warn_days", 3)
    # The township declares Monday 09-29 a holiday: 10-09 is now only 3 working days ahead.
    archive.settings.set_holiday_override(D("2025-09-29"), False, "临时调休")
    assert lights() == {"A": "超期", "B": "临期", "C": "临期", "D": "临期"}
    assert names(archive.requests.list(RequestQuery(time_status="临期"))) == set("BCD")
    assert names(archive.requests.list(RequestQuery(time_status="正常"))) == {"F"}


def test_default_deadline_follows_settings_and_calendar(workflow_town: WorkflowTown) -> None:
    archive = workflow_town.archive
    assert archive.requests.default_deadline(Level.VILLAGE) == D("2025-10-16")  # 10 working days
    assert archive.requests.default_deadline(Level.TOWN) == D("2025-10-30")  # 20 working days
    archive.settings.set("deadline.镇级", 5)
    assert archive.requests.default_deadline(Level.TOWN) == D("2025-10-10")  # 09-28,29,30, 10-09,10
    # From Friday 01-24: 01-26 (make-up Sunday), 01-27, then after 春节 02-05, 02-06, 02-07.
    assert archive.requests.default_deadline(Level.TOWN, D("2025-01-24")) == D("2025-02-07")


# ---- common issues ---------------------------------------------------------------------------------
def test_common_issue_is_decided_once_and_answered_per_household(workflow_town: WorkflowTown) -> None:
    town = workflow_town
    requests = town.archive.requests
    ids = []
    for head in ("张建国", "赵大", "王小明"):
        rid = record(town, head, f"{head}家门前灌溉渠堵塞", "生产困难")
        requests.act(rid, Action.SORT, classification(Level.VILLAGE, "生产困难", "共性"))
        ids.append(rid)
    with pytest.raises(DomainError) as caught:
        requests.create_common_issue("灌溉渠堵塞", "", ids[:1])
    assert "两户" in caught.value.message
    with pytest.raises(DomainError):
        requests.create_common_issue("  ", "", ids)
    issue = requests.create_common_issue("灌溉渠堵塞", "三户反映", ids)
    assert {r.id for r in requests.common_issue_requests(issue)} == set(ids)
    assert {r.common_issue for r in requests.list()} == {"灌溉渠堵塞"}
    with pytest.raises(DomainError) as caught:
        requests.create_common_issue("另一个问题", "", ids[:2])
    assert "另一个共性问题" in caught.value.message

    before = counts_of(town)
    assert (
        requests.act_on_common_issue(
            issue, Action.ASSIGN, Assignment("镇农业农村办", "周主任", D("2025-10-16"))
        )
        == 3
    )
    assert (
        requests.act_on_common_issue(
            issue, Action.SOLVE, Resolution(D("2025-09-25"), "统一清淤", "集中施工", "三户均已通水")
        )
        == 3
    )
    for rid in ids:
        detail = requests.detail(rid)
        assert detail.row.status == Status.SOLVED
        assert (detail.row.responsible_unit, detail.row.responsible_person) == ("镇农业农村办", "周主任")
        assert detail.row.deadline == D("2025-10-16")
        assert stored(town, rid)["result"] == "三户均已通水"
        assert [(e.action, e.to_status) for e in detail.events][-2:] == [
            ("交办", "办理中"),
            ("办结", "已办结"),
        ]
    assert counts_of(town)[0] == before[0] + 6  # one event per request and action

    for action, payload in (
        (Action.FEEDBACK, feedback("满意", "2025-09-26")),
        (Action.REOPEN, Reopen("再议")),
    ):
        with pytest.raises(DomainError) as caught:
            requests.act_on_common_issue(issue, action, payload)
        assert "逐户" in caught.value.message
    requests.act(ids[0], Action.FEEDBACK, feedback("满意", "2025-09-26"))
    requests.act(ids[1], Action.FEEDBACK, feedback("不满意", "2025-09-26", "我家地头仍不通水"))
    requests.act(ids[2], Action.FEEDBACK, feedback("基本满意", "2025-09-26"))
    statuses = {r.id: r.status for r in requests.common_issue_requests(issue)}
    assert statuses == {ids[0]: "已反馈", ids[1]: "办理中", ids[2]: "已反馈"}


def test_common_issue_needs_two_households(workflow_town: WorkflowTown) -> None:
    town = workflow_town
    requests = town.archive.requests
    first = record(town, "张建国", "路灯不亮")
    second = record(town, "张建国", "路面破损")
    before = counts_of(town)
    for ids in ([first, first], [first, second]):
        with pytest.raises(DomainError) as caught:
            requests.create_common_issue("村道问题", "", ids)
        assert "两户" in caught.value.message
    assert {r.common_issue for r in requests.list()} == {""}
    assert counts_of(town) == before


def test_common_issue_action_is_all_or_nothing(workflow_town: WorkflowTown) -> None:
    town = workflow_town
    requests = town.archive.requests
    sorted_id = record(town, "张建国", "路灯不亮", "基础设施")
    requests.act(sorted_id, Action.SORT, classification(Level.VILLAGE, "基础设施", "共性"))
    unsorted_id = record(town, "赵大", "路灯不亮", "基础设施")
    issue = requests.create_common_issue("路灯", "", [sorted_id, unsorted_id])
    before = counts_of(town), stored(town, sorted_id)
    with pytest.raises(DomainError) as caught:
        requests.act_on_common_issue(issue, Action.ASSIGN, Assignment("村委会", "王书记", D("2025-10-16")))
    assert "赵大" in caught.value.message
    assert (counts_of(town), stored(town, sorted_id)) == before


# ---- 挂牌督办 / 领导包案 -----------------------------------------------------------------------------
def test_supervised_cases_with_their_last_progress(workflow_town: WorkflowTown) -> None:
    town = workflow_town
    requests = town.archive.requests

    def joint(head: str, description: str, leader: str, next_check: str) -> str:
        rid = record(town, head, description, "信访")
        requests.act(rid, Action.SORT, classification(Level.JOINT, "信访"))
        supervision = Supervision(
            "诸暨市委办",
            D("2025-09-10"),
            leader,
            Assignment("镇综治中心", "何伟", D("2025-12-31")),
            D(next_check),
        )
        requests.act(rid, Action.JOINT, supervision)
        return rid

    first = joint("张建国", "征地补偿异议", "陈国平", "2025-10-10")
    second = joint("赵大", "山林权属争议", "周建华", "2025-10-03")
    in_progress(town, "王小明", "普通诉求", "2025-10-16")
    requests.act(first, Action.PROGRESS, Progress(D("2025-09-15"), "市镇两级召开协调会"))
    requests.act(first, Action.PROGRESS, Progress(D("2025-09-22"), "相关部门现场踏勘", D("2025-10-13")))

    cases = requests.supervised()
    assert [(row.description, last) for row, last in cases] == [
        ("山林权属争议", ""),  # next check 10-03 comes first
        ("征地补偿异议", "2025-09-22：相关部门现场踏勘"),  # next check moved to 10-13 by the progress entry
    ]
    row = cases[1][0]
    assert (row.leader, row.supervising_body, row.next_check_on) == ("陈国平", "诸暨市委办", D("2025-10-13"))
    assert row.level == "市镇联动" and row.time_status == TimeStatus.ON_TRACK
    assert [r.description for r, _ in requests.supervised(leader="周建华")] == ["山林权属争议"]
    assert requests.leaders() == ["周建华", "陈国平"]  # in code-point order, as SQLite sorts

    requests.act(second, Action.EXPLAIN, Explanation("属历史遗留问题，已依法答复", D("2025-09-24")))
    assert len(requests.supervised()) == 2  # still awaiting the household's feedback
    requests.act(second, Action.FEEDBACK, feedback("基本满意", "2025-09-25"))
    assert [r.description for r, _ in requests.supervised()] == ["征地补偿异议"]
    assert {r.description for r, _ in requests.supervised(include_closed=True)} == {
        "征地补偿异议",
        "山林权属争议",
    }


def test_service_today_is_used_for_the_lights(workflow_town: WorkflowTown) -> None:
    town = workflow_town
    rid = in_progress(town, "赵大", "危房改造", "2025-10-08")
    later: RequestService = town.on(D("2025-10-09")).requests
    assert town.archive.requests.detail(rid).row.time_status == TimeStatus.DUE_SOON
    assert later.detail(rid).row.time_status == TimeStatus.OVERDUE
    assert names(later.list(RequestQuery(time_status="超期"))) == {"危房改造"}
