"""Getting into a hub (an archive on a PostgreSQL server): no file and no keyring, so the first
administrator, logins, their delays and the failed attempts live in the database itself.

Always against the real server of tests/pg_cluster.py, whichever backend the rest of the run uses."""

from __future__ import annotations

from datetime import timedelta

import pg_cluster
import pytest
from accounts import PASSWORD, migrated_hub
from sqlalchemy import select

from zhuji_archive.domain.accounts import Role, ScopeUnit, UnitKind
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.services import access
from zhuji_archive.services.backups import HUB_BACKUPS
from zhuji_archive.storage import keyring, login_failures
from zhuji_archive.storage.database import DatabaseError
from zhuji_archive.storage.models import ChangeLog

CHIEF, CHIEF_PASSWORD = "zhen", "Hub-Admin-2026"


@pytest.fixture
def hub_url(request: pytest.FixtureRequest) -> str:
    server = pg_cluster.cluster()
    name = "hub_" + request.node.name.lower()[:40].replace("[", "_").replace("]", "")
    url = migrated_hub(name)
    yield url
    server.drop(name)


def _events(archive, action: str) -> list[ChangeLog]:
    with archive.db.sessions() as session:
        return list(session.scalars(select(ChangeLog).where(ChangeLog.action == action).order_by(ChangeLog.seq)))


def test_an_empty_database_is_a_new_hub_until_its_administrator_exists() -> None:
    server = pg_cluster.cluster()
    hub_url = server.create("hub_empty")  # not even the schema yet
    assert access.state(hub_url) is access.ArchiveState.NEW
    with access.create(hub_url, CHIEF, "镇管理员", CHIEF_PASSWORD) as chief:
        assert chief.actor.role is Role.ADMIN
        assert chief.db.path is None and chief.db.key is None
    assert access.state(hub_url) is access.ArchiveState.LOCKED
    with pytest.raises(DomainError, match="已经建立了账号"):
        access.create(hub_url, "second", "又一个", CHIEF_PASSWORD)
    server.drop("hub_empty")


def test_accounts_log_in_with_their_password_hash_and_a_changed_password_takes_effect(hub_url: str) -> None:
    with access.create(hub_url, CHIEF, "镇管理员", CHIEF_PASSWORD) as chief:
        account_id = chief.accounts.create("banshi", "党政办小王", Role.OFFICE, [], "First-2026")
    with access.unlock(hub_url, "banshi", "First-2026") as office:
        assert office.actor.display_name == "党政办小王"
        office.accounts.change_own_password("First-2026", "Second-2026")
    with pytest.raises(access.LoginRefused):
        access.unlock(hub_url, "banshi", "First-2026")
    access.unlock(hub_url, "banshi", "Second-2026").close()
    with access.unlock(hub_url, CHIEF, CHIEF_PASSWORD) as chief:
        chief.accounts.disable(account_id)
    with pytest.raises(access.LoginRefused, match="停用"):
        access.unlock(hub_url, "banshi", "Second-2026")


def test_failed_logins_wait_longer_and_are_logged_at_the_next_login_without_the_typed_name(
    hub_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    access.create(hub_url, CHIEF, "镇管理员", CHIEF_PASSWORD).close()
    real_now = keyring.now_utc
    with monkeypatch.context() as earlier:
        earlier.setattr(keyring, "now_utc", lambda: real_now() - timedelta(hours=1))
        for _ in range(3):
            with pytest.raises(access.LoginRefused) as refused:
                access.unlock(hub_url, CHIEF, "Wrong-2026")
        assert refused.value.wait_seconds == 2  # the third failure in a row: two seconds to the next try
        with pytest.raises(access.LoginRefused, match="秒后再试"):
            access.unlock(hub_url, CHIEF, CHIEF_PASSWORD)  # even the right password waits
        with pytest.raises(access.LoginRefused):
            access.unlock(hub_url, "nobody", "Wrong-2026")
    # An hour later the wait is over: the right password gets in and writes the four failures into the log
    arc = access.unlock(hub_url, CHIEF, CHIEF_PASSWORD)
    try:
        failed = _events(arc, "登录失败")
        assert len(failed) == 4
        assert [e.operator for e in failed].count("未知登录名") == 1
        assert all("nobody" not in (e.note or "") for e in failed)
        with arc.db.sessions() as session:
            assert login_failures.pending(session) == []
            assert login_failures.count_since_success(session, CHIEF)[0] == 0
    finally:
        arc.close()
    with access.unlock(hub_url, CHIEF, CHIEF_PASSWORD) as again:
        assert len(_events(again, "登录失败")) == 4  # written once


def test_a_server_that_does_not_answer_is_named_without_its_password() -> None:
    url = "postgresql://zhuji:Secret-Pw-1@127.0.0.1:9/nowhere"
    with pytest.raises(DatabaseError) as refused:
        access.state(url)
    message = str(refused.value)
    assert "127.0.0.1:9/nowhere" in message and "连接不上" in message
    assert "Secret-Pw-1" not in message


def test_a_database_the_server_does_not_have_is_refused_in_chinese() -> None:
    url = pg_cluster.cluster().url("no_such_database")
    with pytest.raises(DatabaseError, match="拒绝了连接"):
        access.unlock(url, CHIEF, CHIEF_PASSWORD)


def test_a_hub_is_backed_up_by_its_server_not_by_the_application(hub_url: str) -> None:
    with access.create(hub_url, CHIEF, "镇管理员", CHIEF_PASSWORD) as chief:
        assert chief.daily_backup is None
        with pytest.raises(DomainError) as refused:
            chief.backups.make_now()
        assert str(refused.value) == HUB_BACKUPS
        town = chief.organisation.add_town("安华镇", "诸暨市", "330681")
        village = chief.organisation.add_village(town, "杜黄村")
        chief.accounts.create(
            "cadre", "驻村干部", Role.CADRE, [ScopeUnit(UnitKind.VILLAGE, village)], PASSWORD
        )
    with access.unlock(hub_url, "cadre", PASSWORD) as cadre:
        assert cadre.daily_backup is None
        assert cadre.actor.villages == frozenset({village})
