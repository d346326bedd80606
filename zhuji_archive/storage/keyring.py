"""The keyring beside an archive file: the archive's key, wrapped once for each account.

``档案.sqlite3`` is encrypted with a random key nobody types. ``档案.sqlite3.keys`` holds that key
wrapped (AES-256-GCM) with a key derived from each account's password by Argon2id, so any account can
open the file with its own password, a password change rewraps one slot, and a disabled account's slot
is removed. The keyring also records the cipher settings and the count of failed logins (the archive
cannot be opened to store them until someone logs in). It holds no personal data: slots are named by a
keyed digest of the login name, never the name itself.

The keyring must travel with the archive; backups copy both (services/backups.py).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from zhuji_archive.storage import cipher

FORMAT = "zhuji-archive-keyring"
FORMAT_VERSION = 1
SUFFIX = ".keys"


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost; RFC 9106's second recommendation (64 MiB, 3 passes) for real archives."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 4


KDF = KdfParams()  # tests lower this (conftest) and check the real cost separately


class KeyringError(Exception):
    """The keyring is missing, damaged or does not belong to the archive; the message is Chinese."""


class WrongPassword(Exception):
    """No slot for this login, or the password does not unwrap it (the two are not told apart)."""


def keyring_path(archive: Path) -> Path:
    return archive.with_name(archive.name + SUFFIX)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def derive(password: str, salt: bytes, params: KdfParams) -> bytes:
    return hash_secret_raw(
        password.encode("utf-8"), salt, params.time_cost, params.memory_kib, params.parallelism, 32, Type.ID
    )


@dataclass
class Keyring:
    """The parsed keyring file; ``save`` writes it atomically, readable by the owner only."""

    archive_id: str
    cipher_settings: dict[str, Any] = field(default_factory=lambda: dict(cipher.CIPHER_SETTINGS))
    slots: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: dict[str, dict[str, Any]] = field(default_factory=dict)
    pending_failures: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def new(cls) -> Keyring:
        return cls(archive_id=os.urandom(16).hex())

    # ----- slots --------------------------------------------------------------------------------
    def slot_name(self, login: str) -> str:
        return hashlib.sha256(f"{self.archive_id}:{login}".encode()).hexdigest()[:32]

    def has_slot(self, login: str) -> bool:
        return self.slot_name(login) in self.slots

    def add_slot(self, login: str, password: str, key: bytes, params: KdfParams | None = None) -> None:
        """Wrap the archive key for this login (replacing its slot)."""
        params = params or KDF
        salt = os.urandom(16)
        nonce = os.urandom(12)
        wrapping = derive(password, salt, params)
        name = self.slot_name(login)
        wrapped = AESGCM(wrapping).encrypt(nonce, key, name.encode())
        self.slots[name] = {
            "kdf": "argon2id",
            "time_cost": params.time_cost,
            "memory_kib": params.memory_kib,
            "parallelism": params.parallelism,
            "salt": _b64(salt),
            "nonce": _b64(nonce),
            "wrapped": _b64(wrapped),
        }

    def remove_slot(self, login: str) -> None:
        self.slots.pop(self.slot_name(login), None)

    def unwrap(self, login: str, password: str) -> bytes:
        """The archive key, if the password is this login's; WrongPassword otherwise."""
        name = self.slot_name(login)
        slot = self.slots.get(name)
        if slot is None:
            # Spend the same time as a real slot so that timing does not tell which logins exist.
            derive(password, b"\0" * 16, KDF)
            raise WrongPassword()
        params = KdfParams(int(slot["time_cost"]), int(slot["memory_kib"]), int(slot["parallelism"]))
        wrapping = derive(password, _unb64(slot["salt"]), params)
        try:
            return AESGCM(wrapping).decrypt(_unb64(slot["nonce"]), _unb64(slot["wrapped"]), name.encode())
        except InvalidTag as error:
            raise WrongPassword() from error

    # ----- failed logins ------------------------------------------------------------------------
    def failure_count(self, login: str) -> tuple[int, datetime | None]:
        entry = self.failures.get(self.slot_name(login))
        if not entry:
            return 0, None
        return int(entry["count"]), datetime.fromisoformat(entry["last"])

    def record_failure(self, login: str, when: datetime) -> None:
        name = self.slot_name(login)
        count, _ = self.failure_count(login)
        self.failures[name] = {"count": count + 1, "last": when.isoformat()}
        self.pending_failures.append({"slot": name, "at": when.isoformat()})
        del self.pending_failures[:-200]  # an attacker cannot grow the file without bound

    def clear_failures(self, login: str) -> None:
        self.failures.pop(self.slot_name(login), None)

    # ----- file -------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "archive_id": self.archive_id,
            "cipher": self.cipher_settings,
            "slots": self.slots,
            "failures": self.failures,
            "pending_failures": self.pending_failures,
        }

    def save(self, path: Path) -> None:
        """Write atomically (temporary file, fsync, rename) so a crash leaves the old or the new."""
        data = json.dumps(self.to_json(), ensure_ascii=True, indent=1, sort_keys=True).encode("ascii")
        handle, temporary = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            os.fchmod(handle, 0o600) if hasattr(os, "fchmod") else None
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        cipher.restrict_to_owner(path)

    @classmethod
    def load(cls, path: Path) -> Keyring:
        try:
            data = json.loads(path.read_text(encoding="ascii"))
        except FileNotFoundError as error:
            raise KeyringError(
                f"找不到档案的钥匙文件“{path.name}”。它必须和档案文件放在同一个文件夹里；"
                "复制或移动档案时，请把这两个文件一起复制。"
            ) from error
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise KeyringError(
                f"档案的钥匙文件“{path.name}”已损坏，无法读取。请用备份中的钥匙文件恢复。"
            ) from error
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise KeyringError(f"“{path.name}”不是群众档案的钥匙文件。")
        if int(data.get("version", 0)) > FORMAT_VERSION:
            raise KeyringError(f"钥匙文件“{path.name}”由更新版本的程序写入，请升级程序。")
        return cls(
            archive_id=str(data["archive_id"]),
            cipher_settings=dict(data.get("cipher") or cipher.CIPHER_SETTINGS),
            slots=dict(data.get("slots") or {}),
            failures=dict(data.get("failures") or {}),
            pending_failures=list(data.get("pending_failures") or []),
        )

    @property
    def compatibility(self) -> int:
        return int(self.cipher_settings.get("compatibility", cipher.COMPATIBILITY))


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Only one process changes the keyring at a time (a login clearing its failures must not undo
    the slot an administrator is adding in another window)."""
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a+b") as handle:
        cipher.restrict_to_owner(lock_path)
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt

            handle.seek(0)
            while True:
                try:
                    msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
                    break
                except OSError:
                    continue
            try:
                yield
            finally:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def update(path: Path, change: Callable[[Keyring], None]) -> Keyring:
    """Read the keyring afresh under the lock, apply ``change`` and write it back."""
    with _locked(path):
        ring = Keyring.load(path)
        change(ring)
        ring.save(path)
        return ring


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
