"""kill -9 while a sync file or a receipt is being applied (issue 14): the database is exactly as before
(no record, log entry, conflict or sequence number of the killed apply), and the next apply completes.

The apply runs as a real ``zhuji-archive sync apply`` process. Nothing in the program waits for the
test: the test polls the database until the process's transaction is writing — on PostgreSQL until its
backend holds the row-exclusive lock of inserting visits or sync log entries; on a SQLite file until it
holds the file's write lock (another connection's ``BEGIN IMMEDIATE`` is refused) and its login's own
short transaction has committed — and kills it with SIGKILL while it still does. The files are large
enough (4,000 changes) that the process is still more than a second from its commit when it is killed
(measured: the SQLite apply and receipt hold the write lock 1.5–3 s, the PostgreSQL apply its inserts'
locks more than 2 s; the test waits 0.2 / 0.5 s into them)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from accounts import (
    ADMIN_LOGIN,
    ADMIN_PASSWORD,
    ON_HUB,
    PASSWORD,
    admin,
    ensure_account,
    location,
    open_archive,
)
from sqlalchemy import func, select

from zhuji_archive.domain.accounts import Role
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.sync import join
from zhuji_archive.storage import cipher, keyring
from zhuji_archive.storage import sync_queries as q
from zhuji_archive.storage.models import AuditHead, ChangeLog, Household, Member, Visit, new_id
from zhuji_archive.storage.sync_models import SyncConflict, SyncDevice, SyncIdentity, SyncLog
from zhuji_archive.views.household_file import MemberData

ROOT = Path(__file__).resolve().parent.parent
WAIT = 120  # seconds: the process must be writing by then, else the test fails instead of hanging
CHANGES = 4000  # half household edits, half new visits


@dataclass
class Town:
    where: Path | str  # the hub: a SQLite file, or on a hub run its PostgreSQL URL
    hub: Archive  # 党政办
    village: str
    households: list[str]
    laptops: dict[str, Archive]
    paths: dict[str, Path]
    logins: dict[str, str]


def _town(tmp_path: Path, households: int, laptops: tuple[str, ...]) -> Town:
    where = tmp_path / "hub.sqlite3"
    hub = open_archive(where, "党政办小王", Role.OFFICE)
    town = hub.organisation.add_town("安华镇", "诸暨市", "330681")
    village = hub.organisation.add_village(town, "甲村")
    group = hub.organisation.add_group(village, "一组")
    ids = []
    for number in range(households):
        file = hub.households.new_file(group)
        file.address = f"甲村{number}号"
        file.members = [MemberData(name=f"户主{number}", relation="户主", sex="男", birth_date=date(1960, 1, 1))]
        ids.append(hub.households.save(file))
    archives, paths, logins = {}, {}, {}
    with admin(where) as chief:
        for name in laptops:
            logins[name] = ensure_account(chief, f"驻村干部{name}", Role.CADRE, (village,))
    for name in laptops:
        enrolment = hub.sync.enrol_device(f"{name}的笔记本", logins[name])
        paths[name] = tmp_path / name / "档案.sqlite3"
        archives[name] = join(enrolment.data, paths[name], PASSWORD, enrolment.code)
    return Town(location(where), hub, village, ids, archives, paths, logins)


@pytest.fixture
def closing():
    opened: list[Archive] = []
    yield opened
    for arc in opened:
        arc.close()


def _fill_log(laptop: Archive, village: str, changes: int) -> None:
    """The laptop's replication log gets ``changes`` changes (as saves would log them, without the
    minutes of saving them one by one): edits of the households' address and phone, and new visits."""
    with laptop.db.transaction() as session:
        ident = session.get(SyncIdentity, 1)
        rows = list(session.scalars(select(Household).order_by(Household.number)))
        current: dict[str, dict[str, str]] = {}
        for seq in range(1, changes + 1):
            h = rows[(seq // 2) % len(rows)]
            if seq % 2:
                values = {"address": f"改{seq}", "phone": f"138{seq:08d}"}
                base = current.get(h.id) or q.values_of(h, values)
                current[h.id] = values
                entry = SyncLog(entity="household", record_id=h.id, household_id=h.id, village_id=village,
                                device_id=ident.device_id, device_seq=seq, base_version=h.version, kind="修改",
                                values=json.dumps(values), base_values=json.dumps(base))
            else:
                visit = {"household_id": h.id, "date": "2026-03-01", "kind": "回访", "cadres": "驻村干部",
                         "notes": f"走访{seq}", "policies": "", "account_id": None}
                entry = SyncLog(entity="visit", record_id=new_id(), household_id=h.id, village_id=village,
                                device_id=ident.device_id, device_seq=seq, base_version=0, kind="新增",
                                values=json.dumps(visit, ensure_ascii=False), base_values="{}")
            session.add(entry)
        ident.last_seq = changes
    # the laptop's own records take the values too, as the saves would have left them
    with laptop.db.transaction() as session:
        for entry in session.scalars(select(SyncLog).order_by(SyncLog.device_seq)):
            values = json.loads(entry.values)
            if entry.entity == "household":
                q.set_values(session.get(Household, entry.record_id), values)
            else:
                visit = Visit(id=entry.record_id)
                q.set_values(visit, values)
                session.add(visit)


def _snapshot(arc: Archive) -> dict[str, Any]:
    """Everything an apply writes, in a form to compare: counts, sequence numbers, the audit chain's
    head, and a digest of every household, member and visit."""
    with arc.db.sessions() as session:
        out: dict[str, Any] = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Household, Member, Visit, SyncLog, SyncConflict, ChangeLog)
        }
        ident = session.get(SyncIdentity, 1)
        out["identity"] = (ident.last_seq, ident.acknowledged_seq, ident.hub_seq_seen)
        out["devices"] = sorted(
            (d.id, d.applied_seq, d.receipt_hub_seq, str(d.last_contact)) for d in session.scalars(select(SyncDevice))
        )
        head = session.scalar(select(AuditHead))
        out["audit"] = (head.last_seq, head.last_chain) if head is not None else None
        digest = hashlib.sha256()
        for entity, model in (("household", Household), ("member", Member), ("visit", Visit)):
            for row in session.scalars(select(model).order_by(model.id)):
                values = q.values_of(row, q.FIELDS[entity] + q.PLACEMENT[entity])
                digest.update(q.dumps([row.id, row.version, values]).encode())
        out["records"] = digest.hexdigest()
    return out


def _records(arc: Archive) -> dict[tuple[str, str], dict[str, Any]]:
    out = {}
    with arc.db.sessions() as session:
        for entity, model in (("household", Household), ("member", Member), ("visit", Visit)):
            for row in session.scalars(select(model)):
                out[(entity, row.id)] = q.values_of(row, q.FIELDS[entity] + q.PLACEMENT[entity])
    return out


# ---- the process and the moment to kill it -------------------------------------------------------
def _start_apply(file: Path, db: Path | str, login: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "zhuji_archive", "sync", "apply", str(file), "--db", str(db), "--user", login,
         "--password-stdin"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert process.stdin is not None
    process.stdin.write(f"{PASSWORD}\n".encode())
    process.stdin.close()
    process.stdin = None  # written and closed: communicate() only reads
    return process


class _SqliteWriter:
    """Whether another connection holds a SQLite file's write lock: ``BEGIN IMMEDIATE`` without waiting."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.connection = cipher.connect(path, key)
        self.connection.execute("PRAGMA busy_timeout = 0")

    def __call__(self) -> bool:
        try:
            self.connection.execute("BEGIN IMMEDIATE")
        except Exception as error:  # noqa: BLE001 - sqlcipher's OperationalError
            assert "locked" in str(error) or "busy" in str(error), error
            return True
        self.connection.execute("ROLLBACK")
        return False

    def close(self) -> None:
        self.connection.close()


class _PostgresWriter:
    """Whether another backend holds the row-exclusive lock of inserting into the tables ``tables``."""

    def __init__(self, url: str, tables: tuple[str, ...]) -> None:
        import psycopg

        self.connection = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True)
        self.tables = list(tables)

    def __call__(self) -> bool:
        return bool(self.connection.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE l.pid <> pg_backend_pid() AND l.granted AND l.mode = 'RowExclusiveLock' "
            "AND c.relname = ANY(%s)", (self.tables,)).fetchone()[0])

    def close(self) -> None:
        self.connection.close()


def _kill_while_writing(process: subprocess.Popen[bytes], writing: Any, settle: float, arc: Archive) -> dict[str, Any]:
    """Poll until the process's transaction writes, let it write ``settle`` seconds more, check it still
    does, and SIGKILL it. Fails (instead of killing after the commit) if it finished first. Returns the
    change log as it stood while the apply was writing: with the login's entry, which the process
    committed before its apply began."""
    try:
        deadline = time.monotonic() + WAIT
        entries = _change_log(arc)["change_log"]
        while True:
            assert process.poll() is None, f"the apply ended before it was seen writing: {process.communicate()}"
            assert time.monotonic() < deadline, "the apply never started writing"
            # the login's own short transaction writes too: wait until it has committed
            if writing() and (logged_in := _change_log(arc))["change_log"] > entries and writing():
                break
            time.sleep(0.005)
        time.sleep(settle)
        assert writing() and process.poll() is None, "the apply committed before it was killed: make the file larger"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        if process.poll() is None and process.returncode is None:
            process.kill()
        process.communicate(timeout=WAIT)
    assert process.returncode == -signal.SIGKILL
    return logged_in


def _change_log(arc: Archive) -> dict[str, Any]:
    with arc.db.sessions() as session:
        head = session.scalar(select(AuditHead))
        return {
            "change_log": session.scalar(select(func.count()).select_from(ChangeLog)),
            "audit": (head.last_seq, head.last_chain) if head is not None else None,
            "last_action": session.scalar(select(ChangeLog.action).order_by(ChangeLog.seq.desc()).limit(1)),
        }


def _locks_gone(writing: Any) -> None:
    """On the hub the killed client's backend ends (rolling back) once it notices the client is gone."""
    deadline = time.monotonic() + WAIT
    while writing():
        assert time.monotonic() < deadline, "the killed apply's transaction still holds its locks"
        time.sleep(0.05)


# ---- at the hub ----------------------------------------------------------------------------------
def test_a_hub_apply_killed_mid_transaction_leaves_the_hub_as_before(tmp_path: Path, closing) -> None:
    town = _town(tmp_path, households=50, laptops=("L1",))
    closing += [town.hub, *town.laptops.values()]
    laptop = town.laptops["L1"]
    _fill_log(laptop, town.village, CHANGES)
    sent = laptop.sync.export(tmp_path / "usb")
    before = _snapshot(town.hub)

    if ON_HUB:
        writing: Any = _PostgresWriter(str(town.where), ("visit", "sync_log"))
    else:
        writing = _SqliteWriter(Path(town.where), keyring.Keyring.load(keyring.keyring_path(Path(town.where))).unwrap(
            ADMIN_LOGIN, ADMIN_PASSWORD))
    try:
        process = _start_apply(sent, town.where, town.hub.actor.login)
        logged_in = _kill_while_writing(process, writing, 0.2, town.hub)
        _locks_gone(writing)
    finally:
        writing.close()

    # nothing of the killed apply: no record, log entry, sequence number; only its login is logged
    assert logged_in["change_log"] == before["change_log"] + 1 and logged_in.pop("last_action") == "登录"
    assert _snapshot(town.hub) == {**before, **logged_in}
    assert not sent.with_suffix(".zjreceipt").exists()

    # the next apply completes, and everything is there
    result = town.hub.sync.apply(sent)
    assert (result.applied, result.acknowledged_to, result.duplicate) == (CHANGES, CHANGES, False)
    after = _snapshot(town.hub)
    assert after["visit"] == before["visit"] + CHANGES // 2
    assert [d[1] for d in after["devices"]] == [CHANGES]
    laptop.sync.apply_receipt(result.receipt_path)
    assert _records(laptop) == _records(town.hub)
    assert town.hub.audit.verify().broken is None


# ---- on a laptop ---------------------------------------------------------------------------------
@pytest.mark.file_archive  # a laptop is always a SQLite file (the hub it syncs with is not what is killed)
def test_a_receipt_killed_mid_transaction_leaves_the_laptop_as_before(tmp_path: Path, closing) -> None:
    town = _town(tmp_path, households=50, laptops=("L1", "L2"))
    closing += [town.hub, *town.laptops.values()]
    other, laptop = town.laptops["L2"], town.laptops["L1"]
    _fill_log(other, town.village, CHANGES)  # the other cadre of 甲村: thousands of changes at the hub
    town.hub.sync.apply(other.sync.export(tmp_path / "usb2"))
    receipt = town.hub.sync.apply(laptop.sync.export(tmp_path / "usb1")).receipt_path  # carries them all
    before = _snapshot(laptop)

    key = keyring.Keyring.load(keyring.keyring_path(town.paths["L1"])).unwrap(town.logins["L1"], PASSWORD)
    writing = _SqliteWriter(town.paths["L1"], key)
    try:
        process = _start_apply(receipt, town.paths["L1"], town.logins["L1"])
        logged_in = _kill_while_writing(process, writing, 0.5, laptop)
    finally:
        writing.close()

    assert logged_in["change_log"] == before["change_log"] + 1 and logged_in.pop("last_action") == "登录"
    assert _snapshot(laptop) == {**before, **logged_in}

    result = laptop.sync.apply_receipt(receipt)
    assert result.applied > CHANGES // 2 and result.conflicts == 0
    assert _records(laptop) == _records(town.hub)
