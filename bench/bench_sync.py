#!/usr/bin/env python3
"""The sync bench (issue 14): applying one laptop's sync file of N changes at the hub, on PostgreSQL
(tests/pg_cluster.py's throwaway server) and on a SQLite hub file, in the same run.

A hub with one village of ``--households`` households (made through the services) enrols a 驻村干部's
laptop (``device join``); the laptop's replication log then gets N changes: half household edits
(address and phone, with their base values) and half new visits. ``sync export`` writes the file; the
bench times ``SyncService.apply`` (verify, decrypt, check scope and rights, merge, write, receipt) and
the laptop's ``apply_receipt``, and prints the file size.

    .venv/bin/python bench/bench_sync.py [--changes 1000] [--households 500]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from sqlalchemy import select  # noqa: E402

from zhuji_archive.domain.accounts import Role, ScopeUnit, UnitKind  # noqa: E402
from zhuji_archive.services import access  # noqa: E402
from zhuji_archive.services.sync import join  # noqa: E402
from zhuji_archive.storage import keyring, sync_enrolment  # noqa: E402
from zhuji_archive.storage import sync_queries as q  # noqa: E402
from zhuji_archive.storage.models import Account, Household, new_id  # noqa: E402
from zhuji_archive.storage.sync_models import SyncIdentity, SyncLog  # noqa: E402
from zhuji_archive.views.household_file import MemberData  # noqa: E402

PASSWORD = "Bench-2026"


def build(where: str | Path, folder: Path, households: int, changes: int) -> tuple[float, float, int]:
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--households", type=int, default=500)
    args = parser.parse_args()
    import pg_cluster

    print("changes\thub\tapply s\treceipt s\tfile KB")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        server = pg_cluster.cluster()
        name = "bench_sync_" + new_id()[:8]
        url = server.create(name)
        try:
            for label, where in (("PostgreSQL", url), ("SQLite", folder / "hub.sqlite3")):
                sub = folder / label
                sub.mkdir()
                apply_s, receipt_s, size = build(where, sub, args.households, args.changes)
                print(f"{args.changes}\t{label}\t{apply_s:.2f}\t{receipt_s:.2f}\t{size / 1024:.1f}")
        finally:
            server.drop(name)


if __name__ == "__main__":
    main()
