"""Issue 10's permission matrix: every role × every service entry point × a target in scope and one
out of scope, generated from the registry in permission_matrix.py, which is written from the policy.

An allowed call must not be refused (a business rule may still say no: a DomainError that is not
PermissionDenied); a refused call must raise PermissionDenied and leave the archive as it was. A public
method the registry does not know fails the test, so no new entry point escapes the matrix."""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Iterator
from functools import cached_property

import pytest
from accounts import ON_HUB
from permission_matrix import (
    INTERNAL,
    PEOPLE,
    SCOPED_TO_IN,
    SERVICES,
    UNCHANGING_WRITES,
    Copies,
    Entry,
    Side,
    World,
    build_world,
    entries,
    expected,
    fingerprint,
)
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from zhuji_archive.domain.accounts import PermissionDenied, Role
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.backups import HUB_BACKUPS
from zhuji_archive.storage.household_queries import HouseholdFilter
from zhuji_archive.storage.models import Setting
from zhuji_archive.storage.request_queries import RequestQuery

REGISTRY = entries()
CASES = [
    pytest.param(role, entry, side, id=f"{entry.name}-{role.name}-{side.value}")
    for entry in REGISTRY
    for role in Role
    for side in entry.sides
]


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    folder = tmp_path_factory.mktemp("matrix")
    (folder / "out").mkdir()
    return build_world(folder / "matrix.sqlite3", folder)


@pytest.fixture(scope="session")
def logged_in(world: World) -> Iterator[dict[Role, Archive]]:
    """One archive per role for the calls that only read: each account logs in once, and all of them
    share one open file (as windows of one program would), so the statement cache stays warm."""
    actors = {}
    for role in Role:
        with world.login(role) as archive:
            actors[role] = archive.actor
    base = world.login(Role.OFFICE)
    yield {role: base.acting_as(actor) for role, actor in actors.items()}
    base.close()


@pytest.fixture(scope="session")
def copies(world: World) -> Iterator[Copies]:
    made = Copies(world)
    yield made
    made.close()


def public_methods() -> set[str]:
    """``service.method`` for every public function of every service an Archive offers."""
    from zhuji_archive.services.exports import ExportService
    from zhuji_archive.services.importing import ImportService
    from zhuji_archive.services.request_exports import RequestExportService
    from zhuji_archive.services.sync import SyncService

    # the services Archive imports only when first used
    late = {
        "SyncService": SyncService,
        "ExportService": ExportService,
        "ImportService": ImportService,
        "RequestExportService": RequestExportService,
    }
    found = set()
    services = [name for name, value in vars(Archive).items() if isinstance(value, cached_property)]
    assert sorted(services) == sorted(SERVICES), "a service was added to Archive: list it in SERVICES"
    for service in services:
        cls = typing.get_type_hints(vars(Archive)[service].func, localns=late)["return"]
        for name in dir(cls):
            if name.startswith("_"):
                continue
            static = inspect.getattr_static(cls, name)
            if isinstance(static, staticmethod | classmethod) or inspect.isfunction(static):
                found.add(f"{service}.{name}")
    return found


def test_every_public_entry_point_is_in_the_matrix() -> None:
    methods = public_methods()
    covered = {entry.method for entry in REGISTRY} | set(INTERNAL)
    assert methods - covered == set(), "public methods the permission matrix does not call"
    assert covered - methods == set(), "registry entries for methods that no longer exist"
    assert len({entry.name for entry in REGISTRY}) == len(REGISTRY)
    assert all(entry.why for entry in REGISTRY if entry.need is None)


def test_the_accounts_are_the_roles_of_the_policy(world: World, logged_in: dict[Role, Archive]) -> None:
    inside, outside = world.places[Side.IN].village, world.places[Side.OUT].village
    for role, archive in logged_in.items():
        actor = archive.actor
        assert (actor.role, actor.display_name) == (role, PEOPLE[role])
        assert actor.covers(inside) == (role is not Role.ADMIN)
        assert actor.covers(outside) == (role in (Role.OFFICE, Role.LEADER))


@pytest.mark.parametrize(
    "entry", [e for e in REGISTRY if e.writes and e.name not in UNCHANGING_WRITES], ids=lambda e: e.name
)
def test_the_fingerprint_sees_what_each_write_changes(
    entry: Entry, world: World, logged_in: dict[Role, Archive], copies: Copies
) -> None:
    """A refused call is checked to leave the fingerprint as it was: that means something only if the
    same call, allowed, changes it."""
    role, side = next(
        (role, side)
        for role in Role
        for side in entry.sides
        if expected(logged_in[role].actor, entry, side, world)
    )
    archive = copies.open(logged_in[role].actor)
    try:
        before = fingerprint(archive)
        if ON_HUB and entry.file_only:  # a hub's backups are the server's: the call is refused there
            with pytest.raises(DomainError, match=re.escape(HUB_BACKUPS)):
                entry.call(archive, world.place(side), world)
            assert fingerprint(archive) == before
            return
        entry.call(archive, world.place(side), world)
        assert fingerprint(archive) != before
    finally:
        archive.close()


def test_a_copy_keeps_what_its_transactions_save_and_nothing_else(
    world: World, logged_in: dict[Role, Archive], copies: Copies
) -> None:
    """A private copy behaves as an archive does: a session read inside another's transaction does not
    take that transaction's work with it, and the next copy starts from the world as built (on a hub
    the copies are transactions rolled back beneath SQLAlchemy, so this is not a given there)."""
    archive = copies.open(logged_in[Role.OFFICE].actor)
    try:
        with archive.db.transaction() as outer:
            outer.add(Setting(key="matrix.first", value="1"))
            outer.flush()
            with archive.db.sessions() as inner:  # ends with a rollback
                inner.scalar(select(Setting.value).where(Setting.key == "matrix.none"))
            outer.add(Setting(key="matrix.second", value="2"))
        with pytest.raises(IntegrityError), archive.db.transaction() as failing:
            failing.add(Setting(key="matrix.first", value="again"))
        with archive.db.sessions() as session:
            kept = dict(
                session.execute(select(Setting.key, Setting.value).where(Setting.key.like("matrix.%"))).all()
            )
        assert kept == {"matrix.first": "1", "matrix.second": "2"}
    finally:
        archive.close()
    archive = copies.open(logged_in[Role.OFFICE].actor)
    try:
        with archive.db.sessions() as session:
            assert session.scalar(select(Setting.key).where(Setting.key.like("matrix.%"))) is None
    finally:
        archive.close()


@pytest.mark.parametrize(("role", "entry", "side"), CASES)
def test_permission(
    role: Role,
    entry: Entry,
    side: Side,
    world: World,
    logged_in: dict[Role, Archive],
    copies: Copies,
) -> None:
    actor = logged_in[role].actor
    allowed = expected(actor, entry, side, world)
    archive = copies.open(actor) if entry.writes else logged_in[role]
    place = world.place(side)
    try:
        if allowed and ON_HUB and entry.file_only:
            # allowed, but not possible on a hub: refused for that reason, not for the account's rights
            with pytest.raises(DomainError, match=re.escape(HUB_BACKUPS)) as refusal:
                entry.call(archive, place, world)
            assert not isinstance(refusal.value, PermissionDenied)
        elif allowed:
            try:
                entry.call(archive, place, world)
            except PermissionDenied as refusal:
                pytest.fail(f"{PEOPLE[role]}（{role.value}）应当可以调用 {entry.name}，却被拒绝：{refusal}")
            except DomainError:
                pass  # a business rule said no (a status that allows no such action): not a permission
        else:
            before = fingerprint(archive)
            with pytest.raises(PermissionDenied):
                entry.call(archive, place, world)
            assert fingerprint(archive) == before, "a refused call changed the archive"
    finally:
        if entry.writes:
            archive.close()


# The matrix only asks whether a town-wide list is refused; an account bound to 甲村 may ask for one,
# and then it must hold nothing of 乙村.
TOWN_LISTS = {
    "household_list.page": lambda a, w: {r.id for r in a.household_list.page(HouseholdFilter())},
    "household_list.member_hits": lambda a, w: {
        h.household_id for h in a.household_list.member_hits(HouseholdFilter(text="乙甲户"))
    },
    "requests.list": lambda a, w: {r.household_id for r in a.requests.list(RequestQuery())},
    "requests.supervised": lambda a, w: {r.household_id for r, _progress in a.requests.supervised()},
    "meetings.decisions": lambda a, w: {
        d.request.household_id for d in a.meetings.decisions(w.places[Side.OUT].meeting)
    },
    "requests.common_issue_requests": lambda a, w: {
        r.household_id for r in a.requests.common_issue_requests(w.places[Side.OUT].issue)
    },
    "maintenance.todo": lambda a, w: {i.household_id for i in a.maintenance.todo().items},
    "service_links.coverage": lambda a, w: {h[0] for h in a.service_links.coverage().unlinked_households},
}


@pytest.mark.parametrize("role", sorted(SCOPED_TO_IN, key=lambda r: r.name))
@pytest.mark.parametrize("name", list(TOWN_LISTS))
def test_town_wide_lists_hold_only_the_villages_in_scope(
    role: Role, name: str, world: World, logged_in: dict[Role, Archive]
) -> None:
    outside = set(world.places[Side.OUT].households)
    assert TOWN_LISTS[name](logged_in[Role.OFFICE], world) & outside, "党政办 sees 乙村 in this list"
    seen = TOWN_LISTS[name](logged_in[role], world)
    assert not seen & outside, f"{name} shows 乙村's households to {role.value}"
