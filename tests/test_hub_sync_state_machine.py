"""The sync as a state machine (issue 14): a hub and three laptops make random edits of what travels
(households' fields, members added, edited and 移出, visits, a household 注销, requests recorded and moved
through the workflow by any step their state allows there), laptops export sync
files into a pool, the pool's files reach the hub in any order, twice or never, and receipts are applied
on the laptops in any order, twice or stale. At every step: a file applied again, or refused, leaves
the hub as it was, and a receipt never changes a laptop's field whose change the hub has not yet
acknowledged. After a final settle (files delivered in order: every laptop syncs until a round brings
nothing new, then once more, which must bring nothing: twice with nothing new):

- each laptop holds exactly the hub's records of its villages, field by field;
- a laptop holds the hub's request events (as the hub replayed them) and besides them only its own steps
  the hub did not take, each of which stands in the hub's queue;
- nothing vanished: every value any side wrote is the record's final value, or stands in a conflict
  queue (the hub's or a laptop's), or was overwritten by a person who saw it (the same side edited the
  field while it held that value). Written values are unique, so a value stands for the write; the
  status itself and 移出 (a few values) are covered by the first check only, the 状态说明 by both.

Laptops: 甲村's two cadres (overlapping scopes) and 乙村's one (disjoint). The hub is a SQLite file, or
on the hub run (ZHUJI_TEST_DATABASE=postgresql) a PostgreSQL database; laptops are always SQLite files.

What the machine knows about the current design (docs/sync.md) and models rather than tests away:
a 注销 household and a member's 移出 travel as fields (tombstones are next), so they merge like any field.
A file after a gap is refused (held files are next); a laptop's export always starts at its acknowledged
sequence + 1, which is never above what the hub applied + 1, so the machine cannot produce a gap: the
deliver rule accepts a refusal naming the missing numbers (and checks nothing changed), and counts it."""

from __future__ import annotations

import itertools
import json
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from accounts import PASSWORD, admin, copy_archive, ensure_account, location, open_archive
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test
from sqlalchemy import select

from zhuji_archive.domain.accounts import Role
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.sync_merge import ConflictKind
from zhuji_archive.domain.workflow import (
    IMMEDIATE,
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
)
from zhuji_archive.services import access
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.sync import join
from zhuji_archive.storage import keyring
from zhuji_archive.storage import sync_queries as q
from zhuji_archive.storage.models import Household, Member, Request, RequestEvent, RequestFeedback, Visit
from zhuji_archive.storage.sync_models import SyncConflict, SyncDevice, SyncIdentity
from zhuji_archive.views.household_file import MemberData, VisitData

EDITS = ("edit_household", "edit_member", "add_member", "remove_member", "add_visit", "change_status",
         "file_household", "record_request", "step_request", "step_request", "step_request")
HUB = "hub"
LAPTOPS = ("L1", "L2", "L3")  # 甲村, 甲村, 乙村
SIDES = (HUB, *LAPTOPS)
DIGITS = "零一二三四五六七八九"
UNIQUE = {  # fields whose written values are unique in a run: the "nothing vanished" check covers them
    "household": ("address", "phone", "notes", "status_note"),
    "member": ("name", "phone", "notes"),
    "visit": ("notes",),
    "request": ("description",),
}


EDIT = st.tuples(  # what, side, household, member, household fields, member field
    st.sampled_from(EDITS), st.sampled_from(SIDES), st.integers(0, 9), st.integers(0, 9),
    st.sets(st.sampled_from(("address", "phone", "notes")), min_size=1, max_size=2),
    st.sampled_from(("phone", "notes", "name")),
)


def _cn(n: int) -> str:
    return "".join(DIGITS[int(d)] for d in str(n))


def _records(arc: Archive, villages: set[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """Every household, member and visit of the villages, with its travelling fields and placement."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    with arc.db.sessions() as session:
        households = list(session.scalars(select(Household).where(Household.village_id.in_(sorted(villages)))))
        ids = [h.id for h in households]
        for h in households:
            out[("household", h.id)] = q.values_of(h, q.FIELDS["household"] + q.PLACEMENT["household"])
        for entity, model in (("member", Member), ("visit", Visit), ("request", Request)):
            for row in session.scalars(select(model).where(model.household_id.in_(ids))):
                out[(entity, row.id)] = q.values_of(row, q.FIELDS[entity] + q.PLACEMENT[entity])
    return out


def _events(arc: Archive, villages: set[str]) -> dict[str, dict[str, Any]]:
    """Every request event and feedback visit of the villages' requests, by id, with its fields."""
    out: dict[str, dict[str, Any]] = {}
    with arc.db.sessions() as session:
        requests = select(Request.id).join(Household, Household.id == Request.household_id).where(
            Household.village_id.in_(sorted(villages)))
        for entity, model in (("request_event", RequestEvent), ("request_feedback", RequestFeedback)):
            for row in session.scalars(select(model).where(model.request_id.in_(requests))):
                out[row.id] = q.values_of(row, q.FIELDS[entity] + q.PLACEMENT[entity])
    return out


def _payload(action: Action, day: date, n: int) -> Any:
    """What a person gives with an action (a good one: the workflow accepts it in the right state)."""
    classification = Classification("生活困难", "个性", "近期一时难以解决", (Level.VILLAGE, Level.TOWN)[n % 2])
    return {
        Action.SORT: classification,
        Action.ASSIGN: Assignment("村委会", "王书记", day + timedelta(days=30)),
        Action.REPORT: None,
        Action.PROGRESS: Progress(day, f"进展{_cn(n)}"),
        Action.SOLVE: Resolution(day, "维修", "村集体出资", f"已解决{_cn(n)}"),
        Action.EXPLAIN: Explanation(f"依法解释{_cn(n)}", day),
        Action.FEEDBACK: Feedback(day, "村委会", "干部", "村干部", f"意见{_cn(n)}", ("满意", "不满意")[n % 2], True),
        Action.SOLVE_ON_SPOT: OnTheSpot(Classification("生活困难", "个性", IMMEDIATE, Level.VILLAGE),
                                       Resolution(day, "当场", "当场", f"当场解决{_cn(n)}")),
        Action.REOPEN: Reopen(f"重新办理{_cn(n)}"),
    }.get(action)


def _conflict_values(arc: Archive) -> set[tuple[str, str, str, str]]:
    """(entity, record, field, value as JSON) of both sides of every entry of an archive's queue."""
    found = set()
    with arc.db.sessions() as session:
        for c in session.scalars(select(SyncConflict)):
            for value in (c.hub_value, c.incoming_value):
                found.add((c.entity, c.record_id, c.field, q.dumps(json.loads(value))))
    return found


@dataclass
class Town:
    """The starting point of every example, built once: the hub (甲村 with two households, 乙村 with one)
    and the three laptops joined from it; each example works on copies."""

    hub_path: Path
    hub_login: str
    logins: dict[str, str]
    laptops: dict[str, Path]
    village_a: str
    village_b: str
    groups: dict[str, str]
    households: dict[str, str]
    written: list[tuple[str, str, str, str, str]]
    counter: int

    def copy(self, base: Path) -> dict[str, Archive]:
        base.mkdir(parents=True)
        archives: dict[str, Archive] = {}
        try:
            hub = copy_archive(self.hub_path, base / "hub.sqlite3")
            archives[HUB] = access.unlock(location(hub), self.hub_login, PASSWORD)
            for laptop, source in self.laptops.items():
                target = base / laptop / source.name
                target.parent.mkdir()
                shutil.copyfile(source, target)
                shutil.copyfile(keyring.keyring_path(source), keyring.keyring_path(target))
                archives[laptop] = access.unlock(target, self.logins[laptop], PASSWORD)
        except BaseException:
            for arc in archives.values():
                arc.close()
            raise
        return archives


def _build_town(folder: Path) -> Town:
    where = folder / "hub.sqlite3"
    counter = itertools.count(1)
    written: list[tuple[str, str, str, str, str]] = []
    with open_archive(where, "党政办小王", Role.OFFICE) as hub:
        town = hub.organisation.add_town("安华镇", "诸暨市", "330681")
        village_a = hub.organisation.add_village(town, "甲村")
        village_b = hub.organisation.add_village(town, "乙村")
        groups = {village: hub.organisation.add_group(village, "一组") for village in (village_a, village_b)}
        households = {}
        for village in (village_a, village_a, village_b):
            file = hub.households.new_file(groups[village])
            file.address = f"住址{_cn(next(counter))}"
            file.members = [
                MemberData(name=f"王{_cn(next(counter))}", relation="户主", sex="男", birth_date=date(1960, 1, 1)),
                MemberData(name=f"王{_cn(next(counter))}", relation="子", sex="男", birth_date=date(1988, 1, 1)),
            ]
            file.visits = [VisitData(date=date(2026, 1, 5), kind="建档走访", cadres="干部", notes=f"建档{_cn(next(counter))}")]
            household_id = hub.households.save(file)
            households[household_id] = village
            saved = hub.households.load(household_id)
            written.append(("household", household_id, "address", q.dumps(file.address), HUB))
            written += [("member", m.id, "name", q.dumps(m.name), HUB) for m in saved.members]
            written += [("visit", v.id, "notes", q.dumps(v.notes), HUB) for v in saved.visits]
        for household_id in households:  # a request in each household: the laptops join with them
            description = f"诉求{_cn(next(counter))}"
            request_id = hub.requests.record(household_id, "生活困难", description)
            written.append(("request", request_id, "description", q.dumps(description), HUB))
        with admin(where) as chief:
            logins = {
                "L1": ensure_account(chief, "驻村干部甲", Role.CADRE, (village_a,)),
                "L2": ensure_account(chief, "驻村干部乙", Role.CADRE, (village_a,)),
                "L3": ensure_account(chief, "驻村干部丙", Role.CADRE, (village_b,)),
            }
        laptops = {}
        for laptop in LAPTOPS:
            enrolment = hub.sync.enrol_device(f"{laptop}的笔记本", logins[laptop])
            laptops[laptop] = folder / laptop / "档案.sqlite3"
            join(enrolment.data, laptops[laptop], PASSWORD, enrolment.code).close()
        hub_login = hub.actor.login
    return Town(where, hub_login, logins, laptops, village_a, village_b, groups, households, written,
                next(counter))


class SyncMachine(RuleBasedStateMachine):
    folder: Path  # set by the test: where each example's archives go
    town: Town
    examples = itertools.count()
    stats: dict[str, int]

    def __init__(self) -> None:
        super().__init__()
        town: Town = self.town
        self.base = self.folder / f"ex{next(self.examples)}"
        self.counter = itertools.count(town.counter)
        self.village_a, self.village_b, self.groups = town.village_a, town.village_b, town.groups
        self.scope = {"L1": {self.village_a}, "L2": {self.village_a}, "L3": {self.village_b},
                      HUB: {self.village_a, self.village_b}}
        self.households = dict(town.households)  # household id -> village, every household anyone filed
        # the model: every unique value written, and the values a person overwrote while seeing them
        self.written = list(town.written)  # (entity, record, field, JSON value, side)
        self.displaced: set[tuple[str, str, str, str]] = set()
        self.steps: list[tuple[str, str, str]] = []  # (laptop, request, event id) of every laptop step
        self.archives = town.copy(self.base)
        self.pool: list[tuple[str, Path]] = []  # (laptop, sync file), exported, not necessarily delivered
        self.receipts: dict[str, list[Path]] = {laptop: [] for laptop in LAPTOPS}
        self.applied = {laptop: 0 for laptop in LAPTOPS}  # the model of the hub's "applied up to"
        (self.base / "receipts").mkdir()

    def teardown(self) -> None:
        try:
            if len(self.archives) == len(SIDES):
                self._settle()
                self._check()
        finally:
            for arc in self.archives.values():
                arc.close()

    # ---- helpers ---------------------------------------------------------------------------------
    def _unique(self, prefix: str) -> str:
        return f"{prefix}{_cn(next(self.counter))}"

    def _wrote(self, side: str, entity: str, record_id: str, values: dict[str, Any]) -> None:
        for name, value in values.items():
            if name in UNIQUE[entity]:
                self.written.append((entity, record_id, name, q.dumps(q.to_wire(value)), side))

    def _saw(self, entity: str, record_id: str, name: str, value: Any) -> None:
        self.displaced.add((entity, record_id, name, q.dumps(q.to_wire(value))))

    def _held(self, side: str, index: int) -> str | None:
        """A household the side holds and may edit (its village), chosen by ``index``; None when none."""
        ids = [h for h, v in self.households.items() if v in self.scope[side]]  # in the order filed
        arc = self.archives[side]
        with arc.db.sessions() as session:
            ids = [h for h in ids if session.get(Household, h) is not None]
        return ids[index % len(ids)] if ids else None

    def _new_household(self, side: str, village: str) -> str:
        arc = self.archives[side]
        file = arc.households.new_file(self.groups[village])
        file.address = self._unique(f"{side}住址")
        head = self._unique("王")
        file.members = [MemberData(name=head, relation="户主", sex="男", birth_date=date(1960, 1, 1))]
        notes = self._unique(f"{side}建档")
        file.visits = [VisitData(date=date(2026, 1, 5), kind="建档走访", cadres="干部", notes=notes)]
        household_id = arc.households.save(file)
        self.households[household_id] = village
        saved = arc.households.load(household_id)
        self._wrote(side, "household", household_id, {"address": file.address})
        self._wrote(side, "member", saved.members[0].id, {"name": head})
        self._wrote(side, "visit", saved.visits[0].id, {"notes": notes})
        return household_id

    # ---- edits -----------------------------------------------------------------------------------
    def edit_household(self, side: str, index: int, names: set[str]) -> None:
        household_id = self._held(side, index)
        if household_id is None:
            return
        arc = self.archives[side]
        file = arc.households.load(household_id)
        values = {}
        for name in sorted(names):
            self._saw("household", household_id, name, getattr(file, name))
            values[name] = f"138{next(self.counter):08d}" if name == "phone" else self._unique(f"{side}{name}")
            setattr(file, name, values[name])
        arc.households.save(file)
        self._wrote(side, "household", household_id, values)

    def edit_member(self, side: str, index: int, member: int, name: str) -> None:
        household_id = self._held(side, index)
        if household_id is None:
            return
        arc = self.archives[side]
        file = arc.households.load(household_id)
        if not file.members:
            return
        row = file.members[member % len(file.members)]
        self._saw("member", row.id, name, getattr(row, name))
        value = {"phone": f"139{next(self.counter):08d}", "notes": self._unique(f"{side}成员备注"),
                 "name": self._unique("李")}[name]
        setattr(row, name, value)
        arc.households.save(file)
        self._wrote(side, "member", row.id, {name: value})

    def add_member(self, side: str, index: int) -> None:
        household_id = self._held(side, index)
        if household_id is None:
            return
        arc = self.archives[side]
        file = arc.households.load(household_id)
        name, notes = self._unique("张"), self._unique(f"{side}新成员")
        file.members.append(MemberData(name=name, relation="子", sex="男", birth_date=date(1990, 2, 2), notes=notes))
        arc.households.save(file)
        (added,) = [m for m in arc.households.load(household_id).members if m.name == name]
        self._wrote(side, "member", added.id, {"name": name, "notes": notes})

    def remove_member(self, side: str, index: int, member: int) -> None:
        """移出 a member who is not the head (the head stays: one head per household on file)."""
        household_id = self._held(side, index)
        if household_id is None:
            return
        arc = self.archives[side]
        file = arc.households.load(household_id)
        others = [m for m in file.members if m.relation != "户主"]
        if not others:
            return
        others[member % len(others)].removed = True
        arc.households.save(file)

    def add_visit(self, side: str, index: int) -> None:
        household_id = self._held(side, index)
        if household_id is None:
            return
        arc = self.archives[side]
        file = arc.households.load(household_id)
        notes = self._unique(f"{side}走访")
        day = date(2026, 2, 1) + timedelta(days=next(self.counter) % 200)
        file.visits.append(VisitData(date=day, kind="回访", cadres="干部", notes=notes))
        arc.households.save(file)
        (added,) = [v for v in arc.households.load(household_id).visits if v.notes == notes]
        self._wrote(side, "visit", added.id, {"notes": notes})

    def change_status(self, side: str, index: int) -> None:
        """注销 a household (or put a 注销 one back 在册), with a reason."""
        household_id = self._held(side, index)
        if household_id is None:
            return
        arc = self.archives[side]
        file = arc.households.load(household_id)
        status = "注销" if file.status == "在册" else "在册"
        note = self._unique(f"{side}{status}说明")
        self._saw("household", household_id, "status_note", file.status_note)
        arc.households.set_status(household_id, status, note)
        self._wrote(side, "household", household_id, {"status_note": note})

    def record_request(self, side: str, index: int) -> None:
        """登记 a request in a household the side holds."""
        household_id = self._held(side, index)
        if household_id is None:
            return
        description = self._unique(f"{side}诉求")
        try:
            request_id = self.archives[side].requests.record(household_id, "生活困难", description)
        except DomainError:
            return  # e.g. a household 注销 on this side
        self._wrote(side, "request", request_id, {"description": description})

    def step_request(self, side: str, index: int, pick: int) -> None:
        """A step of the workflow on a request the side holds: one of those its state allows now."""
        arc = self.archives[side]
        with arc.db.sessions() as session:
            ids = list(session.scalars(
                select(Request.id).join(Household, Household.id == Request.household_id)
                .where(Household.village_id.in_(sorted(self.scope[side]))).order_by(Request.id)
            ))
        if not ids:
            return
        request_id = ids[index % len(ids)]
        allowed = [a for a in arc.requests.detail(request_id).allowed if a != Action.JOINT]
        if not allowed:
            return
        n = next(self.counter)
        action = allowed[pick % len(allowed)]
        try:
            arc.requests.act(request_id, action, _payload(action, arc.clock.today() + timedelta(days=n), n))
        except DomainError:
            return  # the account may not take it here (e.g. 交办 of a request the town took up)
        self.stats["steps"] += 1
        if side != HUB:
            with arc.db.sessions() as session:
                event_id = session.scalar(
                    select(RequestEvent.id).where(RequestEvent.request_id == request_id)
                    .order_by(RequestEvent.at.desc()).limit(1)
                )
            self.steps.append((side, request_id, event_id))

    def file_household(self, side: str, village: int) -> None:
        """A new household, with its head and a first visit."""
        villages = sorted(self.scope[side])
        self._new_household(side, villages[village % len(villages)])

    @initialize(edits=st.lists(EDIT, min_size=2, max_size=6))
    def start(self, edits: list[tuple[str, str, int, int, set[str], str]]) -> None:
        """Every example starts with edits made on the sides before anything travels (concurrent ones)."""
        self.edit(edits)

    @rule(edits=st.lists(EDIT, min_size=1, max_size=3))
    def edit(self, edits: list[tuple[str, str, int, int, set[str], str]]) -> None:
        """Edits by people on the sides (one rule for all of them, so that travel is as frequent)."""
        for what, side, index, member, names, field in edits:
            {
                "edit_household": lambda: self.edit_household(side, index, names),  # noqa: B023
                "edit_member": lambda: self.edit_member(side, index, member, field),  # noqa: B023
                "add_member": lambda: self.add_member(side, index),  # noqa: B023
                "remove_member": lambda: self.remove_member(side, index, member),  # noqa: B023
                "add_visit": lambda: self.add_visit(side, index),  # noqa: B023
                "change_status": lambda: self.change_status(side, index),  # noqa: B023
                "file_household": lambda: self.file_household(side, index),  # noqa: B023
                "record_request": lambda: self.record_request(side, index),  # noqa: B023
                "step_request": lambda: self.step_request(side, index, member),  # noqa: B023
            }[what]()

    # ---- travel ----------------------------------------------------------------------------------
    @rule(laptop=st.sampled_from(LAPTOPS))
    def export(self, laptop: str) -> None:
        folder = self.base / "usb" / str(next(self.counter))
        self.pool.append((laptop, self.archives[laptop].sync.export(folder)))

    @rule(pick=st.integers(0, 99))
    def deliver(self, pick: int) -> None:
        """A pooled file reaches the hub: any of them, perhaps again, perhaps after a later one (with
        an empty pool: a laptop exports one first)."""
        if not self.pool:
            self.export(LAPTOPS[pick % len(LAPTOPS)])
        laptop, path = self.pool[pick % len(self.pool)]
        manifest = _manifest(path)
        hub = self.archives[HUB]
        before = self.applied[laptop]
        hub_before = _records(hub, self.scope[HUB]), len(_conflict_values(hub))
        try:
            result = hub.sync.apply(path, receipt_path=self.base / "receipts" / f"{next(self.counter)}.zjreceipt")
        except DomainError as refused:
            assert "缺第" in refused.message, refused.message  # the only refusal this machine can meet
            assert manifest["seq_from"] > before + 1
            self.stats["gap refused"] += 1
            assert self._device_applied(laptop) == before
            assert (_records(hub, self.scope[HUB]), len(_conflict_values(hub))) == hub_before
            return
        assert manifest["seq_from"] <= before + 1
        self.applied[laptop] = max(before, manifest["seq_to"])
        assert result.acknowledged_to == self.applied[laptop] == self._device_applied(laptop)
        assert result.duplicate == (manifest["seq_to"] <= before)
        if result.duplicate:  # a file applied again changes nothing
            assert (_records(hub, self.scope[HUB]), len(_conflict_values(hub))) == hub_before
        self.stats["duplicate" if result.duplicate else "applied"] += 1
        self.stats["hub conflicts"] += result.conflicts
        self.receipts[laptop].append(result.receipt_path)

    @rule(pick=st.integers(0, 99))
    def apply_receipt(self, pick: int) -> None:
        """Any receipt made for a laptop: the latest, an old one, one applied before (with none made
        yet: a file is delivered first)."""
        if not any(self.receipts.values()):
            self.deliver(pick)
        receipts = [(laptop, path) for laptop, paths in self.receipts.items() for path in paths]
        laptop, path = receipts[pick % len(receipts)]
        arc = self.archives[laptop]
        acknowledged = self._laptop_ident(laptop)[0]
        unsent = self._unsent(laptop, max(acknowledged, _manifest(path)["acknowledged_to"]))
        result = arc.sync.apply_receipt(path)
        assert result.acknowledged_to == max(acknowledged, _manifest(path)["acknowledged_to"])
        # a receipt never overwrites a change the hub has not acknowledged (DHIS2's rule)
        assert self._unsent(laptop, result.acknowledged_to) == unsent
        self.stats["laptop conflicts"] += result.conflicts
        self.stats["stale receipts" if result.duplicate else "receipts"] += 1

    def _unsent(self, laptop: str, acknowledged: int) -> dict[tuple[str, str, str], Any]:
        """The laptop's current values of the fields it changed after ``acknowledged``."""
        with self.archives[laptop].db.sessions() as session:
            device_id = session.get(SyncIdentity, 1).device_id
            fields = q.pending_fields(session, device_id, acknowledged)
            return {
                (entity, record_id, name): q.values_of(session.get(q.MODELS[entity], record_id), [name])[name]
                for entity, record_id, name in fields
                if entity != q.STEP  # a step's own values (action, payload) are no record's fields
            }

    def _device_applied(self, laptop: str) -> int:
        device_id = self._laptop_ident(laptop)[1]
        with self.archives[HUB].db.sessions() as session:
            return session.get(SyncDevice, device_id).applied_seq

    def _laptop_ident(self, laptop: str) -> tuple[int, str]:
        with self.archives[laptop].db.sessions() as session:
            ident = session.get(SyncIdentity, 1)
            return ident.acknowledged_seq, ident.device_id

    # ---- the end ---------------------------------------------------------------------------------
    def _sync(self, laptop: str) -> tuple[Any, Any]:
        arc, hub = self.archives[laptop], self.archives[HUB]
        sent = arc.sync.export(self.base / "settle" / str(next(self.counter)))
        at_hub = hub.sync.apply(sent, receipt_path=self.base / "receipts" / f"{next(self.counter)}.zjreceipt")
        on_laptop = arc.sync.apply_receipt(at_hub.receipt_path)
        return at_hub, on_laptop

    def _settle(self) -> None:
        """Files delivered in order: every laptop syncs until a round brings nothing new (at most four
        rounds), and then once more, which must bring nothing at all: twice with nothing new."""
        for _round in range(4):
            outcomes = [self._sync(laptop) for laptop in LAPTOPS]
            self.stats["hub conflicts"] += sum(h.conflicts for h, _r in outcomes)
            if all(h.duplicate and not r.applied and not r.conflicts for h, r in outcomes):
                break
        else:
            raise AssertionError(f"four sync rounds and still something new: {outcomes}")
        for laptop in LAPTOPS:
            at_hub, on_laptop = self._sync(laptop)
            assert at_hub.duplicate and (at_hub.applied, at_hub.conflicts) == (0, 0), (laptop, at_hub)
            assert (on_laptop.applied, on_laptop.conflicts) == (0, 0), (laptop, on_laptop)
            assert self.archives[laptop].sync.waiting() == 0

    def _check(self) -> None:
        hub = self.archives[HUB]
        at_hub = _records(hub, self.scope[HUB])
        for laptop in LAPTOPS:
            on_laptop = _records(self.archives[laptop], self.scope[laptop])
            in_scope = _records(hub, self.scope[laptop])
            assert on_laptop.keys() == in_scope.keys(), laptop
            differing = {k: (v, in_scope[k]) for k, v in on_laptop.items() if v != in_scope[k]}
            assert not differing, (laptop, differing)
        # a request's events: the laptop holds the hub's (as the hub replayed them), and besides them
        # only its own steps the hub did not take, each of which stands in the hub's queue
        hub_events = _events(hub, self.scope[HUB])
        refused: dict[tuple[str, str], int] = {}
        with hub.db.sessions() as session:
            for c in session.scalars(select(SyncConflict).where(SyncConflict.kind == ConflictKind.TRANSITION.value)):
                refused[(c.incoming_device, c.record_id)] = refused.get((c.incoming_device, c.record_id), 0) + 1
        for laptop in LAPTOPS:
            on_laptop = _events(self.archives[laptop], self.scope[laptop])
            in_scope = _events(hub, self.scope[laptop])
            assert {k: on_laptop.get(k) for k in in_scope} == in_scope, laptop
            own = {event for side, _r, event in self.steps if side == laptop}
            assert set(on_laptop) - set(in_scope) <= own, laptop
            device = self._laptop_ident(laptop)[1]
            missing: dict[str, int] = {}
            for side, request_id, event in self.steps:
                if side == laptop and event not in hub_events:
                    missing[request_id] = missing.get(request_id, 0) + 1
            for request_id, count in missing.items():  # nothing vanished: each refused step is queued
                assert refused.get((device, request_id), 0) >= count, (laptop, request_id, count)
                self.stats["refused steps"] += count
        queued = set().union(*(_conflict_values(arc) for arc in self.archives.values()))
        vanished = []
        for entity, record_id, name, value, side in self.written:
            final = at_hub.get((entity, record_id))
            assert final is not None, (entity, record_id, side)
            if q.dumps(final[name]) == value:
                continue
            if (entity, record_id, name, value) in queued or (entity, record_id, name, value) in self.displaced:
                continue
            vanished.append((entity, name, json.loads(value), side, final[name]))
        assert not vanished, vanished


def _manifest(path: Path) -> dict[str, Any]:
    from zhuji_archive.storage import sync_bundle

    return sync_bundle.peek_manifest(path.read_bytes())


def test_hub_and_three_laptops_converge_and_nothing_vanishes(tmp_path: Path) -> None:
    stats: dict[str, int] = dict.fromkeys(
        ("applied", "duplicate", "gap refused", "receipts", "stale receipts", "hub conflicts", "laptop conflicts",
         "steps", "refused steps"), 0)
    SyncMachine.folder, SyncMachine.stats = tmp_path, stats
    SyncMachine.town = _build_town(tmp_path / "town")
    run_state_machine_as_test(
        SyncMachine,
        settings=settings(max_examples=20, stateful_step_count=20, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]),
    )
    # the machine really exercised what it is about (over all examples together)
    assert stats["applied"] and stats["duplicate"] and stats["stale receipts"] and stats["hub conflicts"], stats
    assert stats["steps"], stats


pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")


# ---- what the machine found, kept as plain replays -----------------------------------------------
def _replay(tmp_path: Path, steps: list[tuple[str, dict[str, Any]]]) -> None:
    """Run the machine through fixed steps (as Hypothesis prints a failing case), then settle and check."""
    SyncMachine.folder = tmp_path
    SyncMachine.stats = dict.fromkeys(
        ("applied", "duplicate", "gap refused", "receipts", "stale receipts", "hub conflicts", "laptop conflicts",
         "steps", "refused steps"), 0)
    SyncMachine.town = _build_town(tmp_path / "town")
    machine = SyncMachine()
    try:
        for name, arguments in steps:
            getattr(machine, name)(**arguments)
    except BaseException:
        for arc in machine.archives.values():
            arc.close()
        raise
    machine.teardown()


def test_a_member_added_and_moved_out_before_the_file_is_made_arrives(tmp_path: Path) -> None:
    """A member added on a laptop and then edited (here: 移出) before the next export: the file holds
    the member's creation and then its edit. The hub refused the whole file ("镇里找不到的户档案"), for
    ever, since the next export carries the same two changes: the edit's household was looked up
    only among records already at the hub."""
    _replay(tmp_path, [
        ("add_member", {"side": "L2", "index": 0}),
        ("remove_member", {"side": "L2", "index": 0, "member": 1}),
    ])


def test_a_household_filed_and_edited_before_the_file_is_made_arrives(tmp_path: Path) -> None:
    """The same for a household filed on a laptop and edited before the next export."""
    _replay(tmp_path, [
        ("file_household", {"side": "L1", "village": 0}),
        ("edit_household", {"side": "L1", "index": 2, "names": {"notes"}}),
    ])


def test_a_receipt_creates_a_household_before_its_members(tmp_path: Path) -> None:
    """A household filed on one laptop of 甲村 reaches the hub, and the hub then edits it: the other
    laptop's receipt listed records by their last change, so the household (edited last) came after
    its head and first visit, whose creation failed on the foreign key. Every later receipt for that
    laptop holds the same records in the same order: it could never take a receipt again."""
    _replay(tmp_path, [
        ("file_household", {"side": "L1", "village": 0}),
        ("export", {"laptop": "L1"}),
        ("deliver", {"pick": 0}),
        ("edit_household", {"side": "hub", "index": 3, "names": {"notes"}}),
    ])


def test_a_receipt_meets_an_unsent_change_on_the_laptop(tmp_path: Path) -> None:
    """Not a defect: the rarest path the machine takes, kept as a fixed case. The laptop's file leaves,
    the hub changes the same field, the laptop changes it again before the receipt comes back: the
    receipt keeps the laptop's value (the hub's goes to the laptop's queue) and the laptop's value wins
    at the hub on the next round (the hub's goes to the hub's queue): nothing vanished."""
    _replay(tmp_path, [
        ("export", {"laptop": "L1"}),
        ("edit_household", {"side": "hub", "index": 0, "names": {"address"}}),
        ("deliver", {"pick": 0}),
        ("edit_household", {"side": "L1", "index": 0, "names": {"address"}}),
        ("apply_receipt", {"pick": 0}),
    ])
    assert SyncMachine.stats["laptop conflicts"] == 1
