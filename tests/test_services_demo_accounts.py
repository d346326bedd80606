"""The demo archive's accounts: one of each role, each logs in with Demo-2026 and covers what its person
covers in the demo; the archive is marked as the demo, inside and beside the file."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from accounts import open_archive
from conftest import DEMO_DAY
from sqlalchemy import select

from zhuji_archive.cli import main
from zhuji_archive.domain.accounts import LOGIN_PATTERN, Role
from zhuji_archive.services import access, demo_accounts
from zhuji_archive.storage.models import Cadre, Request, Village

HOUSEHOLDS = 600  # the default demo: its 镇领导 leads some 包案 cases


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[demo_accounts.DemoAccount]]:
    path = tmp_path_factory.mktemp("demo-accounts") / "demo.sqlite3"
    _summary, accounts = demo_accounts.create_demo(path, households=HOUSEHOLDS, seed=2008, today=DEMO_DAY)
    return path, accounts


def test_every_role_has_an_account_and_every_demo_password_opens_without_a_change(demo_file) -> None:
    path, accounts = demo_file
    roles = Counter(account.role for account in accounts)
    assert set(roles) == {role.label for role in Role}
    assert roles[Role.ADMIN.label] == roles[Role.OFFICE.label] == roles[Role.LEADER.label] == 1
    assert roles[Role.READER.label] == 1
    assert len({a.login for a in accounts}) == len(accounts)
    for account in accounts:
        assert LOGIN_PATTERN.fullmatch(account.login), account.login
        with access.unlock(path, account.login, demo_accounts.DEMO_PASSWORD, DEMO_DAY) as archive:
            assert archive.actor.display_name == account.name
            assert archive.actor.role.label == account.role
            assert not archive.accounts.must_change_password()
    assert accounts[0].login == "admin" and accounts[0].role == Role.ADMIN.label


def test_cadre_and_village_accounts_cover_what_their_people_cover(demo_file) -> None:
    path, accounts = demo_file
    with access.unlock(path, "dangzhengban", demo_accounts.DEMO_PASSWORD, DEMO_DAY) as office:
        with office.db.sessions() as session:
            stations = session.execute(
                select(Cadre.name, Cadre.village_id).where(Cadre.kind == "驻村干部")
            ).all()
            villages = dict(session.execute(select(Village.id, Village.name)).all())
            leaders = Counter(
                session.scalars(
                    select(Request.leader).where(Request.leader != "", Request.deleted.is_(False))
                )
            )
    cadres = [a for a in accounts if a.role == Role.CADRE.label]
    assert len(cadres) == len(stations)
    covered = set()
    for account in cadres:
        assert account.login.startswith("zhucun.")
        with access.unlock(path, account.login, demo_accounts.DEMO_PASSWORD, DEMO_DAY) as archive:
            assert archive.actor.villages is not None and len(archive.actor.villages) == 1
            (village_id,) = archive.actor.villages
            assert (account.name, village_id) in stations
            covered.add(village_id)
    assert covered == set(villages), "each demo cadre's account covers the village he is stationed in"
    village_accounts = [a for a in accounts if a.role == Role.VILLAGE.label]
    assert sorted(a.scope for a in village_accounts) == sorted(villages.values())
    assert all(a.login.startswith("cun.") for a in village_accounts)
    (leader,) = [a for a in accounts if a.role == Role.LEADER.label]
    assert leader.login == "lingdao"
    assert leaders[leader.name] == max(leaders.values()) > 0, "the leader account leads demo 包案 cases"


@pytest.mark.file_archive  # the marker beside the file; a hub has no file (test_hub_cli.py: demo on a hub)
def test_the_archive_is_marked_as_the_demo_inside_and_beside_the_file(demo_file, tmp_path: Path) -> None:
    path, accounts = demo_file
    offered = demo_accounts.offered_accounts(path)
    assert offered == accounts
    with access.unlock(path, "admin", demo_accounts.DEMO_PASSWORD, DEMO_DAY) as chief:
        assert chief.settings.demo_accounts() == [
            {"login": a.login, "name": a.name, "role": a.role, "scope": a.scope} for a in accounts
        ]
    marker = demo_accounts.marker_path(path).read_text(encoding="utf-8")
    assert demo_accounts.DEMO_PASSWORD not in marker
    assert json.loads(marker)["demo_accounts"][0]["login"] == "admin"
    assert demo_accounts.marker_path(path).stat().st_mode & 0o077 == 0
    # A real archive offers nothing, and neither does a marker beside a file that is no archive.
    real = tmp_path / "real.sqlite3"
    open_archive(real).close()
    assert demo_accounts.offered_accounts(real) == []
    with access.unlock(real, "admin", "Chief-2026") as chief:
        assert chief.settings.demo_accounts() == []
    stray = tmp_path / "stray.sqlite3"
    stray.write_text("x", encoding="utf-8")
    demo_accounts.marker_path(stray).write_text(marker, encoding="utf-8")
    assert demo_accounts.offered_accounts(stray) == []


def test_the_demo_command_lists_the_accounts_and_their_password(tmp_path: Path, capsys) -> None:
    path = tmp_path / "演示.sqlite3"
    assert main(["demo", "--households", "40", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "密码都是 Demo-2026" in out
    assert "  admin\t系统管理员\t系统管理员\t（不办理档案）" in out
    assert "\tdangzhengban\t" not in out and "  dangzhengban\t" in out
    assert access.state(path) is access.ArchiveState.LOCKED
    listed = demo_accounts.offered_accounts(path)
    # --force makes it again: a new keyring and marker, never the old ones beside the new file.
    old_keys = (path.with_name(path.name + ".keys")).read_bytes()
    assert main(["demo", "--households", "40", "--seed", "9", "--db", str(path), "--force"]) == 0
    assert path.with_name(path.name + ".keys").read_bytes() != old_keys
    assert demo_accounts.offered_accounts(path) != listed
    access.unlock(path, "dangzhengban", demo_accounts.DEMO_PASSWORD).close()


def test_the_readme_lists_the_default_demo_accounts(demo_file) -> None:
    """The README's table is the default demo's (600 households, seed 2008): names do not depend on the day."""
    _path, accounts = demo_file
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- demo-accounts")[1].split("<!-- /demo-accounts -->")[0]
    rows = [
        [cell.strip().strip("`") for cell in line.strip("|").split("|")]
        for line in table.splitlines()
        if line.startswith("| `")
    ]
    assert rows == [[a.login, a.name, a.role, a.scope] for a in accounts]
    assert f"密码都是 `{demo_accounts.DEMO_PASSWORD}`" in readme
