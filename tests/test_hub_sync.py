"""Sync between a village laptop (an encrypted SQLite file made by ``device join``) and the township
hub (issue 14, docs/sync.md): enrolment, export, apply with its receipt, and the rules that keep
anything from being lost. The hub is a real PostgreSQL database (tests/pg_cluster.py) in every run;
the round trip also runs against a hub on a SQLite file."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pg_cluster
import pytest
from accounts import PASSWORD, admin, ensure_account, migrated_hub, open_archive
from sqlalchemy import func, select

from zhuji_archive.domain.accounts import PermissionDenied, Role, ScopeUnit, UnitKind
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.services import access
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.sync import SyncCancelled, SyncGap, join
from zhuji_archive.storage import keyring
from zhuji_archive.storage.models import AccountScope, ChangeLog, Household, Member, Visit
from zhuji_archive.storage.sync_bundle import SyncFileRefused
from zhuji_archive.storage.sync_models import SyncConflict, SyncDevice, SyncLog
from zhuji_archive.views.household_file import MemberData, VisitData


@dataclass
class Town:
    hub: Archive  # 党政办 at the hub
    laptop: Archive  # the 驻村干部 on the enrolled laptop
    village: str  # 甲村: the laptop's scope
    other_village: str  # 乙村: outside it
    household: str  # in 甲村
    other_household: str  # in 乙村
    device_id: str
    folder: Path
    where: str | Path = ""  # the hub's location (a URL or a file)


def _household(arc: Archive, group: str, head: str, address: str) -> str:
    file = arc.households.new_file(group)
    file.address = address
    file.members = [MemberData(name=head, relation="户主", sex="男", birth_date=date(1960, 1, 1))]
    file.visits = [VisitData(date=date(2026, 1, 5), kind="建档走访", cadres="干部甲", notes="建档")]
    return arc.households.save(file)


def _hub_location(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    if getattr(request, "param", "postgresql") == "sqlite":
        return tmp_path / "hub.sqlite3"
    name = "hub_sync_" + request.node.name.lower()[:30].replace("[", "_").replace("]", "")
    url = migrated_hub(name)
    request.addfinalizer(lambda: pg_cluster.cluster().drop(name))
    return url


def _town(request: pytest.FixtureRequest, tmp_path: Path) -> Town:
    where = _hub_location(request, tmp_path)
    hub = open_archive(where, "党政办小王", Role.OFFICE)
    town = hub.organisation.add_town("安华镇", "诸暨市", "330681")
    village = hub.organisation.add_village(town, "甲村")
    other = hub.organisation.add_village(town, "乙村")
    group = hub.organisation.add_group(village, "一组")
    other_group = hub.organisation.add_group(other, "一组")
    household = _household(hub, group, "甲户主", "甲村1号")
    other_household = _household(hub, other_group, "乙户主", "乙村1号")
    with admin(where) as chief:
        login = ensure_account(chief, "驻村干部小李", Role.CADRE, (village,))
    enrolment = hub.sync.enrol_device("小李的笔记本", login)
    laptop = join(enrolment.data, tmp_path / "laptop" / "档案.sqlite3", PASSWORD, enrolment.code)
    request.addfinalizer(laptop.close)
    request.addfinalizer(hub.close)
    folder = tmp_path / "usb"
    return Town(hub, laptop, village, other, household, other_household, enrolment.device_id, folder, where)


@pytest.fixture
def town(request: pytest.FixtureRequest, tmp_path: Path) -> Town:
    return _town(request, tmp_path)


def _edit(arc: Archive, household_id: str, **fields: object) -> None:
    file = arc.households.load(household_id)
    for name, value in fields.items():
        setattr(file, name, value)
    arc.households.save(file)


def _round(town: Town) -> Path:
    """Export on the laptop, apply at the hub, apply the receipt on the laptop; the receipt's path."""
    sent = town.laptop.sync.export(town.folder)
    result = town.hub.sync.apply(sent)
    town.laptop.sync.apply_receipt(result.receipt_path)
    return result.receipt_path


def _address(arc: Archive, household_id: str) -> str:
    with arc.db.sessions() as session:
        return session.get(Household, household_id).address


def _snapshot(arc: Archive) -> tuple:
    with arc.db.sessions() as session:
        households = session.execute(select(Household.id, Household.address, Household.phone, Household.notes,
                                            Household.version).order_by(Household.id)).all()
        members = session.execute(select(Member.id, Member.name, Member.phone, Member.version).order_by(Member.id)).all()
        visits = session.scalar(select(func.count()).select_from(Visit))
        log = session.scalar(select(func.count()).select_from(SyncLog))
        conflicts = session.scalar(select(func.count()).select_from(SyncConflict))
        changes = session.scalar(select(func.count()).select_from(ChangeLog))
    return households, members, visits, log, conflicts, changes


# ---- enrolment -----------------------------------------------------------------------------------
def test_the_laptop_holds_its_scope_and_only_its_scope(town: Town) -> None:
    laptop = town.laptop
    assert laptop.actor.role is Role.CADRE
    assert laptop.db.key is not None  # an encrypted file
    with laptop.db.sessions() as session:
        held = set(session.scalars(select(Household.id)))
    assert held == {town.household}
    assert laptop.households.load(town.household).members[0].name == "甲户主"
    assert laptop.sync.waiting() == 0


def test_a_wrong_code_or_password_makes_no_archive(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    where = _hub_location(request, tmp_path)
    with open_archive(where, "党政办小王") as hub, admin(where) as chief:
        town = hub.organisation.add_town("安华镇")
        village = hub.organisation.add_village(town, "甲村")
        login = ensure_account(chief, "驻村干部小李", Role.CADRE, (village,))
        enrolment = hub.sync.enrol_device("笔记本", login)
    with pytest.raises(DomainError, match="登记码不对"):
        join(enrolment.data, tmp_path / "a.sqlite3", PASSWORD, "0000-0000-0000-0000")
    with pytest.raises(DomainError, match="密码不对"):
        join(enrolment.data, tmp_path / "a.sqlite3", "Wrong-2026", enrolment.code)
    assert not (tmp_path / "a.sqlite3").exists()


# ---- the round trip ------------------------------------------------------------------------------
@pytest.mark.parametrize("town", ["postgresql", "sqlite"], indirect=True)
def test_round_trip_laptop_to_hub_and_back(town: Town) -> None:
    _edit(town.laptop, town.household, address="甲村2号", phone="13800000001")
    file = town.laptop.households.load(town.household)
    file.members.append(MemberData(name="甲之子", relation="子", sex="男", birth_date=date(1990, 2, 2)))
    file.visits.append(VisitData(date=date(2026, 3, 1), kind="回访", cadres="小李", notes="看望"))
    town.laptop.households.save(file)
    assert town.laptop.sync.waiting() == 3  # the household, a new member, a new visit

    sent = town.laptop.sync.export(town.folder)
    result = town.hub.sync.apply(sent)
    assert (result.applied, result.conflicts, result.acknowledged_to) == (3, 0, 3)
    at_hub = town.hub.households.load(town.household)
    assert (at_hub.address, at_hub.phone) == ("甲村2号", "13800000001")
    assert sorted(m.name for m in at_hub.members) == ["甲之子", "甲户主"]
    assert len(at_hub.visits) == 2
    assert town.hub.household_list.page  # the list columns were refreshed with the merge
    with town.hub.db.sessions() as session:
        h = session.get(Household, town.household)
        assert (h.member_count, h.last_visit_date) == (2, date(2026, 3, 1))
        logged = session.scalars(select(ChangeLog.note).where(ChangeLog.household_id == town.household)).all()
    assert "同步导入" in logged  # the hub's history says where the change came from

    # an edit at the hub reaches the laptop with the receipt of its next file
    _edit(town.hub, town.household, notes="镇里核实")
    receipt = town.hub.sync.apply(town.laptop.sync.export(town.folder)).receipt_path
    town.laptop.sync.apply_receipt(receipt)
    assert town.laptop.households.load(town.household).notes == "镇里核实"
    assert town.laptop.sync.waiting() == 0
    # nothing the hub holds outside the laptop's scope came with it
    with town.laptop.db.sessions() as session:
        assert session.get(Household, town.other_household) is None


def test_a_receipt_from_the_hub_carries_other_hub_edits_in_scope(town: Town) -> None:
    _edit(town.hub, town.household, phone="0575-1234567")
    _edit(town.hub, town.other_household, phone="0575-7654321")
    file = town.hub.households.load(town.household)
    file.members[0].phone = "13700000003"
    file.members.append(MemberData(name="甲之女", relation="女", sex="女", birth_date=date(1992, 3, 3)))
    town.hub.households.save(file)
    _round(town)
    on_laptop = town.laptop.households.load(town.household)
    assert on_laptop.phone == "0575-1234567"
    assert sorted((m.name, m.phone) for m in on_laptop.members) == [("甲之女", ""), ("甲户主", "13700000003")]
    with town.laptop.db.sessions() as session:
        assert session.get(Household, town.household).member_count == 2  # list columns follow
        daughter = session.scalar(select(Member).where(Member.name == "甲之女"))
        assert daughter.given_name == "之女"  # search keys made on the laptop
    with town.laptop.db.sessions() as session:
        assert session.get(Household, town.other_household) is None


# ---- apply: idempotent, gaps held, refusals ------------------------------------------------------
def test_applying_a_file_twice_changes_nothing(town: Town) -> None:
    _edit(town.laptop, town.household, address="甲村3号")
    sent = town.laptop.sync.export(town.folder)
    town.hub.sync.apply(sent)
    before = _snapshot(town.hub)
    again = town.hub.sync.apply(sent)
    assert again.duplicate and again.applied == 0 and again.acknowledged_to == 1
    assert _snapshot(town.hub) == before
    # the receipt applied twice on the laptop changes nothing either
    town.laptop.sync.apply_receipt(again.receipt_path)
    laptop_before = _snapshot(town.laptop)
    town.laptop.sync.apply_receipt(again.receipt_path)
    assert _snapshot(town.laptop) == laptop_before


def test_a_file_after_a_gap_is_refused_until_the_missing_one_is_applied(town: Town) -> None:
    _edit(town.laptop, town.household, address="甲村4号")
    first = town.laptop.sync.export(town.folder / "1")
    # the laptop acknowledges nothing yet; pretend its first file was lost after the laptop moved on
    town.hub.sync.apply(first)
    _edit(town.laptop, town.household, phone="13900000002")
    second = town.laptop.sync.export(town.folder / "2")  # seq 1–2
    # a hub that never saw the first file: a fresh device position
    town.hub.sync.apply(second)  # overlapping file: only the new change applies
    assert town.hub.households.load(town.household).phone == "13900000002"

    _edit(town.laptop, town.household, notes="三")
    town.laptop.sync.apply_receipt(town.hub.sync.apply(town.laptop.sync.export(town.folder / "3")).receipt_path)
    _edit(town.laptop, town.household, notes="四")
    fourth = town.laptop.sync.export(town.folder / "4")  # seq 4
    _edit(town.laptop, town.household, notes="五")
    # a file holding only seq 5 (as if the one with 4 was lost): built by acknowledging 4 locally
    with town.laptop.db.transaction() as session:
        from zhuji_archive.storage.sync_models import SyncIdentity

        session.get(SyncIdentity, 1).acknowledged_seq = 4
    fifth = town.laptop.sync.export(town.folder / "5")
    before = _snapshot(town.hub)
    with pytest.raises(DomainError, match="缺第4号更改"):
        town.hub.sync.apply(fifth)
    assert _snapshot(town.hub) == before
    town.hub.sync.apply(fourth)
    town.hub.sync.apply(fifth)
    assert town.hub.households.load(town.household).notes == "五"


def test_a_tampered_file_is_refused_and_nothing_is_applied(town: Town) -> None:
    _edit(town.laptop, town.household, address="甲村5号")
    sent = town.laptop.sync.export(town.folder)
    data = bytearray(sent.read_bytes())
    data[-100] ^= 0x01
    sent.write_bytes(bytes(data))
    before = _snapshot(town.hub)
    with pytest.raises(SyncFileRefused, match="签名不符"):
        town.hub.sync.apply(sent)
    assert _snapshot(town.hub) == before


def test_a_revoked_device_is_refused_and_keeps_its_unsent_changes(town: Town) -> None:
    _edit(town.laptop, town.household, address="甲村6号")
    town.hub.sync.revoke_device(town.device_id)
    before = _snapshot(town.hub)
    with pytest.raises(SyncFileRefused, match="已停用"):
        town.hub.sync.apply(town.laptop.sync.export(town.folder))
    assert _snapshot(town.hub) == before
    assert town.laptop.sync.waiting() == 1


def test_a_change_outside_the_devices_scope_refuses_the_whole_file(town: Town) -> None:
    _edit(town.laptop, town.household, address="甲村7号")
    # a change of 乙村's household slipped into the laptop's log (the services would never allow it)
    with town.laptop.db.transaction() as session:
        session.add(SyncLog(entity="household", record_id=town.other_household, household_id=town.other_household,
                            village_id=town.other_village, device_id=town.device_id, device_seq=2,
                            base_version=1, kind="修改", values=json.dumps({"notes": "越权"}),
                            base_values=json.dumps({"notes": ""})))
        from zhuji_archive.storage.sync_models import SyncIdentity

        session.get(SyncIdentity, 1).last_seq = 2
    before = _snapshot(town.hub)
    with pytest.raises(PermissionDenied, match="超出"):
        town.hub.sync.apply(town.laptop.sync.export(town.folder))
    assert _snapshot(town.hub) == before
    assert _address(town.hub, town.household) == "甲村1号"


def test_only_the_office_applies_and_a_cadre_cannot_enrol(town: Town) -> None:
    sent = town.laptop.sync.export(town.folder)
    with pytest.raises(PermissionDenied):
        town.laptop.sync.apply(sent)
    with pytest.raises(PermissionDenied):
        town.laptop.sync.enrol_device("又一台", town.laptop.actor.login)
    with pytest.raises(DomainError, match="不是从镇里领取"):
        town.hub.sync.export(town.folder)


# ---- conflicts -----------------------------------------------------------------------------------
def test_the_same_field_on_both_sides_queues_the_overwritten_value(town: Town) -> None:
    _edit(town.hub, town.household, address="镇里改的地址")
    _edit(town.laptop, town.household, address="村里改的地址")
    result = town.hub.sync.apply(town.laptop.sync.export(town.folder))
    assert result.conflicts == 1
    assert _address(town.hub, town.household) == "村里改的地址"  # the later arrival at the hub wins
    with town.hub.db.sessions() as session:
        (conflict,) = session.scalars(select(SyncConflict)).all()
    assert (conflict.field, json.loads(conflict.hub_value), json.loads(conflict.incoming_value)) == (
        "address", "镇里改的地址", "村里改的地址")
    assert conflict.kept == "incoming" and not conflict.decided
    assert conflict.incoming_device == town.device_id and conflict.hub_account == town.hub.actor.account_id
    town.laptop.sync.apply_receipt(result.receipt_path)
    assert _address(town.laptop, town.household) == "村里改的地址"  # laptop and hub agree


def test_different_fields_merge(town: Town) -> None:
    _edit(town.hub, town.household, phone="0575-1111111")
    _edit(town.laptop, town.household, address="甲村8号")
    result = town.hub.sync.apply(town.laptop.sync.export(town.folder))
    assert result.conflicts == 0
    at_hub = town.hub.households.load(town.household)
    assert (at_hub.address, at_hub.phone) == ("甲村8号", "0575-1111111")
    town.laptop.sync.apply_receipt(result.receipt_path)
    on_laptop = town.laptop.households.load(town.household)
    assert (on_laptop.address, on_laptop.phone) == ("甲村8号", "0575-1111111")


def test_a_receipt_never_overwrites_unsent_local_changes(town: Town) -> None:
    sent = town.laptop.sync.export(town.folder)  # nothing yet
    _edit(town.hub, town.household, address="镇里的新地址")
    receipt = town.hub.sync.apply(sent).receipt_path
    _edit(town.laptop, town.household, address="村里的新地址")  # made after the file was sent
    town.laptop.sync.apply_receipt(receipt)
    assert _address(town.laptop, town.household) == "村里的新地址"
    with town.laptop.db.sessions() as session:
        (conflict,) = session.scalars(select(SyncConflict)).all()
    assert json.loads(conflict.hub_value) == "镇里的新地址" and conflict.kept == "local"
    assert town.laptop.sync.waiting() == 1
    _round(town)
    assert _address(town.hub, town.household) == "村里的新地址"


def test_an_id_number_correction_travels_with_birth_date_and_sex(town: Town) -> None:
    from zhuji_archive.domain import idcard

    corrected = idcard.make("330681", date(1960, 1, 1), 17)  # same birth date and sex, another number
    file = town.laptop.households.load(town.household)
    file.members[0].id_number = corrected
    town.laptop.households.save(file)
    with town.laptop.db.sessions() as session:
        (entry,) = session.scalars(select(SyncLog)).all()
    assert set(json.loads(entry.values)) == {"id_number", "birth_date", "sex"}
    result = town.hub.sync.apply(town.laptop.sync.export(town.folder))
    assert (result.applied, result.conflicts) == (1, 0)
    assert town.hub.households.load(town.household).members[0].id_number == corrected


def test_a_household_filed_on_the_laptop_arrives_whole(town: Town) -> None:
    group = town.laptop.households.load(town.household).group_id
    new = _household(town.laptop, group, "新户主", "甲村10号")
    result = town.hub.sync.apply(town.laptop.sync.export(town.folder))
    assert (result.applied, result.conflicts) == (3, 0)  # the household, its head, its first visit
    at_hub = town.hub.households.load(new)
    assert (at_hub.address, [m.name for m in at_hub.members], len(at_hub.visits)) == ("甲村10号", ["新户主"], 1)
    with town.hub.db.sessions() as session:
        assert session.get(Household, new).head_name == "新户主"


def test_visits_from_both_sides_are_united(town: Town) -> None:
    hub_file = town.hub.households.load(town.household)
    hub_file.visits.append(VisitData(date=date(2026, 2, 1), kind="回访", cadres="镇干部", notes="镇里走访"))
    town.hub.households.save(hub_file)
    laptop_file = town.laptop.households.load(town.household)
    laptop_file.visits.append(VisitData(date=date(2026, 2, 2), kind="回访", cadres="小李", notes="村里走访"))
    town.laptop.households.save(laptop_file)
    town.laptop.maintenance.record_visit(town.household, date(2026, 2, 3), "回访", "小李", "回访记录")
    _round(town)
    for arc in (town.hub, town.laptop):
        notes = sorted(v.notes for v in arc.households.load(town.household).visits)
        assert notes == sorted(["村里走访", "建档", "镇里走访", "回访记录"])


# ---- the commands --------------------------------------------------------------------------------
def test_the_commands_carry_a_change_from_laptop_to_hub_and_back(
    request: pytest.FixtureRequest, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    from zhuji_archive.cli import main

    def run(*argv: str, stdin: tuple[str, ...] = ()) -> tuple[int, str, str]:
        stream = io.StringIO("".join(line + "\n" for line in stdin))
        stream.isatty = lambda: False  # type: ignore[method-assign]
        monkeypatch.setattr("sys.stdin", stream)
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    where = str(_hub_location(request, tmp_path))
    with open_archive(where, "党政办小王") as hub, admin(where) as chief:
        office = hub.actor.login
        town = hub.organisation.add_town("安华镇")
        village = hub.organisation.add_village(town, "甲村")
        household = _household(hub, hub.organisation.add_group(village, "一组"), "甲户主", "甲村1号")
        cadre = ensure_account(chief, "驻村干部小李", Role.CADRE, (village,))
    enrolment, laptop = tmp_path / "usb" / "登记.zjenrol", tmp_path / "laptop.sqlite3"
    code, out, err = run("device", "enrol", "--db", where, "--user", office, "--password-stdin",
                         "--name", "甲村笔记本", "--account", cadre, "--out", str(enrolment), stdin=(PASSWORD,))
    assert code == 0, err
    one_time = out.strip()
    code, _out, err = run("device", "join", str(enrolment), "--db", str(laptop), "--password-stdin",
                          stdin=(PASSWORD, one_time))
    assert code == 0, err
    with access.unlock(laptop, cadre, PASSWORD) as arc:
        _edit(arc, household, address="甲村9号")
    code, out, err = run("sync", "export", "--db", str(laptop), "--user", cadre, "--password-stdin",
                         "--to", str(tmp_path / "usb"), stdin=(PASSWORD,))
    assert code == 0, err
    sent = Path(out.strip())
    code, out, err = run("sync", "apply", str(sent), "--db", where, "--user", office, "--password-stdin",
                         stdin=(PASSWORD,))
    assert code == 0, err
    assert "已导入1条更改" in err
    receipt = Path(out.strip())
    assert receipt.exists()
    code, out, err = run("sync", "apply", str(receipt), "--db", str(laptop), "--user", cadre, "--password-stdin",
                         stdin=(PASSWORD,))
    assert code == 0, err
    assert "镇里已确认到第1号" in err
    code, out, err = run("sync", "apply", str(sent), "--db", where, "--user", office, "--password-stdin",
                         stdin=(PASSWORD,))
    assert code == 0 and "已经导入过" in err
    with access.unlock(where, office, PASSWORD) as arc:
        assert _address(arc, household) == "甲村9号"
        _edit(arc, household, phone="13700000007")  # e.g. after the meeting: a receipt without a file
    code, out, err = run("sync", "receipt", "--db", where, "--user", office, "--password-stdin",
                         "--device", "甲村笔记本", "--to", str(tmp_path / "usb2"), stdin=(PASSWORD,))
    assert code == 0, err
    code, out, err = run("sync", "apply", out.strip(), "--db", str(laptop), "--user", cadre, "--password-stdin",
                         stdin=(PASSWORD,))
    assert code == 0, err
    with access.unlock(laptop, cadre, PASSWORD) as arc:
        assert arc.households.load(household).phone == "13700000007"
    code, out, err = run("sync", "receipt", "--db", where, "--user", office, "--password-stdin",
                         "--device", "没有这台", stdin=(PASSWORD,))
    assert code == 2 and "没有名为" in err
    # a wrong code: refused in Chinese, no file made
    code, _out, err = run("device", "join", str(enrolment), "--db", str(tmp_path / "b.sqlite3"), "--password-stdin",
                          stdin=(PASSWORD, "1111-1111-1111-1111"))
    assert code != 0 and "登记码不对" in err and not (tmp_path / "b.sqlite3").exists()


def test_a_person_filed_in_two_households_refuses_the_file_whole(town: Town) -> None:
    from zhuji_archive.domain import idcard

    person = idcard.make("330681", date(1980, 5, 6), 13)
    at_hub = town.hub.households.load(town.other_household)
    at_hub.members.append(MemberData(name="某人", relation="子", id_number=person))
    town.hub.households.save(at_hub)
    _edit(town.laptop, town.household, notes="同一文件里的另一处修改")
    on_laptop = town.laptop.households.load(town.household)
    on_laptop.members.append(MemberData(name="某人", relation="子", id_number=person))
    town.laptop.households.save(on_laptop)  # the laptop cannot see 乙村
    before = _snapshot(town.hub)
    with pytest.raises(DomainError, match="已在另一户在册，整份未导入"):
        town.hub.sync.apply(town.laptop.sync.export(town.folder))
    assert _snapshot(town.hub) == before
    assert town.laptop.sync.waiting() == 2  # the notes and the new member, kept on the laptop


def test_a_cadre_joins_from_a_demo_hub_with_only_the_cadres_it_needs(tmp_path: Path, monkeypatch) -> None:
    """The demo town's cadres work in villages, and the hub's households name cadres of other villages as
    responsible: the enrolment carried every cadre, with villages the laptop does not hold, and joining
    failed on the foreign key (found by running the round trip by hand). A join that fails midway
    leaves nothing behind, so it can simply be tried again."""
    from zhuji_archive.services import demo_accounts
    from zhuji_archive.storage import sync_queries
    from zhuji_archive.storage.models import Cadre, Village

    url = migrated_hub("hub_sync_demo_join")
    _summary, accounts = demo_accounts.create_demo(url, households=60, seed=3, today=date(2026, 11, 2))
    cadre = next(a.login for a in accounts if a.role == Role.CADRE.label)
    with access.unlock(url, "dangzhengban", demo_accounts.DEMO_PASSWORD) as office:
        enrolment = office.sync.enrol_device("驻村干部的笔记本", cadre)
    target = tmp_path / "laptop" / "档案.sqlite3"

    def broken(*_args, **_kwargs):
        raise OSError("the disk went away")

    with monkeypatch.context() as failing:
        failing.setattr(sync_queries, "load_rows", broken)
        with pytest.raises(OSError):
            join(enrolment.data, target, demo_accounts.DEMO_PASSWORD, enrolment.code)
    assert not list(target.parent.iterdir())  # no half-made archive, no keyring

    with join(enrolment.data, target, demo_accounts.DEMO_PASSWORD, enrolment.code) as laptop:
        with laptop.db.sessions() as session:
            held = set(session.scalars(select(Village.id)))
            cadres = list(session.scalars(select(Cadre)))
            responsible = set(session.scalars(select(Household.responsible_cadre_id)))
        assert all(c.village_id is None or c.village_id in held for c in cadres)
        assert responsible - {None} <= {c.id for c in cadres}
    with access.unlock(url, "dangzhengban", demo_accounts.DEMO_PASSWORD) as office, office.db.sessions() as session:
        assert len(cadres) < session.scalar(select(func.count()).select_from(Cadre))  # not every cadre of the town


def test_a_join_never_touches_a_stray_key_file_beside_the_target(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    where = _hub_location(request, tmp_path)
    with open_archive(where, "党政办小王") as hub, admin(where) as chief:
        village = hub.organisation.add_village(hub.organisation.add_town("安华镇"), "甲村")
        login = ensure_account(chief, "驻村干部小李", Role.CADRE, (village,))
        enrolment = hub.sync.enrol_device("笔记本", login)
    target = tmp_path / "a.sqlite3"
    stray = keyring.keyring_path(target)
    stray.write_bytes(b"another archive's keys")
    with pytest.raises(DomainError, match="密钥、日志文件"):
        join(enrolment.data, target, PASSWORD, enrolment.code)
    assert stray.read_bytes() == b"another archive's keys" and not target.exists()


def _cancel_on_call(n: int):  # type: ignore[no-untyped-def]
    """A cancelled() that says yes on its n-th call: after some of the file was merged."""
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) >= n

    return cancelled


def test_a_cancelled_apply_leaves_nothing_and_the_next_one_completes(town: Town) -> None:
    for n in range(260):  # more than one progress step (200 changes)
        town.laptop.maintenance.record_visit(town.household, date(2026, 1, 6), "回访", "干部甲", f"第{n}次回访")
    sent = town.laptop.sync.export(town.folder)
    before, seen = _snapshot(town.hub), []
    with pytest.raises(SyncCancelled):
        town.hub.sync.apply(sent, progress=lambda done, total: seen.append((done, total)),
                            cancelled=_cancel_on_call(2))
    assert seen == [(0, 260)]  # 200 changes were merged in the transaction when it stopped
    assert _snapshot(town.hub) == before
    result = town.hub.sync.apply(sent)
    assert result.applied == 260 and _snapshot(town.hub)[2] == before[2] + 260

    # the same on the laptop: a receipt of the hub's 260 visits taken, cancelled midway, taken again
    for n in range(260):
        town.hub.maintenance.record_visit(town.household, date(2026, 1, 7), "回访", "干部乙", f"镇里第{n}次")
    receipt = town.hub.sync.apply(town.laptop.sync.export(town.folder)).receipt_path
    before = _snapshot(town.laptop)
    with pytest.raises(SyncCancelled):
        town.laptop.sync.apply_receipt(receipt, cancelled=_cancel_on_call(2))
    assert _snapshot(town.laptop) == before
    assert town.laptop.sync.apply_receipt(receipt).applied == 260


def test_the_accounts_name_role_and_scope_follow_the_hub(town: Town) -> None:
    account_id = town.laptop.actor.account_id
    with admin(town.where) as chief:
        chief.accounts.update(account_id, "李晓明", Role.CADRE,
                              [ScopeUnit(UnitKind.VILLAGE, town.village), ScopeUnit(UnitKind.VILLAGE, town.other_village)])
    result = town.laptop.sync.apply_receipt(town.hub.sync.apply(town.laptop.sync.export(town.folder)).receipt_path)
    assert result.applied == 1
    again = access.actor_of(town.laptop.db, town.laptop.actor.login)
    assert again.display_name == "李晓明"
    with town.laptop.db.sessions() as session:
        units = set(session.execute(select(AccountScope.unit_id).where(AccountScope.account_id == account_id)).scalars())
    assert units == {town.village, town.other_village}  # 乙村's files come with a new enrolment
    with town.laptop.db.sessions() as session:
        notes = set(session.scalars(select(ChangeLog.field).where(ChangeLog.note == "镇里修改了账号")))
    assert notes == {"姓名", "负责范围"}
    # the password stays the one the laptop was joined with
    laptop_file = town.folder.parent / "laptop" / "档案.sqlite3"
    access.unlock(laptop_file, town.laptop.actor.login, PASSWORD).close()


def test_economic_types_and_focus_tags_travel_both_ways(town: Town) -> None:
    _edit(town.laptop, town.household, economic_types=["种养殖"], focus_tags=["低保户", "独居老人"])
    _round(town)
    at_hub = town.hub.households.load(town.household)
    assert (at_hub.economic_types, at_hub.focus_tags) == (["种养殖"], ["低保户", "独居老人"])
    with town.hub.db.sessions() as session:  # the list column follows the codes
        assert session.get(Household, town.household).focus_tags.count("独居老人") == 1
    _edit(town.hub, town.household, focus_tags=["低保户"])
    _round(town)
    on_laptop = town.laptop.households.load(town.household)
    assert (on_laptop.economic_types, on_laptop.focus_tags) == (["种养殖"], ["低保户"])


def test_codes_changed_on_both_sides_keep_both_values(town: Town) -> None:
    _edit(town.laptop, town.household, focus_tags=["独居老人"])
    _edit(town.hub, town.household, focus_tags=["残疾人"])
    result = town.hub.sync.apply(town.laptop.sync.export(town.folder))
    assert result.conflicts == 1
    assert town.hub.households.load(town.household).focus_tags == ["独居老人"]  # the later arrival
    (row,) = town.hub.sync.conflicts()
    assert (row.field, row.hub_value, row.other_value) == ("经济类型和重点关注", "残疾人", "独居老人")


def test_a_hub_restored_from_a_backup_takes_a_complete_file(town: Town) -> None:
    _edit(town.laptop, town.household, address="甲村8号")
    _round(town)
    with town.hub.db.transaction() as session:  # the hub as restored from a backup before that file
        session.get(SyncDevice, town.device_id).applied_seq = 0
    _edit(town.laptop, town.household, notes="恢复后")
    before = _snapshot(town.hub)
    with pytest.raises(SyncGap, match="生成完整同步文件"):
        town.hub.sync.apply(town.laptop.sync.export(town.folder))
    assert _snapshot(town.hub) == before
    complete = town.laptop.sync.export(town.folder / "完整", complete=True)
    result = town.hub.sync.apply(complete)
    assert (result.acknowledged_to, result.conflicts) == (2, 0)
    town.laptop.sync.apply_receipt(result.receipt_path)
    assert town.laptop.sync.waiting() == 0
    assert (_address(town.hub, town.household), town.hub.households.load(town.household).notes) == ("甲村8号", "恢复后")


def test_two_households_filed_offline_in_one_group_get_distinct_numbers(town: Town) -> None:
    with town.hub.db.sessions() as session:
        group = session.get(Household, town.household).group_id
    at_hub = _household(town.hub, group, "镇里新户主", "甲村20号")
    on_laptop = _household(town.laptop, group, "村里新户主", "甲村21号")
    number = town.hub.households.load(at_hub).number
    assert town.laptop.households.load(on_laptop).number == number  # both took the group's next
    _round(town)
    renumbered = town.hub.households.load(on_laptop).number
    assert renumbered != number and town.hub.households.load(at_hub).number == number
    assert town.laptop.households.load(on_laptop).number == renumbered  # the receipt brought it back


def test_a_laptop_restored_from_an_old_backup_loses_none_of_its_new_changes(town: Town) -> None:
    laptop_file = town.folder.parent / "laptop" / "档案.sqlite3"
    backup = town.folder.parent / "backup"
    backup.mkdir()
    town.laptop.close()
    for path in (laptop_file, keyring.keyring_path(laptop_file)):
        shutil.copyfile(path, backup / path.name)
    laptop = access.unlock(laptop_file, town.laptop.actor.login, PASSWORD)
    _edit(laptop, town.household, address="甲村5号")
    laptop.maintenance.record_visit(town.household, date(2026, 1, 8), "回访", "干部甲", "恢复前的回访")
    town.laptop = laptop
    _round(town)  # the hub applied the laptop's 1–2
    laptop.close()
    for name in (laptop_file.name, keyring.keyring_path(laptop_file).name):  # the disk failed: the old backup back
        shutil.copyfile(backup / name, laptop_file.parent / name)
    town.laptop = laptop = access.unlock(laptop_file, laptop.actor.login, PASSWORD)
    _edit(laptop, town.household, phone="13600000006")  # numbered 1 again on the restored laptop

    result = town.hub.sync.apply(laptop.sync.export(town.folder / "after"))
    assert result.renumber_after == 2 and "从备份恢复过" in result.summary()
    assert town.hub.households.load(town.household).phone != "13600000006"  # not taken for the old 1
    taken = laptop.sync.apply_receipt(result.receipt_path)
    assert taken.renumbered == 1 and laptop.sync.waiting() == 1
    _round(town)
    assert town.hub.households.load(town.household).phone == "13600000006"
    assert _address(town.hub, town.household) == _address(laptop, town.household) == "甲村5号"
    notes = [v.notes for v in laptop.households.load(town.household).visits]
    assert "恢复前的回访" in notes  # what the backup lacked came back from the hub
    assert laptop.sync.waiting() == 0
    laptop.close()
