"""Read-model of the 操作日志 window: a filter, one line of the log as shown, and the pick-lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

# The kinds of events recorded with the account (entity 操作), beside the changes of records.
EVENT_ENTITY = "操作"
LOGIN = "登录"
LOGIN_FAILED = "登录失败"
OPEN_FILE = "查看档案"
ID_SEARCH = "身份证号查询"
PRINT = "打印"
EXPORT = "导出"
REVEAL = "查看完整号码"
IMPORT_ARCHIVE = "导入档案"  # a laptop's whole archive brought into a hub (services/hub_setup.py)
UNKNOWN_LOGIN = "未知登录名"
EVENT_ACTIONS = (LOGIN, LOGIN_FAILED, OPEN_FILE, ID_SEARCH, PRINT, EXPORT, REVEAL, IMPORT_ARCHIVE)
CHANGE_ACTIONS = ("新增", "修改", "删除", "状态")
COLUMNS = ("时间", "人员", "操作", "对象", "内容")


@dataclass(frozen=True)
class AuditFilter:
    """Which log entries the window lists: all of them unless narrowed (dates are local days)."""

    account_id: str | None = None
    household_id: str | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class AuditLine:
    """One entry as the window and its export show it (time is local)."""

    seq: int
    at: datetime
    person: str
    action: str
    target: str
    content: str

    def cells(self) -> tuple[str, str, str, str, str]:
        return (f"{self.at:%Y-%m-%d %H:%M:%S}", self.person, self.action, self.target, self.content)


@dataclass(frozen=True)
class Choice:
    """An account or a household offered in the filter: its id and how it is named."""

    id: str
    label: str
