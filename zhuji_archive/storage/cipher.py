"""SQLCipher connections: every archive file is encrypted with its own random 256-bit key.

The key is given raw (``x'…'``), so opening costs no key derivation: the password's derivation happens
once, in the keyring (storage/keyring.py). The cipher settings are those of SQLCipher 4; they are
recorded in the keyring so that a later SQLCipher release, whose defaults may differ, opens the file
with the settings it was written with.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher

KEY_BYTES = 32
COMPATIBILITY = 4  # SQLCipher 4: AES-256-CBC, HMAC-SHA512 per page, 4096-byte pages
CIPHER_SETTINGS = {
    "library": "SQLCipher",
    "compatibility": COMPATIBILITY,
    "page_size": 4096,
    "key": "raw-256",
}
PLAIN_HEADER = b"SQLite format 3\0"

dbapi = sqlcipher  # the DB-API module SQLAlchemy is given for archive files


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def key_statements(key: bytes, compatibility: int = COMPATIBILITY) -> list[str]:
    """What a new connection runs before anything else. SQLCipher writes decryption failures to
    standard error unless told not to; a wrong key is reported by the error it raises instead."""
    if len(key) != KEY_BYTES:
        raise ValueError("archive key must be 32 bytes")
    return [
        "PRAGMA cipher_log_level = NONE",
        f"PRAGMA key = \"x'{key.hex()}'\"",
        f"PRAGMA cipher_compatibility = {int(compatibility)}",
    ]


def apply_key(
    connection: sqlcipher.Connection, key: bytes | None, compatibility: int = COMPATIBILITY
) -> None:
    """Key a fresh connection (a plain file gets no key: it is only ever opened to be encrypted)."""
    cursor = connection.cursor()
    if key is None:
        cursor.execute("PRAGMA cipher_log_level = NONE")
    else:
        for statement in key_statements(key, compatibility):
            cursor.execute(statement)
    cursor.close()


def connect(
    target: Path | str, key: bytes | None, *, uri: bool = False, compatibility: int = COMPATIBILITY
) -> sqlcipher.Connection:
    """A keyed DB-API connection to an archive file (or a ``file:`` URI when ``uri``)."""
    connection = sqlcipher.connect(str(target), uri=uri, check_same_thread=False)
    apply_key(connection, key, compatibility)
    return connection


def is_plain_sqlite(path: Path) -> bool:
    """A file written by the previous version: an ordinary, unencrypted SQLite database."""
    try:
        with open(path, "rb") as file:
            return file.read(len(PLAIN_HEADER)) == PLAIN_HEADER
    except OSError:
        return False


def looks_encrypted(path: Path) -> bool:
    """Whether a file could be an encrypted archive: whole 4096-byte pages of what reads as random
    bytes (a text file, a workbook or a plain database is told apart before any key is tried)."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as file:
            head = file.read(64)
    except OSError:
        return False
    if size == 0 or size % CIPHER_SETTINGS["page_size"] or head.startswith((PLAIN_HEADER, b"PK\x03\x04")):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False  # 64 random bytes are valid UTF-8 with a chance of about 1 in 10^9


def opens_with(path: Path, key: bytes, compatibility: int = COMPATIBILITY) -> bool:
    """Whether the key decrypts the file (reading its schema fails on a wrong key)."""
    connection = connect(path, key, compatibility=compatibility)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher.DatabaseError:
        return False
    finally:
        connection.close()


def integrity_problems(path: Path, key: bytes | None, compatibility: int = COMPATIBILITY) -> list[str]:
    """SQLite's ``integrity_check`` (and SQLCipher's page check when keyed); empty when intact."""
    connection = connect(path, key, compatibility=compatibility)
    try:
        rows = [row[0] for row in connection.execute("PRAGMA integrity_check").fetchall()]
        problems = [row for row in rows if row != "ok"]
        if key is not None:
            problems += [row[0] for row in connection.execute("PRAGMA cipher_integrity_check").fetchall()]
        return problems
    except sqlcipher.DatabaseError as error:
        return [str(error)]
    finally:
        connection.close()


def copy_database(source: Path, target: Path, key: bytes | None, target_key: bytes | None = None) -> None:
    """Copy a database with SQLite's online backup API (consistent while others write, WAL included).

    With ``target_key`` different from ``key`` (a plain source), the copy is made by SQLCipher's
    ``sqlcipher_export`` instead, which is how a plain file becomes an encrypted one."""
    target_key = key if target_key is None else target_key
    source_connection = connect(source, key)
    try:
        if target_key == key:
            destination = connect(target, key)
            try:
                source_connection.backup(destination)
            finally:
                destination.close()
        else:
            assert target_key is not None
            source_connection.execute(
                f"ATTACH DATABASE ? AS encrypted KEY \"x'{target_key.hex()}'\"", (str(target),)
            )
            source_connection.execute("SELECT sqlcipher_export('encrypted')")
            version = source_connection.execute("PRAGMA user_version").fetchone()[0]
            source_connection.execute(f"PRAGMA encrypted.user_version = {int(version)}")
            source_connection.execute("DETACH DATABASE encrypted")
    finally:
        source_connection.close()
    restrict_to_owner(target)


def restrict_to_owner(path: Path) -> None:
    """Files holding personal data are readable by their owner only (no effect on Windows ACLs)."""
    try:
        os.chmod(path, 0o600)
    except OSError:
        pass
