"""三式服务 on a hand-built database: links in each mode, on-site days, 实事, requests solved for linked
households and visits by the cadre's name; the quota fulfilment table over a quarter (yearly quotas
pro rata) and a year, coverage gaps, and the cadre assessment with its weighted score. Every figure
is worked out by hand here and compared with the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from accounts import copy_archive, open_archive
from openpyxl import load_workbook

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.reporting import MONTHLY, WEEKLY
from zhuji_archive.domain.workflow import (
    Action,
    Assignment,
    Classification,
    Explanation,
    Feedback,
    Level,
    OnTheSpot,
    Resolution,
)
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.service_links import months_in
from zhuji_archive.storage.models import Cadre, ReportSubmission
from zhuji_archive.views.household_file import MemberData, VisitData
from zhuji_archive.views.villages import EnterpriseData

D = date.fromisoformat
TODAY = D("2025-07-10")  # a Thursday, after the last weekly report of the quarter was due (07-02)
Q2 = (D("2025-04-01"), D("2025-06-30"))
YEAR = (D("2025-01-01"), D("2025-12-31"))
SOON, NOW = "近期一时难以解决", "立即可以解决"
CADRES = {
    "王驻村": "驻村干部",
    "李驻村": "驻村干部",
    "陈镇长": "镇领导",
    "周干部": "机关干部",
    "郑机关": "机关干部",
    "吴村官": "村干部",
}
# head -> (village+group, responsible cadre, visits (date, kind, cadres), focus tags)
HOUSEHOLDS: dict[str, tuple[str, str | None, list[tuple[str, str, str]], list[str]]] = {
    # 王驻村's households, for revisit coverage on 07-10: W1 and W4 are due today (covered),
    # W2 and W5 were due yesterday, W3 was never visited; W6 has moved away.
    "王一": (
        "杜黄村一组",
        "王驻村",
        [("2025-01-10", "半年大走访", "王驻村"), ("2025-05-05", "回访", "周干部")],
        [],
    ),
    "王二": ("杜黄村一组", "王驻村", [("2025-01-09", "半年大走访", "王驻村")], []),
    "王三": ("杜黄村一组", "王驻村", [], []),
    "王四": ("杜黄村二组", "王驻村", [("2025-04-10", "半年大走访", "王驻村")], ["特困户"]),
    "王五": ("杜黄村二组", "王驻村", [("2025-04-09", "半年大走访", "王驻村")], ["特困户"]),
    "王六": ("杜黄村二组", "王驻村", [], ["低保户"]),
    # Linked households and others.
    "陈困难": ("杜黄村一组", None, [], ["特困户"]),
    "周低收": (
        "新桥村一组",
        None,
        [
            ("2025-03-15", "半年大走访", "周干部"),  # before the quarter
            ("2025-05-01", "回访", "周干部、王驻村"),
            ("2025-06-01", "半年大走访", "周干部"),
            ("2025-06-10", "回访", "王驻村"),  # not 周干部's visit
        ],
        ["低保户"],
    ),
    "问题甲": ("新桥村一组", None, [], ["问题户"]),
    "郑五保": ("新桥村一组", None, [], ["五保户"]),
    "普通户": ("新桥村一组", None, [], []),
}


@dataclass
class Book:
    archive: Archive
    villages: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    enterprises: dict[str, str] = field(default_factory=dict)
    cadres: dict[str, str] = field(default_factory=dict)
    households: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)

    def label(self, head: str) -> str:
        file = self.archive.households.load(self.households[head])
        return f"{file.village_name}{file.group_name}第{file.number}户 {head}"


def build(path: Path) -> Book:
    arc = open_archive(path, "测试员", today=TODAY)
    book = Book(arc)
    town_id = arc.organisation.add_town("安华镇", "诸暨市", "330681")
    for village, names in (("杜黄村", ("一组", "二组")), ("新桥村", ("一组",))):
        book.villages[village] = arc.organisation.add_village(town_id, village)
        for name in names:
            book.groups[village + name] = arc.organisation.add_group(book.villages[village], name)
    for village, enterprise in (("杜黄村", "杜黄竹木厂"), ("新桥村", "新桥纺织厂")):
        info = arc.villages.load(book.villages[village])
        info.enterprises.append(EnterpriseData(name=enterprise, legal_person="某某"))
        arc.villages.save(info)
        book.enterprises[enterprise] = arc.villages.load(book.villages[village]).enterprises[0].id
    with arc.db.transaction() as session:
        rows = {name: Cadre(name=name, kind=kind) for name, kind in CADRES.items()}
        session.add_all(rows.values())
        session.flush()
        book.cadres = {name: row.id for name, row in rows.items()}
    for head, (group, cadre, visits, tags) in HOUSEHOLDS.items():
        file = arc.households.new_file(book.groups[group])
        file.members = [MemberData(name=head, relation="户主")]
        file.responsible_cadre_id = book.cadres[cadre] if cadre else None
        file.focus_tags = tags
        file.visits = [VisitData(date=D(day), kind=kind, cadres=who) for day, kind, who in visits]
        book.households[head] = arc.households.save(file)
    arc.households.set_status(book.households["王六"], "迁出", "迁往绍兴")

    s, c, h = arc.service_links, book.cadres, book.households
    start = D("2025-01-01")
    book.links["陈村"] = s.add_link(c["陈镇长"], "驻点式", "village", book.villages["杜黄村"], start)
    book.links["陈企"] = s.add_link(
        c["陈镇长"], "驻点式", "enterprise", book.enterprises["杜黄竹木厂"], start
    )
    book.links["陈户"] = s.add_link(c["陈镇长"], "驻点式", "household", h["陈困难"], start)
    book.links["陈企二"] = s.add_link(  # begins after the quarter
        c["陈镇长"], "驻点式", "enterprise", book.enterprises["新桥纺织厂"], D("2025-07-05")
    )
    book.links["周村"] = s.add_link(
        c["周干部"], "结对式", "village", book.villages["新桥村"], D("2025-02-01")
    )
    book.links["周户"] = s.add_link(c["周干部"], "结对式", "household", h["周低收"], D("2025-02-01"))
    book.links["周企"] = s.add_link(
        c["周干部"], "结对式", "enterprise", book.enterprises["新桥纺织厂"], start
    )
    s.end_link(book.links["周企"], D("2025-03-31"))  # ended the day before the quarter
    book.links["郑户"] = s.add_link(c["郑机关"], "结对式", "household", h["郑五保"], start)
    s.end_link(book.links["郑户"], D("2025-05-31"))  # active for part of the quarter
    book.links["吴片"] = s.add_link(c["吴村官"], "管线联片式", "group", book.groups["杜黄村一组"], start)

    for day in ("2025-03-31", "2025-04-10", "2025-05-12", "2025-07-01"):
        s.add_onsite_day(c["陈镇长"], D(day), "杜黄村村委会")
    s.add_onsite_day(c["周干部"], D("2025-05-01"), "新桥村")
    s.add_deed(c["陈镇长"], D("2025-03-01"), "修缮村道", "杜黄村", "已完工")
    s.add_deed(c["陈镇长"], D("2025-05-20"), "引进订单", "杜黄竹木厂", "签约")
    s.add_deed(c["周干部"], D("2025-05-20"), "送技术", "新桥村")

    rq = arc.requests

    def request(head: str, recorded: str, deadline: str | None, level: Level = Level.VILLAGE) -> str:
        rid = rq.record(h[head], "生活困难", f"{head}的诉求{recorded}", D(recorded))
        if deadline:
            rq.act(rid, Action.SORT, Classification("生活困难", "个性", SOON, level))
            rq.act(rid, Action.ASSIGN, Assignment("村委会", "王书记", D(deadline)))
        return rid

    def solve(rid: str, day: str) -> None:
        rq.act(rid, Action.SOLVE, Resolution(D(day), "措施", "办法", "已解决"))

    def feedback(rid: str, day: str, satisfaction: str) -> None:
        opinion = "仍未解决" if satisfaction == "不满意" else ""
        rq.act(rid, Action.FEEDBACK, Feedback(D(day), "王书记", "王驻村", "", opinion, satisfaction, True))

    # The linked difficult household: one difficulty solved twice in the quarter (the first
    # solution did not satisfy), and one solved in March.
    r = request("陈困难", "2025-04-01", "2025-04-30", Level.CADRE)
    solve(r, "2025-04-10")
    feedback(r, "2025-04-12", "不满意")
    solve(r, "2025-04-20")
    r = request("陈困难", "2025-03-01", "2025-03-31")
    solve(r, "2025-03-10")
    r = request("问题甲", "2025-05-01", "2025-05-20")  # not linked to anyone
    solve(r, "2025-05-02")

    # 王驻村's requests: closures and feedback in the quarter and outside it.
    ra = request("王一", "2025-04-01", "2025-04-30")
    solve(ra, "2025-04-20")  # on time
    feedback(ra, "2025-04-22", "满意")
    rb = request("王二", "2025-04-02", "2025-04-15")
    solve(rb, "2025-04-25")  # ten days late
    feedback(rb, "2025-04-26", "基本满意")
    rc = rq.record(h["王三"], "政策咨询", "咨询医保", D("2025-05-10"))
    spot = OnTheSpot(
        Classification("政策咨询", "个性", NOW, Level.CADRE),
        Resolution(D("2025-05-10"), "讲解", "当面", "已清楚"),
    )
    rq.act(rc, Action.SOLVE_ON_SPOT, spot)  # solved on the spot: no deadline, never late
    feedback(rc, "2025-05-11", "满意")
    rd = request("王四", "2025-05-20", "2025-06-10")
    rq.act(rd, Action.EXPLAIN, Explanation("不符合政策，已解释", D("2025-06-01")))  # on time
    rf = request("王五", "2025-05-01", "2025-05-31")
    solve(rf, "2025-05-15")  # on time
    feedback(rf, "2025-05-16", "不满意")  # back to 办理中
    r_march = request("王一", "2025-03-01", "2025-03-20")
    solve(r_march, "2025-03-25")  # late, but in March
    feedback(r_march, "2025-03-26", "不满意")
    rg = request("王二", "2025-06-20", "2025-07-31")
    solve(rg, "2025-07-02")  # in July
    feedback(rg, "2025-07-03", "满意")

    # Weekly reports: 13 weeks end in the quarter (06 Apr … 29 Jun). 王驻村 sends eight the next
    # day, one at the last minute of its third day, one a day late, and none for the last three.
    delay = [timedelta(days=1, hours=10)] * 8 + [timedelta(days=3, hours=23, minutes=59), timedelta(days=4)]
    with arc.db.transaction() as session:
        for n in range(13):
            sunday = D("2025-04-06") + timedelta(weeks=n)
            if n < len(delay):
                session.add(
                    ReportSubmission(
                        period=WEEKLY,
                        scope_kind="cadre",
                        scope_id=c["王驻村"],
                        period_start=sunday - timedelta(days=6),
                        submitted_at=datetime.combine(sunday, datetime.min.time()) + delay[n],
                        operator="王驻村",
                    )
                )
            session.add(  # another cadre's reports are not his
                ReportSubmission(
                    period=WEEKLY,
                    scope_kind="cadre",
                    scope_id=c["李驻村"],
                    period_start=sunday - timedelta(days=6),
                    submitted_at=datetime.combine(sunday, datetime.min.time()),
                    operator="李驻村",
                )
            )
        session.add(
            ReportSubmission(
                period=MONTHLY,
                scope_kind="cadre",
                scope_id=c["王驻村"],
                period_start=D("2025-04-01"),
                submitted_at=datetime(2025, 5, 2, 9),
                operator="王驻村",
            )
        )
        # The first week of July, sent on its second day.
        session.add(
            ReportSubmission(
                period=WEEKLY,
                scope_kind="cadre",
                scope_id=c["王驻村"],
                period_start=D("2025-06-30"),
                submitted_at=datetime(2025, 7, 8, 8),
                operator="王驻村",
            )
        )
    arc.db.engine.dispose()
    return book


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Book]:
    path = tmp_path_factory.mktemp("links") / "links.sqlite3"
    book = build(path)
    return path, book


@pytest.fixture
def book(template: tuple[Path, Book], tmp_path: Path):
    source, built = template
    target = tmp_path / "links.sqlite3"
    copy_archive(source, target)
    arc = open_archive(target, "测试员", today=TODAY)
    yield Book(
        arc, built.villages, built.groups, built.enterprises, built.cadres, built.households, built.links
    )
    arc.close()


def table(book: Book, period: tuple[date, date]):
    return {(row.cadre_name, row.mode): row for row in book.archive.service_links.quota_table(*period)}


# ---- quotas --------------------------------------------------------------------------------------
def test_months_in_a_period() -> None:
    assert months_in(*Q2) == 3
    assert months_in(*YEAR) == 12
    assert months_in(D("2025-11-15"), D("2026-02-10")) == 4


def test_quota_table_for_a_quarter(book: Book) -> None:
    rows = book.archive.service_links.quota_table(*Q2)
    assert [(r.cadre_name, r.mode) for r in rows] == [
        ("陈镇长", "驻点式"),
        ("周干部", "结对式"),
        ("郑机关", "结对式"),
        ("吴村官", "管线联片式"),
    ]
    by = {r.cadre_name: r for r in rows}
    # 驻点式 over three months: 1 village, 1 enterprise, 1 household, 3 on-site days,
    # 2 deeds a year -> 1, 1 difficulty a year -> 1.
    chen = by["陈镇长"]
    assert chen.cadre_kind == "镇领导"
    assert {q.key: q.required for q in chen.quotas} == {
        "villages": 1,
        "enterprises": 1,
        "households": 1,
        "onsite_days": 3,
        "deeds": 1,
        "solved": 1,
    }
    # The enterprise linked from 5 July is not in the quarter; on-site days of 31 March and 1 July
    # and the March deed are outside it; one difficulty was solved (twice) for the linked household,
    # and the unlinked household's request does not count.
    assert {
        k: chen.actual[k] for k in ("villages", "enterprises", "households", "onsite_days", "deeds", "solved")
    } == {
        "villages": 1,
        "enterprises": 1,
        "households": 1,
        "onsite_days": 2,
        "deeds": 1,
        "solved": 1,
    }
    assert chen.shortfalls == {"onsite_days": 1}
    assert chen.fulfilment == pytest.approx((1 + 1 + 1 + 2 / 3 + 1 + 1) / 6)
    # 结对式: the enterprise link ended on 31 March; visits to the linked household by 周干部 in the
    # quarter are 1 May and 1 June (15 March is before it, 10 June was 王驻村 alone, and his 回访 of 王一
    # is to a household he is not linked to).
    zhou = by["周干部"]
    assert {q.key: q.required for q in zhou.quotas} == {
        "villages": 1,
        "enterprises": 1,
        "households": 1,
        "visits": 3,
    }
    assert {k: zhou.actual[k] for k in ("villages", "enterprises", "households", "visits")} == {
        "villages": 1,
        "enterprises": 0,
        "households": 1,
        "visits": 2,
    }
    assert zhou.shortfalls == {"enterprises": 1, "visits": 1}
    assert zhou.fulfilment == pytest.approx((1 + 0 + 1 + 2 / 3) / 4)
    # 郑机关's household link ended on 31 May: it still counts for the quarter. Nothing else.
    zheng = by["郑机关"]
    assert zheng.actual["households"] == 1 and zheng.actual["visits"] == 0
    assert zheng.shortfalls == {"villages": 1, "enterprises": 1, "visits": 3}
    assert zheng.fulfilment == pytest.approx(1 / 4)
    wu = by["吴村官"]
    assert [(q.key, q.required) for q in wu.quotas] == [("areas", 1)]
    assert wu.actual["areas"] == 1 and wu.shortfalls == {} and wu.fulfilment == 1.0


def test_quota_table_for_a_year(book: Book) -> None:
    rows = table(book, YEAR)
    chen = rows[("陈镇长", "驻点式")]
    assert {q.key: q.required for q in chen.quotas}["onsite_days"] == 12
    assert {q.key: q.required for q in chen.quotas}["deeds"] == 2
    # Both enterprises were linked at some time in the year; four on-site days; two deeds; two
    # difficulties solved (March and April).
    assert (
        chen.actual["enterprises"],
        chen.actual["onsite_days"],
        chen.actual["deeds"],
        chen.actual["solved"],
    ) == (
        2,
        4,
        2,
        2,
    )
    assert chen.shortfalls == {"onsite_days": 8}
    assert chen.fulfilment == pytest.approx((5 + 4 / 12) / 6)
    zhou = rows[("周干部", "结对式")]
    assert (zhou.actual["enterprises"], zhou.actual["visits"]) == (1, 3)
    assert zhou.shortfalls == {"visits": 9}


def test_a_difficulty_solved_twice_counts_once(book: Book) -> None:
    """With 8 difficulties a year required (2 in a quarter), the one request solved twice after an
    unsatisfied feedback is still one difficulty solved, not two."""
    book.archive.settings.set("quota.驻点式.每年解决困难", 8)
    chen = table(book, Q2)[("陈镇长", "驻点式")]
    assert {q.key: q.required for q in chen.quotas}["solved"] == 2
    assert chen.actual["solved"] == 1
    assert chen.shortfalls == {"onsite_days": 1, "solved": 1}


def test_quotas_follow_the_settings(book: Book) -> None:
    s = book.archive.settings
    s.set("quota.驻点式.每月蹲点天数", 2)
    s.set("quota.驻点式.每年实事", 5)  # 5 * 3 / 12 = 1.25 -> 2
    s.set("quota.结对式.企业", 0)
    s.set("quota.结对式.每月走访", 0)
    rows = table(book, Q2)
    chen = rows[("陈镇长", "驻点式")]
    assert chen.shortfalls == {"onsite_days": 4, "deeds": 1}
    assert chen.fulfilment == pytest.approx((1 + 1 + 1 + 2 / 6 + 1 / 2 + 1) / 6)
    zhou = rows[("周干部", "结对式")]
    assert zhou.shortfalls == {}
    assert zhou.fulfilment == 1.0  # lines requiring nothing are left out


# ---- coverage ----------------------------------------------------------------------------------
def test_coverage_gaps_today(book: Book) -> None:
    coverage = book.archive.service_links.coverage()
    h = book.households
    # Focus households on file without a link active today: the two 特困户 of 王驻村, the 问题户 and
    # the 五保户 whose link ended on 31 May. 陈困难 and 周低收 are linked; 王六 has moved away.
    expected = {
        (h["王四"], book.label("王四"), "特困户"),
        (h["王五"], book.label("王五"), "特困户"),
        (h["问题甲"], book.label("问题甲"), "问题户"),
        (h["郑五保"], book.label("郑五保"), "五保户"),
    }
    assert set(coverage.unlinked_households) == expected
    assert len(coverage.unlinked_households) == 4
    assert coverage.cadres_missing == [
        ("周干部", "结对式", "缺联系企业"),
        ("郑机关", "结对式", "缺联系村、企业、户"),
    ]
    # On 1 May 郑机关 still had his household, and 周干部 already had no enterprise.
    may = book.archive.service_links.coverage(D("2025-05-01"))
    assert (h["郑五保"], book.label("郑五保"), "五保户") not in may.unlinked_households
    assert may.cadres_missing == [("周干部", "结对式", "缺联系企业"), ("郑机关", "结对式", "缺联系村、企业")]


def test_linking_closes_the_gap(book: Book) -> None:
    s, c, h = book.archive.service_links, book.cadres, book.households
    s.add_link(c["周干部"], "结对式", "enterprise", book.enterprises["杜黄竹木厂"], TODAY)
    s.add_link(c["周干部"], "结对式", "household", h["问题甲"], TODAY)
    coverage = s.coverage()
    assert [row[0] for row in coverage.cadres_missing] == ["郑机关"]
    assert h["问题甲"] not in {row[0] for row in coverage.unlinked_households}
    # Ending a link opens it again from the day after.
    s.end_link(book.links["陈户"], TODAY)
    assert h["陈困难"] not in {row[0] for row in s.coverage().unlinked_households}
    assert h["陈困难"] in {row[0] for row in s.coverage(TODAY + timedelta(days=1)).unlinked_households}
    assert ("陈镇长", "驻点式", "缺联系户") in s.coverage(TODAY + timedelta(days=1)).cadres_missing


# ---- the register ------------------------------------------------------------------------------
def test_links_register(book: Book) -> None:
    s = book.archive.service_links
    assert len(s.links()) == 9
    active = {(row.cadre_name, row.mode, row.target_kind, row.target_name) for row in s.links(TODAY)}
    assert active == {
        ("陈镇长", "驻点式", "village", "杜黄村"),
        ("陈镇长", "驻点式", "enterprise", "杜黄竹木厂"),
        ("陈镇长", "驻点式", "enterprise", "新桥纺织厂"),
        ("陈镇长", "驻点式", "household", book.label("陈困难")),
        ("周干部", "结对式", "village", "新桥村"),
        ("周干部", "结对式", "household", book.label("周低收")),
        ("吴村官", "管线联片式", "group", "杜黄村一组"),
    }
    row = next(r for r in s.links(TODAY) if r.target_kind == "group")
    assert (row.target_title, row.start_on, row.end_on) == ("村民小组/党小组", D("2025-01-01"), None)
    ended = next(r for r in s.links() if r.id == book.links["郑户"])
    assert (ended.target_title, ended.end_on) == ("户", D("2025-05-31"))
    # What a household link can point to: focus-tagged households on file.
    targets = {target_id for target_id, _ in s.targets("household")}
    h = book.households
    assert targets == {h[n] for n in ("王四", "王五", "陈困难", "周低收", "问题甲", "郑五保")}
    assert [name for _, name in s.targets("group")] == ["杜黄村一组", "杜黄村二组", "新桥村一组"]


@pytest.mark.parametrize(
    ("cadre", "mode", "kind", "target", "message", "field_"),
    [
        (
            "吴村官",
            "管线联片式",
            "village",
            "杜黄村",
            "管线联片式的联系对象是责任区（党小组或村民小组）",
            "target_kind",
        ),
        (
            "吴村官",
            "管线联片式",
            "household",
            "陈困难",
            "管线联片式的联系对象是责任区（党小组或村民小组）",
            "target_kind",
        ),
        ("陈镇长", "驻点式", "village", "no-such-village", "找不到所选联系对象", "target_id"),
        ("陈镇长", "驻点式", "enterprise", "杜黄村", "找不到所选联系对象", "target_id"),  # a village id
        ("陈镇长", "驻点式", "household", "no-such-household", "找不到所选联系对象", "target_id"),
        ("吴村官", "管线联片式", "group", "no-such-group", "找不到所选联系对象", "target_id"),
        ("nobody", "驻点式", "village", "杜黄村", "找不到这名干部", "cadre_id"),
        ("陈镇长", "驻点式", "town", "杜黄村", "请选择联系对象类型", "target_kind"),
        ("陈镇长", "包片式", "village", "杜黄村", "服务方式须为：驻点式、结对式、管线联片式", "mode"),
    ],
)
def test_add_link_refusals(
    book: Book, cadre: str, mode: str, kind: str, target: str, message: str, field_: str
) -> None:
    s = book.archive.service_links
    names = {**book.villages, **book.groups, **book.households, **book.enterprises}
    before = len(s.links())
    with pytest.raises(DomainError) as caught:
        s.add_link(book.cadres.get(cadre, cadre), mode, kind, names.get(target, target), TODAY)
    assert (caught.value.message, caught.value.field) == (message, field_)
    assert len(s.links()) == before


def test_other_register_refusals(book: Book) -> None:
    s = book.archive.service_links
    with pytest.raises(DomainError, match="结束日期不能早于开始日期"):
        s.end_link(book.links["陈村"], D("2024-12-31"))
    with pytest.raises(DomainError, match="找不到这条联系记录"):
        s.end_link("no-such-link", TODAY)
    with pytest.raises(DomainError, match="请填写蹲点地点"):
        s.add_onsite_day(book.cadres["陈镇长"], TODAY, "  ")
    with pytest.raises(DomainError, match="请填写实事名称"):
        s.add_deed(book.cadres["陈镇长"], TODAY, "", "杜黄村")
    assert table(book, Q2)[("陈镇长", "驻点式")].actual["onsite_days"] == 2


# ---- assessment ----------------------------------------------------------------------------------
WANG_Q2 = {
    "visit_coverage": 2 / 5,  # 王一 and 王四 due today; 王二, 王五 overdue; 王三 never visited
    "reports_on_time": 9 / 13,  # 8 next day + 1 on the third day; 1 late, 3 missing
    "closed_on_time": 4 / 5,  # ra, rc (on the spot), rd, rf on time; rb late; March and July left out
    "satisfaction": 3 / 4,  # 满意, 基本满意, 满意, 不满意
    "quota": None,
}


def score(indicators: dict[str, float | None], weights: dict[str, int]) -> float | None:
    used = {k: v for k, v in indicators.items() if v is not None and weights[k] > 0}
    total = sum(weights[k] for k in used)
    return round(100 * sum(v * weights[k] for k, v in used.items()) / total, 1) if total else None


WEIGHTS = {"visit_coverage": 30, "reports_on_time": 15, "closed_on_time": 25, "satisfaction": 20, "quota": 10}


def test_assessment_indicators_and_scores(book: Book) -> None:
    rows = book.archive.service_links.assessment(*Q2)
    by = {row.cadre_name: row for row in rows}
    # 李驻村 has no households and no links; 吴村官 is a village cadre, assessed by the village.
    assert set(by) == {"王驻村", "陈镇长", "周干部", "郑机关"}
    wang = by["王驻村"]
    assert wang.indicators.keys() == WANG_Q2.keys()
    for key, value in WANG_Q2.items():
        assert wang.indicators[key] == (pytest.approx(value) if value is not None else None), key
    # 0.4*30 + 9/13*15 + 0.8*25 + 0.75*20 = 12 + 10.385 + 20 + 15 = 57.385 of 90 points
    assert wang.score == score(WANG_Q2, WEIGHTS) == 63.8
    quota_only = {k: None for k in WEIGHTS}
    for name, fulfilment, expected in (
        ("陈镇长", (5 + 2 / 3) / 6, 94.4),
        ("周干部", (2 + 2 / 3) / 4, 66.7),
        ("郑机关", 1 / 4, 25.0),
    ):
        assert by[name].indicators == pytest.approx({**quota_only, "quota": fulfilment}), name
        assert by[name].score == expected
    assert [row.cadre_name for row in rows] == ["陈镇长", "周干部", "王驻村", "郑机关"]


def test_weights_from_settings_change_the_score(book: Book) -> None:
    s = book.archive.settings
    s.set("weight.satisfaction", 50)
    weights = dict(WEIGHTS, satisfaction=50)
    wang = next(r for r in book.archive.service_links.assessment(*Q2) if r.cadre_name == "王驻村")
    # 12 + 10.385 + 20 + 0.75*50 = 79.885 of 120 points
    assert wang.score == score(WANG_Q2, weights) == 66.6
    s.set("weight.quota", 0)
    rows = book.archive.service_links.assessment(*Q2)
    assert [(r.cadre_name, r.score) for r in rows][0] == ("王驻村", 66.6)
    assert {r.cadre_name: r.score for r in rows[1:]} == {"陈镇长": None, "周干部": None, "郑机关": None}
    with pytest.raises(DomainError, match="考核权重：反馈满意率"):
        s.set("weight.satisfaction", 101)


def test_assessment_of_a_month_in_progress_counts_only_reports_already_due(book: Book) -> None:
    """On 10 July, July's weeks ending 13, 20 and 27 July are not due yet; the week ending 6 July,
    sent on the 8th, is on time."""
    rows = book.archive.service_links.assessment(D("2025-07-01"), D("2025-07-31"))
    wang = next(r for r in rows if r.cadre_name == "王驻村")
    expected = {
        "visit_coverage": 2 / 5,
        "reports_on_time": 1.0,
        "closed_on_time": 1.0,  # rg solved on 2 July, deadline 31 July
        "satisfaction": 1.0,
        "quota": None,
    }
    assert wang.indicators == pytest.approx(expected)
    assert wang.score == score(expected, WEIGHTS) == 80.0


def test_export_assessment(book: Book, tmp_path: Path) -> None:
    target = tmp_path / "考核.xlsx"
    count = book.archive.service_links.export_assessment(target, *Q2)
    assert count == 4
    workbook = load_workbook(target, read_only=True)
    sheet = workbook["干部考核"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    assert values[0][0] == "干部动态考核表（2025-04-01至2025-06-30）"
    assert "制表日期：2025年7月10日" in values[1][0]
    assert "共 4 人" in values[1][0]
    assert values[2] == [
        "序号",
        "干部",
        "类别",
        "走访覆盖率",
        "报表按时上报率",
        "诉求按期办结率",
        "反馈满意率",
        "定额完成率",
        "综合得分",
    ]
    data = values[3:7]
    assert [row[:3] for row in data] == [
        [1, "陈镇长", "镇领导"],
        [2, "周干部", "机关干部"],
        [3, "王驻村", "驻村干部"],
        [4, "郑机关", "机关干部"],
    ]
    assert data[2][3:] == ["40.0%", "69.2%", "80.0%", "75.0%", "—", "63.8"]
    assert data[0][3:] == ["—", "—", "—", "—", "94.4%", "94.4"]
    assert values[7][:3] == ["合计", "共 4 人", None]
