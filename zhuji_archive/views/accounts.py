"""What the account administration window and the 操作日志 filter show of an account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from zhuji_archive.domain.accounts import Role, ScopeUnit


@dataclass(frozen=True)
class AccountItem:
    """One account as the administrator sees it (never its password or hash)."""

    id: str
    login: str
    display_name: str
    role: Role
    scope: tuple[tuple[ScopeUnit, str], ...]  # each unit with its name
    disabled: bool
    must_change_password: bool
    last_login_at: datetime | None

    @property
    def scope_text(self) -> str:
        if self.role is Role.ADMIN:
            return "（不办理档案）"
        if not self.scope:
            return "全镇" if self.role not in (Role.CADRE, Role.VILLAGE) else "（未指定）"
        return "、".join(name for _unit, name in self.scope)
