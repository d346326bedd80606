"""A realistic, deterministic demo archive of 安华镇 (Zhuji, Zhejiang): villages, groups, households
with valid ID numbers, incomes, assistance, visits and requests. Bulk inserts keep 100,000 households fast."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert

from zhuji_archive.services.demo_extras import meetings_and_common_issues, service_and_maintenance
from zhuji_archive.services.demo_households import HouseholdWriter
from zhuji_archive.services.demo_names import (
    BUSINESSES,
    CROPS,
    ZHUJI_REGION,
    Ids,
    born_between,
    mobile,
    person_name,
)
from zhuji_archive.services.demo_requests import CASE_LEADERS
from zhuji_archive.storage import request_numbers, tuning
from zhuji_archive.storage.database import Database
from zhuji_archive.storage.models import (
    Area,
    Cadre,
    Enterprise,
    PartyMember,
    Town,
    Village,
    VillageEvent,
    VillageGroup,
    VillageLeader,
    VillagerRep,
)

CHINESE_DIGITS = "零一二三四五六七八九"
VILLAGES = (
    ("安华村", "驻村一分中心"),
    ("杜黄村", "驻村一分中心"),
    ("浦阳江村", "驻村一分中心"),
    ("湖塘村", "驻村二分中心"),
    ("桃源村", "驻村二分中心"),
    ("大竹园村", "驻村二分中心"),
    ("下畈村", "驻村三分中心"),
    ("丰周村", "驻村三分中心"),
)
EVENT_SAMPLES = (
    ("重大事项", "村两委换届选举顺利完成", True),
    ("组织建设", "召开党员冬训大会", False),
    ("村级建设", "村文化礼堂改造工程开工", True),
    ("计划生育", "开展育龄妇女健康检查", False),
    ("综治信访", "调处山林承包纠纷一起", False),
    ("安全生产", "开展汛前安全隐患排查", False),
)
@dataclass(frozen=True)
class DemoPeople:
    """The demo's people who get an account (services/demo_accounts.py)."""

    office: str  # a cadre of the 党政办
    leader: str  # the 包案领导 who leads the most demo requests
    cadres: tuple[tuple[str, tuple[str, ...]], ...]  # each 驻村干部: name, the ids of the villages he covers
    villages: tuple[tuple[str, str, str], ...]  # each village: id, name, its 党支部书记


@dataclass(frozen=True)
class DemoSummary:
    """What the generator wrote."""

    villages: int
    groups: int
    households: int
    members: int
    people: DemoPeople | None = None


def generate(
    db: Database,
    households: int = 600,
    seed: int = 2008,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Fill an empty, migrated database with a demo of ``households`` households."""
    today = today or date.today()
    rng = random.Random(seed)
    new_id = Ids(rng)
    with db.transaction() as session, tuning.large_page_cache(session):
        conn = session.connection()
        town_id = new_id()
        conn.execute(
            insert(Town), [{"id": town_id, "name": "安华镇", "county": "诸暨市", "region_code": ZHUJI_REGION}]
        )
        areas = {name: new_id() for name in dict.fromkeys(a for _, a in VILLAGES)}
        conn.execute(
            insert(Area),
            [
                {"id": i, "town_id": town_id, "name": n, "kind": "驻村分中心", "sort": k}
                for k, (n, i) in enumerate(areas.items())
            ],
        )
        cadres: list[dict[str, Any]] = []
        for title in ("党委书记", "镇长", "党委副书记", "副镇长", "人大主席", "纪委书记"):
            cadres.append(
                {
                    "id": new_id(),
                    "name": person_name(rng, "男" if rng.random() < 0.7 else "女"),
                    "kind": "镇领导",
                    "unit": "安华镇",
                    "post": title,
                    "phone": mobile(rng),
                    "village_id": None,
                }
            )
        for unit in ("党政办", "农业农村办", "社会事务办", "综治中心"):
            for _ in range(2):
                cadres.append(
                    {
                        "id": new_id(),
                        "name": person_name(rng, rng.choice("男女")),
                        "kind": "机关干部",
                        "unit": unit,
                        "post": "干部",
                        "phone": mobile(rng),
                        "village_id": None,
                    }
                )
        per_village = _split(households, len(VILLAGES), rng)
        villages, groups, village_rows, extra = (
            [],
            [],
            [],
            {k: [] for k in ("leaders", "party", "reps", "events", "enterprises")},
        )
        station_cadre: dict[str, str] = {}
        for index, ((vname, area), count) in enumerate(zip(VILLAGES, per_village, strict=True)):
            vid = new_id()
            villages.append(vid)
            # Real groups hold 20–50 households; county-scale benches get fewer, larger groups.
            n_groups = max(2, round(count / 32)) if count < 3000 else min(99, count // 150 + 1)
            gids = []
            for g in range(n_groups):
                gid = new_id()
                groups.append({"id": gid, "village_id": vid, "name": group_name(g), "sort": g})
                gids.append(gid)
            village_rows.append(
                {
                    "id": vid,
                    "town_id": town_id,
                    "area_id": areas[area],
                    "name": vname,
                    "sort": index,
                    "population": int(count * 3.3),
                    "household_total": count,
                    "farmland_mu": round(count * 1.4, 1),
                    "forest_mu": round(count * 2.6, 1),
                    "collective_income": round(rng.uniform(40, 260), 1),
                    "main_industries": "、".join(rng.sample(CROPS, 2) + rng.sample(BUSINESSES, 1)),
                    "notes": f"辖{n_groups}个村民小组，距镇政府{rng.randint(2, 12)}公里。",
                }
            )
            station = {
                "id": new_id(),
                "name": person_name(rng, rng.choice("男女")),
                "kind": "驻村干部",
                "unit": "安华镇",
                "post": f"{vname}驻村干部",
                "phone": mobile(rng),
                "village_id": vid,
            }
            cadres.append(station)
            station_cadre[vid] = station["id"]
            for post in ("党支部书记", "村委会主任", "村监会主任", "村委委员", "妇联主席"):
                person = {
                    "id": new_id(),
                    "name": person_name(rng, "女" if post == "妇联主席" else rng.choice("男男女")),
                    "phone": mobile(rng),
                }
                extra["leaders"].append(
                    {**person, "village_id": vid, "post": post, "sort": len(extra["leaders"])}
                )
                cadres.append(
                    {
                        **person,
                        "id": new_id(),
                        "kind": "村干部",
                        "unit": vname,
                        "post": post,
                        "village_id": vid,
                    }
                )
            for _ in range(max(6, count // 12)):
                sex = "男" if rng.random() < 0.7 else "女"
                extra["party"].append(
                    {
                        "id": new_id(),
                        "village_id": vid,
                        "name": person_name(rng, sex),
                        "sex": sex,
                        "birth_date": born_between(rng, today, 25, 85),
                        "joined_on": today - timedelta(days=rng.randint(2, 45) * 365),
                        "phone": mobile(rng),
                        "party_group": f"第{rng.randint(1, 3)}党小组",
                        "notes": "",
                    }
                )
            for gid in gids:
                for _ in range(2):
                    extra["reps"].append(
                        {
                            "id": new_id(),
                            "village_id": vid,
                            "group_id": gid,
                            "name": person_name(rng, rng.choice("男女")),
                            "phone": mobile(rng),
                            "notes": "",
                        }
                    )
            for category, title, major in EVENT_SAMPLES:
                extra["events"].append(
                    {
                        "id": new_id(),
                        "village_id": vid,
                        "category": category,
                        "title": title,
                        "major": major,
                        "date": today - timedelta(days=rng.randint(5, 400)),
                        "content": f"{vname}{title}，相关材料已归档。",
                    }
                )
            extra["enterprises"].append(
                {
                    "id": new_id(),
                    "village_id": vid,
                    "name": f"诸暨市{vname[:2]}{rng.choice(BUSINESSES)}有限公司",
                    "legal_person": person_name(rng, "男"),
                    "phone": mobile(rng),
                    "industry": rng.choice(BUSINESSES),
                    "employees": rng.randint(8, 120),
                    "address": f"安华镇{vname}",
                }
            )
        conn.execute(insert(Village), village_rows)
        conn.execute(insert(VillageGroup), groups)
        conn.execute(insert(Cadre), [{**c, "active": True} for c in cadres])
        for model, key in (
            (VillageLeader, "leaders"),
            (PartyMember, "party"),
            (VillagerRep, "reps"),
            (VillageEvent, "events"),
            (Enterprise, "enterprises"),
        ):
            if extra[key]:
                conn.execute(insert(model), extra[key])

        writer = HouseholdWriter(conn, rng, new_id, today, station_cadre, seed)
        village_name = {v["id"]: v["name"] for v in village_rows}
        for g in groups:
            writer.places.add_group(village_name[g["village_id"]], g["id"], g["sort"])
        village_sort = {v["id"]: v["sort"] for v in village_rows}
        writer.group_sort = {g["id"]: (village_sort[g["village_id"]], g["sort"]) for g in groups}
        cadre_name = {c["id"]: c["name"] for c in cadres}
        writer.cadre_names = {vid: cadre_name[cid] for vid, cid in station_cadre.items()}
        groups_of: dict[str, list[str]] = {}
        for g in groups:
            groups_of.setdefault(g["village_id"], []).append(g["id"])
        done = 0
        for vid, count in zip(villages, per_village, strict=True):
            gids = groups_of[vid]
            sizes = _split(count, len(gids), rng)
            for gid, size in zip(gids, sizes, strict=True):
                for number in range(1, size + 1):
                    writer.household(vid, gid, number)
                    done += 1
                    if done % 5000 == 0:
                        writer.flush()
                        if progress:
                            progress(done, households)
        writer.flush()
        request_numbers.number_missing(conn)  # 诉求编号 in the order the requests were recorded
        meetings_and_common_issues(conn, writer.requests, new_id, today, cadres)
        service_and_maintenance(conn, rng, new_id, today, cadres, village_rows, extra["enterprises"], writer)
        if progress:
            progress(done, households)
        people = _people(cadres, village_rows, extra["leaders"], writer.requests.leader_cases)
        return DemoSummary(len(villages), len(groups), done, writer.members_written, people)


def _people(
    cadres: list[dict[str, Any]],
    villages: list[dict[str, Any]],
    leaders: list[dict[str, Any]],
    cases: Any,
) -> DemoPeople:
    secretary = {row["village_id"]: row["name"] for row in leaders if row["post"] == "党支部书记"}
    leader = cases.most_common(1)[0][0] if cases else CASE_LEADERS[0]
    stations = [c for c in cadres if c["kind"] == "驻村干部"]
    return DemoPeople(
        office=next(c["name"] for c in cadres if c["unit"] == "党政办"),
        leader=leader,
        cadres=tuple((c["name"], (c["village_id"],)) for c in stations),
        villages=tuple((v["id"], v["name"], secretary.get(v["id"], "")) for v in villages),
    )


def group_name(index: int) -> str:
    """一组 … 十组, 十一组 … 九十九组."""
    n = index + 1
    tens, ones = divmod(n, 10)
    text = (
        (CHINESE_DIGITS[tens] if tens > 1 else "")
        + ("十" if tens else "")
        + (CHINESE_DIGITS[ones] if ones else "")
    )
    return f"{text}组"


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """Split ``total`` into ``parts`` uneven positive-ish shares that add up."""
    weights = [rng.uniform(0.7, 1.3) for _ in range(parts)]
    scale = total / sum(weights)
    shares = [int(w * scale) for w in weights]
    shares[0] += total - sum(shares)
    return shares
