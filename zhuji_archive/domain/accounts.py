"""Accounts, roles and what each role may do: the rules the services enforce on every call.

A role is a set of capabilities; a scope says which villages an account's casework covers. Whole-town
roles (党政办, 镇领导, 只读 by default) cover every village; 驻村干部 and 村干部 cover the organisation
units (town, area, village) they were given. 系统管理员 keeps accounts and settings and does no casework.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import Enum

from zhuji_archive.domain.errors import DomainError


class Role(Enum):
    """The six roles of the township's practice; the value is what the user sees and what is stored."""

    ADMIN = "系统管理员"
    OFFICE = "党政办"
    LEADER = "镇领导"
    CADRE = "驻村干部"
    VILLAGE = "村干部"
    READER = "只读"

    @property
    def label(self) -> str:
        return self.value

    @classmethod
    def from_label(cls, label: str) -> Role:
        for role in cls:
            if role.value == label or role.name == label:
                return role
        raise DomainError(f"没有“{label}”这个角色", "role")


class Capability(Enum):
    """One kind of thing an account may do; the services ask for one before acting."""

    READ_FILES = "查看档案"  # households, village tables, requests, summaries, dashboard in scope
    EDIT_FILES = "修改档案"  # household files, members, visits, village tables, imports
    HANDLE_REQUESTS = "办理诉求"  # record requests and act on them at village level
    REVIEW_REQUESTS = "镇级审核"  # township review, assignment, supervision, common issues
    RUN_MEETING = "月度例会"  # the monthly meeting's agenda and decisions
    LEAD_CASES = "领导包案"  # act on the requests the account leads (镇领导)
    SUBMIT_REPORTS = "报送报表"  # weekly and monthly summaries
    EXPORT = "导出打印"  # rosters, household files, books, ledgers, forms
    EXPORT_UNMASKED = "导出完整号码"  # exports with full ID and phone numbers (a reason is logged)
    MANAGE_ORGANISATION = "管理组织"  # towns, areas, villages, groups, cadres, service links
    MANAGE_SETTINGS = "管理设置"  # deadlines, holidays, code lists, revisit rules
    MANAGE_ACCOUNTS = "管理账号"  # create, disable, reset accounts
    VIEW_AUDIT = "查看操作日志"
    BACKUP = "备份与恢复"


_CASEWORK_READ = {Capability.READ_FILES, Capability.EXPORT}
_CASEWORK = _CASEWORK_READ | {Capability.EDIT_FILES, Capability.HANDLE_REQUESTS, Capability.SUBMIT_REPORTS}

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.ADMIN: frozenset(
        {
            Capability.MANAGE_ACCOUNTS,
            Capability.MANAGE_SETTINGS,
            Capability.MANAGE_ORGANISATION,
            Capability.VIEW_AUDIT,
            Capability.BACKUP,
        }
    ),
    Role.OFFICE: frozenset(
        _CASEWORK
        | {
            Capability.REVIEW_REQUESTS,
            Capability.RUN_MEETING,
            Capability.EXPORT_UNMASKED,
            Capability.MANAGE_ORGANISATION,
            Capability.MANAGE_SETTINGS,
            Capability.VIEW_AUDIT,
        }
    ),
    Role.LEADER: frozenset(_CASEWORK_READ | {Capability.LEAD_CASES}),
    Role.CADRE: frozenset(_CASEWORK | {Capability.EXPORT_UNMASKED}),
    Role.VILLAGE: frozenset(_CASEWORK),
    Role.READER: frozenset(_CASEWORK_READ),
}

# Roles whose casework covers the whole archive whatever units they were given.
WHOLE_TOWN_ROLES = frozenset({Role.OFFICE, Role.LEADER})
# Roles that are given a scope of organisation units when the account is made.
SCOPED_ROLES = frozenset({Role.CADRE, Role.VILLAGE, Role.READER})


class UnitKind(Enum):
    """The organisation units a scope is made of."""

    TOWN = "镇"
    AREA = "片区"
    VILLAGE = "村"


@dataclass(frozen=True)
class ScopeUnit:
    """One organisation unit in an account's scope."""

    kind: UnitKind
    unit_id: str


@dataclass(frozen=True)
class Actor:
    """The account a service acts for: who it is, its role, and the villages its casework covers.

    ``villages`` is None for an account that covers every village (whole-town roles and accounts whose
    scope holds the town); otherwise the ids of the villages its scope units resolve to."""

    account_id: str
    login: str
    display_name: str
    role: Role
    villages: frozenset[str] | None = None
    units: tuple[ScopeUnit, ...] = field(default=())

    def can(self, capability: Capability) -> bool:
        return capability in ROLE_CAPABILITIES[self.role]

    @property
    def whole_town(self) -> bool:
        return self.villages is None and self.role is not Role.ADMIN

    def covers(self, village_id: str | None) -> bool:
        """Whether casework in this village is within the account's scope (never for 系统管理员)."""
        if self.role is Role.ADMIN:
            return False
        if self.villages is None:
            return True
        return village_id is not None and village_id in self.villages


class PermissionDenied(DomainError):
    """The account may not do this, or not here; nothing was read or written."""


def refuse(actor: Actor, capability: Capability) -> PermissionDenied:
    return PermissionDenied(
        f"“{actor.role.label}”账号不能{capability.value}。如需办理，请联系党政办或系统管理员。"
    )


def out_of_scope(actor: Actor, what: str = "这个村") -> PermissionDenied:
    return PermissionDenied(f"{what}不在您（{actor.display_name}）负责的范围内，不能查看或修改。")


def require(
    actor: Actor, capability: Capability, village_id: str | None = None, *, what: str = "这个村"
) -> None:
    """Refuse unless the account has the capability and, when a village is named, covers it."""
    if not actor.can(capability):
        raise refuse(actor, capability)
    if village_id is not None and not actor.covers(village_id):
        raise out_of_scope(actor, what)


# ----- names and passwords -------------------------------------------------------------------------

LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
MIN_PASSWORD_LENGTH = 8


def normalise_login(login: str) -> str:
    """Login names are compared in lower case with full-width characters folded (ａ→a)."""
    return unicodedata.normalize("NFKC", login).strip().lower()


def check_login(login: str) -> str:
    """The normalised login name, or a DomainError saying what is wrong with it."""
    value = normalise_login(login)
    if not LOGIN_PATTERN.fullmatch(value):
        raise DomainError(
            "登录名须为 2～32 个字符，只用小写英文字母、数字和 . _ -，并以字母或数字开头（例如 zhangwei）",
            "login",
        )
    return value


def password_problems(password: str, login: str = "") -> list[str]:
    """What is wrong with a new password, in Chinese; an empty list when it is acceptable."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"密码至少 {MIN_PASSWORD_LENGTH} 个字符")
    if password != password.strip():
        problems.append("密码首尾不能是空格")
    kinds = sum(
        (
            any(c.isdigit() for c in password),
            any(c.isalpha() and c.isascii() and c.islower() for c in password),
            any(c.isalpha() and c.isascii() and c.isupper() for c in password),
            any(not c.isalnum() or not c.isascii() for c in password),
        )
    )
    if kinds < 2:
        problems.append("密码须至少包含数字、小写字母、大写字母、符号中的两类")
    if login and normalise_login(login) in password.lower():
        problems.append("密码不能包含登录名")
    return problems


def check_password(password: str, login: str = "") -> None:
    problems = password_problems(password, login)
    if problems:
        raise DomainError("；".join(problems), "password")


def failed_login_delay(failures: int) -> int:
    """Seconds to wait before the next attempt after ``failures`` wrong passwords in a row: none for
    the first three, then 2, 4, 8 … seconds, at most five minutes."""
    if failures < 3:
        return 0
    return min(2 ** (failures - 2), 300)
