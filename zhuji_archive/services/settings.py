"""Application settings stored in the database, read and written through their declarations."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from zhuji_archive.domain.accounts import Actor, Role, require
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.masking import list_full_numbers_key
from zhuji_archive.domain.settings import (
    BACKUP_FOLDER_KEY,
    SETTINGS,
    SETTINGS_BY_KEY,
    SHORT_REVISIT_TAGS_DEFAULT,
    SHORT_REVISIT_TAGS_KEY,
    SettingSpec,
)
from zhuji_archive.domain.workflow import Level
from zhuji_archive.services.permissions import Capability, Guard
from zhuji_archive.storage import setting_queries
from zhuji_archive.storage.database import Database
from zhuji_archive.storage.models import HolidayOverride, Setting

# Not a user setting: the version of the program that last opened the file, so a support call (or a later
# version deciding how to treat the file) can tell which program wrote it. Kept in the key/value table so
# recording it needs no schema change.
APP_VERSION_KEY = "app.last_version"
DEMO_ACCOUNTS_KEY = "demo_accounts"  # JSON list of the demo archive's accounts; absent in a real archive


class SettingsService:
    """Typed access to the declared settings; unknown keys are refused. Every account reads them (the
    deadlines and revisit rules shape every list); changing them takes 管理设置."""

    def __init__(self, db: Database, actor: Actor) -> None:
        self.db = db
        self.guard = Guard(actor)

    def _read(self) -> None:
        self.guard.need_any(Capability.READ_FILES, Capability.MANAGE_SETTINGS)

    def _write(self) -> None:
        self.guard.need(Capability.MANAGE_SETTINGS)

    def specs(self) -> tuple[SettingSpec, ...]:
        self._read()
        return SETTINGS

    def get(self, key: str) -> int:
        self._read()
        spec = SETTINGS_BY_KEY.get(key)
        if spec is None:
            raise DomainError(f"没有名为“{key}”的设置")
        with self.db.sessions() as session:
            row = session.get(Setting, key)
        return spec.parse(row.value) if row is not None else spec.default

    def set(self, key: str, value: str | int) -> None:
        self._write()
        spec = SETTINGS_BY_KEY.get(key)
        if spec is None:
            raise DomainError(f"没有名为“{key}”的设置")
        parsed = spec.parse(value)
        with self.db.transaction() as session:
            setting_queries.put(session, key, str(parsed))

    def all(self) -> dict[str, int]:
        self._read()
        with self.db.sessions() as session:
            stored = {row.key: row.value for row in session.scalars(select(Setting))}
        return {
            spec.key: spec.parse(stored[spec.key]) if spec.key in stored else spec.default
            for spec in SETTINGS
        }

    def recorded_app_version(self) -> str | None:
        """The program version that last opened this archive (None for a file no version recorded)."""
        self._read()
        with self.db.sessions() as session:
            row = session.get(Setting, APP_VERSION_KEY)
        return row.value if row is not None else None

    def record_app_version(self, version: str) -> None:
        """Housekeeping of the login itself (any account): not a setting the user changes."""
        with self.db.transaction() as session:
            row = session.get(Setting, APP_VERSION_KEY)
            if row is None or row.value != version:
                setting_queries.put(session, APP_VERSION_KEY, version)

    def demo_accounts(self) -> list[dict[str, str]]:
        """The demo archive's accounts (login, name, role, scope); empty for a real archive."""
        with self.db.sessions() as session:
            row = session.get(Setting, DEMO_ACCOUNTS_KEY)
        if row is None:
            return []
        try:
            listed = json.loads(row.value)
        except ValueError:
            return []
        return [dict(item) for item in listed if isinstance(item, dict)] if isinstance(listed, list) else []

    def mark_demo(self, accounts: list[dict[str, str]]) -> None:
        """Mark the archive as the demo and record its accounts (系统管理员, who made them)."""
        self.guard.need(Capability.MANAGE_ACCOUNTS)
        text = json.dumps(accounts, ensure_ascii=False)
        with self.db.transaction() as session:
            setting_queries.put(session, DEMO_ACCOUNTS_KEY, text)

    def text(self, key: str, default: str = "") -> str:
        """A setting kept as text (a list or a path), not declared as a number."""
        with self.db.sessions() as session:
            row = session.get(Setting, key)
        return row.value if row is not None else default

    def set_text(self, key: str, value: str) -> None:
        """Set a setting kept as text; needs 管理设置 like every other setting."""
        self._write()
        with self.db.transaction() as session:
            setting_queries.put(session, key, value)

    def backup_folder(self) -> str:
        """The folder the administrator chose for backups ("" for the default beside the archive)."""
        return self.text(BACKUP_FOLDER_KEY)

    def short_revisit_tags(self) -> tuple[str, ...]:
        """Focus tags whose households are revisited at the shorter interval."""
        self._read()
        with self.db.sessions() as session:
            row = session.get(Setting, SHORT_REVISIT_TAGS_KEY)
        if row is None:
            return SHORT_REVISIT_TAGS_DEFAULT
        return tuple(tag for tag in row.value.split("、") if tag)

    def set_short_revisit_tags(self, tags: list[str]) -> None:
        self._write()
        text = "、".join(dict.fromkeys(t.strip() for t in tags if t.strip()))
        with self.db.transaction() as session:
            setting_queries.put(session, SHORT_REVISIT_TAGS_KEY, text)

    # ---- full or masked numbers in lists, per role ----------------------------------------------
    def lists_show_full(self, role: Role) -> bool:
        """Whether lists and search results show this role full ID and phone numbers (default: masked)."""
        if role is Role.ADMIN:
            return False  # no casework, so no numbers to see
        with self.db.sessions() as session:
            row = session.get(Setting, list_full_numbers_key(role))
        return row is not None and row.value == "1"

    def list_full_numbers(self) -> dict[Role, bool]:
        """The setting for every role that does casework, in the order roles are declared."""
        return {role: self.lists_show_full(role) for role in Role if role is not Role.ADMIN}

    def set_lists_show_full(self, actor: Actor, role: Role, full: bool) -> None:
        """Let lists show ``role`` full numbers or masked ones; needs 管理设置."""
        require(actor, Capability.MANAGE_SETTINGS)
        if role is Role.ADMIN:
            raise DomainError("系统管理员不办理档案，列表中没有号码可显示")
        key = list_full_numbers_key(role)
        with self.db.transaction() as session:
            setting_queries.put(session, key, "1" if full else "0")

    def deadline_days(self) -> dict[Level, int]:
        self._read()
        values = self.all()
        return {level: values[f"deadline.{level.value}"] for level in Level}

    # ---- holiday overrides (节假日调整) ---------------------------------------------------------
    def holiday_overrides(self) -> list[tuple[date, bool, str]]:
        self._read()
        with self.db.sessions() as session:
            rows = session.scalars(select(HolidayOverride).order_by(HolidayOverride.day))
            return [(row.day, row.workday, row.note) for row in rows]

    def set_holiday_override(self, day: date, workday: bool, note: str = "") -> None:
        """Mark a day as holiday (放假) or make-up working day (调休上班) for deadline counting."""
        self._write()
        with self.db.transaction() as session:
            row = session.get(HolidayOverride, day)
            if row is None:
                session.add(HolidayOverride(day=day, workday=workday, note=note.strip()))
            else:
                row.workday, row.note = workday, note.strip()

    def remove_holiday_override(self, day: date) -> None:
        self._write()
        with self.db.transaction() as session:
            row = session.get(HolidayOverride, day)
            if row is not None:
                session.delete(row)
