"""The tamper-evident change log: every entry numbered and chained with a keyed hash, checked by a
walk that names the first broken entry; tampering beneath the program (a keyed raw connection, as
someone with the sqlite shell and the key would) is detected, an intact log verifies, and two
processes writing at once keep one unbroken chain."""

from __future__ import annotations

import multiprocessing
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from accounts import PASSWORD, ensure_account, raw_of, where
from sqlalchemy import select

from zhuji_archive.domain import idcard
from zhuji_archive.services import access
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.history import ChangeRecorder
from zhuji_archive.storage import audit_chain
from zhuji_archive.storage.models import ChangeLog
from zhuji_archive.views.household_file import MemberData


def _household(archive: Archive, name: str = "金德明", serial: int = 17) -> str:
    (town,) = archive.organisation.tree()
    (village,) = town.children
    file = archive.households.new_file(village.children[0].id)
    file.address = "杜黄村老街3号"
    file.members = [
        MemberData(name=name, relation="户主", id_number=idcard.make("330681", date(1971, 6, 3), serial)),
        MemberData(name="金晓燕", relation="女"),
    ]
    return archive.households.save(file)


def _entries(archive: Archive) -> list[ChangeLog]:
    with archive.db.sessions() as session:
        return list(session.scalars(select(ChangeLog).order_by(ChangeLog.seq)))


def _verify(archive: Archive):
    with archive.db.engine.connect() as connection:
        from zhuji_archive.storage import audit_log

        return audit_log.verify(connection)


@pytest.fixture
def logged(archive: Archive) -> Archive:
    household = _household(archive)
    file = archive.households.load(household)
    file.address = "杜黄村新街8号"
    archive.households.save(file)
    _household(archive, "王小明", 18)
    return archive


def test_every_entry_is_numbered_without_gaps_and_an_intact_log_verifies(logged: Archive) -> None:
    entries = _entries(logged)
    assert len(entries) > 5
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert all(e.chain and len(e.chain) == 64 for e in entries)
    verdict = _verify(logged)
    assert verdict.broken is None and verdict.checked == len(entries)


def test_the_chain_covers_the_version_stamped_on_a_change(logged: Archive) -> None:
    changed = [e for e in _entries(logged) if e.action == "修改"]
    assert changed and all(e.version is not None for e in changed)


def _tamper(archive: Archive, statement: str, *params: Any) -> None:
    connection = raw_of(archive.db)
    try:
        connection.execute(statement, params)
        connection.commit()
    finally:
        connection.close()


def test_an_edited_entry_is_named(logged: Archive) -> None:
    target = _entries(logged)[3]
    _tamper(logged, "UPDATE change_log SET new_value = '篡改' WHERE seq = ?", target.seq)
    broken = _verify(logged).broken
    assert broken is not None and broken.seq == target.seq and broken.at == target.at
    assert "被修改" in broken.describe() and "篡改" not in broken.describe()


def test_an_edited_time_or_operator_is_named(logged: Archive) -> None:
    target = _entries(logged)[2]
    _tamper(logged, "UPDATE change_log SET operator = '别人' WHERE seq = ?", target.seq)
    assert _verify(logged).broken.seq == target.seq  # type: ignore[union-attr]


def test_a_deleted_entry_is_named(logged: Archive) -> None:
    target = _entries(logged)[4]
    _tamper(logged, "DELETE FROM change_log WHERE seq = ?", target.seq)
    broken = _verify(logged).broken
    assert broken is not None and broken.seq == target.seq and "缺失" in broken.reason


def test_the_deleted_last_entry_is_named(logged: Archive) -> None:
    last = _entries(logged)[-1]
    _tamper(logged, "DELETE FROM change_log WHERE seq = ?", last.seq)
    broken = _verify(logged).broken
    assert broken is not None and broken.seq == last.seq and "末尾" in broken.reason


def test_a_reordered_entry_is_named(logged: Archive) -> None:
    first, second = _entries(logged)[1:3]
    _tamper(logged, "UPDATE change_log SET seq = -1 WHERE seq = ?", first.seq)
    _tamper(logged, "UPDATE change_log SET seq = ? WHERE seq = ?", first.seq, second.seq)
    _tamper(logged, "UPDATE change_log SET seq = ? WHERE seq = -1", second.seq)
    broken = _verify(logged).broken
    assert broken is not None and broken.seq == first.seq


def test_an_appended_forged_entry_is_named(logged: Archive) -> None:
    last = _entries(logged)[-1]
    forged = "0" * 64
    row = (
        "f" * 32,
        "2026-11-30 08:00:00.000000",
        "管理员",
        "删除",
        "户",
        "x",
        None,
        None,
        "",
        "",
        "",
        "",
        None,
        last.seq + 1,
        forged,
    )
    insert = (
        "INSERT INTO change_log (id, at, operator, action, entity, record_id, household_id, village_id,"
        " field, old_value, new_value, note, version, seq, chain) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    )
    _tamper(logged, insert, *row)
    broken = _verify(logged).broken
    assert broken is not None and broken.seq == last.seq + 1 and "链尾之后" in broken.reason
    # Moving the head along too does not help without the secret.
    _tamper(logged, "UPDATE audit_head SET last_seq = ?, last_chain = ?", last.seq + 1, forged)
    broken = _verify(logged).broken
    assert broken is not None and broken.seq == last.seq + 1 and "校验值" in broken.reason


def test_an_entry_written_around_the_program_is_named(logged: Archive) -> None:
    insert = (
        "INSERT INTO change_log (id, at, operator, action, entity, record_id, field, old_value, new_value,"
        " note) VALUES ('e', '2026-11-30 08:00:00', '管理员', '删除', '户', 'x', '', '', '', '')"
    )
    _tamper(logged, insert)
    broken = _verify(logged).broken
    assert broken is not None and "没有编入" in broken.reason


def test_a_chain_rewritten_with_a_guessed_secret_is_detected(logged: Archive) -> None:
    entries = _entries(logged)
    target = entries[1]
    values = {name: getattr(target, name) for name in audit_chain.FIELDS} | {"note": "改过"}
    wrong = audit_chain.link(b"\0" * 32, entries[0].chain or "", target.seq or 0, values)
    _tamper(logged, "UPDATE change_log SET note = '改过', chain = ? WHERE seq = ?", wrong, target.seq)
    assert _verify(logged).broken.seq == target.seq  # type: ignore[union-attr]


def test_an_entry_logged_before_its_record_changes_is_chained_at_commit(archive: Archive) -> None:
    household = _household(archive)
    with archive.db.transaction() as session:
        ChangeRecorder(session, archive.actor).log(
            "状态", "户", household, household_id=household, note="先记"
        )
        session.flush()
    assert _verify(archive).broken is None
    assert _entries(archive)[-1].note == "先记"


def test_imported_rows_join_the_chain(archive: Archive, tmp_path: Path) -> None:
    from zhuji_archive.storage import import_queries

    with archive.db.transaction() as session:
        rows = [
            {
                "id": f"{i:032x}",
                "at": None,
                "operator": "导入",
                "action": "新增",
                "entity": "户",
                "record_id": "r",
                "household_id": None,
                "village_id": None,
                "field": "",
                "old_value": "",
                "new_value": "",
                "note": "",
            }
            for i in range(3)
        ]
        import_queries.insert_rows(session, ChangeLog, rows)
    entries = _entries(archive)
    assert [e.seq for e in entries][-3:] == [len(entries) - 2, len(entries) - 1, len(entries)]
    assert _verify(archive).broken is None


# ---- two processes writing at once ----------------------------------------------------------------


def _writer(path: str, login: str, name: str, rounds: int, start: Any) -> None:
    archive = access.unlock(path, login, PASSWORD)
    start.wait(timeout=60)
    try:
        for index in range(rounds):
            with archive.db.transaction() as session:
                recorder = ChangeRecorder(session, archive.actor)
                for part in range(3):
                    recorder.log("修改", "户", f"r{index}", note=f"{name}{index}-{part}")
            # A short pause between transactions, as between two saves: without it one process can run
            # all its rounds before the other has woken from the barrier, and nothing interleaves.
            time.sleep(0.01)
    finally:
        archive.close()


def test_two_processes_writing_at_once_keep_one_chain(archive: Archive) -> None:
    # Each process logs in as its own account (two logins of one account at once race on its
    # last-login time, which is not what this test is about).
    logins = {name: ensure_account(archive, name) for name in ("写入甲", "写入乙")}
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    processes = [
        context.Process(target=_writer, args=(str(where(archive.db)), logins[name], name, 40, start))
        for name in ("写入甲", "写入乙")
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    entries = _entries(archive)
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    writers = [e.note[:3] for e in entries if e.note.startswith("写入")]
    assert writers.count("写入甲") == writers.count("写入乙") == 120
    # The writers' transactions really interleaved (else the test shows nothing about the lock).
    switches = sum(1 for a, b in zip(writers, writers[1:], strict=False) if a != b)
    assert switches > 2
    verdict = _verify(archive)
    assert verdict.broken is None and verdict.checked == len(entries)


def test_the_upgrade_chains_the_entries_written_before_it_in_their_order(logged: Archive) -> None:
    from alembic import command

    from zhuji_archive.storage.database import alembic_config

    before = [(e.at, e.id) for e in _entries(logged)]
    config = alembic_config()
    with logged.db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")
    with logged.db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    entries = _entries(logged)
    assert [(e.at, e.id) for e in entries] == sorted(before)
    assert [e.seq for e in entries] == list(range(1, len(before) + 1))
    assert _verify(logged).broken is None
    # A write after the upgrade continues the chain.
    with logged.db.transaction() as session:
        ChangeRecorder(session, logged.actor).log("修改", "户", "x", note="升级后")
    assert _entries(logged)[-1].seq == len(before) + 1 and _verify(logged).broken is None
