"""A household's derived list columns (户主, 拼音, 人数, 经济类型, 重点关注, 驻村干部, 最近走访, 排序键),
computed in one place from plain values, whoever writes the household: a save, an import or the demo."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date

from zhuji_archive.domain.codes import HEAD_RELATION
from zhuji_archive.domain.maintenance import BIG_VISIT_KINDS
from zhuji_archive.domain.search_keys import pinyin_keys

LABEL_SEPARATOR = "、"


def group_sort_key(village_sort: int, group_sort: int) -> str:
    """The text key that orders households by village, then group, in one indexed column."""
    return f"{village_sort:05d}-{group_sort:05d}"


@dataclass(frozen=True)
class ListColumns:
    """The household row's denormalised columns, named as the ``household`` table names them."""

    head_name: str
    head_pinyin: str
    member_count: int
    economic_types: str
    focus_tags: str
    cadre_name: str
    cadre_pinyin: str
    group_sort: str
    last_visit_date: date | None
    last_visit_key: str
    last_big_visit_date: date | None

    def as_row(self) -> dict[str, object]:
        """The columns as a row for a bulk insert (or for setting on the household's record). The values
        are plain strings, numbers and dates: a shallow copy, not ``asdict``'s deep one, which was a
        tenth of the demo generator's time."""
        return {name: getattr(self, name) for name in _COLUMN_NAMES}


def list_columns(
    *,
    members: Iterable[tuple[str, str]],
    codes: Iterable[tuple[str, str]],
    cadre_name: str,
    place_sort: tuple[int, int],
    visits: Iterable[tuple[date, str]],
) -> ListColumns:
    """The list columns of one household.

    ``members`` are the (name, relation) of the members not removed, in file order; ``codes`` the
    (kind, label) pairs of its economic types and focus tags; ``place_sort`` the (village, group) sort
    numbers; ``visits`` the (date, kind) of its visits not deleted.
    """
    people = list(members)
    head = next((name for name, relation in people if relation == HEAD_RELATION), "")
    pairs = set(codes)
    visit_list = list(visits)
    last_visit = max((on for on, _ in visit_list), default=None)
    return ListColumns(
        head_name=head,
        head_pinyin=pinyin_keys(head)[0],
        member_count=len(people),
        economic_types=LABEL_SEPARATOR.join(sorted(label for kind, label in pairs if kind == "economic_type")),
        focus_tags=LABEL_SEPARATOR.join(sorted(label for kind, label in pairs if kind == "focus_tag")),
        cadre_name=cadre_name,
        cadre_pinyin=pinyin_keys(cadre_name)[0],
        group_sort=group_sort_key(*place_sort),
        last_visit_date=last_visit,
        last_visit_key=last_visit.isoformat() if last_visit else "",
        last_big_visit_date=max((on for on, kind in visit_list if kind in BIG_VISIT_KINDS), default=None),
    )


_COLUMN_NAMES = tuple(f.name for f in fields(ListColumns))
