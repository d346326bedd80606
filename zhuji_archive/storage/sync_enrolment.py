"""The enrolment file (issue 14, docs/sync.md): what a laptop starts from, sealed with a one-time code.

It carries the device's private keys, the account and the households in its scope, so it is never
written in the clear: AES-256-GCM under a key derived (scrypt) from a random code that 党政办 reads out
to the cadre and that is never stored. Layout: magic · salt (16) · nonce (12) · ciphertext+tag."""

from __future__ import annotations

import json
import os
import secrets
import zlib
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from zhuji_archive.domain.errors import DomainError

MAGIC = b"\x89ZJENROL1\n"
SCRYPT_N = 2**15  # tests may lower it
_SALT, _NONCE = 16, 12


def new_code() -> str:
    """16 digits in groups of four (about 53 bits), easy to read out over the phone."""
    digits = "".join(secrets.choice("0123456789") for _ in range(16))
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def _key(code: str, salt: bytes) -> bytes:
    cleaned = "".join(ch for ch in code if ch.isdigit()).encode("ascii")
    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=8, p=1).derive(cleaned)


def seal(content: dict[str, Any], code: str) -> bytes:
    salt, nonce = os.urandom(_SALT), os.urandom(_NONCE)
    plain = zlib.compress(json.dumps(content, ensure_ascii=False).encode("utf-8"), 9)
    return MAGIC + salt + nonce + AESGCM(_key(code, salt)).encrypt(nonce, plain, MAGIC)


def open_sealed(data: bytes, code: str) -> dict[str, Any]:
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + _SALT + _NONCE + 16:
        raise DomainError("这不是设备登记文件")
    salt = data[len(MAGIC) : len(MAGIC) + _SALT]
    nonce = data[len(MAGIC) + _SALT : len(MAGIC) + _SALT + _NONCE]
    try:
        plain = AESGCM(_key(code, salt)).decrypt(nonce, data[len(MAGIC) + _SALT + _NONCE :], MAGIC)
        return json.loads(zlib.decompress(plain).decode("utf-8"))
    except (InvalidTag, ValueError, zlib.error):
        raise DomainError("登记码不对，或登记文件已损坏") from None
