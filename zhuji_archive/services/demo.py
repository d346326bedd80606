"""A realistic, deterministic demo archive of 安华镇 (Zhuji, Zhejiang): villages, groups, households
with valid ID numbers, incomes, assistance, visits and requests. Bulk inserts keep 100,000 households fast."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert

from zhuji_archive.domain import idcard
from zhuji_archive.domain.household_columns import list_columns
from zhuji_archive.domain.search_keys import member_search_keys
from zhuji_archive.domain.workdays import WorkCalendar
from zhuji_archive.services.demo_extras import meetings_and_common_issues, service_and_maintenance
from zhuji_archive.services.demo_places import DemoPlaces
from zhuji_archive.services.demo_requests import CASE_LEADERS, DemoRequests
from zhuji_archive.storage import request_numbers
from zhuji_archive.storage.database import Database
from zhuji_archive.storage.models import (
    Area,
    Assistance,
    Cadre,
    Enterprise,
    Household,
    HouseholdCode,
    IncomeSource,
    Member,
    PartyMember,
    Request,
    RequestEvent,
    RequestFeedback,
    Town,
    Village,
    VillageEvent,
    VillageGroup,
    VillageLeader,
    VillagerRep,
    Visit,
)

ZHUJI_REGION = "330681"
SURNAMES = "陈王杨周何赵俞宣楼蒋斯郦边石金徐钱骆孟傅寿郭黄应吴张朱冯陶汤毛丁章袁方"
# Given names by generation: (born before 1970, 1970–1994, 1995 and later).
MALE_GIVEN = (
    (
        "建国",
        "国庆",
        "永根",
        "水根",
        "金土",
        "关兴",
        "伯林",
        "国平",
        "荣华",
        "炳炎",
        "苗根",
        "锡江",
        "柏松",
        "建华",
        "卫东",
        "国良",
        "阿大",
        "福林",
        "根土",
        "长生",
    ),
    (
        "伟明",
        "志强",
        "海军",
        "建军",
        "文彬",
        "立新",
        "家林",
        "杭生",
        "月明",
        "剑锋",
        "永康",
        "军",
        "勇",
        "斌",
        "磊",
        "涛",
        "伟",
        "锋",
        "海峰",
        "建锋",
    ),
    ("浩然", "子豪", "宇航", "俊杰", "鑫", "一鸣", "梓豪", "宇轩", "思远", "嘉诚", "天佑", "博文"),
)
FEMALE_GIVEN = (
    ("秀英", "桂芳", "月娥", "菊仙", "金凤", "爱珍", "凤英", "玉兰", "彩凤", "杏花", "阿娟", "雪娥"),
    (
        "美娟",
        "雅琴",
        "丽萍",
        "彩娟",
        "小燕",
        "素娟",
        "晓红",
        "春梅",
        "亚芬",
        "雪芬",
        "燕",
        "琴",
        "丽君",
        "惠芳",
    ),
    ("婷婷", "佳怡", "思琪", "雨涵", "梓萱", "欣怡", "诗涵", "可馨", "语嫣", "雨桐"),
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
PLACES = ("杭州", "绍兴柯桥", "义乌", "宁波", "上海", "诸暨城区", "苏州", "深圳")
CROPS = ("水稻", "香榧", "茶叶", "蓝莓", "葡萄", "苗木", "高山蔬菜", "生猪", "湖羊", "淡水珍珠")
BUSINESSES = ("袜业加工", "珍珠加工", "五金配件", "小超市", "农家乐", "汽修店", "电商网店")
AID_PROVIDERS = (
    ("镇民政办", "政府部门", "低保金"),
    ("市残联", "政府部门", "医疗救助"),
    ("镇社会事务办", "政府部门", "临时救助"),
    ("市慈善总会", "社会组织", "慰问"),
    ("镇农业农村办", "政府部门", "产业帮扶"),
    ("市教育局", "政府部门", "教育资助"),
)
EVENT_SAMPLES = (
    ("重大事项", "村两委换届选举顺利完成", True),
    ("组织建设", "召开党员冬训大会", False),
    ("村级建设", "村文化礼堂改造工程开工", True),
    ("计划生育", "开展育龄妇女健康检查", False),
    ("综治信访", "调处山林承包纠纷一起", False),
    ("安全生产", "开展汛前安全隐患排查", False),
)
POLICIES = ("城乡居民医保缴费", "养老保险补缴", "低保申请条件", "危旧房改造补助", "垃圾分类", "防汛防台")


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


class _Ids:
    """Deterministic uuid4-shaped ids drawn from the seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self) -> str:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4).hex


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
    new_id = _Ids(rng)
    with db.transaction() as session, _large_page_cache(session):
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
                    "name": _name(rng, "男" if rng.random() < 0.7 else "女"),
                    "kind": "镇领导",
                    "unit": "安华镇",
                    "post": title,
                    "phone": _mobile(rng),
                    "village_id": None,
                }
            )
        for unit in ("党政办", "农业农村办", "社会事务办", "综治中心"):
            for _ in range(2):
                cadres.append(
                    {
                        "id": new_id(),
                        "name": _name(rng, rng.choice("男女")),
                        "kind": "机关干部",
                        "unit": unit,
                        "post": "干部",
                        "phone": _mobile(rng),
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
                "name": _name(rng, rng.choice("男女")),
                "kind": "驻村干部",
                "unit": "安华镇",
                "post": f"{vname}驻村干部",
                "phone": _mobile(rng),
                "village_id": vid,
            }
            cadres.append(station)
            station_cadre[vid] = station["id"]
            for post in ("党支部书记", "村委会主任", "村监会主任", "村委委员", "妇联主席"):
                person = {
                    "id": new_id(),
                    "name": _name(rng, "女" if post == "妇联主席" else rng.choice("男男女")),
                    "phone": _mobile(rng),
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
                        "name": _name(rng, sex),
                        "sex": sex,
                        "birth_date": _birth(rng, today, 25, 85),
                        "joined_on": today - timedelta(days=rng.randint(2, 45) * 365),
                        "phone": _mobile(rng),
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
                            "name": _name(rng, rng.choice("男女")),
                            "phone": _mobile(rng),
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
                    "legal_person": _name(rng, "男"),
                    "phone": _mobile(rng),
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

        writer = _HouseholdWriter(conn, rng, new_id, today, station_cadre, seed)
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


@contextmanager
def _large_page_cache(session: Any) -> Iterator[None]:
    """A 256 MB page cache while generating: the households' random keys touch pages all over a dozen
    indexes, and SQLite's default 2 MB cache spilled them to the journal again and again (400,000
    households: 12 minutes, half of it waiting on the disk)."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":  # a hub's server has its own shared buffers
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


class _HouseholdWriter:
    """Builds household rows in memory and writes them in batches."""

    def __init__(
        self,
        conn: Any,
        rng: random.Random,
        new_id: _Ids,
        today: date,
        station_cadre: dict[str, str],
        seed: int,
    ) -> None:
        self.conn, self.rng, self.new_id, self.today = conn, rng, new_id, today
        self.station_cadre = station_cadre
        self.batches: dict[Any, list[dict[str, Any]]] = {
            m: [] for m in (Household, Member, HouseholdCode, IncomeSource, Assistance, Visit)
        }
        self.members_written = 0
        self.written = 0
        self.requests = DemoRequests(rng, new_id, today, WorkCalendar(), lambda vid: self.cadre_names[vid])
        self.group_sort: dict[str, tuple[int, int]] = {}  # (village, group) sort numbers
        self.focus_households: list[tuple[str, str, str]] = []
        self.event_households: list[str] = []
        self.cadre_names: dict[str, str] = {}
        self.used_ids: set[str] = set()
        self.places = DemoPlaces(seed)

    def flush(self) -> None:
        for model, rows in self.batches.items():
            if rows:
                self.conn.execute(insert(model), rows)
                rows.clear()
        for model, rows in (
            (Request, self.requests.requests),
            (RequestEvent, self.requests.events),
            (RequestFeedback, self.requests.feedbacks),
        ):
            if rows:
                self.conn.execute(insert(model), rows)
                rows.clear()

    def household(self, village_id: str, group_id: str, number: int) -> None:
        rng, today = self.rng, self.today
        hid = self.new_id()
        surname = rng.choice(SURNAMES)
        head_sex = "男" if rng.random() < 0.85 else "女"
        head = self._person(surname, head_sex, "户主", _birth(rng, today, 30, 88))
        people = [head]
        spouse_alive = rng.random() < 0.85
        if spouse_alive:
            people.append(
                self._person(
                    rng.choice(SURNAMES),
                    "女" if head_sex == "男" else "男",
                    "配偶",
                    _shift(rng, head["birth_date"], rng.randint(-5, 5)),
                )
            )
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            child_birth = _shift(rng, head["birth_date"], rng.randint(22, 34))
            if child_birth < today - timedelta(days=365):
                sex = rng.choice("男女")
                child = self._person(surname, sex, "子" if sex == "男" else "女", child_birth)
                for _ in range(5):  # siblings do not share a name
                    if child["name"] not in {p["name"] for p in people}:
                        break
                    child = self._person(surname, sex, child["relation"], child_birth)
                people.append(child)
        if head["birth_date"].year > 1975 and rng.random() < 0.3:
            sex = rng.choice("男女")
            people.append(
                self._person(
                    surname,
                    sex,
                    "父亲" if sex == "男" else "母亲",
                    _shift(rng, head["birth_date"], -rng.randint(22, 32)),
                )
            )
        economic = sorted(
            set(rng.sample(("种植户", "打工户", "加工户", "养殖户", "经商户"), rng.choice((1, 1, 2))))
        )
        focus: list[str] = []
        roll = rng.random()
        if roll < 0.05:
            economic, focus = ["低保户"], ["低保户"]
        elif roll < 0.07:
            focus = ["五保户"]
        elif roll < 0.09:
            focus = ["特困户"]
        elif roll < 0.11:
            focus = ["问题户"]
        elif roll < 0.14:
            focus = ["空巢老人户"]
        incomes = self._incomes(hid, economic, people)
        visits = self._visits(hid, village_id)
        # About 1.5% moved away or merged; every 97th for sure, so even a small demo shows them.
        self.written += 1
        moved = rng.random() < 0.015 or self.written % 97 == 13
        status = rng.choice(("迁出", "合户")) if moved else "在册"
        self.batches[Household].append(
            {
                "id": hid,
                "group_id": group_id,
                "village_id": village_id,
                "number": number,
                "address": self.places.address(group_id),
                "phone": head["phone"] or _mobile(rng),
                "responsible_cadre_id": self.station_cadre[village_id],
                "status": status,
                "status_note": ""
                if status == "在册"
                else ("全家迁往诸暨城区" if status == "迁出" else "并入子女户"),
                "notes": "",
                # the same derived columns a save or an import computes (domain/household_columns.py)
                **list_columns(
                    members=[(p["name"], p["relation"]) for p in people],
                    codes=[("economic_type", e) for e in economic] + [("focus_tag", f) for f in focus],
                    cadre_name=self.cadre_names[village_id],
                    place_sort=self.group_sort[group_id],
                    visits=[(v["date"], v["kind"]) for v in visits],
                ).as_row(),
            }
        )
        for sort, person in enumerate(people):
            self.batches[Member].append({**person, "household_id": hid, "sort": sort, "removed": False})
        self.members_written += len(people)
        self.batches[HouseholdCode].extend(
            {"household_id": hid, "kind": "economic_type", "label": e} for e in economic
        )
        self.batches[HouseholdCode].extend(
            {"household_id": hid, "kind": "focus_tag", "label": f} for f in focus
        )
        self.batches[IncomeSource].extend(incomes)
        self.batches[Visit].extend(visits)
        if focus or rng.random() < 0.08:
            provider, ptype, kind = rng.choice(AID_PROVIDERS)
            self.batches[Assistance].append(
                {
                    "id": self.new_id(),
                    "household_id": hid,
                    "date": today - timedelta(days=rng.randint(10, 700)),
                    "provider": provider,
                    "provider_type": ptype,
                    "kind": kind,
                    "content": f"{kind}，按政策发放",
                    "amount": float(rng.choice((500, 800, 1200, 2000, 3600, 6000))),
                    "deleted": False,
                }
            )
        if rng.random() < (0.5 if focus else 0.12):
            self.requests.make(hid, village_id, head["name"])
        if status == "在册":
            if focus:
                self.focus_households.append((hid, village_id, focus[0]))
            elif rng.random() < 0.01:
                self.event_households.append(hid)

    def _person(self, surname: str, sex: str, relation: str, birth: date) -> dict[str, Any]:
        rng = self.rng
        name = surname + _given(rng, sex, birth.year)
        number = ""
        if birth <= self.today:
            for _ in range(20):
                seq = rng.randrange(0, 1000)
                seq = seq - seq % 2 + (1 if sex == "男" else 0)
                number = idcard.make(ZHUJI_REGION, birth, seq % 1000)
                if number not in self.used_ids:
                    self.used_ids.add(number)
                    break
        age = (self.today - birth).days // 365
        if age < 7:
            education = "学龄前"
        elif age > 65:
            education = rng.choice(("文盲或半文盲", "小学", "小学", "初中"))
        else:
            education = rng.choice(("小学", "初中", "初中", "高中", "中专", "大专", "本科"))
        health = rng.choices(("健康", "慢性病", "大病", "残疾"), (80, 12, 4, 4))[0] if age > 50 else "健康"
        migrant = 18 <= age <= 55 and rng.random() < 0.35
        phone = _mobile(rng) if 16 <= age <= 80 else ""
        return {
            **member_search_keys(name, number, phone),
            "id": self.new_id(),
            "name": name,
            "relation": relation,
            "sex": sex,
            "id_number": number,
            "birth_date": birth,
            "education": education,
            "political_status": rng.choices(("群众", "中共党员", "共青团员"), (85, 9, 6))[0]
            if age >= 14
            else "群众",
            "health": health,
            "disability_grade": rng.choice(("二级", "三级", "四级")) if health == "残疾" else "",
            "phone": phone,
            "migrant_worker": migrant,
            "migrant_place": rng.choice(PLACES) if migrant else "",
            "notes": "",
        }

    def _incomes(self, hid: str, economic: list[str], people: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rng = self.rng
        rows = [
            {
                "id": self.new_id(),
                "household_id": hid,
                "kind": "承包土地",
                "description": "承包责任田",
                "land_mu": round(rng.uniform(0.5, 4.5), 1),
                "scale": "",
                "months": None,
                "annual_income": float(rng.randrange(1000, 8000, 100)),
                "deleted": False,
            }
        ]
        if "种植户" in economic or "养殖户" in economic:
            crop = rng.choice(CROPS)
            rows.append(
                {
                    "id": self.new_id(),
                    "household_id": hid,
                    "kind": "种植养殖",
                    "description": crop,
                    "land_mu": None,
                    "scale": f"{rng.randint(2, 40)}亩"
                    if crop not in ("生猪", "湖羊")
                    else f"{rng.randint(10, 200)}头",
                    "months": None,
                    "annual_income": float(rng.randrange(8000, 90000, 500)),
                    "deleted": False,
                }
            )
        if "加工户" in economic or "经商户" in economic:
            rows.append(
                {
                    "id": self.new_id(),
                    "household_id": hid,
                    "kind": "经商办企业",
                    "description": rng.choice(BUSINESSES),
                    "land_mu": None,
                    "scale": "家庭作坊",
                    "months": None,
                    "annual_income": float(rng.randrange(30000, 200000, 1000)),
                    "deleted": False,
                }
            )
        migrants = [p for p in people if p["migrant_worker"]]
        if migrants:
            months = rng.randint(6, 12)
            rows.append(
                {
                    "id": self.new_id(),
                    "household_id": hid,
                    "kind": "外出务工",
                    "description": f"{len(migrants)}人在{migrants[0]['migrant_place']}务工",
                    "land_mu": None,
                    "scale": "",
                    "months": months,
                    "annual_income": float(len(migrants) * months * rng.randrange(3500, 7000, 100)),
                    "deleted": False,
                }
            )
        return rows

    def _visits(self, hid: str, village_id: str) -> list[dict[str, Any]]:
        rng, today = self.rng, self.today
        if rng.random() < 0.06:
            return []  # never visited yet: shows up as due
        first = today - timedelta(days=rng.randint(300, 900))
        cadre = self.cadre_names[village_id]
        rows = [
            {
                "id": self.new_id(),
                "household_id": hid,
                "date": first,
                "kind": "建档走访",
                "cadres": cadre,
                "notes": "入户了解家庭基本情况，建立档案",
                "policies": rng.choice(POLICIES),
                "deleted": False,
            }
        ]
        if rng.random() < 0.9:
            rows.append(
                {
                    "id": self.new_id(),
                    "household_id": hid,
                    "date": today - timedelta(days=rng.randint(1, 200)),
                    "kind": "半年大走访",
                    "cadres": cadre,
                    "notes": "半年大走访，更新家庭变化情况",
                    "policies": rng.choice(POLICIES),
                    "deleted": False,
                }
            )
        return rows


def _given(rng: random.Random, sex: str, year: int) -> str:
    generation = 0 if year < 1970 else 1 if year < 1995 else 2
    return rng.choice((MALE_GIVEN if sex == "男" else FEMALE_GIVEN)[generation])


def _name(rng: random.Random, sex: str) -> str:
    return rng.choice(SURNAMES) + _given(rng, sex, rng.randint(1960, 1990))


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


def _mobile(rng: random.Random) -> str:
    return (
        rng.choice(("138", "139", "135", "136", "150", "158", "187", "189", "133", "177"))
        + f"{rng.randrange(10**8):08d}"
    )


def _birth(rng: random.Random, today: date, min_age: int, max_age: int) -> date:
    return today - timedelta(days=rng.randint(min_age * 365, max_age * 365))


def _shift(rng: random.Random, birth: date, years: int) -> date:
    return birth + timedelta(days=years * 365 + rng.randint(-150, 150))


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """Split ``total`` into ``parts`` uneven positive-ish shares that add up."""
    weights = [rng.uniform(0.7, 1.3) for _ in range(parts)]
    scale = total / sum(weights)
    shares = [int(w * scale) for w in weights]
    shares[0] += total - sum(shares)
    return shares
