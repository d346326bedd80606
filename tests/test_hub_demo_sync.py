"""The sync demo (issue 14): ``zhuji-archive demo --sync 文件夹`` builds a hub from the demo town and two
enrolled laptops of different villages, edits on both sides and runs one sync round through sync files.
The archives are read afterwards: both laptops' edits and visits are at the hub, the hub's edit reached
laptop A (its village) and not laptop B. The hub is a file in the folder, or (``--hub``) a PostgreSQL
database, the throwaway server of tests/pg_cluster.py."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pg_cluster
import pytest
from accounts import migrated_hub
from sqlalchemy import select

from zhuji_archive.cli import main
from zhuji_archive.domain.workflow import Status
from zhuji_archive.services import access, demo_accounts, demo_sync
from zhuji_archive.storage.models import Household, Visit

HOUSEHOLDS = 60
PASSWORD = demo_accounts.DEMO_PASSWORD


def _notes(location: Path | str, login: str) -> dict[str, tuple[str, str]]:
    """The households whose 备注 the demo wrote, as the account sees them: id -> (备注, 电话)."""
    with access.unlock(location, login, PASSWORD) as arc, arc.db.sessions() as session:
        rows = session.execute(
            select(Household.id, Household.notes, Household.phone).where(Household.notes.like("演示同步%"))
        ).all()
    return {row.id: (row.notes, row.phone) for row in rows}


def _visits(location: Path | str, login: str) -> set[str]:
    with access.unlock(location, login, PASSWORD) as arc, arc.db.sessions() as session:
        return set(session.scalars(select(Visit.id).where(Visit.notes == demo_sync.VISIT_NOTE)))


def _run_and_check(folder: Path, hub: Path | str, capsys: pytest.CaptureFixture[str], *more: str) -> str:
    assert main(["demo", "--sync", str(folder), "--households", str(HOUSEHOLDS), *more]) == 0
    out = capsys.readouterr().out
    laptop_a, laptop_b = sorted(folder.glob("笔记本[AB]-*.sqlite3"))
    assert laptop_a.name.startswith("笔记本A-") and laptop_b.name.startswith("笔记本B-")
    logins = {}
    for path in (laptop_a, laptop_b):
        assert str(path) in out
        (enrolment,) = (folder / demo_sync.ENROL_FOLDER).glob(f"{path.name[:4]}-*.zjenrol")
        logins[path] = enrolment.stem.split("-", 1)[1]
        assert f"{path.name[:4]}：{logins[path]}（" in out
        with access.unlock(path, logins[path], PASSWORD) as arc:
            status = arc.sync.status()
            # edit + visit on both; A also a request recorded, sorted and reported: all taken
            expected = 5 if path == laptop_a else 2
            assert (status.role, status.waiting, status.acknowledged) == ("laptop", 0, expected)
    assert f"密码都是 {PASSWORD}" in out and "dangzhengban" in out and "同步”页" in out
    assert str(folder / demo_sync.USB_FOLDER) in out
    assert len(list((folder / demo_sync.USB_FOLDER).glob("*.zjsync"))) == 2
    assert len(list((folder / demo_sync.USB_FOLDER).glob("*.zjreceipt"))) == 2

    at_hub = _notes(hub, demo_sync.OFFICE_LOGIN)
    on_a = _notes(laptop_a, logins[laptop_a])
    on_b = _notes(laptop_b, logins[laptop_b])
    hub_edit = [h for h, (notes, _) in at_hub.items() if notes == demo_sync.HUB_NOTE]
    assert len(hub_edit) == 1 and len(at_hub) == 3
    # Each laptop's household edit is at the hub, as the laptop has it.
    for mine in (on_a, on_b):
        (edited,) = [h for h, (notes, _) in mine.items() if notes != demo_sync.HUB_NOTE]
        assert at_hub[edited] == mine[edited] and mine[edited][1].startswith("1380000000")
    # The hub's edit of a household in A's village reached A with the receipt, and not B.
    assert on_a[hub_edit[0]] == at_hub[hub_edit[0]]
    assert hub_edit[0] not in on_b and len(on_b) == 1
    # Both new visits travelled to the hub; B never holds A's.
    hub_visits = _visits(hub, demo_sync.OFFICE_LOGIN)
    visit_a, visit_b = _visits(laptop_a, logins[laptop_a]), _visits(laptop_b, logins[laptop_b])
    assert len(visit_a) == len(visit_b) == 1 and hub_visits == visit_a | visit_b
    # A's request waits for the township's meeting at the hub, with the number printed.
    with access.unlock(hub, demo_sync.OFFICE_LOGIN, PASSWORD) as office:
        (waiting,) = [r for r in office.requests.list() if r.description == demo_sync.REQUEST_TEXT]
        assert waiting.status == Status.AWAITING_MEETING and waiting.number in out
    # The third enrolment is left for 从镇里领取档案 in the window: its code is printed beside its file.
    (spare,) = (folder / demo_sync.ENROL_FOLDER).glob("笔记本C-*.zjenrol")
    assert str(spare) in out and not list(folder.glob("笔记本C-*.sqlite3"))
    return out


def test_the_demo_round_on_a_hub_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "演示同步"
    _run_and_check(folder, folder / demo_sync.HUB_FILE, capsys)


def test_the_demo_round_on_a_postgresql_hub(
    request: pytest.FixtureRequest, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "hub_demo_sync"
    url = migrated_hub(name)
    request.addfinalizer(lambda: pg_cluster.cluster().drop(name))
    folder = tmp_path / "演示同步"
    out = _run_and_check(folder, url, capsys, "--hub", url)
    assert not (folder / demo_sync.HUB_FILE).exists()
    assert access.shown(url) in out
    secret = urlsplit(url).password
    assert not secret or secret not in out


def test_the_demo_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "演示同步"
    folder.mkdir()
    (folder / "别的文件.txt").write_text("留着", encoding="utf-8")
    assert main(["demo", "--sync", str(folder), "--households", str(HOUSEHOLDS)]) == 2
    assert "已有文件" in capsys.readouterr().err
    assert [p.name for p in folder.iterdir()] == ["别的文件.txt"]
    assert main(["demo", "--sync", str(tmp_path / "新"), "--db", str(tmp_path / "x.sqlite3")]) == 2
    assert main(["demo", "--db", str(tmp_path / "x.sqlite3"), "--hub", "postgresql://u@h/db"]) == 2
    assert not (tmp_path / "新").exists() and not (tmp_path / "x.sqlite3").exists()
