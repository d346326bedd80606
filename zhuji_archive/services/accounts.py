"""Account administration (系统管理员) and each account's own password.

A password is kept twice: as an Argon2id hash in the account row (checked when the window is
unlocked, and the only form on the hub) and as the account's slot in the keyring, which unwraps the
archive's key. Both change together. Resetting a password or disabling an account never touches the
archive's records.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from zhuji_archive.domain.accounts import (
    SCOPED_ROLES,
    Actor,
    Capability,
    Role,
    ScopeUnit,
    UnitKind,
    check_login,
    check_password,
    refuse,
    require,
)
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.text_input import TextField, check_text
from zhuji_archive.services.history import ChangeRecorder
from zhuji_archive.storage import account_queries, keyring, passwords
from zhuji_archive.storage.database import Database
from zhuji_archive.storage.models import Account, AccountScope
from zhuji_archive.views.accounts import AccountItem

NO_SUCH_ACCOUNT = "没有这个账号"
_DISPLAY_NAME = TextField("姓名", 20)


class AccountService:
    """Creates, changes, disables and resets accounts, on behalf of one account."""

    def __init__(self, db: Database, actor: Actor) -> None:
        self.db = db
        self.actor = actor

    # ----- reading ------------------------------------------------------------------------------
    def list(self) -> list[AccountItem]:
        require(self.actor, Capability.MANAGE_ACCOUNTS)
        with self.db.sessions() as session:
            accounts = account_queries.all_accounts(session)
            return [self._item(session, account) for account in accounts]

    def people(self) -> list[tuple[str, str]]:
        """(account id, display name) of every account, for the 操作日志 filter."""
        if not (self.actor.can(Capability.VIEW_AUDIT) or self.actor.can(Capability.MANAGE_ACCOUNTS)):
            raise refuse(self.actor, Capability.VIEW_AUDIT)
        with self.db.sessions() as session:
            return [(a.id, a.display_name) for a in account_queries.all_accounts(session)]

    @staticmethod
    def _item(session, account: Account) -> AccountItem:
        units = [ScopeUnit(UnitKind(s.unit_kind), s.unit_id) for s in account.scope]
        names = account_queries.unit_names(session, units)
        return AccountItem(
            id=account.id,
            login=account.login,
            display_name=account.display_name,
            role=Role(account.role),
            scope=tuple((unit, names.get(unit, "（已删除）")) for unit in units),
            disabled=account.disabled,
            must_change_password=account.must_change_password,
            last_login_at=account.last_login_at,
        )

    # ----- administration -----------------------------------------------------------------------
    def create(
        self,
        login: str,
        display_name: str,
        role: Role,
        units: Iterable[ScopeUnit],
        password: str,
        *,
        must_change_password: bool = True,
    ) -> str:
        """A new account whose password must be changed at its first login (unless the caller says
        otherwise: the demo archive's accounts and scripted installs keep the password they were given)."""
        require(self.actor, Capability.MANAGE_ACCOUNTS)
        return self._create(login, display_name, role, units, password, must_change=must_change_password)

    def _create(
        self,
        login: str,
        display_name: str,
        role: Role,
        units: Iterable[ScopeUnit],
        password: str,
        *,
        must_change: bool,
    ) -> str:
        login = check_login(login)
        name = clean_display_name(display_name)
        check_password(password, login)
        units = _check_scope(role, units)
        with self.db.transaction() as session:
            if account_queries.by_login(session, login) is not None:
                raise DomainError(f"登录名“{login}”已被使用", "login")
            account = Account(
                login=login,
                display_name=name,
                role=role.value,
                password_hash=passwords.hash_password(password),
                must_change_password=must_change,
            )
            account.scope = [AccountScope(unit_kind=u.kind.value, unit_id=u.unit_id) for u in units]
            session.add(account)
            session.flush()
            ChangeRecorder(session, self.actor).log(
                "新增", "账号", account.id, note=f"{login}（{name}，{role.label}）"
            )
            self._write_slot(login, password)
            return account.id

    def update(self, account_id: str, display_name: str, role: Role, units: Iterable[ScopeUnit]) -> None:
        require(self.actor, Capability.MANAGE_ACCOUNTS)
        name = clean_display_name(display_name)
        units = _check_scope(role, units)
        with self.db.transaction() as session:
            account = _get(session, account_id)
            if account.id == self.actor.account_id and role is not Role.ADMIN:
                raise DomainError("不能取消自己的系统管理员角色", "role")
            if Role(account.role) is Role.ADMIN and role is not Role.ADMIN:
                _keep_one_admin(session, account)
            recorder = ChangeRecorder(session, self.actor)
            if account.display_name != name:
                recorder.log("修改", "账号", account.id, field="姓名", old=account.display_name, new=name)
            if account.role != role.value:
                recorder.log("修改", "账号", account.id, field="角色", old=account.role, new=role.value)
            account.display_name = name
            account.role = role.value
            account.scope = [AccountScope(unit_kind=u.kind.value, unit_id=u.unit_id) for u in units]
            account.version += 1

    def disable(self, account_id: str) -> None:
        """The account can no longer log in; its slot in the keyring is removed."""
        require(self.actor, Capability.MANAGE_ACCOUNTS)
        with self.db.transaction() as session:
            account = _get(session, account_id)
            if account.id == self.actor.account_id:
                raise DomainError("不能停用自己正在使用的账号")
            if Role(account.role) is Role.ADMIN:
                _keep_one_admin(session, account)
            account.disabled = True
            account.version += 1
            ChangeRecorder(session, self.actor).log("停用", "账号", account.id, note=account.login)
            self._remove_slot(account.login)

    def reset_password(self, account_id: str, new_password: str) -> None:
        """A new password, to be changed at the next login; also enables a disabled account."""
        require(self.actor, Capability.MANAGE_ACCOUNTS)
        with self.db.transaction() as session:
            account = _get(session, account_id)
            check_password(new_password, account.login)
            account.password_hash = passwords.hash_password(new_password)
            account.must_change_password = account.id != self.actor.account_id
            was_disabled = account.disabled
            account.disabled = False
            account.version += 1
            ChangeRecorder(session, self.actor).log(
                "重置密码", "账号", account.id, note=account.login + ("，并重新启用" if was_disabled else "")
            )
            self._write_slot(account.login, new_password)

    # ----- one's own password --------------------------------------------------------------------
    def check_own_password(self, password: str) -> bool:
        """Whether ``password`` is this account's (used to unlock a locked window)."""
        with self.db.sessions() as session:
            account = session.get(Account, self.actor.account_id)
            return (
                account is not None
                and not account.disabled
                and passwords.verify_password(account.password_hash, password)
            )

    def must_change_password(self) -> bool:
        with self.db.sessions() as session:
            account = session.get(Account, self.actor.account_id)
            return bool(account and account.must_change_password)

    def change_own_password(self, old_password: str, new_password: str) -> None:
        if not self.check_own_password(old_password):
            raise DomainError("原密码不正确", "old_password")
        if old_password == new_password:
            raise DomainError("新密码不能与原密码相同", "password")
        check_password(new_password, self.actor.login)
        with self.db.transaction() as session:
            account = _get(session, self.actor.account_id)
            account.password_hash = passwords.hash_password(new_password)
            account.must_change_password = False
            account.version += 1
            ChangeRecorder(session, self.actor).log("修改密码", "账号", account.id, note=account.login)
            self._write_slot(account.login, new_password)

    # ----- keyring ------------------------------------------------------------------------------
    def _keyring_file(self) -> Path | None:
        if self.db.path is None or self.db.key is None:
            return None  # the hub: passwords live in the account table only
        return keyring.keyring_path(self.db.path)

    def _write_slot(self, login: str, password: str) -> None:
        """Called inside the transaction: a keyring that cannot be written rolls the account back."""
        path = self._keyring_file()
        if path is None:
            return
        key = self.db.key
        assert key is not None

        def add(ring: keyring.Keyring) -> None:
            ring.add_slot(login, password, key)
            ring.clear_failures(login)

        keyring.update(path, add)

    def _remove_slot(self, login: str) -> None:
        path = self._keyring_file()
        if path is None:
            return
        keyring.update(path, lambda ring: ring.remove_slot(login))


def _get(session, account_id: str) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise DomainError(NO_SUCH_ACCOUNT)
    return account


def _keep_one_admin(session, account: Account) -> None:
    others = [
        a
        for a in account_queries.all_accounts(session)
        if a.id != account.id and a.role == Role.ADMIN.value and not a.disabled
    ]
    if not others:
        raise DomainError("档案至少要有一个可用的系统管理员账号")


def clean_display_name(value: str) -> str:
    """An account's display name, normalised; DomainError when empty, too long or with control characters."""
    name = check_text(value or "", _DISPLAY_NAME, "display_name")
    if not name:
        raise DomainError("请填写姓名", "display_name")
    return name


def _check_scope(role: Role, units: Iterable[ScopeUnit]) -> list[ScopeUnit]:
    units = list(dict.fromkeys(units))
    if role in (Role.CADRE, Role.VILLAGE) and not units:
        raise DomainError(f"“{role.label}”账号须指定负责的村（或片区）", "scope")
    if role is Role.VILLAGE and (len(units) != 1 or units[0].kind is not UnitKind.VILLAGE):
        raise DomainError("村干部账号只能负责一个村", "scope")
    if role not in SCOPED_ROLES:
        return []  # whole-town roles and the administrator carry no units
    return units
