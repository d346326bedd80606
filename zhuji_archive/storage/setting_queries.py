"""Writing a setting: one statement that inserts the key or replaces its value (an upsert), so two
windows setting the same new key at once both succeed — the later value stays — instead of the second
failing on the key (a hub's writers are not one at a time)."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from zhuji_archive.storage.models import Setting


def put(session: Session, key: str, value: str) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(Setting).values(key=key, value=value)
    session.execute(
        statement.on_conflict_do_update(index_elements=[Setting.key], set_={"value": statement.excluded.value})
    )
    # A row this session already holds must not keep its old value
    held = session.identity_map.get(session.identity_key(Setting, (key,)))  # type: ignore[arg-type]
    if held is not None:
        session.expire(held)
