"""Sync over the network (issue 14, docs/sync.md): the hub's endpoint (``hub serve``, a Starlette app
run by uvicorn, services/sync_endpoint.py) and ``sync now`` on a laptop (services/sync_client.py).
The real server runs on a free localhost port against a real PostgreSQL hub (tests/pg_cluster.py)
in every run; the laptop is joined by the ordinary enrolment (tests/test_hub_sync.py's town)."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from accounts import PASSWORD
from test_hub_sync import Town, _address, _edit, _snapshot, _town

from zhuji_archive.domain.accounts import PermissionDenied
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.services import sync_endpoint
from zhuji_archive.services.sync_client import HubRefused, HubUnreachable, endpoint, sync_now


class Served:
    """The real endpoint in a thread: uvicorn on a free port of 127.0.0.1."""

    def __init__(self, town: Town) -> None:
        self.sock = sync_endpoint.listen("127.0.0.1", 0)
        self.port = self.sock.getsockname()[1]
        self.server = sync_endpoint.make_server(town.hub, "127.0.0.1", self.port)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "the server did not start"
            time.sleep(0.01)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@pytest.fixture
def town(request: pytest.FixtureRequest, tmp_path: Path) -> Town:
    return _town(request, tmp_path)


@pytest.fixture
def served(town: Town) -> Iterator[Served]:
    server = Served(town)
    yield server
    server.stop()


def _post(served: Served, data: bytes) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(f"http://{served.address}/sync", data=data, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as error:
        return error.code, error.read(), {k.lower(): v for k, v in error.headers.items()}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- the round trip ------------------------------------------------------------------------------
def test_hub_sync_now_carries_changes_both_ways(town: Town, served: Served) -> None:
    _edit(town.laptop, town.household, address="甲村2号")
    _edit(town.hub, town.household, notes="镇里核实")
    assert town.laptop.sync.waiting() == 1
    result = sync_now(town.laptop, served.address)
    assert (result.sent, result.hub_applied, result.hub_conflicts, result.duplicate) == (1, 1, 0, False)
    assert result.receipt.acknowledged_to == 1 and result.receipt.applied == 1
    assert _address(town.hub, town.household) == "甲村2号"
    assert town.laptop.households.load(town.household).notes == "镇里核实"
    assert town.laptop.sync.waiting() == 0
    # nothing new: a second round sends nothing, changes nothing, and says so
    before = _snapshot(town.hub)
    again = sync_now(town.laptop, f"http://{served.address}/")
    assert again.sent == 0 and again.hub_applied == 0
    assert _snapshot(town.hub) == before
    with urllib.request.urlopen(f"http://{served.address}/health", timeout=10) as response:
        assert response.status == 200 and json.loads(response.read())["status"] == "ok"


def test_hub_posting_the_same_file_twice_changes_nothing(town: Town, served: Served) -> None:
    _edit(town.laptop, town.household, address="甲村3号")
    data = town.laptop.sync.export(town.folder).read_bytes()
    status, receipt, headers = _post(served, data)
    assert status == 200 and headers["content-type"] == "application/octet-stream"
    assert (headers["x-zhuji-applied"], headers["x-zhuji-duplicate"]) == ("1", "0")
    assert receipt.startswith(b"\x89ZJSYNC\n")  # the receipt: encrypted for the laptop, signed by the hub
    before = _snapshot(town.hub)
    status, receipt_again, headers = _post(served, data)
    assert status == 200 and (headers["x-zhuji-applied"], headers["x-zhuji-duplicate"]) == ("0", "1")
    assert _snapshot(town.hub) == before
    path = town.folder / "again.zjreceipt"
    path.write_bytes(receipt_again)
    town.laptop.sync.apply_receipt(path)  # the second receipt is a good one too
    assert town.laptop.sync.waiting() == 0


# ---- refusals ------------------------------------------------------------------------------------
def test_hub_a_tampered_file_is_refused_with_its_status_and_nothing_applied(town: Town, served: Served) -> None:
    _edit(town.laptop, town.household, address="甲村5号")
    data = bytearray(town.laptop.sync.export(town.folder).read_bytes())
    data[-100] ^= 0x01
    before = _snapshot(town.hub)
    status, body, headers = _post(served, bytes(data))
    assert status == 400 and headers["content-type"].startswith("text/plain")
    assert "签名不符" in body.decode("utf-8")
    status, body, _ = _post(served, b"not a sync file")
    assert status == 400 and body.decode("utf-8") == "这不是同步文件"
    assert _snapshot(town.hub) == before
    assert _address(town.hub, town.household) == "甲村1号"
    # a revoked device: 403, and ``sync now`` says so in Chinese and keeps the change waiting
    town.hub.sync.revoke_device(town.device_id)
    before = _snapshot(town.hub)
    with pytest.raises(HubRefused, match="已停用的设备"):
        sync_now(town.laptop, served.address)
    assert town.laptop.sync.waiting() == 1
    status, _body, _ = _post(served, town.laptop.sync.export(town.folder).read_bytes())
    assert status == 403
    assert _snapshot(town.hub) == before
    assert sync_endpoint.status_of(PermissionDenied("超出")) == 403


def test_hub_down_keeps_the_changes_waiting_and_the_next_sync_delivers_them(
    town: Town, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from zhuji_archive.cli import main

    _edit(town.laptop, town.household, address="甲村6号")
    down = Served(town)
    down.stop()  # the port now refuses connections
    with pytest.raises(HubUnreachable, match="连不上镇里的同步服务.*本机1条待发送的更改都还在"):
        sync_now(town.laptop, down.address)
    assert town.laptop.sync.waiting() == 1
    assert _address(town.hub, town.household) == "甲村1号"
    # the command: exit code 3 (the machine, not the rules), a Chinese message, nothing lost
    laptop_file = town.laptop.db.path
    stream = io.StringIO(PASSWORD + "\n")
    monkeypatch.setattr("sys.stdin", stream)
    argv = ["sync", "now", "--db", str(laptop_file), "--user", town.laptop.actor.login, "--password-stdin"]
    assert main([*argv, "--hub", down.address]) == 3
    assert "连不上镇里的同步服务" in capsys.readouterr().err
    with pytest.raises(DomainError, match="地址不对"):
        endpoint("ftp://镇里")
    # the hub is back: the same command delivers the change
    up = Served(town)
    try:
        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
        assert main([*argv, "--hub", up.address]) == 0
        err = capsys.readouterr().err
        assert "同步完成：镇里已导入1条更改，已确认到第1号" in err
    finally:
        up.stop()
    assert _address(town.hub, town.household) == "甲村6号"
    assert town.laptop.sync.waiting() == 0


# ---- the command: ``hub serve`` as a real process ------------------------------------------------
def test_hub_serve_runs_as_a_process_and_stops_cleanly(town: Town) -> None:
    url = str(town.hub.db.engine.url.render_as_string(hide_password=False))
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "zhuji_archive", "hub", "serve", "--db", url, "--user", town.hub.actor.login,
         "--password-stdin", "--port", str(port)],
        stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert process.stdin is not None
        process.stdin.write(PASSWORD + "\n")
        process.stdin.flush()
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                    assert response.status == 200
                break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None and time.monotonic() < deadline, "hub serve did not start"
                time.sleep(0.1)
        _edit(town.laptop, town.household, phone="13800000009")
        result = sync_now(town.laptop, f"127.0.0.1:{port}")
        assert result.hub_applied == 1
        assert town.hub.households.load(town.household).phone == "13800000009"
    finally:
        process.terminate()
        _out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "同步服务已启动" in err and "同步服务已停止" in err and "已导入1条更改" in err
    assert "甲户主" not in err  # the log names no person


def test_hub_serve_needs_an_office_account(town: Town) -> None:
    from accounts import admin

    url = town.hub.db.engine.url.render_as_string(hide_password=False)
    with admin(url) as chief, pytest.raises(PermissionDenied):
        sync_endpoint.build_app(chief)  # 系统管理员: no casework, cannot apply files
    with pytest.raises(PermissionDenied):
        sync_endpoint.build_app(town.laptop)  # a cadre: not the whole town
    with pytest.raises(DomainError, match="端口已被占用"):
        busy = sync_endpoint.listen("127.0.0.1", 0)
        try:
            sync_endpoint.listen("127.0.0.1", busy.getsockname()[1])
        finally:
            busy.close()


def test_hub_a_file_after_a_gap_gets_409_and_the_next_sync_now_fills_it(town: Town, served: Served) -> None:
    from zhuji_archive.storage.sync_models import SyncIdentity

    _edit(town.laptop, town.household, address="甲村7号")
    _edit(town.laptop, town.household, notes="第二条")
    with town.laptop.db.transaction() as session:  # a file holding only seq 2, as if the first was lost
        session.get(SyncIdentity, 1).acknowledged_seq = 1
    second = town.laptop.sync.export(town.folder).read_bytes()
    with town.laptop.db.transaction() as session:
        session.get(SyncIdentity, 1).acknowledged_seq = 0
    before = _snapshot(town.hub)
    status, body, headers = _post(served, second)
    assert status == 409 and "缺第1号更改" in body.decode("utf-8")
    assert headers.get("x-zhuji-gap") == "1"
    assert _snapshot(town.hub) == before
    result = sync_now(town.laptop, served.address)  # sends 1–2
    assert (result.sent, result.hub_applied, result.receipt.acknowledged_to) == (2, 2, 2)
    hub_file = town.hub.households.load(town.household)
    assert (hub_file.address, hub_file.notes) == ("甲村7号", "第二条")


def test_hub_restored_from_a_backup_gets_every_change_again_from_sync_now(town: Town, served: Served) -> None:
    from zhuji_archive.storage.sync_models import SyncDevice

    _edit(town.laptop, town.household, address="甲村8号")
    sync_now(town.laptop, served.address)
    with town.hub.db.transaction() as session:  # the hub as restored from a backup before that file
        session.get(SyncDevice, town.device_id).applied_seq = 0
    _edit(town.laptop, town.household, notes="恢复后")
    result = sync_now(town.laptop, served.address)  # refused with the gap, then a complete file
    assert result.receipt.acknowledged_to == 2 and town.laptop.sync.waiting() == 0
    hub_file = town.hub.households.load(town.household)
    assert (hub_file.address, hub_file.notes) == ("甲村8号", "恢复后")
    assert town.hub.sync.conflicts() == []  # the change the hub still had is no conflict with itself


def test_hub_a_laptop_restored_from_a_backup_delivers_its_new_changes_in_one_sync_now(
    town: Town, served: Served
) -> None:

    from zhuji_archive.services import access
    from zhuji_archive.storage import keyring

    laptop_file = town.folder.parent / "laptop" / "档案.sqlite3"
    files = (laptop_file, keyring.keyring_path(laptop_file))
    town.laptop.close()
    saved = [path.read_bytes() for path in files]  # the backup
    town.laptop = access.unlock(laptop_file, town.laptop.actor.login, PASSWORD)
    _edit(town.laptop, town.household, address="甲村6号")
    sync_now(town.laptop, served.address)
    town.laptop.close()
    for path, data in zip(files, saved, strict=True):  # the old backup back
        path.write_bytes(data)
    town.laptop = access.unlock(laptop_file, town.laptop.actor.login, PASSWORD)
    _edit(town.laptop, town.household, phone="13600000008")
    sync_now(town.laptop, served.address)  # refused as reused, renumbered, sent again
    hub_file = town.hub.households.load(town.household)
    assert (hub_file.address, hub_file.phone) == ("甲村6号", "13600000008")
    assert town.laptop.sync.waiting() == 0
    assert town.laptop.households.load(town.household).address == "甲村6号"
