"""The weekly/monthly classified summary (周报/月报), every figure worked out by hand from a small
database built step by step: two villages, two cadres, six households, visits and requests whose
actions happen on chosen days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from accounts import as_person_on, open_archive

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.reporting import MONTHLY, WEEKLY, Period, period_of, satisfaction_rate
from zhuji_archive.domain.workflow import (
    Action,
    Assignment,
    Classification,
    Explanation,
    Feedback,
    Level,
    OnTheSpot,
    Progress,
    Resolution,
    Supervision,
)
from zhuji_archive.services.archive import Archive
from zhuji_archive.storage.models import Cadre, utcnow
from zhuji_archive.views.household_file import MemberData, VisitData
from zhuji_archive.views.summaries import Summary

D = date.fromisoformat
TODAY = D("2025-10-09")
SOON = "近期一时难以解决"
NOW = "立即可以解决"
SEPTEMBER = Period(MONTHLY, D("2025-09-01"), D("2025-09-30"))
OCTOBER = Period(MONTHLY, D("2025-10-01"), D("2025-10-31"))
WEEK = Period(WEEKLY, D("2025-09-22"), D("2025-09-28"))  # Monday to Sunday


@dataclass
class Book:
    archive: Archive
    villages: dict[str, str]
    cadres: dict[str, str]
    households: dict[str, str]
    requests: dict[str, str]


def fb(on: str, satisfaction: str, opinion: str = "") -> Feedback:
    return Feedback(D(on), "王书记", "王驻村", "", opinion, satisfaction, True)


@pytest.fixture
def book(tmp_path: Path) -> Book:
    arc = open_archive(tmp_path / "summary.sqlite3", "测试员", today=TODAY)
    town = arc.organisation.add_town("安华镇", "诸暨市", "330681")
    villages = {name: arc.organisation.add_village(town, name) for name in ("杜黄村", "新桥村")}
    groups = {name: arc.organisation.add_group(vid, "一组") for name, vid in villages.items()}
    with arc.db.transaction() as session:
        rows = {name: Cadre(name=name, kind="驻村干部") for name in ("王驻村", "李驻村")}
        session.add_all(rows.values())
        session.flush()
        cadres = {name: row.id for name, row in rows.items()}

    households: dict[str, str] = {}
    plan = (
        ("张一", "杜黄村", "王驻村", [("2025-09-03", "半年大走访"), ("2025-09-24", "回访")]),
        ("张二", "杜黄村", "王驻村", [("2025-08-30", "半年大走访"), ("2025-09-15", "回访")]),
        ("张三", "杜黄村", "李驻村", [("2025-09-10", "半年大走访")]),
        ("张四", "杜黄村", None, [("2025-09-25", "事件必访")]),
        ("李五", "新桥村", "李驻村", [("2025-09-05", "半年大走访")]),
        ("李六", "新桥村", None, []),
    )
    for head, village, cadre, visits in plan:
        file = arc.households.new_file(groups[village])
        file.members = [MemberData(name=head, relation="户主")]
        file.responsible_cadre_id = cadres[cadre] if cadre else None
        file.visits = [VisitData(date=D(day), kind=kind, cadres="王驻村") for day, kind in visits]
        households[head] = arc.households.save(file)
    file = arc.households.load(households["张二"])  # the 09-15 visit was entered by mistake
    for visit in file.visits:
        visit.removed = visit.date == D("2025-09-15")
    arc.households.save(file)

    def on(day: str) -> Archive:
        return as_person_on(arc.db, "王驻村", D(day))

    def new(head: str, recorded: str, category: str, description: str) -> str:
        return arc.requests.record(households[head], category, description, D(recorded))

    def sort(rid: str, day: str, category: str, scope: str, level: Level) -> None:
        on(day).requests.act(rid, Action.SORT, Classification(category, scope, SOON, level))

    def assign(rid: str, day: str, deadline: str) -> None:
        on(day).requests.act(rid, Action.ASSIGN, Assignment("村委会", "王书记", D(deadline)))

    r: dict[str, str] = {}
    r["r1"] = new("张一", "2025-08-20", "生产困难", "灌溉渠漏水")
    sort(r["r1"], "2025-08-21", "生产困难", "个性", Level.VILLAGE)
    assign(r["r1"], "2025-08-22", "2025-09-15")
    arc.requests.act(r["r1"], Action.SOLVE, Resolution(D("2025-09-10"), "修渠", "施工", "已通水"))
    arc.requests.act(r["r1"], Action.FEEDBACK, fb("2025-09-12", "满意"))

    r["r2"] = new("张一", "2025-09-02", "生活困难", "危房改造")
    sort(r["r2"], "2025-09-03", "生活困难", "个性", Level.TOWN)
    on("2025-09-04").requests.act(r["r2"], Action.REPORT)

    r["r3"] = new("张二", "2025-09-05", "生产困难", "农技指导")
    spot = OnTheSpot(
        Classification("生产困难", "共性", NOW, Level.CADRE),
        Resolution(D("2025-09-05"), "讲解", "现场", "已指导"),
    )
    arc.requests.act(r["r3"], Action.SOLVE_ON_SPOT, spot)
    arc.requests.act(r["r3"], Action.FEEDBACK, fb("2025-09-08", "不满意", "病虫害仍未控制"))
    arc.requests.act(r["r3"], Action.SOLVE, Resolution(D("2025-09-23"), "农技站上门", "防治", "已控制"))
    arc.requests.act(r["r3"], Action.FEEDBACK, fb("2025-09-25", "基本满意"))

    r["r4"] = new("张三", "2025-09-10", "矛盾纠纷", "宅基地界线")
    sort(r["r4"], "2025-09-11", "矛盾纠纷", "个性", Level.CADRE)
    assign(r["r4"], "2025-09-11", "2025-09-19")

    r["r5"] = new("张三", "2025-09-15", "信访", "征地补偿")
    sort(r["r5"], "2025-09-16", "信访", "个性", Level.JOINT)
    supervision = Supervision(
        "诸暨市信访局", D("2025-09-18"), "陈国平", Assignment("镇综治中心", "何伟", D("2025-12-31"))
    )
    arc.requests.act(r["r5"], Action.JOINT, supervision)
    arc.requests.act(r["r5"], Action.PROGRESS, Progress(D("2025-09-25"), "召开协调会"))

    r["r6"] = new("张四", "2025-09-22", "生活困难", "申请救助")
    sort(r["r6"], "2025-09-23", "生活困难", "个性", Level.VILLAGE)
    assign(r["r6"], "2025-09-23", "2025-10-31")
    arc.requests.act(r["r6"], Action.EXPLAIN, Explanation("不符合救助条件，已依政策解释", D("2025-09-26")))
    arc.requests.act(r["r6"], Action.FEEDBACK, fb("2025-09-27", "基本满意"))

    r["r7"] = new("张四", "2025-09-24", "生产困难", "缺少化肥")
    r["r8"] = new("张四", "2025-09-12", "基础设施", "登记错误的诉求")
    r["r9"] = new("张二", "2025-10-02", "生活困难", "十月的诉求")

    r["r10"] = new("李五", "2025-09-05", "生产困难", "山塘清淤")
    sort(r["r10"], "2025-09-06", "生产困难", "共性", Level.VILLAGE)
    assign(r["r10"], "2025-09-06", "2025-09-20")
    r["r11"] = new("李六", "2025-09-28", "生活困难", "老人看病难")

    file = arc.households.load(households["张四"])  # r8 was recorded by mistake and removed
    for request in file.requests:
        request.removed = request.id == r["r8"]
    arc.households.save(file)
    return Book(arc, villages, cadres, households, r)


def figures(summary: Summary) -> dict[str, object]:
    return {
        "visited": summary.households_visited,
        "new": {(c, s, v): n for c, s, v, n in summary.new_by_class},
        "status": summary.by_status,
        "solved": summary.solved,
        "explained": summary.explained,
        "town": summary.escalated_town,
        "city": summary.escalated_city,
        "overdue": summary.overdue,
        "feedback": summary.feedback,
    }


def test_periods() -> None:
    assert period_of(MONTHLY, D("2025-09-17")) == SEPTEMBER
    assert period_of(WEEKLY, D("2025-09-24")) == WEEK
    assert period_of(WEEKLY, D("2025-09-28")) == WEEK  # Sunday still belongs to the week
    assert SEPTEMBER.next() == OCTOBER and OCTOBER.previous() == SEPTEMBER
    assert WEEK.next() == Period(WEEKLY, D("2025-09-29"), D("2025-10-05"))
    assert period_of(MONTHLY, D("2024-02-10")).end == D("2024-02-29")
    assert SEPTEMBER.title == "2025年9月"
    assert WEEK.title == "2025-09-22至2025-09-28"
    with pytest.raises(ValueError):
        period_of("年报", D("2025-09-01"))


def test_satisfaction_rate() -> None:
    assert satisfaction_rate({}) is None
    assert satisfaction_rate({"满意": 1, "不满意": 1, "基本满意": 2}) == 0.75
    assert satisfaction_rate({"不满意": 3}) == 0.0


def test_village_month(book: Book) -> None:
    summary = book.archive.summaries.build("village", book.villages["杜黄村"], SEPTEMBER)
    assert summary.scope_name == "杜黄村" and summary.period == SEPTEMBER
    assert figures(summary) == {
        "visited": 3,  # 张一, 张三, 张四 (张二's September visit was removed, his other is in August)
        "new": {
            ("生活困难", "个性", SOON): 2,  # r2, r6
            ("生产困难", "共性", NOW): 1,  # r3
            ("生产困难", "未梳理", "未梳理"): 1,  # r7
            ("矛盾纠纷", "个性", SOON): 1,  # r4
            ("信访", "个性", SOON): 1,  # r5
        },
        "status": {"已反馈": 3, "待上会": 1, "办理中": 2, "登记": 1},  # r1 r3 r6 / r2 / r4 r5 / r7
        "solved": 2,  # r1, and r3 (solved on the spot, then again after 不满意: one request)
        "explained": 1,  # r6
        "town": 1,  # r2
        "city": 1,  # r5
        "overdue": 1,  # r4, deadline 09-19, still in progress on 09-30
        "feedback": {"满意": 1, "不满意": 1, "基本满意": 2},  # r1 / r3 / r3, r6
    }
    assert summary.new_total == 6
    assert summary.satisfaction_rate == 0.75
    assert summary.categories == sorted({"生活困难", "生产困难", "矛盾纠纷", "信访"})
    assert summary.submitted_at is None and summary.submitted_by == ""


def test_village_week(book: Book) -> None:
    summary = book.archive.summaries.build("village", book.villages["杜黄村"], WEEK)
    assert figures(summary) == {
        "visited": 2,  # 张一 (09-24), 张四 (09-25)
        "new": {("生活困难", "个性", SOON): 1, ("生产困难", "未梳理", "未梳理"): 1},  # r6, r7
        "status": {"已反馈": 3, "待上会": 1, "办理中": 2, "登记": 1},
        "solved": 1,  # r3 on 09-23
        "explained": 1,  # r6 on 09-26
        "town": 0,
        "city": 0,
        "overdue": 1,  # r4 on 09-28
        "feedback": {"基本满意": 2},  # r3 on 09-25, r6 on 09-27
    }
    assert summary.satisfaction_rate == 1.0


def test_other_village_month(book: Book) -> None:
    summary = book.archive.summaries.build("village", book.villages["新桥村"], SEPTEMBER)
    assert figures(summary) == {
        "visited": 1,
        "new": {("生产困难", "共性", SOON): 1, ("生活困难", "未梳理", "未梳理"): 1},  # r10, r11
        "status": {"办理中": 1, "登记": 1},
        "solved": 0,
        "explained": 0,
        "town": 0,
        "city": 0,
        "overdue": 1,  # r10, deadline 09-20
        "feedback": {},
    }
    assert summary.satisfaction_rate is None


def test_running_month_counts_overdue_as_of_today(book: Book) -> None:
    summary = book.archive.summaries.build("village", book.villages["杜黄村"], OCTOBER)
    assert summary.new_by_class == [("生活困难", "未梳理", "未梳理", 1)]  # r9
    assert summary.by_status == {"已反馈": 3, "待上会": 1, "办理中": 2, "登记": 2}
    assert summary.overdue == 1  # r4 on 10-09; r5's deadline is 12-31
    assert (summary.solved, summary.explained, summary.feedback) == (0, 0, {})


def test_cadre_summaries_count_only_their_households(book: Book) -> None:
    wang = book.archive.summaries.build("cadre", book.cadres["王驻村"], SEPTEMBER)  # 张一, 张二
    assert wang.scope_name == "王驻村"
    assert figures(wang) == {
        "visited": 1,
        "new": {("生活困难", "个性", SOON): 1, ("生产困难", "共性", NOW): 1},  # r2, r3
        "status": {"已反馈": 2, "待上会": 1},  # r1, r3 / r2
        "solved": 2,
        "explained": 0,
        "town": 1,
        "city": 0,
        "overdue": 0,
        "feedback": {"满意": 1, "不满意": 1, "基本满意": 1},
    }
    assert wang.satisfaction_rate == pytest.approx(2 / 3)
    li = book.archive.summaries.build("cadre", book.cadres["李驻村"], SEPTEMBER)  # 张三, 李五: two villages
    assert figures(li) == {
        "visited": 2,
        "new": {("矛盾纠纷", "个性", SOON): 1, ("信访", "个性", SOON): 1, ("生产困难", "共性", SOON): 1},
        "status": {"办理中": 3},
        "solved": 0,
        "explained": 0,
        "town": 0,
        "city": 1,
        "overdue": 2,  # r4, r10
        "feedback": {},
    }


def test_town_month_covers_every_village(book: Book) -> None:
    """杜黄村 and 新桥村 together: each figure is the sum of the two village figures above."""
    (town,) = book.archive.organisation.tree()
    summary = book.archive.summaries.build("town", town.id, SEPTEMBER)
    assert summary.scope_name == "安华镇"
    assert figures(summary) == {
        "visited": 4,  # 张一, 张三, 张四 + 李五
        "new": {
            ("生活困难", "个性", SOON): 2,
            ("生产困难", "共性", NOW): 1,
            ("生产困难", "未梳理", "未梳理"): 1,
            ("矛盾纠纷", "个性", SOON): 1,
            ("信访", "个性", SOON): 1,
            ("生产困难", "共性", SOON): 1,
            ("生活困难", "未梳理", "未梳理"): 1,
        },
        "status": {"已反馈": 3, "待上会": 1, "办理中": 3, "登记": 2},
        "solved": 2,
        "explained": 1,
        "town": 1,
        "city": 1,
        "overdue": 2,  # r4, r10
        "feedback": {"满意": 1, "不满意": 1, "基本满意": 2},
    }


def test_area_month_covers_its_villages_only(book: Book) -> None:
    """An area holding only 新桥村 says what 新桥村 says."""
    from sqlalchemy import update

    from zhuji_archive.storage.models import Village

    (town,) = book.archive.organisation.tree()
    area = book.archive.organisation.add_area(town.id, "驻村二分中心")
    with book.archive.db.transaction() as session:
        session.execute(update(Village).where(Village.id == book.villages["新桥村"]).values(area_id=area))
    summary = book.archive.summaries.build("area", area, SEPTEMBER)
    village = book.archive.summaries.build("village", book.villages["新桥村"], SEPTEMBER)
    assert summary.scope_name == "驻村二分中心"
    assert figures(summary) == figures(village) and figures(village)["visited"] == 1


def test_titles_name_the_period_once(book: Book) -> None:
    summaries = book.archive.summaries
    assert summaries.build("village", book.villages["杜黄村"], SEPTEMBER).title == "杜黄村2025年9月月报"
    assert summaries.build("village", book.villages["杜黄村"], WEEK).title == "杜黄村2025-09-22至2025-09-28周报"
    assert summaries.build("cadre", book.cadres["王驻村"], SEPTEMBER).title == "驻村干部王驻村2025年9月月报"


def test_unknown_scope_is_refused(book: Book) -> None:
    with pytest.raises(DomainError):
        book.archive.summaries.build("village", "0" * 32, SEPTEMBER)


def test_submit_records_a_timestamp_once_per_period(book: Book) -> None:
    summaries = book.archive.summaries
    village = book.villages["杜黄村"]
    start = utcnow()
    summaries.submit("village", village, SEPTEMBER)
    end = utcnow()
    summary = summaries.build("village", village, SEPTEMBER)
    assert summary.submitted_at is not None and start <= summary.submitted_at <= end
    assert summary.submitted_by == "测试员"
    with pytest.raises(DomainError) as caught:
        summaries.submit("village", village, SEPTEMBER)
    assert "已于" in caught.value.message and "2025年9月" in caught.value.message
    assert summaries.build("village", village, SEPTEMBER).submitted_at == summary.submitted_at

    # Other scopes and periods are separate reports.
    assert summaries.build("village", book.villages["新桥村"], SEPTEMBER).submitted_at is None
    assert summaries.build("village", village, WEEK).submitted_at is None
    assert summaries.build("cadre", book.cadres["王驻村"], SEPTEMBER).submitted_at is None
    summaries.submit("village", village, WEEK)
    summaries.submit("cadre", book.cadres["王驻村"], SEPTEMBER)
    summaries.submit("village", village, OCTOBER)  # the running month (started before today)
    assert summaries.build("cadre", book.cadres["王驻村"], SEPTEMBER).submitted_at is not None


def test_a_future_period_cannot_be_submitted(book: Book) -> None:
    summaries = book.archive.summaries
    village = book.villages["杜黄村"]
    for period in (OCTOBER.next(), period_of(WEEKLY, D("2025-10-13"))):
        with pytest.raises(DomainError):
            summaries.submit("village", village, period)
        assert summaries.build("village", village, period).submitted_at is None
