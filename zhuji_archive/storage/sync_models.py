"""The tables of sync (issue 14, docs/sync.md): who this archive is, the devices a hub knows, the
replication log and the conflict queue. Migration 0013 makes them; the same tables on a laptop's file
and on a hub (each uses the rows that concern its role).

Values in ``sync_log`` and ``sync_conflict`` are JSON of the records' fields in wire form (dates as ISO
text), as they travel in sync files; ids are the records' own ids (uuid4 hex)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zhuji_archive.storage.models import Base, new_id, utcnow


class SyncIdentity(Base):
    """The one row saying what this archive is in sync: a laptop enrolled at a hub, or the hub.

    The private keys live here, inside the archive (a laptop's file is encrypted; a hub's database is
    the township's server), never in a file beside it. A laptop counts its own changes (``last_seq``)
    and remembers what the hub acknowledged and the last hub change it received; a hub counts hub
    sequence numbers (``last_seq``)."""

    __tablename__ = "sync_identity"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    role: Mapped[str] = mapped_column(String(6))  # laptop / hub
    device_id: Mapped[str] = mapped_column(String(32))  # a laptop's device id; the hub's own id on a hub
    hub_id: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[str | None] = mapped_column(String(32))  # the laptop's enrolled account
    signing_private: Mapped[str] = mapped_column(Text)  # Ed25519, PKCS #8 PEM
    receiving_private: Mapped[str] = mapped_column(Text)  # X25519, PKCS #8 PEM
    hub_signing_public: Mapped[str] = mapped_column(Text, default="")  # on a laptop: the hub's keys
    hub_receiving_public: Mapped[str] = mapped_column(Text, default="")
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    acknowledged_seq: Mapped[int] = mapped_column(Integer, default=0)  # laptop: the hub applied up to here
    hub_seq_seen: Mapped[int] = mapped_column(Integer, default=0)  # laptop: hub changes received up to here


class SyncDevice(Base):
    """A laptop enrolled at the hub: its account and scope, its public keys, whether it is revoked,
    when it was last heard from, up to which of its sequence numbers the hub applied, and up to which
    hub sequence number its last receipt went."""

    __tablename__ = "sync_device"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(40))
    account_id: Mapped[str] = mapped_column(String(32), index=True)
    scope: Mapped[str] = mapped_column(Text, default="")  # village ids, comma-separated
    signing_public: Mapped[str] = mapped_column(Text)
    receiving_public: Mapped[str] = mapped_column(Text)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    enrolled_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_contact: Mapped[datetime | None] = mapped_column(DateTime)
    applied_seq: Mapped[int] = mapped_column(Integer, default=0)
    receipt_hub_seq: Mapped[int] = mapped_column(Integer, default=0)


class SyncLog(Base):
    """One entry of the replication log: a change of one record.

    On a laptop: its own changes, numbered 1, 2, 3 … (``device_seq``), waiting until the hub
    acknowledges them. On the hub: every change it applied or made, with its hub sequence number."""

    __tablename__ = "sync_log"
    __table_args__ = (
        UniqueConstraint("device_id", "device_seq", name="uq_sync_log_device_seq"),
        Index("ix_sync_log_hub_seq", "hub_seq", unique=True),
        Index("ix_sync_log_village_hub_seq", "village_id", "hub_seq"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(20))  # table name: household / member / visit
    record_id: Mapped[str] = mapped_column(String(32))
    household_id: Mapped[str | None] = mapped_column(String(32))
    village_id: Mapped[str | None] = mapped_column(String(32))
    device_id: Mapped[str] = mapped_column(String(32))
    device_seq: Mapped[int] = mapped_column(Integer)
    hub_seq: Mapped[int | None] = mapped_column(Integer)
    base_version: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(4))  # sync_merge.ChangeKind: 新增 / 修改 / 删除 / 恢复
    values: Mapped[str] = mapped_column(Text, default="{}")
    base_values: Mapped[str] = mapped_column(Text, default="{}")
    account_id: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SyncConflict(Base):
    """An entry of the conflict queue: the value a concurrent edit displaced, next to the one kept,
    with who and when on each side. Never dropped; ``decided`` once someone chose."""

    __tablename__ = "sync_conflict"
    __table_args__ = (Index("ix_sync_conflict_open", "decided", "village_id"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    entity: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[str] = mapped_column(String(32))
    household_id: Mapped[str | None] = mapped_column(String(32))
    village_id: Mapped[str | None] = mapped_column(String(32))
    field: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))  # sync_merge.ConflictKind
    hub_value: Mapped[str] = mapped_column(Text, default="null")  # JSON
    incoming_value: Mapped[str] = mapped_column(Text, default="null")  # JSON
    kept: Mapped[str] = mapped_column(String(8))  # hub / incoming (on a laptop: hub / local)
    hub_device: Mapped[str] = mapped_column(String(32), default="")
    hub_account: Mapped[str] = mapped_column(String(32), default="")
    hub_at: Mapped[datetime | None] = mapped_column(DateTime)
    hub_seq: Mapped[int | None] = mapped_column(Integer)
    incoming_device: Mapped[str] = mapped_column(String(32), default="")
    incoming_account: Mapped[str] = mapped_column(String(32), default="")
    incoming_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided: Mapped[bool] = mapped_column(Boolean, default=False)
