"""领导驾驶舱 figures on a hand-built database: households on file and visited, 民情信息 items, books at
the volume limit, requests by status, category and level, overdue and 挂牌督办, satisfaction, revisit
coverage and the 早预警 of categories rising this month, for the town and for each village. The
expected figures are counted here from the plan the database was built from."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from accounts import copy_archive, open_archive

from zhuji_archive.domain.workflow import (
    Action,
    Assignment,
    Classification,
    Explanation,
    Feedback,
    Level,
    OnTheSpot,
    Resolution,
    Supervision,
)
from zhuji_archive.services.archive import Archive
from zhuji_archive.storage.request_queries import RequestQuery
from zhuji_archive.views.household_file import MemberData, VisitData
from zhuji_archive.views.villages import EventData

D = date.fromisoformat
TODAY = D("2025-07-10")
SOON, NOW = "近期一时难以解决", "立即可以解决"
OPEN = ("登记", "已梳理", "待上会", "办理中")


@dataclass(frozen=True)
class Home:
    group: str
    head: str
    visits: tuple[tuple[str, str], ...] = ()
    status: str = "在册"

    @property
    def village(self) -> str:
        return self.group[:3]


# 杜黄村一组: twelve households in three situations, four each.
GROUP_ONE = [
    Home(
        "杜黄村一组",
        f"杜{i}",
        (
            (("2025-03-01", "半年大走访"),),  # next 09-01: covered
            (("2024-12-01", "半年大走访"), ("2025-05-01", "回访")),  # next 06-01: overdue
            (),  # never visited
        )[i % 3],
    )
    for i in range(12)
]
HOMES = [
    *GROUP_ONE,
    Home("杜黄村二组", "杜二甲", (("2025-06-01", "建档走访"),)),  # covered
    Home("杜黄村二组", "杜二乙", (("2025-05-20", "事件必访"),)),  # visited, never a big visit
    Home("杜黄村二组", "杜二迁", (("2025-02-01", "半年大走访"),), "迁出"),
    Home("新桥村一组", "新甲", (("2025-01-15", "半年大走访"),)),  # next 07-15: covered
    Home("新桥村一组", "新乙"),
    Home("新桥村二组", "新迁", (), "迁出"),  # a group with nobody on file: no book
]
GROUPS = ("杜黄村一组", "杜黄村二组", "杜黄村三组", "新桥村一组", "新桥村二组")  # 三组 is empty
COVERED = {"杜0", "杜3", "杜6", "杜9", "杜二甲", "新甲"}


@dataclass(frozen=True)
class Req:
    """A request as it ends up: what the dashboard counts."""

    name: str
    head: str
    recorded: str
    category: str
    status: str = "登记"
    level: str = ""
    deadline: str | None = None
    supervised: bool = False
    feedback: tuple[str, ...] = ()
    deleted: bool = False

    @property
    def village(self) -> str:
        return "杜黄村" if self.head.startswith("杜") else "新桥村"


REQUESTS = [
    # This month (1–10 July).
    Req("J1", "杜0", "2025-07-02", "生活困难"),
    Req("J2", "杜1", "2025-07-05", "生活困难"),
    Req("J3", "杜2", "2025-07-08", "生活困难"),
    Req("J4", "杜3", "2025-07-09", "矛盾纠纷"),
    Req("J5", "新甲", "2025-07-03", "生活困难"),
    Req("J6", "新甲", "2025-07-04", "基础设施"),
    Req("J7", "新甲", "2025-07-10", "基础设施"),
    Req("Jdel", "杜0", "2025-07-06", "生活困难", deleted=True),  # entered by mistake, removed
    # April.
    Req("A1", "杜0", "2025-04-10", "生活困难", "办理中", "村级", "2025-05-10"),
    Req("A2", "新甲", "2025-04-15", "基础设施", "待上会", "镇级"),
    # May.
    Req("M1", "杜1", "2025-05-05", "矛盾纠纷", "办理中", "市镇联动", "2025-12-31", supervised=True),
    Req("M2", "杜2", "2025-05-20", "矛盾纠纷", "办理中", "驻村干部", "2025-06-30", feedback=("不满意",)),
    # June.
    Req("U1", "杜3", "2025-06-05", "生活困难", "已反馈", "驻村干部", feedback=("满意",)),
    Req("U2", "杜4", "2025-06-10", "生活困难", "不能解决", "村级", "2025-07-31"),
    Req("U3", "新甲", "2025-06-12", "基础设施", "办理中", "市镇联动", "2025-06-30", supervised=True),
    Req("U4", "杜5", "2025-06-15", "政策咨询", "已反馈", "村级", feedback=("基本满意",)),
    Req("S3", "杜8", "2025-06-01", "生活困难", "已办结", "村级", "2025-06-20"),  # late, but solved
    # March: before the three months compared.
    Req("S1", "新甲", "2025-03-05", "其他", "已反馈", "村级", "2025-03-31", feedback=("不满意", "满意")),
    Req("S2", "杜7", "2025-03-01", "信访", "已反馈", "市镇联动", "2025-03-31", True, ("满意",)),
]
VILLAGE_EVENTS = {"杜黄村": 2, "新桥村": 1}  # kept; one more of 杜黄村 is removed


@dataclass
class Town:
    archive: Archive
    villages: dict[str, str] = field(default_factory=dict)
    households: dict[str, str] = field(default_factory=dict)
    requests: dict[str, str] = field(default_factory=dict)


def build(path: Path) -> Town:
    arc = open_archive(path, "测试员", today=TODAY)
    town = Town(arc)
    town_id = arc.organisation.add_town("安华镇", "诸暨市", "330681")
    groups: dict[str, str] = {}
    for name in GROUPS:
        village = name[:3]
        if village not in town.villages:
            town.villages[village] = arc.organisation.add_village(town_id, village)
        groups[name] = arc.organisation.add_group(town.villages[village], name[3:])
    for home in HOMES:
        file = arc.households.new_file(groups[home.group])
        file.members = [MemberData(name=home.head, relation="户主")]
        file.visits = [VisitData(date=D(day), kind=kind, cadres="王驻村") for day, kind in home.visits]
        town.households[home.head] = arc.households.save(file)
        if home.status != "在册":
            arc.households.set_status(town.households[home.head], home.status, "迁往外地")
    # A visit entered by mistake and removed from the file.
    file = arc.households.load(town.households["新甲"])
    file.visits.append(VisitData(date=D("2025-02-02"), kind="回访", cadres="王驻村"))
    arc.households.save(file)
    file = arc.households.load(town.households["新甲"])
    for visit in file.visits:
        visit.removed = visit.date == D("2025-02-02")
    arc.households.save(file)

    for village, count in VILLAGE_EVENTS.items():
        info = arc.villages.load(town.villages[village])
        info.events = [
            EventData(date=D(f"2025-0{n + 4}-01"), category="村级建设", title=f"{village}事项{n}")
            for n in range(count + (village == "杜黄村"))
        ]
        arc.villages.save(info)
    info = arc.villages.load(town.villages["杜黄村"])
    info.events[0].removed = True
    arc.villages.save(info)

    rq, h, r = arc.requests, town.households, town.requests
    for req in REQUESTS:
        r[req.name] = rq.record(h[req.head], req.category, f"{req.name}号诉求", D(req.recorded))

    def sort(name: str, level: Level) -> None:
        category = next(q.category for q in REQUESTS if q.name == name)
        rq.act(r[name], Action.SORT, Classification(category, "个性", SOON, level))

    def assign(name: str, deadline: str) -> None:
        rq.act(r[name], Action.ASSIGN, Assignment("村委会", "王书记", D(deadline)))

    def joint(name: str, deadline: str) -> None:
        listed = D(next(q.recorded for q in REQUESTS if q.name == name))  # listed the day it was recorded
        body = Supervision("诸暨市信访局", listed, "陈国平", Assignment("镇综治中心", "何伟", D(deadline)))
        rq.act(r[name], Action.JOINT, body)

    def solve(name: str, day: str) -> None:
        rq.act(r[name], Action.SOLVE, Resolution(D(day), "措施", "办法", "已解决"))

    def spot(name: str, day: str, level: Level) -> None:
        category = next(q.category for q in REQUESTS if q.name == name)
        payload = OnTheSpot(
            Classification(category, "个性", NOW, level), Resolution(D(day), "讲解", "当面", "已解决")
        )
        rq.act(r[name], Action.SOLVE_ON_SPOT, payload)

    def feedback(name: str, day: str, satisfaction: str) -> None:
        opinion = "问题依旧" if satisfaction == "不满意" else ""
        rq.act(
            r[name], Action.FEEDBACK, Feedback(D(day), "王书记", "王驻村", "", opinion, satisfaction, True)
        )

    sort("A1", Level.VILLAGE)
    assign("A1", "2025-05-10")
    sort("A2", Level.TOWN)
    rq.act(r["A2"], Action.REPORT)
    sort("M1", Level.JOINT)
    joint("M1", "2025-12-31")
    sort("M2", Level.CADRE)
    assign("M2", "2025-06-30")
    solve("M2", "2025-06-20")
    feedback("M2", "2025-06-22", "不满意")
    spot("U1", "2025-06-05", Level.CADRE)
    feedback("U1", "2025-06-06", "满意")
    sort("U2", Level.VILLAGE)
    assign("U2", "2025-07-31")
    rq.act(r["U2"], Action.EXPLAIN, Explanation("不符合政策，已解释", D("2025-06-25")))
    sort("U3", Level.JOINT)
    joint("U3", "2025-06-30")
    spot("U4", "2025-06-15", Level.VILLAGE)
    feedback("U4", "2025-06-16", "基本满意")
    sort("S3", Level.VILLAGE)
    assign("S3", "2025-06-20")
    solve("S3", "2025-06-18")
    sort("S1", Level.VILLAGE)
    assign("S1", "2025-03-31")
    solve("S1", "2025-03-10")
    feedback("S1", "2025-03-12", "不满意")
    solve("S1", "2025-03-20")
    feedback("S1", "2025-03-22", "满意")
    sort("S2", Level.JOINT)
    joint("S2", "2025-03-31")
    solve("S2", "2025-03-20")
    feedback("S2", "2025-03-25", "满意")
    file = arc.households.load(h["杜0"])
    for request in file.requests:
        request.removed = request.id == r["Jdel"]
    arc.households.save(file)
    arc.db.engine.dispose()
    return town


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Town]:
    path = tmp_path_factory.mktemp("dashboard") / "dashboard.sqlite3"
    return path, build(path)


@pytest.fixture
def town(template: tuple[Path, Town], tmp_path: Path):
    source, built = template
    target = tmp_path / "dashboard.sqlite3"
    copy_archive(source, target)
    arc = open_archive(target, "测试员", today=TODAY)
    yield Town(arc, built.villages, built.households, built.requests)
    arc.close()


# ---- the figures, counted from the plan --------------------------------------------------------
def homes(village: str | None) -> list[Home]:
    return [home for home in HOMES if village is None or home.village == village]


def requests(village: str | None) -> list[Req]:
    return [req for req in REQUESTS if not req.deleted and (village is None or req.village == village)]


def books(village: str | None, limit: int) -> int:
    per_group = Counter(home.group for home in homes(village) if home.status == "在册")
    return sum(math.ceil(n / limit) for n in per_group.values())


def rising(village: str | None) -> list[tuple[str, int, float]]:
    """This month against the average of April, May and June; largest rise first, rises only."""

    def month_counts(month: int) -> Counter[str]:
        return Counter(req.category for req in requests(village) if D(req.recorded).month == month)

    this, before = month_counts(7), [month_counts(m) for m in (4, 5, 6)]
    rows = []
    for category, count in this.items():
        average = round(sum(m[category] for m in before) / 3, 1)
        if count > average:
            rows.append((category, count, average))
    return sorted(rows, key=lambda row: (row[1] - row[2], row[1]), reverse=True)[:3]


def expected(village: str | None) -> dict[str, object]:
    on_file = [home for home in homes(village) if home.status == "在册"]
    reqs = requests(village)
    feedback = [s for req in reqs for s in req.feedback]
    events = sum(VILLAGE_EVENTS[v] for v in VILLAGE_EVENTS if village in (None, v))
    return {
        "households": len(on_file),
        "households_visited": sum(1 for home in on_file if home.visits),
        # Every visit kept, of households on file or not, every request kept, every village event kept.
        "information_items": sum(len(home.visits) for home in homes(village)) + len(reqs) + events,
        "books": books(village, 150),
        "by_status": dict(Counter(req.status for req in reqs)),
        "by_category": dict(Counter(req.category for req in reqs)),
        "by_level": dict(Counter(req.level or "未梳理" for req in reqs)),
        "overdue": sum(1 for req in reqs if req.status in OPEN and req.deadline and D(req.deadline) < TODAY),
        "supervised": sum(1 for req in reqs if req.status in OPEN and req.supervised),
        "satisfaction_rate": sum(1 for s in feedback if s != "不满意") / len(feedback),
        "revisit_coverage": sum(1 for home in on_file if home.head in COVERED) / len(on_file),
        "rising": rising(village),
    }


def figures(town: Town, village: str | None) -> dict[str, object]:
    village_id = town.villages[village] if village else None
    d = town.archive.dashboard.build(village_id, village or "全镇")
    assert d.scope_name == (village or "全镇")
    return {name: getattr(d, name) for name in expected(None)}


def test_the_plan_is_what_was_built(town: Town) -> None:
    """The requests ended where the plan says (so the counts below are about the right records)."""
    for req in REQUESTS:
        if req.deleted:
            continue
        row = town.archive.requests.detail(town.requests[req.name]).row
        assert (row.status, row.level, row.deadline) == (
            req.status,
            req.level,
            D(req.deadline) if req.deadline else None,
        ), req.name
        assert bool(row.supervising_body) == req.supervised, req.name


@pytest.mark.parametrize("village", [None, "杜黄村", "新桥村"])
def test_dashboard_figures_match_the_hand_count(town: Town, village: str | None) -> None:
    assert figures(town, village) == expected(village)


def test_town_figures_spelled_out(town: Town) -> None:
    """The same figures for the town, written down one by one."""
    d = town.archive.dashboard.build()
    assert (d.households, d.households_visited) == (16, 11)
    # 16 visits (the removed one not counted, the moved household's counted) + 18 requests + 3 events.
    assert d.information_items == 16 + 18 + 3
    assert d.books == 3
    assert d.by_status == {"登记": 7, "办理中": 4, "待上会": 1, "已反馈": 4, "不能解决": 1, "已办结": 1}
    assert d.by_level == {"未梳理": 7, "村级": 5, "镇级": 1, "市镇联动": 3, "驻村干部": 2}
    assert (d.overdue, d.supervised) == (3, 2)  # A1, M2, U3; M1 and U3 (S2 is closed)
    assert d.satisfaction_rate == pytest.approx(4 / 6)
    assert d.revisit_coverage == pytest.approx(6 / 16)
    # 生活困难: 4 this month, (3 + 0 + 1) / 3 before; 基础设施: 2 against 2/3; 矛盾纠纷: 1 against 2/3.
    assert d.rising == [("生活困难", 4, 1.3), ("基础设施", 2, 0.7), ("矛盾纠纷", 1, 0.7)]


def test_books_follow_the_volume_limit(town: Town) -> None:
    town.archive.settings.set("book.volume_limit", 10)
    assert town.archive.dashboard.build().books == books(None, 10) == 4  # 一组's 12 households: two books
    assert town.archive.dashboard.build(town.villages["杜黄村"]).books == books("杜黄村", 10) == 3
    assert town.archive.dashboard.build(town.villages["新桥村"]).books == books("新桥村", 10) == 1


def test_dashboard_counts_agree_with_the_lists(town: Town) -> None:
    """Click-through: the list behind each figure has as many lines as the figure says."""
    rq = town.archive.requests
    for village in (None, "杜黄村", "新桥村"):
        village_id = town.villages[village] if village else None
        d = town.archive.dashboard.build(village_id)
        for status, count in d.by_status.items():
            assert len(rq.list(RequestQuery(village_id=village_id, statuses=(status,)))) == count
        for category, count in d.by_category.items():
            assert len(rq.list(RequestQuery(village_id=village_id, category=category))) == count
        assert len(rq.list(RequestQuery(village_id=village_id, time_status="超期"))) == d.overdue
        assert sum(d.by_status.values()) == len(rq.list(RequestQuery(village_id=village_id)))


def test_a_new_visit_and_request_move_the_figures(town: Town) -> None:
    arc, h = town.archive, town.households
    before = arc.dashboard.build()
    arc.maintenance.record_visit(h["新乙"], TODAY, "半年大走访", "王驻村")
    arc.requests.record(h["新乙"], "生活困难", "新的诉求", TODAY)
    after = arc.dashboard.build()
    assert after.households_visited == before.households_visited + 1
    assert after.information_items == before.information_items + 2
    assert after.revisit_coverage == pytest.approx(7 / 16)
    assert after.by_status["登记"] == before.by_status["登记"] + 1
    assert after.rising[0] == ("生活困难", 5, 1.3)


def test_an_empty_village(town: Town) -> None:
    village_id = town.archive.organisation.add_village(town.archive.organisation.tree()[0].id, "空白村")
    d = town.archive.dashboard.build(village_id, "空白村")
    assert (d.households, d.households_visited, d.information_items, d.books) == (0, 0, 0, 0)
    assert (d.by_status, d.by_category, d.by_level, d.overdue, d.supervised) == ({}, {}, {}, 0, 0)
    assert (d.satisfaction_rate, d.revisit_coverage, d.rising) == (None, None, [])
