#!/usr/bin/env python3
"""The sync bench (issue 14), on PostgreSQL (tests/pg_cluster.py's throwaway server) and on a SQLite hub
file, in the same run. Three tables:

1. **Applying** one laptop's sync file of N changes at the hub. A hub with one village of
   ``--households`` households (made through the services) enrols a 驻村干部's laptop (``device join``);
   the laptop's replication log then gets N changes: half household edits (address and phone, with their
   base values) and half new visits. ``sync export`` writes the file; the bench times ``SyncService.apply``
   (verify, decrypt, check scope and rights, merge, write, receipt) and the laptop's ``apply_receipt``,
   and prints the file size.
2. **Building a laptop's receipt**: after the laptop joined, the hub changes ``--hub-changes`` records in
   the laptop's village (half household edits of address and phone, half new visits, written with their
   hub log entries as the hub's capture writes them); the laptop then sends a sync file with nothing new,
   so applying it at the hub is building the receipt (plus verifying a file of a few hundred bytes). The
   bench times that, the receipt's size, and the laptop's ``apply_receipt`` taking the hub's changes.
3. **A typical week's sync file**: on a freshly joined laptop, through the services, 50 visits (notes of
   varied length), 10 requests (recorded and sorted: two steps each) and 5 household edits; ``sync
   export``; the file's size.

    .venv/bin/python bench/bench_sync.py [--changes 1000] [--households 500] [--hub-changes 1000]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from sqlalchemy import select  # noqa: E402

from zhuji_archive.domain.accounts import Role, ScopeUnit, UnitKind  # noqa: E402
from zhuji_archive.domain.workflow import Action, Classification, Level  # noqa: E402
from zhuji_archive.services import access  # noqa: E402
from zhuji_archive.services.sync import join  # noqa: E402
from zhuji_archive.storage import keyring, sync_enrolment  # noqa: E402
from zhuji_archive.storage import sync_queries as q  # noqa: E402
from zhuji_archive.storage.models import Account, Household, Visit, new_id  # noqa: E402
from zhuji_archive.storage.sync_models import SyncIdentity, SyncLog  # noqa: E402
from zhuji_archive.views.household_file import MemberData  # noqa: E402

PASSWORD = "Bench-2026"


def _hub_with_laptop(where: str | Path, folder: Path, households: int):  # type: ignore[no-untyped-def]
    """A hub (administrator, 党政办) with one village of ``households`` households made through the
    services, and a 驻村干部's laptop joined for that village. Returns (hub, office, laptop, village)."""
    keyring.KDF = keyring.KdfParams(time_cost=1, memory_kib=64, parallelism=1)
    sync_enrolment.SCRYPT_N = 2**10
    hub = access.create(where, "admin", "管理员", PASSWORD)
    hub.accounts.create("office", "党政办", Role.OFFICE, [], PASSWORD)
    office = access.unlock(where, "office", PASSWORD)
    town = office.organisation.add_town("安华镇")
    village = office.organisation.add_village(town, "甲村")
    group = office.organisation.add_group(village, "一组")
    hub.accounts.create("cadre", "驻村干部", Role.CADRE, [ScopeUnit(UnitKind.VILLAGE, village)], PASSWORD)
    for number in range(households):
        file = office.households.new_file(group)
        file.address = f"甲村{number}号"
        file.members = [MemberData(name=f"户主{number}", relation="户主", sex="男", birth_date=date(1960, 1, 1))]
        office.households.save(file)
    with hub.db.transaction() as session:
        session.scalar(select(Account).where(Account.login == "cadre")).must_change_password = False
    enrolment = office.sync.enrol_device("笔记本", "cadre")
    laptop = join(enrolment.data, folder / "laptop.sqlite3", PASSWORD, enrolment.code)
    return hub, office, laptop, village


def build(where: str | Path, folder: Path, households: int, changes: int) -> tuple[float, float, int]:
    hub, office, laptop, village = _hub_with_laptop(where, folder, households)
    with laptop.db.transaction() as session:
        ident = session.get(SyncIdentity, 1)
        rows = list(session.scalars(select(Household)))
        seq = 0
        current: dict[str, dict[str, str]] = {}
        for index in range(changes):
            h = rows[(index // 2) % len(rows)]
            seq += 1
            if index % 2 == 0:
                values = {"address": f"改{index}", "phone": f"138{index:08d}"}
                base = current.get(h.id) or q.values_of(h, values)  # a laptop's chain: based on its last edit
                current[h.id] = values
                entry = SyncLog(entity="household", record_id=h.id, household_id=h.id, village_id=village,
                                device_id=ident.device_id, device_seq=seq, base_version=h.version, kind="修改",
                                values=json.dumps(values), base_values=json.dumps(base))
            else:
                visit = {"household_id": h.id, "date": "2026-03-01", "kind": "回访", "cadres": "驻村干部",
                         "notes": f"走访{index}", "policies": "", "account_id": None}
                entry = SyncLog(entity="visit", record_id=new_id(), household_id=h.id, village_id=village,
                                device_id=ident.device_id, device_seq=seq, base_version=0, kind="新增",
                                values=json.dumps(visit, ensure_ascii=False), base_values="{}")
            session.add(entry)
        ident.last_seq = seq
    sent = laptop.sync.export(folder / "usb")
    started = time.perf_counter()
    result = office.sync.apply(sent)
    apply_seconds = time.perf_counter() - started
    assert result.applied == changes, result
    started = time.perf_counter()
    laptop.sync.apply_receipt(result.receipt_path)
    receipt_seconds = time.perf_counter() - started
    size = sent.stat().st_size
    laptop.close()
    office.close()
    hub.close()
    return apply_seconds, receipt_seconds, size


NOTES = (
    "了解家庭近况，老人身体尚可，按时服药。", "宣传医保缴费政策，户主表示月底前到村里办理。",
    "反映村道路灯不亮，已记录并转村委。", "儿子在外务工，家中两位老人，叮嘱注意用电安全。",
    "询问低保复核进展，已告知需补交收入证明。", "房屋漏雨，建议申请农房修缮补助，帮助填写申请表。",
    "家中种植香榧，今年收成一般，了解销售渠道需求。", "回访上次反映的自来水压力问题，已解决，群众满意。",
)


def _week_notes(rng: random.Random) -> str:
    return "".join(rng.choice(NOTES) for _ in range(rng.randint(1, 4)))


def receipt_bench(where: str | Path, folder: Path, households: int, hub_changes: int) -> tuple[float, int, float, int]:
    """Build a laptop's receipt holding ``hub_changes`` hub changes in its village: (seconds to build it,
    receipt bytes, seconds for the laptop to apply it, records it updated)."""
    hub, office, laptop, village = _hub_with_laptop(where, folder, households)
    with office.db.transaction() as session:
        ident = session.get(SyncIdentity, 1)
        rows = list(session.scalars(select(Household).order_by(Household.number)))
        seq = ident.last_seq
        for index in range(hub_changes):
            h = rows[(index // 2) % len(rows)]
            seq += 1
            if index % 2 == 0:
                before = q.values_of(h, ("address", "phone"))
                values = {"address": f"镇改{index}", "phone": f"139{index:08d}"}
                q.set_values(h, values)
                h.version += 1
                entry = SyncLog(entity="household", record_id=h.id, household_id=h.id, village_id=village,
                                device_id=ident.device_id, device_seq=seq, hub_seq=seq, base_version=h.version - 1,
                                kind="修改", values=json.dumps(values, ensure_ascii=False),
                                base_values=json.dumps(before, ensure_ascii=False))
            else:
                visit = Visit(id=new_id(), household_id=h.id, date=date(2026, 3, 1), kind="回访", cadres="镇干部",
                              notes=f"镇里走访{index}", policies="", deleted=False, account_id=None)
                session.add(visit)
                values = q.values_of(visit, q.FIELDS["visit"] + q.PLACEMENT["visit"])
                entry = SyncLog(entity="visit", record_id=visit.id, household_id=h.id, village_id=village,
                                device_id=ident.device_id, device_seq=seq, hub_seq=seq, base_version=0, kind="新增",
                                values=json.dumps(values, ensure_ascii=False, default=str), base_values="{}")
            session.add(entry)
        ident.last_seq = seq
    sent = laptop.sync.export(folder / "usb")  # nothing new on the laptop: the answer is the receipt alone
    started = time.perf_counter()
    result = office.sync.apply(sent)
    build_seconds = time.perf_counter() - started
    assert result.duplicate and result.receipt_path is not None, result
    started = time.perf_counter()
    taken = laptop.sync.apply_receipt(result.receipt_path)
    take_seconds = time.perf_counter() - started
    assert taken.applied == hub_changes, taken
    size = result.receipt_path.stat().st_size
    for arc in (laptop, office, hub):
        arc.close()
    return build_seconds, size, take_seconds, taken.applied


def week_file(where: str | Path, folder: Path, households: int) -> tuple[int, int, int]:
    """A week on a laptop through the services: 50 visits, 10 requests (recorded, then sorted) and 5
    household edits; (changes, file bytes, bytes of the changes' JSON before compression and encryption)."""
    hub, office, laptop, _village = _hub_with_laptop(where, folder, households)
    rng = random.Random(2026)
    with laptop.db.sessions() as session:
        ids = list(session.scalars(select(Household.id).order_by(Household.number)))
    monday = laptop.clock.today() - timedelta(days=laptop.clock.today().weekday())
    for n in range(50):
        laptop.maintenance.record_visit(
            ids[n % len(ids)], min(monday + timedelta(days=n % 5), laptop.clock.today()),
            rng.choice(("回访", "半年大走访")), "驻村干部", _week_notes(rng),
        )
    for n in range(10):
        request_id = laptop.requests.record(ids[(n * 3) % len(ids)], "生活困难", _week_notes(rng))
        laptop.requests.act(request_id, Action.SORT, Classification("生活困难", "个性", "近期一时难以解决", Level.VILLAGE))
    for n in range(5):
        file = laptop.households.load(ids[(n * 7) % len(ids)])
        file.phone = f"1370000{n:04d}"
        file.notes = _week_notes(rng)
        laptop.households.save(file)
    waiting = laptop.sync.waiting()
    sent = laptop.sync.export(folder / "usb")
    with laptop.db.sessions() as session:
        entries = q.unacknowledged(session, session.get(SyncIdentity, 1).device_id, 0)
        plain = len(q.dumps([{"values": json.loads(e.values), "base_values": json.loads(e.base_values)}
                             for e in entries]).encode("utf-8"))
    size = sent.stat().st_size
    for arc in (laptop, office, hub):
        arc.close()
    return waiting, size, plain


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--households", type=int, default=500)
    parser.add_argument("--hub-changes", type=int, default=1000)
    args = parser.parse_args()
    import pg_cluster

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        server = pg_cluster.cluster()
        names: list[str] = []

        def hubs(step: str):  # type: ignore[no-untyped-def]
            name = f"bench_sync_{step}_" + new_id()[:8]
            names.append(name)
            for label, where in (("PostgreSQL", server.create(name)), ("SQLite", folder / f"{step}-hub.sqlite3")):
                sub = folder / f"{step}-{label}"
                sub.mkdir()
                yield label, where, sub

        try:
            print("1. applying a laptop's sync file at the hub")
            print("changes\thub\tapply s\treceipt s\tfile KB")
            for label, where, sub in hubs("apply"):
                apply_s, receipt_s, size = build(where, sub, args.households, args.changes)
                print(f"{args.changes}\t{label}\t{apply_s:.2f}\t{receipt_s:.2f}\t{size / 1024:.1f}")
            print(f"\n2. building a laptop's receipt: {args.hub_changes} hub changes in its village since its last"
                  " receipt (half household edits, half new visits)")
            print("hub changes\thub\tbuild s\treceipt KB\tlaptop applies s\trecords updated")
            for label, where, sub in hubs("receipt"):
                build_s, size, take_s, updated = receipt_bench(where, sub, args.households, args.hub_changes)
                print(f"{args.hub_changes}\t{label}\t{build_s:.2f}\t{size / 1024:.1f}\t{take_s:.2f}\t{updated}")
            print("\n3. a typical week's sync file (50 visits, 10 requests recorded and sorted, 5 household edits,"
                  " through the services on the laptop)")
            print("changes\tfile KB\tchanges' JSON KB")
            week = folder / "week"
            week.mkdir()
            changes, size, plain = week_file(week / "hub.sqlite3", week, 50)
            print(f"{changes}\t{size / 1024:.1f}\t{plain / 1024:.1f}")
        finally:
            for name in names:
                server.drop(name)


if __name__ == "__main__":
    main()
