"""Recomputing the stored pinyin search keys after the rule that makes them changes.

The keys (member.name_pinyin, member.name_initials, household.head_pinyin) are written when a file is
saved, so rows saved under an older rule keep their old keys until recomputed — e.g. names with a
middle dot (艾力·买买提) saved before punctuation was left out of the keys. Written against plain
table constructs, not the ORM models, so an Alembic migration can call it with ``op.get_bind()``."""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, column, select, table, update

from zhuji_archive.domain.search_keys import pinyin_keys

_member = table("member", column("id"), column("name"), column("name_pinyin"), column("name_initials"))
_household = table("household", column("id"), column("head_name"), column("head_pinyin"))
BATCH = 5000


def recompute_name_keys(connection: Connection) -> int:
    """Rewrite every name key that differs from what the current rule gives; return rows changed.

    Reads in id order a batch at a time and writes only the rows whose keys change, so it is cheap
    to run again and keeps memory flat on a county-sized archive. The caller owns the transaction."""
    changed = 0
    last = ""
    while True:
        rows = connection.execute(
            select(_member.c.id, _member.c.name, _member.c.name_pinyin, _member.c.name_initials)
            .where(_member.c.id > last)
            .order_by(_member.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        last = rows[-1][0]
        updates = []
        for member_id, name, full, initials in rows:
            new_full, new_initials = pinyin_keys(name or "")
            if (new_full, new_initials) != (full, initials):
                updates.append({"key": member_id, "full": new_full, "initials": new_initials})
        if updates:
            connection.execute(
                update(_member)
                .where(_member.c.id == bindparam("key"))
                .values(name_pinyin=bindparam("full"), name_initials=bindparam("initials")),
                updates,
            )
            changed += len(updates)
    last = ""
    while True:
        rows = connection.execute(
            select(_household.c.id, _household.c.head_name, _household.c.head_pinyin)
            .where(_household.c.id > last)
            .order_by(_household.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        last = rows[-1][0]
        updates = [
            {"key": hid, "full": pinyin_keys(head or "")[0]}
            for hid, head, full in rows
            if pinyin_keys(head or "")[0] != full
        ]
        if updates:
            connection.execute(
                update(_household).where(_household.c.id == bindparam("key")).values(head_pinyin=bindparam("full")),
                updates,
            )
            changed += len(updates)
    return changed
