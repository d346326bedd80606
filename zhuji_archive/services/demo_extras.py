"""Demo data beyond the households: last and next month's meetings, 共性问题, 三式服务 links with
on-site days and 实事, must-visit events, and submitted weekly/monthly reports."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert, select, update

from zhuji_archive.domain.reporting import MONTHLY, WEEKLY, period_of
from zhuji_archive.services.demo_requests import DemoRequests
from zhuji_archive.storage.models import (
    CommonIssue,
    Household,
    HouseholdEvent,
    Meeting,
    MeetingItem,
    OnSiteDay,
    PracticalDeed,
    ReportSubmission,
    Request,
    ServiceLink,
    Village,
    VillageGroup,
)


def meetings_and_common_issues(
    conn: Any, requests: DemoRequests, new_id: Callable[[], str], today: date, cadres: list[dict[str, Any]]
) -> None:
    """Last month's meeting (decided) and this month's (on the agenda); one 共性问题 per village."""
    leaders = [c["name"] for c in cadres if c["kind"] == "镇领导"]
    held = today.replace(day=1) - timedelta(days=5)
    decided_id = new_id()
    conn.execute(
        insert(Meeting),
        [
            {
                "id": decided_id,
                "held_on": held,
                "title": f"{held:%Y年%m月}群众诉求专题会议",
                "attendees": "、".join(leaders[:4]),
                "status": "已决定",
                "decided_at": _noon_utc(held),
            },
        ],
    )
    if requests.decided:
        conn.execute(
            insert(MeetingItem),
            [
                {"id": new_id(), "meeting_id": decided_id, "sort": n, "note": "", **item}
                for n, item in enumerate(requests.decided, 1)
            ],
        )
        ids = [item["request_id"] for item in requests.decided]
        conn.execute(update(Request).where(Request.id.in_(ids)).values(meeting_id=decided_id))
    upcoming = {
        "id": new_id(),
        "held_on": today + timedelta(days=3),
        "title": f"{today:%Y年%m月}群众诉求专题会议",
        "attendees": "、".join(leaders[:5]),
        "status": "筹备",
        "decided_at": None,
    }
    conn.execute(insert(Meeting), [upcoming])
    agenda = requests.awaiting_meeting[: max(1, len(requests.awaiting_meeting) // 2)]
    if agenda:
        conn.execute(
            insert(MeetingItem),
            [
                {
                    "id": new_id(),
                    "meeting_id": upcoming["id"],
                    "request_id": rid,
                    "sort": n,
                    "unit": "",
                    "person": "",
                    "deadline": None,
                    "note": "",
                }
                for n, rid in enumerate(agenda, 1)
            ],
        )
        conn.execute(update(Request).where(Request.id.in_(agenda)).values(meeting_id=upcoming["id"]))
    for (_village, description), ids in requests.by_category.items():
        if len(ids) >= 2:
            issue = {
                "id": new_id(),
                "title": description.split("，")[0][:20],
                "description": f"{len(ids)}户反映：{description}。统一研究，一并处理。",
                "created_on": today - timedelta(days=10),
            }
            conn.execute(insert(CommonIssue), [issue])
            conn.execute(update(Request).where(Request.id.in_(ids)).values(common_issue_id=issue["id"]))


def _noon_utc(day: date) -> Any:
    from datetime import datetime, time

    return datetime.combine(day, time(2, 0))


def service_and_maintenance(
    conn: Any,
    rng: random.Random,
    new_id: Callable[[], str],
    today: date,
    cadres: list[dict[str, Any]],
    villages: list[dict[str, Any]],
    enterprises: list[dict[str, Any]],
    writer: Any,
) -> None:
    """三式服务 links with on-site days and 实事, must-visit events, and submitted weekly/monthly reports."""
    start = today.replace(month=1, day=1)
    links, days, deeds = [], [], []
    leaders = [c for c in cadres if c["kind"] == "镇领导"]
    organ = [c for c in cadres if c["kind"] == "机关干部"]
    focus = list(writer.focus_households)
    rng.shuffle(focus)
    for n, cadre in enumerate(leaders + organ):
        mode = "驻点式" if cadre["kind"] == "镇领导" else "结对式"
        village = villages[n % len(villages)]
        enterprise = next(e for e in enterprises if e["village_id"] == village["id"])
        targets = [
            ("village", village["id"], village["name"]),
            ("enterprise", enterprise["id"], enterprise["name"]),
        ]
        if (
            focus and n % 5 != 4
        ):  # a few cadres still lack their household link: the coverage check shows them
            hid, _vid, _tag = focus.pop()
            targets.append(("household", hid, "联系户"))
        for kind, target_id, name in targets:
            links.append(
                {
                    "id": new_id(),
                    "cadre_id": cadre["id"],
                    "mode": mode,
                    "target_kind": kind,
                    "target_id": target_id,
                    "target_name": name,
                    "start_on": start,
                    "end_on": None,
                    "note": "",
                }
            )
        if mode == "驻点式":
            for month in range(1, today.month + 1):
                if rng.random() < 0.8:  # some months missed: shortfalls show in the quota table
                    day = date(today.year, month, rng.randint(3, 25))
                    if day <= today:
                        days.append(
                            {
                                "id": new_id(),
                                "cadre_id": cadre["id"],
                                "date": day,
                                "place": village["name"],
                                "note": "蹲点下访，召开座谈会",
                            }
                        )
            for _ in range(rng.randint(0, 2)):
                deeds.append(
                    {
                        "id": new_id(),
                        "cadre_id": cadre["id"],
                        "date": start + timedelta(days=rng.randint(10, max(11, (today - start).days))),
                        "title": rng.choice(
                            ("修建村道排水沟", "协调企业用工培训", "安装村口路灯", "帮助申请医疗救助")
                        ),
                        "beneficiary": village["name"],
                        "result": "已完成",
                    }
                )
    # Household links carry their household's label for the register.
    for link in links:
        if link["target_kind"] == "household":
            link["target_name"] = _household_label(conn, link["target_id"])
    group_ids = conn.execute(select(VillageGroup.id, VillageGroup.village_id)).all()
    village_cadres = [c for c in cadres if c["kind"] == "村干部"]
    for n, cadre in enumerate(village_cadres):
        own = [gid for gid, vid in group_ids if vid == cadre["village_id"]]
        if own:
            gid = own[n % len(own)]
            links.append(
                {
                    "id": new_id(),
                    "cadre_id": cadre["id"],
                    "mode": "管线联片式",
                    "target_kind": "group",
                    "target_id": gid,
                    "target_name": "责任区",
                    "start_on": start,
                    "end_on": None,
                    "note": "",
                }
            )
    for table, rows in ((ServiceLink, links), (OnSiteDay, days), (PracticalDeed, deeds)):
        if rows:
            conn.execute(insert(table), rows)
    events = []
    for hid in writer.event_households[:40]:
        day = today - timedelta(days=rng.randint(0, 6))
        events.append(
            {
                "id": new_id(),
                "household_id": hid,
                "date": day,
                "kind": rng.choice(("住院", "生活困难", "意外事故", "家庭矛盾", "邻里纠纷", "乔迁")),
                "note": "",
                "due_on": day + timedelta(days=3),
                "fulfilled_on": None,
                "visit_id": None,
                "recorded_by": "演示数据",
            }
        )
    if events:
        conn.execute(insert(HouseholdEvent), events)
    submissions = []
    for cadre in (c for c in cadres if c["kind"] == "驻村干部"):
        week = period_of(WEEKLY, today).previous()
        for n in range(8):
            if n == 0 and rng.random() < 0.5:
                week = week.previous()  # last week's report not in yet: the to-do page shows it
                continue
            late = rng.random() < 0.2
            submissions.append(
                {
                    "id": new_id(),
                    "period": WEEKLY,
                    "scope_kind": "cadre",
                    "scope_id": cadre["id"],
                    "period_start": week.start,
                    "operator": cadre["name"],
                    "submitted_at": _noon_utc(week.end + timedelta(days=5 if late else 1)),
                }
            )
            week = week.previous()
        month = period_of(MONTHLY, today).previous()
        submissions.append(
            {
                "id": new_id(),
                "period": MONTHLY,
                "scope_kind": "cadre",
                "scope_id": cadre["id"],
                "period_start": month.start,
                "operator": cadre["name"],
                "submitted_at": _noon_utc(month.end + timedelta(days=2)),
            }
        )
    conn.execute(insert(ReportSubmission), submissions)


def _household_label(conn: Any, household_id: str) -> str:
    head, village, group, number = conn.execute(
        select(Household.head_name, Village.name, VillageGroup.name, Household.number)
        .join(Village, Village.id == Household.village_id)
        .join(VillageGroup, VillageGroup.id == Household.group_id)
        .where(Household.id == household_id)
    ).one()
    return f"{village}{group}第{number}户 {head}"
