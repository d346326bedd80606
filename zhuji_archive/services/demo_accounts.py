"""The demo archive's accounts: one of each role, every password ``Demo-2026``, none to be changed.

The demo archive is made as a real one is (access.create: encrypted, administrator ``admin``), filled by
the demo generator, then given a 党政办 account, the 镇领导 who leads the most demo requests (包案), one
驻村干部 per demo cadre scoped to the villages he covers, one 村干部 per village and one 只读 account.

The archive is marked as the demo twice: the setting ``demo_accounts`` inside it (for whoever is logged
in) and ``<archive>.demo.json`` beside it, which the login window reads before anyone has logged in (the
archive itself cannot be read then) to offer the demo accounts. Both list logins, names, roles and
scopes of made-up people, never a password or any real person's data.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from zhuji_archive.domain.accounts import Role, ScopeUnit, UnitKind
from zhuji_archive.domain.search_keys import pinyin_keys
from zhuji_archive.services import access
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.demo import DemoPeople, DemoSummary, generate
from zhuji_archive.storage import cipher
from zhuji_archive.storage.database import settle_after_bulk_load

DEMO_PASSWORD = "Demo-2026"
ADMIN_LOGIN = "admin"
MARKER_SUFFIX = ".demo.json"


@dataclass(frozen=True)
class DemoAccount:
    """One demo account as the README and the login window list it."""

    login: str
    name: str
    role: str  # the role's label (系统管理员, 党政办 …)
    scope: str  # 全镇, the village names, or （不办理档案）


def marker_path(archive: Path) -> Path:
    return archive.with_name(archive.name + MARKER_SUFFIX)


def create_demo(
    path: Path | str,
    households: int = 600,
    seed: int = 2008,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[DemoSummary, list[DemoAccount]]:
    """A new encrypted demo archive at ``path`` (which must not exist yet), or the demo on a hub that has no
    accounts yet (``path`` its postgresql:// URL), with its demo accounts."""
    archive = access.create(path, ADMIN_LOGIN, "系统管理员", DEMO_PASSWORD, today)
    try:
        summary = generate(
            archive.db, households=households, seed=seed, today=archive.clock.today(), progress=progress
        )
        assert summary.people is not None
        accounts = add_demo_accounts(archive, summary.people)
        if archive.db.on_hub:
            settle_after_bulk_load(archive.db.engine)  # compact tallies, fresh statistics for the first pages
    finally:
        archive.close()
    return summary, accounts


def add_demo_accounts(archive: Archive, people: DemoPeople) -> list[DemoAccount]:
    """Make the demo accounts (as the administrator ``archive`` is logged in as) and mark the archive."""
    plans: list[tuple[str, str, Role, list[ScopeUnit]]] = [
        ("dangzhengban", people.office, Role.OFFICE, []),
        ("lingdao", people.leader, Role.LEADER, []),
    ]
    for name, villages in people.cadres:
        units = [ScopeUnit(UnitKind.VILLAGE, v) for v in villages]
        plans.append(("zhucun." + pinyin_keys(name)[0], name, Role.CADRE, units))
    for village_id, village, secretary in people.villages:
        login = "cun." + pinyin_keys(village.removesuffix("村") or village)[0]
        plans.append(
            (login, secretary or f"{village}村干部", Role.VILLAGE, [ScopeUnit(UnitKind.VILLAGE, village_id)])
        )
    plans.append(("ducha", "县督查组", Role.READER, []))
    taken = {ADMIN_LOGIN}
    for login, name, role, units in plans:
        unique, n = login, 2
        while unique in taken:
            unique, n = f"{login}{n}", n + 1
        taken.add(unique)
        archive.accounts.create(unique, name, role, units, DEMO_PASSWORD, must_change_password=False)
    accounts = [
        DemoAccount(item.login, item.display_name, item.role.label, item.scope_text)
        for item in archive.accounts.list()
    ]
    listed = [asdict(account) for account in accounts]
    archive.settings.mark_demo(listed)
    if archive.db.path is not None:
        _write_marker(marker_path(archive.db.path), listed)
    return accounts


def _write_marker(path: Path, listed: list[dict[str, str]]) -> None:
    path.write_text(json.dumps({"demo_accounts": listed}, ensure_ascii=False, indent=1), encoding="utf-8")
    cipher.restrict_to_owner(path)


def offered_accounts(archive_path: Path | str) -> list[DemoAccount]:
    """The demo accounts the login window may offer for this file: empty unless it is the demo archive
    (a marker that is missing, damaged, or beside a file with no keyring offers nothing). A hub offers
    none: its marker would be a file on the server, and its accounts are real people's."""
    if access.is_hub(archive_path):
        return []
    archive_path = Path(archive_path)
    if access.state(archive_path) is not access.ArchiveState.LOCKED:
        return []
    try:
        data = json.loads(marker_path(archive_path).read_text(encoding="utf-8"))
        return [
            DemoAccount(str(a["login"]), str(a["name"]), str(a["role"]), str(a["scope"]))
            for a in data["demo_accounts"]
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return []
