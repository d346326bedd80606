"""The check at the top of every service call: may this account do this, here?

A service holds a ``Guard`` for the account it acts for. Each public method asks it first, naming the
capability and, where the call is about one household, group, request or village, that record, whose
village is looked up in storage. A refusal is ``PermissionDenied`` and comes before anything is read
or written. Lists ask ``Guard.scope`` for the villages to filter by (None: every village)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from zhuji_archive.domain.accounts import Actor, Capability, PermissionDenied, out_of_scope, refuse, require
from zhuji_archive.storage import scope_queries

__all__ = ["Capability", "Guard", "PermissionDenied"]


class Guard:
    """The permission checks of one account, with the storage look-ups they need."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    @property
    def scope(self) -> frozenset[str] | None:
        """The villages lists are limited to; None for a whole-town account."""
        return self.actor.villages

    def need(self, capability: Capability, village_id: str | None = None, *, what: str = "这个村") -> None:
        require(self.actor, capability, village_id, what=what)

    def need_any(self, *capabilities: Capability) -> None:
        """Refuse unless the account has at least one of the capabilities."""
        if not any(self.actor.can(c) for c in capabilities):
            raise refuse(self.actor, capabilities[0])

    def need_whole_town(self, capability: Capability, what: str = "全镇的数据") -> None:
        """Refuse unless the account has the capability and covers every village."""
        require(self.actor, capability)
        if self.actor.villages is not None:
            raise out_of_scope(self.actor, what)

    def village(self, capability: Capability, village_id: str | None) -> None:
        """One village named explicitly (None: the whole archive, filtered by scope by the caller)."""
        require(self.actor, capability)
        if village_id is not None:
            require(self.actor, capability, village_id)

    def household(self, session: Session, capability: Capability, household_id: str) -> str | None:
        """Check one household; return its village (None when there is no such household)."""
        require(self.actor, capability)
        village_id = scope_queries.village_of_household(session, household_id)
        if village_id is not None:
            require(self.actor, capability, village_id, what="这户档案")
        return village_id

    def group(self, session: Session, capability: Capability, group_id: str) -> str | None:
        require(self.actor, capability)
        village_id = scope_queries.village_of_group(session, group_id)
        if village_id is not None:
            require(self.actor, capability, village_id, what="这个村民小组")
        return village_id

    def request(self, session: Session, capability: Capability, request_id: str) -> str | None:
        require(self.actor, capability)
        village_id = scope_queries.village_of_request(session, request_id)
        if village_id is not None:
            require(self.actor, capability, village_id, what="这条诉求")
        return village_id

    def requests(self, session: Session, capability: Capability, request_ids: Iterable[str]) -> None:
        require(self.actor, capability)
        for village_id in scope_queries.villages_of_requests(session, request_ids).values():
            if village_id is not None:
                require(self.actor, capability, village_id, what="所选诉求")

    def node(self, session: Session, capability: Capability, kind: str | None, node_id: str | None) -> None:
        """A node of the organisation tree: a village or group must be in scope; a town or an area
        may be asked for (its lists are then filtered to the villages in scope)."""
        require(self.actor, capability)
        if not node_id or self.actor.villages is None:
            return
        if kind == "village":
            require(self.actor, capability, node_id)
        elif kind == "group":
            self.group(session, capability, node_id)
        elif kind == "household":
            self.household(session, capability, node_id)

    def unit(self, session: Session, capability: Capability, kind: str, unit_id: str) -> None:
        """A summary's unit (town, area, village or cadre): a scoped account needs every village it
        covers in scope (a town or area summary counts all of its villages)."""
        require(self.actor, capability)
        if self.actor.villages is None:
            return
        names = {"town": "这个镇", "area": "这个片区", "village": "这个村", "cadre": "这名干部负责的农户"}
        for village_id in scope_queries.villages_of_unit(session, kind, unit_id):
            if not self.actor.covers(village_id):
                raise out_of_scope(self.actor, f"{names.get(kind, '所选范围')}有村")
