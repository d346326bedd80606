"""The demo's households: each with its members (valid ID numbers), codes, incomes, assistance, visits
and requests, built in memory from the seeded generator and written in bulk batches (services/demo.py
lays out the town and calls ``household`` for every number of every group)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert

from zhuji_archive.domain import idcard
from zhuji_archive.domain.household_columns import list_columns
from zhuji_archive.domain.search_keys import member_search_keys
from zhuji_archive.domain.workdays import WorkCalendar
from zhuji_archive.services.demo_names import (
    AID_PROVIDERS,
    BUSINESSES,
    CROPS,
    PLACES,
    POLICIES,
    SURNAMES,
    ZHUJI_REGION,
    Ids,
    born_between,
    given_name,
    mobile,
    shifted,
)
from zhuji_archive.services.demo_places import DemoPlaces
from zhuji_archive.services.demo_requests import DemoRequests
from zhuji_archive.storage.models import (
    Assistance,
    Household,
    HouseholdCode,
    IncomeSource,
    Member,
    Request,
    RequestEvent,
    RequestFeedback,
    Visit,
)


class HouseholdWriter:
    """Builds household rows in memory and writes them in batches."""

    def __init__(
        self,
        conn: Any,
        rng: random.Random,
        new_id: Ids,
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
        head = self._person(surname, head_sex, "户主", born_between(rng, today, 30, 88))
        people = [head]
        spouse_alive = rng.random() < 0.85
        if spouse_alive:
            people.append(
                self._person(
                    rng.choice(SURNAMES),
                    "女" if head_sex == "男" else "男",
                    "配偶",
                    shifted(rng, head["birth_date"], rng.randint(-5, 5)),
                )
            )
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            child_birth = shifted(rng, head["birth_date"], rng.randint(22, 34))
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
                    shifted(rng, head["birth_date"], -rng.randint(22, 32)),
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
                "phone": head["phone"] or mobile(rng),
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
        name = surname + given_name(rng, sex, birth.year)
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
        phone = mobile(rng) if 16 <= age <= 80 else ""
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
