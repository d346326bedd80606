"""今日待办 on a hand-built database with a fixed today: each household in one situation (never visited,
big visit exactly six months ago, seven months ago, a 特困户 four months ago, open must-visit events …),
requests at each time status, reports not yet submitted. Every line expected is worked out by hand;
then each kind of visit is recorded and only the lines it fulfils disappear."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from accounts import copy_archive, open_archive
from sqlalchemy import select

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.maintenance import Due
from zhuji_archive.domain.reporting import MONTHLY, WEEKLY, Period
from zhuji_archive.domain.workflow import (
    Action,
    Assignment,
    Classification,
    Explanation,
    Feedback,
    Level,
    Resolution,
)
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.households import ValidationFailed
from zhuji_archive.services.maintenance import EVENT, FEEDBACK, KINDS, REPORT, REQUEST_DUE, REVISIT, TodoItem
from zhuji_archive.storage.models import Cadre, Household, HouseholdEvent, Visit
from zhuji_archive.views.household_file import MemberData, VisitData

D = date.fromisoformat
TODAY = D("2025-06-18")  # a Wednesday; 19, 20, 23 and 24 June are the next working days
YESTERDAY = TODAY - timedelta(days=1)
LAST_WEEK = Period(WEEKLY, D("2025-06-09"), D("2025-06-15"))
LAST_MONTH = Period(MONTHLY, D("2025-05-01"), D("2025-05-31"))
SOON = "近期一时难以解决"

# head -> (village+group, cadre, visits, focus tags)
PLAN: dict[str, tuple[str, str | None, list[tuple[str, str]], list[str]]] = {
    "张从未": ("杜黄村一组", "王驻村", [], []),
    "张回访": ("杜黄村一组", "王驻村", [("2025-06-01", "回访")], []),  # never a big visit
    "张六月": ("杜黄村一组", "王驻村", [("2024-12-18", "半年大走访")], []),  # due today
    "张七月": ("杜黄村一组", "王驻村", [("2024-06-10", "建档走访"), ("2024-11-18", "半年大走访")], []),
    "张临期": ("杜黄村二组", "王驻村", [("2025-01-02", "建档走访")], []),  # due 07-02 = today + 14
    "张未到": ("杜黄村二组", "王驻村", [("2025-01-03", "半年大走访")], []),  # due 07-03: not yet listed
    "张特困": ("杜黄村二组", "王驻村", [("2025-02-18", "半年大走访")], ["特困户"]),  # 3 months: 05-18
    "张低保": ("杜黄村二组", "王驻村", [("2025-02-18", "半年大走访")], ["低保户"]),  # 6 months: 08-18
    "张事件": ("杜黄村二组", "王驻村", [], []),
    "张迁出": ("杜黄村二组", "王驻村", [], []),  # moved away: on nobody's list
    "李另户": ("新桥村一组", "李驻村", [], []),
    "赵无人": ("新桥村一组", None, [], []),  # no responsible cadre
}


@dataclass
class Town:
    archive: Archive
    cadres: dict[str, str] = field(default_factory=dict)
    households: dict[str, str] = field(default_factory=dict)
    events: dict[str, str] = field(default_factory=dict)
    requests: dict[str, str] = field(default_factory=dict)


def build(path: Path) -> Town:
    arc = open_archive(path, "测试员", today=TODAY)
    result = Town(arc)
    town_id = arc.organisation.add_town("安华镇", "诸暨市", "330681")
    groups = {}
    for village, names in (("杜黄村", ("一组", "二组")), ("新桥村", ("一组",))):
        village_id = arc.organisation.add_village(town_id, village)
        for name in names:
            groups[village + name] = arc.organisation.add_group(village_id, name)
    with arc.db.transaction() as session:
        rows = {
            "王驻村": Cadre(name="王驻村", kind="驻村干部"),
            "李驻村": Cadre(name="李驻村", kind="驻村干部"),
            "陈镇长": Cadre(name="陈镇长", kind="镇领导"),
        }
        session.add_all(rows.values())
        session.flush()
        result.cadres = {name: row.id for name, row in rows.items()}
    for head, (group, cadre, visits, tags) in PLAN.items():
        file = arc.households.new_file(groups[group])
        file.members = [MemberData(name=head, relation="户主")]
        file.responsible_cadre_id = result.cadres[cadre] if cadre else None
        file.focus_tags = tags
        file.visits = [VisitData(date=D(day), kind=kind, cadres="王驻村") for day, kind in visits]
        result.households[head] = arc.households.save(file)
    arc.households.set_status(result.households["张迁出"], "迁出", "迁往杭州")

    m = arc.maintenance
    h = result.households
    result.events["七月住院"] = m.record_event(
        h["张七月"], D("2025-06-16"), "住院", "胃出血住院"
    )  # due 06-19
    result.events["事件早"] = m.record_event(h["张事件"], D("2025-06-14"), "意外事故", "摔伤")  # due 06-17
    result.events["事件晚"] = m.record_event(h["张事件"], D("2025-06-17"), "邻里纠纷")  # due 06-20
    result.events["另户"] = m.record_event(h["李另户"], D("2025-06-15"), "生活困难")  # due 06-18

    rq = arc.requests

    def assigned(head: str, description: str, deadline: str) -> str:
        rid = rq.record(h[head], "生活困难", description, D("2025-06-02"))
        rq.act(rid, Action.SORT, Classification("生活困难", "个性", SOON, Level.VILLAGE))
        rq.act(rid, Action.ASSIGN, Assignment("村委会", "王书记", D(deadline)))
        return rid

    r = result.requests
    r["超期"] = assigned("张六月", "修缮屋顶", "2025-06-17")
    r["今天到期"] = assigned("张六月", "申请低保", "2025-06-18")  # 0 working days left: 临期, not 超期
    r["临期"] = assigned("张六月", "办理医保", "2025-06-23")  # 3 working days
    r["正常"] = assigned("张六月", "修路灯", "2025-06-24")  # 4 working days
    r["已办结"] = assigned("张特困", "补发补贴", "2025-06-30")
    rq.act(r["已办结"], Action.SOLVE, Resolution(D("2025-06-10"), "补发", "核对名单", "已到账"))
    r["不能解决"] = assigned("张特困", "要求宅基地", "2025-06-30")
    rq.act(r["不能解决"], Action.EXPLAIN, Explanation("不符合政策，已当面解释", D("2025-06-11")))
    r["已反馈"] = assigned("张低保", "水管破裂", "2025-06-30")
    rq.act(r["已反馈"], Action.SOLVE, Resolution(D("2025-06-05"), "维修", "上门", "已修好"))
    rq.act(r["已反馈"], Action.FEEDBACK, Feedback(D("2025-06-06"), "王书记", "王驻村", "", "", "满意", True))
    r["登记"] = rq.record(h["张低保"], "政策咨询", "咨询养老保险")
    r["另户超期"] = assigned("李另户", "灌溉用水", "2025-06-13")
    arc.db.engine.dispose()
    return result


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Town]:
    path = tmp_path_factory.mktemp("todo") / "todo.sqlite3"
    return path, build(path)


@pytest.fixture
def town(template: tuple[Path, Town], tmp_path: Path):
    """A private copy of the built database, opened on TODAY."""
    source, built = template
    target = tmp_path / "todo.sqlite3"
    copy_archive(source, target)
    arc = open_archive(target, "测试员", today=TODAY)
    yield Town(arc, built.cadres, built.households, built.events, built.requests)
    arc.close()


Key = tuple[str, str | None, str | None, str | None, tuple | None]


def key(item: TodoItem) -> Key:
    return (item.kind, item.household_id, item.event_id, item.request_id, item.report)


def expected_for(t: Town, cadre: str | None) -> dict[Key, tuple[date | None, bool]]:
    """Every line the to-do list must show for ``cadre`` (None: everyone), with its due date and urgency."""
    h, e, r, c = t.households, t.events, t.requests, t.cadres
    lines: dict[Key, tuple[date | None, bool]] = {}

    def event(name: str, head: str, due: str) -> None:
        lines[(EVENT, h[head], e[name], None, None)] = (D(due), D(due) <= TODAY)

    def revisit(head: str, due: str | None, urgent: bool) -> None:
        lines[(REVISIT, h[head], None, None, None)] = (D(due) if due else None, urgent)

    def request(name: str, head: str, due: str, overdue: bool, kind: str = REQUEST_DUE) -> None:
        lines[(kind, h[head], None, r[name], None)] = (D(due) if due else None, overdue)

    def reports(name: str) -> None:
        week = (WEEKLY, "cadre", c[name], LAST_WEEK.start)
        month = (MONTHLY, "cadre", c[name], LAST_MONTH.start)
        lines[(REPORT, None, None, None, week)] = (D("2025-06-18"), True)  # three days after Sunday
        lines[(REPORT, None, None, None, month)] = (D("2025-06-03"), True)

    if cadre in ("王驻村", None):
        event("七月住院", "张七月", "2025-06-19")
        event("事件早", "张事件", "2025-06-17")  # due yesterday
        event("事件晚", "张事件", "2025-06-20")
        revisit("张从未", None, True)
        revisit("张回访", None, True)  # a 回访 does not count as a big visit
        revisit("张事件", None, True)
        revisit("张六月", "2025-06-18", False)  # due today: listed, not overdue
        revisit("张七月", "2025-05-18", True)
        revisit("张临期", "2025-07-02", False)  # last day of the 14-day warning
        revisit("张特困", "2025-05-18", True)  # three months for 特困户
        request("超期", "张六月", "2025-06-17", True)
        request("今天到期", "张六月", "2025-06-18", False)
        request("临期", "张六月", "2025-06-23", False)
        request("已办结", "张特困", "", False, FEEDBACK)
        request("不能解决", "张特困", "", False, FEEDBACK)
        reports("王驻村")
    if cadre in ("李驻村", None):
        event("另户", "李另户", "2025-06-18")
        revisit("李另户", None, True)
        request("另户超期", "李另户", "2025-06-13", True)
        reports("李驻村")
    if cadre is None:
        revisit("赵无人", None, True)
    return lines


def lines_of(t: Town, cadre: str | None) -> dict[Key, tuple[date | None, bool]]:
    todo = t.archive.maintenance.todo(t.cadres[cadre] if cadre else None)
    keys = [key(item) for item in todo.items]
    assert len(keys) == len(set(keys)), "a line appears twice"
    counts = Counter(item.kind for item in todo.items)
    assert todo.counts == {kind: counts.get(kind, 0) for kind in KINDS}
    assert todo.total == len(todo.items)
    return {key(item): (item.due, item.urgent) for item in todo.items}


@pytest.mark.parametrize("cadre", ["王驻村", "李驻村", None])
def test_todo_lists_exactly_the_lines_worked_out_by_hand(town: Town, cadre: str | None) -> None:
    assert lines_of(town, cadre) == expected_for(town, cadre)


def test_todo_lines_read_and_sort_as_a_cadre_expects(town: Town) -> None:
    todo = town.archive.maintenance.todo(town.cadres["王驻村"])
    h = town.households
    revisits = [item for item in todo.items if item.kind == REVISIT]
    never = {h["张从未"], h["张回访"], h["张事件"]}
    # Never visited first, then the longest ago.
    assert {item.household_id for item in revisits[:3]} == never
    assert [item.household_id for item in revisits[3:]] == [
        h["张七月"],
        h["张六月"],
        h["张临期"],
        h["张特困"],
    ]
    by_household = {item.household_id: item for item in revisits}
    assert by_household[h["张从未"]].detail == "从未进行大走访"
    assert by_household[h["张七月"]].title.startswith("杜黄村一组第")
    assert by_household[h["张七月"]].title.endswith("户 张七月")
    assert by_household[h["张七月"]].detail == "上次大走访 2024-11-18，应于 2025-05-18 前走访"
    events = [item for item in todo.items if item.kind == EVENT]
    assert [item.due for item in events] == [D("2025-06-17"), D("2025-06-19"), D("2025-06-20")]
    assert events[0].detail == "2025-06-14 意外事故：摔伤"
    assert events[2].detail == "2025-06-17 邻里纠纷"
    reports = {item.report[0]: item for item in todo.items if item.kind == REPORT}
    assert reports[WEEKLY].title == "王驻村 2025-06-09至2025-06-15周报"
    assert reports[MONTHLY].title == "王驻村 2025年5月月报"
    due = [item for item in todo.items if item.kind == REQUEST_DUE]
    assert {item.detail.split("：")[0] for item in due} == {"超期", "临期"}
    # A request line names the 诉求编号 a cadre can look up or say on the phone.
    feedback = [item for item in todo.items if item.kind == FEEDBACK]
    for item in due + feedback:
        number = town.archive.requests.detail(item.request_id).row.number
        assert number.startswith("安华2025-") and number in item.detail


def test_next_visit_dates_and_revisit_coverage(town: Town) -> None:
    m, h = town.archive.maintenance, town.households
    assert m.next_visit(h["张从未"]) == (None, Due.NEVER)
    assert m.next_visit(h["张回访"]) == (None, Due.NEVER)
    assert m.next_visit(h["张六月"]) == (D("2025-06-18"), Due.DUE_SOON)
    assert m.next_visit(h["张七月"]) == (D("2025-05-18"), Due.OVERDUE)
    assert m.next_visit(h["张临期"]) == (D("2025-07-02"), Due.DUE_SOON)
    assert m.next_visit(h["张未到"]) == (D("2025-07-03"), Due.OK)
    assert m.next_visit(h["张特困"]) == (D("2025-05-18"), Due.OVERDUE)
    assert m.next_visit(h["张低保"]) == (D("2025-08-18"), Due.OK)
    # 王驻村's households on file: nine (张迁出 has moved). Overdue today: the three never visited,
    # 张七月 and 张特困. 张六月 is due today, which is not overdue.
    assert m.revisit_coverage(cadre_id=town.cadres["王驻村"]) == pytest.approx(4 / 9)
    assert m.revisit_coverage(cadre_id=town.cadres["李驻村"]) == 0.0
    assert m.revisit_coverage(cadre_id=town.cadres["陈镇长"]) is None
    # The whole town: 11 on file, 4 not overdue (六月, 临期, 未到, 低保).
    assert m.revisit_coverage() == pytest.approx(4 / 11)


def test_short_interval_tags_come_from_settings(town: Town) -> None:
    arc, h = town.archive, town.households
    arc.settings.set_short_revisit_tags(["低保户"])
    assert arc.maintenance.next_visit(h["张特困"]) == (D("2025-08-18"), Due.OK)
    assert arc.maintenance.next_visit(h["张低保"]) == (D("2025-05-18"), Due.OVERDUE)
    lines = lines_of(town, "王驻村")
    assert (REVISIT, h["张特困"], None, None, None) not in lines
    assert lines[(REVISIT, h["张低保"], None, None, None)] == (D("2025-05-18"), True)
    # A longer default interval moves the six-month households too.
    arc.settings.set("revisit.months", 7)
    assert arc.maintenance.next_visit(h["张七月"]) == (D("2025-06-18"), Due.DUE_SOON)
    assert arc.maintenance.next_visit(h["张六月"]) == (D("2025-07-18"), Due.OK)


def test_event_due_days_come_from_settings(town: Town) -> None:
    arc, h = town.archive, town.households
    arc.settings.set("event.due_days", 5)
    event_id = arc.maintenance.record_event(h["张未到"], D("2025-06-16"), "乔迁")
    with arc.db.sessions() as session:
        event = session.get(HouseholdEvent, event_id)
        assert (event.due_on, event.fulfilled_on, event.recorded_by) == (D("2025-06-21"), None, "测试员")


def test_a_feedback_visit_clears_nothing(town: Town) -> None:
    before = lines_of(town, None)
    town.archive.maintenance.record_visit(town.households["张七月"], TODAY, "回访", "王驻村", "回访问候")
    town.archive.maintenance.record_visit(town.households["张事件"], TODAY, "回访", "王驻村")
    assert lines_of(town, None) == before


def test_a_big_visit_clears_only_that_households_revisit(town: Town) -> None:
    h = town.households
    before = lines_of(town, None)
    town.archive.maintenance.record_visit(h["张七月"], TODAY, "半年大走访", " 王驻村 ", "家中一切正常")
    after = lines_of(town, None)
    # The revisit line goes; the household's must-visit event stays (a big visit is not an event visit).
    gone = (REVISIT, h["张七月"], None, None, None)
    assert set(before) - set(after) == {gone}
    assert after == {k: v for k, v in before.items() if k != gone}
    assert town.archive.maintenance.next_visit(h["张七月"]) == (D("2025-12-18"), Due.OK)
    with town.archive.db.sessions() as session:
        household = session.get(Household, h["张七月"])
        assert household.last_big_visit_date == TODAY
        assert household.last_visit_date == TODAY
        visit = session.scalars(
            select(Visit).where(Visit.household_id == h["张七月"], Visit.date == TODAY)
        ).one()
        assert (visit.kind, visit.cadres, visit.notes) == ("半年大走访", "王驻村", "家中一切正常")
    # 张六月 was due today; a 建档走访 also resets the clock.
    town.archive.maintenance.record_visit(h["张六月"], TODAY, "建档走访", "王驻村")
    assert (REVISIT, h["张六月"], None, None, None) not in lines_of(town, None)


def test_an_old_big_visit_recorded_late_does_not_hide_a_later_one(town: Town) -> None:
    """Entering a visit from before the last big visit must not move the clock backwards."""
    h = town.households
    town.archive.maintenance.record_visit(h["张未到"], D("2024-09-01"), "半年大走访", "王驻村")
    assert town.archive.maintenance.next_visit(h["张未到"]) == (D("2025-07-03"), Due.OK)


def test_an_event_visit_fulfils_that_households_earlier_events_only(town: Town) -> None:
    h, e = town.households, town.events
    before = lines_of(town, None)
    visit_id = town.archive.maintenance.record_visit(h["张事件"], D("2025-06-16"), "事件必访", "王驻村")
    after = lines_of(town, None)
    # The 06-14 event is fulfilled; the 06-17 one happened after the visit and stays open, and so do
    # the other households' events. An event visit is not a big visit: the revisit line stays.
    gone = (EVENT, h["张事件"], e["事件早"], None, None)
    assert set(before) - set(after) == {gone}
    assert set(after) <= set(before)
    assert (REVISIT, h["张事件"], None, None, None) in after
    with town.archive.db.sessions() as session:
        events = {ev.id: ev for ev in session.scalars(select(HouseholdEvent))}
        assert (events[e["事件早"]].fulfilled_on, events[e["事件早"]].visit_id) == (D("2025-06-16"), visit_id)
        for name in ("事件晚", "七月住院", "另户"):
            assert (events[e[name]].fulfilled_on, events[e[name]].visit_id) == (None, None)
        assert session.get(Household, h["张事件"]).last_big_visit_date is None
    # A second event visit on the day of the later event fulfils it too.
    second = town.archive.maintenance.record_visit(h["张事件"], D("2025-06-17"), "事件必访", "王驻村")
    assert (EVENT, h["张事件"], e["事件晚"], None, None) not in lines_of(town, None)
    with town.archive.db.sessions() as session:
        late = session.get(HouseholdEvent, e["事件晚"])
        assert (late.fulfilled_on, late.visit_id) == (D("2025-06-17"), second)
        assert session.get(HouseholdEvent, e["事件早"]).visit_id == visit_id  # not moved to the later one
    assert town.archive.maintenance.open_event_count() == 2


def test_an_event_recorded_after_the_visit_is_fulfilled_at_once(town: Town) -> None:
    """An event entered late, dated before an event visit already on file, is fulfilled by that visit."""
    h = town.households
    visit_id = town.archive.maintenance.record_visit(h["张未到"], D("2025-06-17"), "事件必访", "王驻村")
    early = town.archive.maintenance.record_event(h["张未到"], D("2025-06-15"), "住院")
    late = town.archive.maintenance.record_event(h["张未到"], TODAY, "住院")
    with town.archive.db.sessions() as session:
        assert session.get(HouseholdEvent, early).visit_id == visit_id
        assert session.get(HouseholdEvent, late).fulfilled_on is None


def test_an_event_visit_in_the_household_file_fulfils_events(town: Town) -> None:
    arc, h, e = town.archive, town.households, town.events
    before = lines_of(town, "王驻村")
    file = arc.households.load(h["张七月"])
    file.visits.append(VisitData(date=D("2025-06-17"), kind="事件必访", cadres="王驻村", notes="医院探望"))
    arc.households.save(file)
    gone = (EVENT, h["张七月"], e["七月住院"], None, None)
    after = lines_of(town, "王驻村")
    assert set(before) - set(after) == {gone}
    assert set(after) <= set(before)
    visit_id = next(v.id for v in arc.households.load(h["张七月"]).visits if v.kind == "事件必访")
    with arc.db.sessions() as session:
        event = session.get(HouseholdEvent, e["七月住院"])
        assert (event.fulfilled_on, event.visit_id) == (D("2025-06-17"), visit_id)


def test_removing_the_event_visit_from_the_file_reopens_its_event(town: Town) -> None:
    """A visit entered by mistake and removed no longer fulfils anything: the must-visit comes back,
    just as removing a big visit brings the revisit date back."""
    arc, h, e = town.archive, town.households, town.events
    file = arc.households.load(h["张七月"])
    file.visits.append(VisitData(date=D("2025-06-17"), kind="事件必访", cadres="王驻村"))
    arc.households.save(file)
    assert (EVENT, h["张七月"], e["七月住院"], None, None) not in lines_of(town, "王驻村")
    file = arc.households.load(h["张七月"])
    for visit in file.visits:
        visit.removed = visit.kind == "事件必访"
    arc.households.save(file)
    assert lines_of(town, "王驻村")[(EVENT, h["张七月"], e["七月住院"], None, None)] == (
        D("2025-06-19"),
        False,
    )
    with arc.db.sessions() as session:
        event = session.get(HouseholdEvent, e["七月住院"])
        assert (event.fulfilled_on, event.visit_id) == (None, None)
    # Changing an event visit into a feedback visit also stops it fulfilling the event.
    file = arc.households.load(h["张七月"])
    file.visits.append(VisitData(date=D("2025-06-17"), kind="事件必访", cadres="王驻村"))
    arc.households.save(file)
    assert (EVENT, h["张七月"], e["七月住院"], None, None) not in lines_of(town, "王驻村")
    file = arc.households.load(h["张七月"])
    for visit in file.visits:
        if visit.kind == "事件必访":
            visit.kind = "回访"
    arc.households.save(file)
    assert (EVENT, h["张七月"], e["七月住院"], None, None) in lines_of(town, "王驻村")


def test_removing_a_big_visit_brings_the_revisit_back(town: Town) -> None:
    arc, h = town.archive, town.households
    file = arc.households.load(h["张未到"])
    file.visits[0].removed = True
    arc.households.save(file)
    assert arc.maintenance.next_visit(h["张未到"]) == (None, Due.NEVER)
    assert lines_of(town, "王驻村")[(REVISIT, h["张未到"], None, None, None)] == (None, True)


def test_submitted_reports_leave_the_list(town: Town) -> None:
    arc, c = town.archive, town.cadres
    week = (REPORT, None, None, None, (WEEKLY, "cadre", c["王驻村"], LAST_WEEK.start))
    month = (REPORT, None, None, None, (MONTHLY, "cadre", c["王驻村"], LAST_MONTH.start))
    other_week = (REPORT, None, None, None, (WEEKLY, "cadre", c["李驻村"], LAST_WEEK.start))
    # Reports of other periods, or other cadres, change nothing.
    arc.summaries.submit("cadre", c["王驻村"], Period(WEEKLY, D("2025-06-02"), D("2025-06-08")))
    arc.summaries.submit("cadre", c["王驻村"], Period(MONTHLY, D("2025-04-01"), D("2025-04-30")))
    arc.summaries.submit("cadre", c["陈镇长"], LAST_WEEK)
    assert lines_of(town, None) == expected_for(town, None)
    arc.summaries.submit("cadre", c["王驻村"], LAST_WEEK)
    lines = lines_of(town, None)
    assert week not in lines and month in lines and other_week in lines
    arc.summaries.submit("cadre", c["王驻村"], LAST_MONTH)
    lines = lines_of(town, "王驻村")
    assert not [k for k in lines if k[0] == REPORT]
    assert other_week in lines_of(town, "李驻村")
    assert set(lines_of(town, None)) == set(expected_for(town, None)) - {week, month}


def test_report_lines_for_a_leader_only_when_asked_for(town: Town) -> None:
    """Everyone's list has the reports of the 驻村干部; a leader's own list has his."""
    everyone = [k for k in lines_of(town, None) if k[0] == REPORT]
    assert {k[4][2] for k in everyone} == {town.cadres["王驻村"], town.cadres["李驻村"]}
    own = [k for k in lines_of(town, "陈镇长") if k[0] == REPORT]
    assert {k[4][2] for k in own} == {town.cadres["陈镇长"]}
    assert len(own) == 2


def test_future_dates_are_refused_in_chinese(town: Town) -> None:
    arc, h = town.archive, town.households
    tomorrow = TODAY + timedelta(days=1)
    before = lines_of(town, None)
    with pytest.raises(DomainError) as caught:
        arc.maintenance.record_visit(h["张七月"], tomorrow, "半年大走访", "王驻村")
    assert (caught.value.message, caught.value.field) == ("走访日期不能晚于今天", "date")
    with pytest.raises(DomainError) as caught:
        arc.maintenance.record_event(h["张七月"], tomorrow, "住院")
    assert (caught.value.message, caught.value.field) == ("事件日期不能晚于今天", "date")
    with pytest.raises(DomainError, match="请选择走访类型"):
        arc.maintenance.record_visit(h["张七月"], TODAY, "顺路看看", "王驻村")
    with pytest.raises(DomainError, match="请填写走访干部"):
        arc.maintenance.record_visit(h["张七月"], TODAY, "半年大走访", "  ")
    with pytest.raises(DomainError, match="请选择事件类型"):
        arc.maintenance.record_event(h["张七月"], TODAY, "")
    with pytest.raises(DomainError, match="找不到这户档案"):
        arc.maintenance.record_visit("no-such-household", TODAY, "半年大走访", "王驻村")
    assert lines_of(town, None) == before
    with arc.db.sessions() as session:
        assert session.scalars(select(Visit).where(Visit.household_id == h["张七月"])).all()
        assert not session.scalars(select(Visit).where(Visit.date > TODAY)).all()
    # The household file refuses a visit after the real today.
    file = arc.households.load(h["张七月"])
    file.visits.append(VisitData(date=date.today() + timedelta(days=1), kind="事件必访", cadres="王驻村"))
    with pytest.raises(ValidationFailed) as failed:
        arc.households.save(file)
    assert [(p.section, p.field, p.message) for p in failed.value.problems] == [
        ("visits", "date", "走访日期须填写且不能晚于今天")
    ]
    assert lines_of(town, None) == before
