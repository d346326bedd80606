"""Grouping a ledger sheet's rows into households: by a household key (户号/序号/户主姓名) where the
sheet has one, else by 户主 rows. Pure Python."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from zhuji_archive.domain.codes import HEAD_RELATION
from zhuji_archive.domain.ledger import clean_text


@dataclass
class LedgerRow:
    """One data row of a sheet: its 1-based row number and its values by field."""

    row: int
    values: dict[str, object]
    key: str = ""  # household key (户号/序号/户主姓名), "" when none


@dataclass
class RowGroup:
    """The rows of one household in sheet order, and why the grouping itself failed (if it did)."""

    rows: list[LedgerRow] = field(default_factory=list)
    key: str = ""
    problem: str = ""


def serial_numbers_households(values: Sequence[object]) -> bool:
    """Does a 序号 column number households (blank or repeated on member rows) rather than persons?"""
    filled = [clean_text(v) for v in values]
    present = [v for v in filled if v]
    if not present:
        return False
    return len(present) < len(filled) or len(set(present)) < len(present)


def group_rows(rows: Sequence[LedgerRow], keyed: bool) -> list[RowGroup]:
    """Households in sheet order. Keyed: a row with a new key starts a household, a blank key
    continues the one above (merged or filled-down cells). Otherwise a 户主 row starts one; member
    rows before any head form a group whose ``problem`` says so."""
    groups: list[RowGroup] = []
    current: RowGroup | None = None
    for row in rows:
        relation = row.values.get("relation")
        if keyed:
            if row.key and (current is None or row.key != current.key):
                current = RowGroup(key=row.key)
                groups.append(current)
            elif current is None:
                current = RowGroup(problem="这一行没有户号，也不在任何一户之下：成员没有所属户")
                groups.append(current)
        elif relation == HEAD_RELATION:
            current = RowGroup()
            groups.append(current)
        elif current is None or current.problem:
            if current is None:
                current = RowGroup(problem="这一行之前没有户主行：成员没有所属户（请先列户主，再列家庭成员）")
                groups.append(current)
        current.rows.append(row)
    return groups
