"""Demo requests driven through the real workflow rules, so every state and time status appears
with a consistent history: sorted, reported, decided at a meeting, supervised, solved, explained,
answered — and some answered 不满意 and handled again."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from zhuji_archive.domain import workflow as wf
from zhuji_archive.domain.workdays import WorkCalendar
from zhuji_archive.domain.workflow import Action, Level
from zhuji_archive.services.requests import _store
from zhuji_archive.storage.models import Request

REQUESTS = (
    ("生产困难", "承包田灌溉渠年久失修，春耕放水困难，希望村里组织修复", "共性"),
    ("生产困难", "香榧基地缺少技术指导，病虫害严重，希望农技站上门", "共性"),
    ("生活困难", "老人常年患病，医药费负担重，申请临时救助", "个性"),
    ("生活困难", "房屋漏雨，属危房，希望纳入危旧房改造", "个性"),
    ("信访", "对土地征收补偿款分配有异议", "个性"),
    ("矛盾纠纷", "与邻居因宅基地界线发生争执", "个性"),
    ("矛盾纠纷", "兄弟间赡养老人分工有矛盾", "个性"),
    ("基础设施", "门前道路无路灯，夜间出行不便", "共性"),
    ("政策咨询", "咨询城乡居民养老保险补缴政策", "个性"),
)
UNITS = {
    "生产困难": ("镇农业农村办", "村委会"),
    "生活困难": ("镇社会事务办", "村委会"),
    "信访": ("镇综治中心", "镇信访办"),
    "矛盾纠纷": ("村调解委员会", "镇司法所"),
    "基础设施": ("镇村建办", "村委会"),
    "政策咨询": ("镇社保所", "驻村干部"),
}
MEASURES = (
    "实地查看，协调相关部门现场办公",
    "召集双方调解，签订调解协议",
    "落实救助资金，上门送达",
    "列入年度实事项目，组织施工",
)
# The leaders who take 包案 cases (市镇联动); the demo's 镇领导 account is one of them.
CASE_LEADERS = ("陈国平", "周建华", "何伟明")
# target status -> relative weight in the demo
TARGETS = (
    ("登记", 8),
    ("已梳理", 6),
    ("待上会", 6),
    ("办理中", 20),
    ("市镇联动", 4),
    ("已办结", 10),
    ("不能解决", 4),
    ("已反馈", 24),
    ("不满意重办", 4),
    ("当场解决", 6),
)


class DemoRequests:
    """Builds request rows and their events for the demo writer."""

    def __init__(
        self,
        rng: random.Random,
        new_id: Callable[[], str],
        today: date,
        calendar: WorkCalendar,
        cadre_name: Callable[[str], str],
    ) -> None:
        self.rng, self.new_id, self.today, self.calendar = rng, new_id, today, calendar
        self.cadre_name = cadre_name
        self.requests: list[dict[str, Any]] = []
        self.leader_cases: Counter[str] = Counter()  # 包案领导 -> requests he leads
        self.events: list[dict[str, Any]] = []
        self.feedbacks: list[dict[str, Any]] = []
        self.awaiting_meeting: list[str] = []
        self.decided: list[dict[str, Any]] = []  # town-level requests assigned by last month's meeting
        self.by_category: dict[tuple[str, str], list[str]] = {}

    def make(self, household_id: str, village_id: str, head_name: str) -> None:
        rng = self.rng
        category, text, scope = rng.choice(REQUESTS)
        target = rng.choices([t for t, _ in TARGETS], [w for _, w in TARGETS])[0]
        recorded = self.today - timedelta(
            days=rng.randint(2, 170) if target != "登记" else rng.randint(0, 20)
        )
        r = Request(
            id=self.new_id(),
            household_id=household_id,
            village_id=village_id,
            recorded_on=recorded,
            category=category,
            description=text,
            status="登记",
            resolution="",
            deleted=False,
        )
        for column in (
            "scope",
            "solvability",
            "level",
            "responsible_unit",
            "responsible_person",
            "assignment_note",
            "supervising_body",
            "leader",
            "measures",
            "method",
            "result",
            "explanation",
            "satisfaction",
            "reopen_reason",
        ):
            setattr(r, column, "")
        case = wf.RequestCase(recorded_on=recorded)
        day = recorded
        cadre = self.cadre_name(village_id)

        steps = 0

        def step(action: Action, payload: wf.Payload, on: date, operator: str = cadre) -> None:
            nonlocal case, steps
            case, transition = wf.apply(case, action, payload)
            # Several steps can fall on the same day (capped at today); a second apart keeps the
            # timeline, which is ordered by timestamp, in the order the steps were taken.
            at = _noon(on) + timedelta(seconds=steps)
            steps += 1
            _store(r, case)
            self.events.append(
                {
                    "id": self.new_id(),
                    "request_id": r.id,
                    "on": on,
                    "operator": operator,
                    "action": action.value,
                    "from_status": transition.before.value,
                    "to_status": transition.after.value,
                    "note": transition.note,
                    "at": at,
                }
            )

        def later(days_min: int, days_max: int) -> date:
            nonlocal day
            day = min(self.today, day + timedelta(days=rng.randint(days_min, days_max)))
            return day

        if target == "登记":
            self._finish(r, category)
            return
        if target == "当场解决":
            c = wf.Classification(category, scope, wf.IMMEDIATE, Level.CADRE)
            res = wf.Resolution(recorded, "驻村干部当场答复，讲清政策", "现场解答", "当场解决，群众认可")
            step(Action.SOLVE_ON_SPOT, wf.OnTheSpot(c, res), recorded)
            if rng.random() < 0.6:
                self._feedback(r, step, later(1, 7), cadre, "满意")
            self._finish(r, category)
            return
        level = {"待上会": Level.TOWN, "市镇联动": Level.JOINT}.get(
            target, rng.choice((Level.VILLAGE, Level.CADRE, Level.CADRE, Level.TOWN))
        )
        step(Action.SORT, wf.Classification(category, scope, wf.SOLVABILITIES[1], level), later(1, 5))
        if target == "已梳理":
            self._finish(r, category)
            return
        unit, person_kind = UNITS[category]
        person = cadre if person_kind == "驻村干部" else self._person()
        if level == Level.TOWN:
            step(Action.REPORT, None, later(1, 6))
            if target == "待上会":
                self.awaiting_meeting.append(r.id)
                self._finish(r, category)
                return
        if level == Level.JOINT:
            listed = later(3, 15)
            deadline = self.calendar.add_workdays(listed, 60)
            supervision = wf.Supervision(
                "诸暨市委办（市信访局）",
                listed,
                rng.choice(CASE_LEADERS),
                wf.Assignment(unit, person, deadline),
                listed + timedelta(days=14),
            )
            step(Action.JOINT, supervision, listed, "党政办")
            for _ in range(rng.randint(1, 3)):
                on = later(7, 20)
                step(
                    Action.PROGRESS,
                    wf.Progress(
                        on,
                        rng.choice(
                            ("市镇两级召开协调会", "相关部门现场踏勘", "形成初步处理方案，征求当事人意见")
                        ),
                        on + timedelta(days=14),
                    ),
                    on,
                    "党政办",
                )
        else:
            start = later(1, 10)
            if target == "办理中":
                # Spread deadlines so every time status shows: overdue, due soon, on track.
                deadline = rng.choice(
                    (
                        self.today - timedelta(days=rng.randint(1, 20)),
                        self.calendar.add_workdays(self.today, rng.randint(0, 2)),
                        self.calendar.add_workdays(self.today, rng.randint(8, 30)),
                    )
                )
                deadline = max(deadline, r.recorded_on)
            else:
                deadline = self.calendar.add_workdays(start, 20 if level == Level.TOWN else 10)
            note = "月度专题会议决定" if level == Level.TOWN else ""
            if level == Level.TOWN:
                self.decided.append(
                    {"request_id": r.id, "unit": unit, "person": person, "deadline": deadline}
                )
            step(
                Action.ASSIGN,
                wf.Assignment(unit, person, deadline, note),
                start,
                "党政办" if level == Level.TOWN else cadre,
            )
        if target in ("办理中", "市镇联动"):
            self._finish(r, category)
            return
        if target == "不能解决":
            on = later(5, 25)
            step(
                Action.EXPLAIN,
                wf.Explanation(
                    "经核实，所提要求不符合现行政策规定，已依据相关文件向当事人作出解释，"
                    "并告知可通过其他合法途径反映。",
                    on,
                ),
                on,
            )
            if rng.random() < 0.5:
                self._feedback(r, step, later(1, 10), person, "基本满意")
            self._finish(r, category)
            return
        solve_on = later(5, 30)
        step(Action.SOLVE, wf.Resolution(solve_on, rng.choice(MEASURES), "协调解决", "问题已解决"), solve_on)
        if target == "不满意重办":
            self._feedback(r, step, later(1, 10), person, "不满意", "处理不彻底，问题又出现了")
            on = later(5, 20)
            step(Action.SOLVE, wf.Resolution(on, "再次协调，彻底整改", "复查整改", "整改到位"), on)
            self._feedback(r, step, later(1, 10), person, "满意")
        elif target == "已反馈":
            self._feedback(r, step, later(1, 10), person, rng.choice(("满意", "满意", "满意", "基本满意")))
        self._finish(r, category)

    def _feedback(
        self,
        r: Request,
        step: Callable[..., None],
        on: date,
        person: str,
        satisfaction: str,
        opinion: str = "",
    ) -> None:
        village_cadre = self._person()
        feedback = wf.Feedback(
            on,
            person,
            self.cadre_name(r.village_id),
            village_cadre,
            opinion or "感谢政府帮助，问题解决得及时",
            satisfaction,
            self.rng.random() < 0.9,
        )
        step(Action.FEEDBACK, feedback, on)
        self.feedbacks.append(
            {
                "id": self.new_id(),
                "request_id": r.id,
                "on": on,
                "responsible_person": person,
                "cadre": feedback.cadre,
                "village_cadre": village_cadre,
                "opinion": feedback.opinion,
                "satisfaction": satisfaction,
                "form_received": feedback.form_received,
            }
        )
        r.satisfaction = satisfaction
        r.closed_on = on if r.status == "已反馈" else None

    def _person(self) -> str:
        return self.rng.choice("陈王杨周何赵俞宣楼蒋斯郦") + self.rng.choice(
            ("建军", "国良", "丽君", "海峰", "月明", "亚芬")
        )

    def _finish(self, r: Request, category: str) -> None:
        row = {column.name: getattr(r, column.name) for column in Request.__table__.columns}
        row.setdefault("meeting_id", None)
        row.setdefault("common_issue_id", None)
        row["version"] = 1  # a new record (the transient object has no column defaults applied)
        self.requests.append(row)
        if row.get("leader"):
            self.leader_cases[row["leader"]] += 1
        if (
            r.status in ("登记", "已梳理", "办理中")
            and dict((c, sc) for c, _t, sc in REQUESTS).get(category) == "共性"
        ):
            self.by_category.setdefault((r.village_id, r.description), []).append(r.id)


def _noon(day: date) -> Any:
    from datetime import datetime, time

    return datetime.combine(day, time(2, 0))  # 10:00 Beijing time, stored as UTC
