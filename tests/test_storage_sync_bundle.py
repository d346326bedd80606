"""The sync file (storage/sync_bundle.py): a round trip, and every way a file is refused as a whole —
not a sync file, damaged or cut short, a byte changed anywhere, an unknown or revoked device, a file for
another hub, a format version this program does not read. Nothing personal is readable in the file."""

from __future__ import annotations

import json
import random
import struct
import zlib
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.storage import sync_bundle
from zhuji_archive.storage.sync_bundle import (
    FORMAT_VERSION,
    MAGIC,
    Refusal,
    SyncFileRefused,
    generate_device_keys,
    generate_hub_keys,
    peek_manifest,
    read,
    write,
)

HUB_ID = "9f1c" * 8
DEVICE_ID = "a1b2" * 8
OTHER_DEVICE_ID = "c3d4" * 8
HUB = generate_hub_keys()
OTHER_HUB = generate_hub_keys()
DEVICE = generate_device_keys()
OTHER_DEVICE = generate_device_keys()
KNOWN = {DEVICE_ID: DEVICE.public_pem, OTHER_DEVICE_ID: OTHER_DEVICE.public_pem}
ID_NUMBER = "330681199001011234"  # made up, with a valid-looking shape
HEAD_NAME = "测试户主"


def manifest(**overrides: object) -> dict:
    values = {
        "kind": "changes",
        "device_id": DEVICE_ID,
        "account_id": "e5f6" * 8,
        "scope": ["0a0b" * 8, "0c0d" * 8],
        "seq_from": 101,
        "seq_to": 165,
        "schema_version": "0011",
        "hub_id": HUB_ID,
        "change_count": 65,
    }
    values.update(overrides)
    return values


PHRASES = (
    "了解家庭近况", "生产生活正常", "子女在外务工", "收入比较稳定", "老人身体欠佳", "需定期回访", "宣传医保缴费政策",
    "讲解养老保险", "反映灌溉渠道堵塞", "家中危房已改造", "种植茶叶十余亩", "养殖生猪", "低保手续已办好",
    "孩子上学有困难", "希望介绍就近务工", "邻里关系和睦", "对村里工作满意", "提出修路建议", "残疾证已办理",
    "春耕物资已备齐", "电费缴纳有疑问", "申请临时救助", "家庭成员患慢性病", "土地流转意向", "已联系镇农办",
)


def typical_week() -> bytes:
    """A typical week's replication log entries: 50 visits, 10 requests, 5 household edits (65 changes),
    with random uuids and notes that differ from visit to visit, so compression is not flattered."""
    rng = random.Random(14)
    changes: list[dict] = []
    seq = 100
    day = date(2026, 5, 4)

    def uuid() -> str:
        return f"{rng.getrandbits(128):032x}"

    def text(low: int, high: int) -> str:
        return "，".join(rng.sample(PHRASES, rng.randint(low, high))) + "。"

    def entry(entity: str, kind: str, values: dict, base: dict | None = None) -> dict:
        nonlocal seq
        seq += 1
        return {
            "entity": entity, "record_id": uuid(), "device_seq": seq, "base_version": 0 if kind == "新增" else 3,
            "kind": kind, "values": values, "base_values": base or {}, "account_id": "e5f6" * 8,
            "at": (datetime(2026, 5, 4, 8) + timedelta(minutes=7 * seq)).isoformat(),
        }

    for i in range(50):
        changes.append(entry("visit", "新增", {
            "household_id": uuid(), "date": (day + timedelta(days=i % 5)).isoformat(),
            "kind": rng.choice(["回访", "半年大走访", "事件必访"]), "cadres": "测试干部甲、测试干部乙",
            "notes": HEAD_NAME + text(2, 5), "policies": text(1, 2), "deleted": False,
        }))
    for i in range(10):
        changes.append(entry("request", "新增", {
            "household_id": uuid(), "number": f"安华2026-{i + 40:04d}", "recorded_on": day.isoformat(),
            "category": "生产生活困难", "description": "反映村道路灯损坏，" + text(2, 4), "status": "登记",
        }))
    for _ in range(5):
        changes.append(entry("member", "修改", {
            "phone": f"138{rng.randint(0, 99_999_999):08d}", "id_number": ID_NUMBER, "birth_date": "1990-01-01", "sex": "男",
        }, {"phone": "", "id_number": ID_NUMBER, "birth_date": "1990-01-01", "sex": "男"}))
    return json.dumps(changes, ensure_ascii=False).encode("utf-8")


CHANGES = typical_week()
FILE = write(manifest(), CHANGES, HUB.public_pem, DEVICE.private_pem)
SMALL = write(manifest(), b'[{"notes": "x"}]', HUB.public_pem, DEVICE.private_pem)


def refusal(data: bytes, **kwargs: object) -> Refusal:
    arguments: dict = {"hub_private_key": HUB.private_pem, "known_devices": KNOWN, "expected_hub_id": HUB_ID}
    arguments.update(kwargs)
    with pytest.raises(SyncFileRefused) as caught:
        read(data, **arguments)
    assert isinstance(caught.value, DomainError)
    assert str(caught.value) == caught.value.message and caught.value.message.isascii() is False  # Chinese
    return caught.value.reason


def test_round_trip() -> None:
    got_manifest, got_changes = read(FILE, HUB.private_pem, KNOWN, HUB_ID)
    assert got_manifest == manifest()
    assert got_changes == CHANGES
    assert peek_manifest(FILE) == manifest()


def test_keys_as_objects_and_with_a_passphrase() -> None:
    from cryptography.hazmat.primitives import serialization

    hub = generate_hub_keys(b"hub passphrase")
    device = generate_device_keys(b"device passphrase")
    assert b"ENCRYPTED" in hub.private_pem and b"ENCRYPTED" in device.private_pem
    data = write(manifest(), CHANGES, hub.public_pem, device.private_pem, passphrase=b"device passphrase")
    device_public = serialization.load_pem_public_key(device.public_pem)
    _manifest, changes = read(data, hub.private_pem, {DEVICE_ID: device_public}, HUB_ID,
                              passphrase=b"hub passphrase")
    assert changes == CHANGES


def test_keys_of_the_wrong_kind_are_a_programming_error() -> None:
    with pytest.raises(ValueError):
        write(manifest(), CHANGES, DEVICE.public_pem, DEVICE.private_pem)  # a signing key to encrypt to
    with pytest.raises(ValueError):
        write(manifest(), CHANGES, HUB.public_pem, HUB.private_pem)  # an encryption key to sign with


def test_every_file_has_its_own_key_and_nonce() -> None:
    again = write(manifest(), CHANGES, HUB.public_pem, DEVICE.private_pem)
    assert again != FILE
    assert read(again, HUB.private_pem, KNOWN, HUB_ID)[1] == CHANGES


def test_nothing_personal_in_plain_text() -> None:
    for secret in (ID_NUMBER, HEAD_NAME, "测试干部甲", "路灯", "安华2026"):
        assert secret.encode("utf-8") not in FILE
        assert secret.encode("utf-16-le") not in FILE
    assert zlib.compress(CHANGES, 9)[:64] not in FILE


def test_the_manifest_admits_no_names() -> None:
    with pytest.raises(ValueError):
        write(manifest(account_name="测试干部甲"), CHANGES, HUB.public_pem, DEVICE.private_pem)
    with pytest.raises(ValueError):
        write({k: v for k, v in manifest().items() if k != "hub_id"}, CHANGES, HUB.public_pem, DEVICE.private_pem)
    with pytest.raises(ValueError):
        write(manifest(scope={"village": "x"}), CHANGES, HUB.public_pem, DEVICE.private_pem)
    with pytest.raises(ValueError):
        write(manifest(seq_from=True), CHANGES, HUB.public_pem, DEVICE.private_pem)


def test_size_of_a_typical_week() -> None:
    """65 changes (50 visits, 10 requests, 5 household edits): the file stays a few kilobytes."""
    changes = json.loads(CHANGES)
    assert len(changes) == 65
    overhead = len(MAGIC) + 1 + 4 + len(json.dumps(manifest(), separators=(",", ":"))) + 32 + 40 + 12 + 8 + 16 + 64
    assert len(FILE) == overhead + len(zlib.compress(CHANGES, 9))
    assert len(FILE) < 12 * 1024, len(FILE)
    assert len(FILE) < len(CHANGES) / 3  # compressed before it is encrypted


# ---- refusals ---------------------------------------------------------------------------------------
def test_not_a_sync_file() -> None:
    assert refusal(b"") == Refusal.NOT_A_SYNC_FILE
    assert refusal(b"PK\x03\x04" + b"\0" * 200) == Refusal.NOT_A_SYNC_FILE  # a workbook
    assert refusal(b"SQLite format 3\0" + b"\0" * 200) == Refusal.NOT_A_SYNC_FILE
    assert refusal(FILE.replace(b"\n", b"\r\n", 1)) == Refusal.NOT_A_SYNC_FILE  # copied in text mode


def test_an_unsupported_format_version() -> None:
    newer = MAGIC + bytes([FORMAT_VERSION + 1]) + FILE[len(MAGIC) + 1 :]
    assert refusal(newer) == Refusal.UNSUPPORTED_VERSION


def test_a_file_cut_short_or_with_bytes_added() -> None:
    for length in range(len(SMALL)):
        assert refusal(SMALL[:length]) in {Refusal.NOT_A_SYNC_FILE, Refusal.DAMAGED}, length
    assert refusal(FILE[: len(FILE) // 2]) == Refusal.DAMAGED
    assert refusal(FILE + b"\0") == Refusal.DAMAGED


def regions(data: bytes) -> dict[str, range]:
    manifest_length = struct.unpack_from(">I", data, len(MAGIC) + 1)[0]
    keys_at = len(MAGIC) + 1 + 4 + manifest_length
    ciphertext_at = keys_at + 32 + 40 + 12 + 8
    return {
        "magic": range(0, len(MAGIC)),
        "version": range(len(MAGIC), len(MAGIC) + 1),
        "manifest length": range(len(MAGIC) + 1, len(MAGIC) + 5),
        "manifest": range(len(MAGIC) + 5, keys_at),
        "ephemeral key": range(keys_at, keys_at + 32),
        "wrapped key": range(keys_at + 32, keys_at + 72),
        "nonce": range(keys_at + 72, keys_at + 84),
        "ciphertext length": range(keys_at + 84, ciphertext_at),
        "ciphertext": range(ciphertext_at, len(data) - 64),
        "signature": range(len(data) - 64, len(data)),
    }


EXPECTED = {
    "magic": {Refusal.NOT_A_SYNC_FILE},
    "version": {Refusal.UNSUPPORTED_VERSION},
    "manifest length": {Refusal.DAMAGED},
    # a manifest byte breaks the JSON, names another device, or is caught by the signature
    "manifest": {Refusal.DAMAGED, Refusal.UNKNOWN_DEVICE, Refusal.TAMPERED},
    "ephemeral key": {Refusal.TAMPERED},
    "wrapped key": {Refusal.TAMPERED},
    "nonce": {Refusal.TAMPERED},
    "ciphertext length": {Refusal.DAMAGED},
    "ciphertext": {Refusal.TAMPERED},
    "signature": {Refusal.TAMPERED},
}


def test_a_changed_byte_anywhere_refuses_the_whole_file() -> None:
    """Every byte of a small file, flipped in turn: refused, and never with part of the changes."""
    assert sum(len(r) for r in regions(SMALL).values()) == len(SMALL)
    seen: dict[str, set[Refusal]] = {}
    for name, where in regions(SMALL).items():
        for index in where:
            for flip in (0x01, 0x80):
                damaged = bytearray(SMALL)
                damaged[index] ^= flip
                reason = refusal(bytes(damaged))
                assert reason in EXPECTED[name], (name, index, reason)
                seen.setdefault(name, set()).add(reason)
    assert seen["manifest"] >= {Refusal.DAMAGED, Refusal.TAMPERED}


@given(st.data())
@settings(max_examples=200, deadline=None)
def test_random_damage_to_a_typical_file_is_refused(data: st.DataObject) -> None:
    damaged = bytearray(FILE)
    for index in data.draw(st.lists(st.integers(0, len(FILE) - 1), min_size=1, max_size=4, unique=True)):
        damaged[index] ^= data.draw(st.integers(1, 255))
    refusal(bytes(damaged))


def test_a_file_for_another_hub() -> None:
    for_other = write(manifest(hub_id="7777" * 8), CHANGES, OTHER_HUB.public_pem, DEVICE.private_pem)
    assert refusal(for_other) == Refusal.OTHER_HUB
    # the right hub id, but encrypted to another hub's key: it cannot be opened here
    wrong_key = write(manifest(), CHANGES, OTHER_HUB.public_pem, DEVICE.private_pem)
    assert refusal(wrong_key) == Refusal.UNDECRYPTABLE
    assert refusal(FILE, hub_private_key=OTHER_HUB.private_pem) == Refusal.UNDECRYPTABLE


def test_an_unknown_or_revoked_device() -> None:
    assert refusal(FILE, known_devices={OTHER_DEVICE_ID: OTHER_DEVICE.public_pem}) == Refusal.UNKNOWN_DEVICE
    assert refusal(FILE, revoked_devices={DEVICE_ID}) == Refusal.REVOKED_DEVICE


def test_a_device_cannot_write_in_anothers_name() -> None:
    forged = write(manifest(), CHANGES, HUB.public_pem, OTHER_DEVICE.private_pem)  # claims DEVICE_ID
    assert refusal(forged) == Refusal.TAMPERED


def test_a_manifest_moved_onto_another_files_payload_is_refused() -> None:
    other = write(manifest(seq_from=1, seq_to=5), b"[]", HUB.public_pem, DEVICE.private_pem)
    spliced = other[: regions(other)["ciphertext"].start] + FILE[regions(FILE)["ciphertext"].start :]
    assert refusal(spliced) in {Refusal.DAMAGED, Refusal.TAMPERED}


def test_a_payload_that_inflates_beyond_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync_bundle, "MAX_CHANGES_BYTES", 1000)
    assert refusal(FILE) == Refusal.DAMAGED


def test_peek_refuses_what_it_cannot_parse() -> None:
    with pytest.raises(SyncFileRefused):
        peek_manifest(b"not a sync file")
    with pytest.raises(SyncFileRefused):
        peek_manifest(FILE[:40])
