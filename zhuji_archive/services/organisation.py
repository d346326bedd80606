"""The organisation tree (town → area → village → group) with household counts, and cadres."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, or_, select

from zhuji_archive.domain.accounts import Actor
from zhuji_archive.domain.codes import AREA_KINDS, CADRE_KINDS
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.household import normalize_phone
from zhuji_archive.domain.search_keys import pinyin_keys
from zhuji_archive.domain.text_input import clean_text
from zhuji_archive.services.permissions import Capability, Guard
from zhuji_archive.storage import household_queries as queries
from zhuji_archive.storage.database import Database
from zhuji_archive.storage.models import Area, Cadre, Town, Village, VillageGroup
from zhuji_archive.views.organisation import CadreItem


@dataclass
class OrgNode:
    """A node of the tree: kind is "town", "area", "village" or "group"."""

    kind: str
    id: str
    name: str
    households: int = 0
    children: list[OrgNode] = field(default_factory=list)


class OrganisationService:
    """Reads and extends the organisation tree. Casework accounts see the villages of their scope
    (and the towns and areas above them); 系统管理员 sees the whole structure without household counts;
    changing it takes 管理组织."""

    def __init__(self, db: Database, actor: Actor) -> None:
        self.db = db
        self.actor = actor
        self.guard = Guard(actor)

    def _need_structure(self) -> None:
        """Reading the structure: casework accounts and those who keep the organisation."""
        self.guard.need_any(Capability.READ_FILES, Capability.MANAGE_ORGANISATION)

    def _scope(self) -> frozenset[str] | None:
        """The villages shown: a casework account's scope; None for all."""
        return self.guard.scope if self.actor.can(Capability.READ_FILES) else None

    def _villages(self) -> Select[tuple[Village]]:
        query = select(Village).order_by(Village.sort, Village.name)
        scope = self._scope()
        return query if scope is None else query.where(Village.id.in_(sorted(scope)))

    def tree(self) -> list[OrgNode]:
        """Town → area → village → group. For a scoped account only its villages, and only the towns
        and areas that hold one of them."""
        self._need_structure()
        with self.db.sessions() as session:
            counts = queries.group_counts(session) if self.actor.can(Capability.READ_FILES) else {}
            towns = session.scalars(select(Town).order_by(Town.name)).all()
            areas = session.scalars(select(Area).order_by(Area.sort, Area.name)).all()
            villages = session.scalars(self._villages()).all()
            group_query = select(VillageGroup).order_by(VillageGroup.sort, VillageGroup.name)
            scope = self._scope()
            if scope is not None:
                group_query = group_query.where(VillageGroup.village_id.in_(sorted(scope)))
            groups = session.scalars(group_query).all()
        if scope is not None:
            used_areas = {v.area_id for v in villages}
            used_towns = {v.town_id for v in villages}
            areas = [a for a in areas if a.id in used_areas]
            towns = [t for t in towns if t.id in used_towns]
        village_nodes: dict[str, OrgNode] = {v.id: OrgNode("village", v.id, v.name) for v in villages}
        for g in groups:
            node = OrgNode("group", g.id, g.name, counts.get(g.id, 0))
            parent = village_nodes[g.village_id]
            parent.children.append(node)
            parent.households += node.households
        area_nodes = {a.id: OrgNode("area", a.id, a.name) for a in areas}
        result = []
        for town in towns:
            town_node = OrgNode("town", town.id, town.name)
            for area in areas:
                if area.town_id == town.id:
                    town_node.children.append(area_nodes[area.id])
            for v in villages:
                if v.town_id != town.id:
                    continue
                parent = area_nodes[v.area_id] if v.area_id in area_nodes else town_node
                parent.children.append(village_nodes[v.id])
                parent.households += village_nodes[v.id].households
            for area_node in town_node.children:
                if area_node.kind == "area":
                    town_node.households += area_node.households
            result.append(town_node)
        return result

    def villages(self) -> list[tuple[str, str]]:
        """(id, name) of every village in tree order (those of the account's scope), for pick-lists."""
        self._need_structure()
        with self.db.sessions() as session:
            return [(v.id, v.name) for v in session.scalars(self._villages())]

    def add_town(self, name: str, county: str = "", region_code: str = "") -> str:
        self.guard.need(Capability.MANAGE_ORGANISATION)
        with self.db.transaction() as session:
            town = Town(
                name=_required(clean_text("town", "name", name), "镇名"),
                county=clean_text("town", "county", county),
                region_code=region_code,
            )
            session.add(town)
            session.flush()
            return town.id

    def add_village(self, town_id: str, name: str, area_id: str | None = None) -> str:
        self.guard.need(Capability.MANAGE_ORGANISATION)
        with self.db.transaction() as session:
            count = len(session.scalars(select(Village.id).where(Village.town_id == town_id)).all())
            village = Village(
                town_id=town_id,
                area_id=area_id,
                name=_required(clean_text("village", "name", name), "村名"),
                sort=count,
            )
            session.add(village)
            session.flush()
            return village.id

    def add_group(self, village_id: str, name: str) -> str:
        self.guard.need(Capability.MANAGE_ORGANISATION)
        with self.db.transaction() as session:
            existing = session.scalars(
                select(VillageGroup.name).where(VillageGroup.village_id == village_id)
            ).all()
            name = _required(clean_text("group", "name", name), "村民小组名称")
            if name in existing:
                raise DomainError(f"本村已有“{name}”", "name")
            group = VillageGroup(village_id=village_id, name=name, sort=len(existing))
            session.add(group)
            session.flush()
            return group.id

    def add_area(self, town_id: str, name: str, kind: str = "驻村分中心") -> str:
        self.guard.need(Capability.MANAGE_ORGANISATION)
        if kind not in AREA_KINDS:
            raise DomainError(f"片区类型须为：{'、'.join(AREA_KINDS)}", "kind")
        with self.db.transaction() as session:
            count = len(session.scalars(select(Area.id).where(Area.town_id == town_id)).all())
            area = Area(
                town_id=town_id,
                name=_required(clean_text("area", "name", name), "片区名称"),
                kind=kind,
                sort=count,
            )
            session.add(area)
            session.flush()
            return area.id

    def rename(self, kind: str, node_id: str, name: str) -> None:
        """Rename a town, area, village or group; the household list's sort keys are unaffected."""
        self.guard.need(Capability.MANAGE_ORGANISATION)
        model = {"town": Town, "area": Area, "village": Village, "group": VillageGroup}.get(kind)
        if model is None:
            raise DomainError("只能重命名镇、片区、村或村民小组")
        with self.db.transaction() as session:
            record = session.get(model, node_id)
            if record is None:
                raise DomainError("找不到要重命名的节点")
            name = _required(clean_text(kind, "name", name), "名称")
            if kind == "group":
                siblings = session.scalars(
                    select(VillageGroup.name).where(
                        VillageGroup.village_id == record.village_id, VillageGroup.id != node_id
                    )
                )
                if name in set(siblings):
                    raise DomainError(f"本村已有“{name}”", "name")
            record.name = name

    def town_of(self, kind: str, node_id: str) -> str | None:
        """The town a node belongs to."""
        self._need_structure()
        with self.db.sessions() as session:
            if kind == "town":
                return node_id
            if kind == "area":
                return session.scalar(select(Area.town_id).where(Area.id == node_id))
            if kind == "village":
                return session.scalar(select(Village.town_id).where(Village.id == node_id))
            if kind == "group":
                return session.scalar(
                    select(Village.town_id).join(VillageGroup).where(VillageGroup.id == node_id)
                )
        return None

    # ---- cadres -------------------------------------------------------------------------------
    def add_cadre(
        self,
        name: str,
        kind: str,
        unit: str = "",
        post: str = "",
        phone: str = "",
        village_id: str | None = None,
    ) -> str:
        self.guard.need(Capability.MANAGE_ORGANISATION)
        if kind not in CADRE_KINDS:
            raise DomainError(f"干部类别须为：{'、'.join(CADRE_KINDS)}", "kind")
        name, unit, post, phone = (
            clean_text("cadre", key, value)
            for key, value in (("name", name), ("unit", unit), ("post", post), ("phone", phone))
        )
        with self.db.transaction() as session:
            cadre = Cadre(
                name=_required(name, "姓名"),
                kind=kind,
                unit=unit,
                post=post,
                phone=normalize_phone(phone),
                village_id=village_id,
                active=True,
            )
            session.add(cadre)
            session.flush()
            return cadre.id

    def retire_cadre(self, cadre_id: str) -> None:
        """A cadre who leaves stays in the records they made; they are no longer offered in pick-lists."""
        self.guard.need(Capability.MANAGE_ORGANISATION)
        with self.db.transaction() as session:
            cadre = session.get(Cadre, cadre_id)
            if cadre is None:
                raise DomainError("找不到这名干部")
            cadre.active = False

    def cadres(self, kind: str | None = None, including: str | None = None, *, ordered: bool = True) -> list[CadreItem]:
        """Active cadres for pick-lists, by kind and then by the pinyin of the name (李 < 王 < 张);
        ``including`` adds one cadre even if retired — the one a file names, so that opening and saving
        the file does not silently clear it. ``ordered=False``, for finding a cadre by name: in the
        database's order, without the pinyin (whose dictionaries take a quarter of a second to load)."""
        self._need_structure()
        with self.db.sessions() as session:
            shown = (
                Cadre.active.is_(True)
                if not including
                else or_(Cadre.active.is_(True), Cadre.id == including)
            )
            query = select(Cadre).where(shown)
            if kind:
                query = query.where(Cadre.kind == kind)
            items = [
                CadreItem(c.id, c.name, c.kind, c.unit, c.village_id, c.active)
                for c in session.scalars(query)
            ]
        if not ordered:
            return items
        return sorted(items, key=lambda c: (c.kind, pinyin_keys(c.name)[0], c.name))


def _required(value: str, title: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(f"请填写{title}", "name")
    return text
