"""The sync file: one laptop's changes for the hub (and, the other way, the hub's receipt for a laptop),
the same bytes on a USB stick and over HTTP. See docs/sync.md.

Layout (all lengths big-endian)::

    magic    8  b"\\x89ZJSYNC\\n"   (high bit and newline: a text-mode copy is noticed at once)
    version  1  FORMAT_VERSION
    mlen     4  length of the manifest
    manifest    canonical JSON, UTF-8: opaque ids and numbers only (MANIFEST_KEYS)
    epk     32  the sender's one-off X25519 public key
    wkey    40  the fresh AES-256 content key, wrapped (RFC 3394) with HKDF-SHA256(X25519(epk, recipient))
    nonce   12
    clen     8  length of the ciphertext
    payload     AES-256-GCM(zlib(changes)), associated data = every byte above
    sig     64  Ed25519 signature of the sender's device key over every byte above

Why the manifest stays readable: the hub has to know which device sent a file before it can check the
signature, and the laptop's 同步 page and the hub's device list show the device and sequence range of a
file on a stick without unlocking anything; a gap or a duplicate is seen before decrypting. It holds no
personal data (ids are random uuids, never names; the account is its id, not the login name), and it is
authenticated twice: signed, and bound into the payload's GCM tag. Unknown keys are refused on writing,
so nobody adds a name there by accident. Everything recorded about people is in the encrypted payload.

Why a wrapped content key rather than the ECDH key itself: the payload is encrypted once with a fresh
random key, so a later version can wrap that key for a second recipient (a standby hub) without
re-encrypting, and the recipient's key only ever protects 32 random bytes.

``read`` checks, in order: magic, version, structure, the device (known, not revoked), the signature,
the hub, then decrypts. It returns only when everything holds, raising SyncFileRefused (a DomainError
with a Chinese message) otherwise: never a partial result.
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from zhuji_archive.domain.errors import DomainError

MAGIC = b"\x89ZJSYNC\n"
FORMAT_VERSION = 1
_HEAD = struct.Struct(">8sBI")  # magic, version, manifest length
_KEYS = struct.Struct(">32s40s12sQ")  # ephemeral public key, wrapped key, nonce, ciphertext length
SIGNATURE_BYTES = 64
_HKDF_INFO = b"zhuji-archive sync file v1: content key wrap"
MAX_MANIFEST_BYTES = 64 * 1024
MAX_CHANGES_BYTES = 1 << 30  # what a payload may inflate to: a damaged or hostile file cannot fill memory

# What a manifest may hold: ids, numbers and the laptop's clock, nothing about people.
REQUIRED_KEYS = frozenset({"device_id", "account_id", "scope", "seq_from", "seq_to", "schema_version", "hub_id"})
MANIFEST_KEYS = REQUIRED_KEYS | {
    "kind", "created_at", "change_count", "acknowledged_to", "hub_seq_to", "renumber_after",
}


class Refusal(StrEnum):
    NOT_A_SYNC_FILE = "not_a_sync_file"
    DAMAGED = "damaged"
    UNSUPPORTED_VERSION = "unsupported_version"
    UNKNOWN_DEVICE = "unknown_device"
    REVOKED_DEVICE = "revoked_device"
    TAMPERED = "tampered"
    OTHER_HUB = "other_hub"
    UNDECRYPTABLE = "undecryptable"


_MESSAGES = {
    Refusal.NOT_A_SYNC_FILE: "这不是同步文件",
    Refusal.DAMAGED: "同步文件已损坏或不完整，请重新生成后再导入",
    Refusal.UNSUPPORTED_VERSION: "同步文件的格式版本不受本程序支持，请先升级程序",
    Refusal.UNKNOWN_DEVICE: "同步文件来自未登记的设备，已拒收",
    Refusal.REVOKED_DEVICE: "同步文件来自已停用的设备，已拒收（该设备上未发送的数据仍保留在设备上）",
    Refusal.TAMPERED: "同步文件被改动过（签名不符），已拒收",
    Refusal.OTHER_HUB: "这个同步文件是发给另一个镇的，已拒收",
    Refusal.UNDECRYPTABLE: "同步文件无法解密：不是用本镇的密钥加密的，或已损坏",
}


class SyncFileRefused(DomainError):
    """A sync file (or receipt) is refused as a whole; ``reason`` says why, the message says it in Chinese."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(_MESSAGES[reason])
        self.reason = reason


# ---- keys ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class KeyPair:
    """A private key (PKCS #8 PEM, encrypted when a passphrase was given) and its public key (PEM)."""

    private_pem: bytes
    public_pem: bytes


def _pem_pair(private: Ed25519PrivateKey | X25519PrivateKey, passphrase: bytes | None) -> KeyPair:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    )
    private_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return KeyPair(private_pem, public_pem)


def generate_device_keys(passphrase: bytes | None = None) -> KeyPair:
    """A signing key (Ed25519): a laptop signs its sync files with it (the hub signs receipts with its own)."""
    return _pem_pair(Ed25519PrivateKey.generate(), passphrase)


def generate_hub_keys(passphrase: bytes | None = None) -> KeyPair:
    """A receiving key (X25519): files for the hub are encrypted to it (a laptop has one for its receipts)."""
    return _pem_pair(X25519PrivateKey.generate(), passphrase)


generate_signing_keys = generate_device_keys
generate_receiving_keys = generate_hub_keys


def _private(key: bytes | Any, kind: type, passphrase: bytes | None) -> Any:
    if isinstance(key, bytes):
        key = serialization.load_pem_private_key(key, password=passphrase)
    if not isinstance(key, kind):
        raise ValueError(f"expected a {kind.__name__}")
    return key


def _public(key: bytes | Any, kind: type) -> Any:
    if isinstance(key, bytes):
        key = serialization.load_pem_public_key(key)
    if not isinstance(key, kind):
        raise ValueError(f"expected a {kind.__name__}")
    return key


def _raw(public: X25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _key_encryption_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=ephemeral + recipient, info=_HKDF_INFO).derive(shared)


# ---- manifest ------------------------------------------------------------------------------------
def _check_manifest(manifest: Mapping[str, Any]) -> None:
    missing = REQUIRED_KEYS - manifest.keys()
    unknown = manifest.keys() - MANIFEST_KEYS
    if missing or unknown:
        raise ValueError(f"manifest keys: missing {sorted(missing)}, not allowed {sorted(unknown)}")
    for key, value in manifest.items():
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in values):
            raise ValueError(f"manifest {key}: only text, whole numbers and lists of them")
    if not isinstance(manifest["device_id"], str) or not isinstance(manifest["hub_id"], str):
        raise ValueError("manifest device_id and hub_id are text")


def _manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    return json.dumps(dict(manifest), sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


# ---- writing and reading -------------------------------------------------------------------------
def write(
    manifest: Mapping[str, Any],
    changes: bytes,
    hub_public_key: bytes | X25519PublicKey,
    device_private_key: bytes | Ed25519PrivateKey,
    *,
    passphrase: bytes | None = None,
) -> bytes:
    """The sync file for ``changes`` (the serialised replication log entries), encrypted for the hub and
    signed by the device. ``passphrase`` opens an encrypted device key PEM."""
    _check_manifest(manifest)
    recipient = _public(hub_public_key, X25519PublicKey)
    signer = _private(device_private_key, Ed25519PrivateKey, passphrase)
    manifest_bytes = _manifest_bytes(manifest)
    if len(manifest_bytes) > MAX_MANIFEST_BYTES:
        raise ValueError("manifest too large")

    ephemeral = X25519PrivateKey.generate()
    ephemeral_raw = _raw(ephemeral.public_key())
    kek = _key_encryption_key(ephemeral.exchange(recipient), ephemeral_raw, _raw(recipient))
    content_key = AESGCM.generate_key(bit_length=256)
    wrapped = aes_key_wrap(kek, content_key)
    nonce = os.urandom(12)
    plaintext = zlib.compress(changes, 9)
    ciphertext_length = len(plaintext) + 16  # GCM appends a 16-byte tag
    head = (
        _HEAD.pack(MAGIC, FORMAT_VERSION, len(manifest_bytes))
        + manifest_bytes
        + _KEYS.pack(ephemeral_raw, wrapped, nonce, ciphertext_length)
    )
    ciphertext = AESGCM(content_key).encrypt(nonce, plaintext, head)
    assert len(ciphertext) == ciphertext_length
    body = head + ciphertext
    return body + signer.sign(body)


@dataclass(frozen=True)
class _Parts:
    manifest: dict[str, Any]
    head: bytes
    ephemeral: bytes
    wrapped: bytes
    nonce: bytes
    ciphertext: bytes
    body: bytes
    signature: bytes


def _parse(data: bytes) -> _Parts:
    if len(data) < len(MAGIC) or data[: len(MAGIC)] != MAGIC:
        raise SyncFileRefused(Refusal.NOT_A_SYNC_FILE)
    if len(data) < _HEAD.size:
        raise SyncFileRefused(Refusal.DAMAGED)
    _magic, version, manifest_length = _HEAD.unpack_from(data)
    if version != FORMAT_VERSION:
        raise SyncFileRefused(Refusal.UNSUPPORTED_VERSION)
    keys_at = _HEAD.size + manifest_length
    if manifest_length > MAX_MANIFEST_BYTES or len(data) < keys_at + _KEYS.size + SIGNATURE_BYTES:
        raise SyncFileRefused(Refusal.DAMAGED)
    ephemeral, wrapped, nonce, ciphertext_length = _KEYS.unpack_from(data, keys_at)
    ciphertext_at = keys_at + _KEYS.size
    if len(data) != ciphertext_at + ciphertext_length + SIGNATURE_BYTES:
        raise SyncFileRefused(Refusal.DAMAGED)
    try:
        manifest = json.loads(data[_HEAD.size : keys_at].decode("ascii"))
        if not isinstance(manifest, dict):
            raise ValueError("not an object")
        _check_manifest(manifest)
    except (ValueError, RecursionError):  # also UnicodeDecodeError, JSONDecodeError; deep nesting
        raise SyncFileRefused(Refusal.DAMAGED) from None
    body_end = ciphertext_at + ciphertext_length
    return _Parts(
        manifest=manifest,
        head=data[:ciphertext_at],
        ephemeral=ephemeral,
        wrapped=wrapped,
        nonce=nonce,
        ciphertext=data[ciphertext_at:body_end],
        body=data[:body_end],
        signature=data[body_end:],
    )


def peek_manifest(data: bytes) -> dict[str, Any]:
    """The manifest of a file, for showing it (device, range) before importing. Not yet trusted: only
    ``read`` says the file is genuine. Raises SyncFileRefused when the file cannot even be parsed."""
    return _parse(data).manifest


def read(
    data: bytes,
    hub_private_key: bytes | X25519PrivateKey,
    known_devices: Mapping[str, bytes | Ed25519PublicKey],
    expected_hub_id: str,
    *,
    revoked_devices: Collection[str] = (),
    passphrase: bytes | None = None,
) -> tuple[dict[str, Any], bytes]:
    """The manifest and the changes of a genuine file sent to this hub by a known device, or
    SyncFileRefused. ``known_devices`` maps the enrolled devices' ids to their public signing keys;
    a device in ``revoked_devices`` is refused (with its own message) even when it is still known."""
    parts = _parse(data)
    device_id = parts.manifest["device_id"]
    if device_id in revoked_devices:
        raise SyncFileRefused(Refusal.REVOKED_DEVICE)
    device_key = known_devices.get(device_id)
    if device_key is None:
        raise SyncFileRefused(Refusal.UNKNOWN_DEVICE)
    try:
        _public(device_key, Ed25519PublicKey).verify(parts.signature, parts.body)
    except InvalidSignature:
        raise SyncFileRefused(Refusal.TAMPERED) from None
    if parts.manifest["hub_id"] != expected_hub_id:
        raise SyncFileRefused(Refusal.OTHER_HUB)

    recipient = _private(hub_private_key, X25519PrivateKey, passphrase)
    try:
        shared = recipient.exchange(X25519PublicKey.from_public_bytes(parts.ephemeral))
        kek = _key_encryption_key(shared, parts.ephemeral, _raw(recipient.public_key()))
        content_key = aes_key_unwrap(kek, parts.wrapped)
        plaintext = AESGCM(content_key).decrypt(parts.nonce, parts.ciphertext, parts.head)
    except (InvalidUnwrap, InvalidTag, ValueError):
        raise SyncFileRefused(Refusal.UNDECRYPTABLE) from None
    inflater = zlib.decompressobj()
    try:
        changes = inflater.decompress(plaintext, MAX_CHANGES_BYTES)
    except zlib.error:
        raise SyncFileRefused(Refusal.DAMAGED) from None
    if inflater.unconsumed_tail or not inflater.eof:
        raise SyncFileRefused(Refusal.DAMAGED)
    return parts.manifest, changes
