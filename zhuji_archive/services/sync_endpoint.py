"""The hub's sync endpoint (issue 14, docs/sync.md): the same sync files as on a USB stick, over HTTP.

``build_app(archive)`` makes a small Starlette (ASGI) app over an archive opened at the hub by a
党政办 account (the one ``sync apply`` needs); ``zhuji-archive hub serve`` runs it with uvicorn.

- ``POST /sync``: the body is a laptop's sync file; the answer is the receipt's bytes, exactly what
  ``sync apply`` writes at the hub (``SyncService.apply``: verified, re-checked against the SENDER
  device's account and scope, applied whole or not at all, idempotent). A refusal is an HTTP status
  and a Chinese text body, the same message ``sync apply`` prints (they name no person): 400 not a
  sync file, damaged, tampered, for another hub; 403 an unknown or revoked device, or a change outside
  the sender's scope or rights; 409 anything else the hub cannot apply now (a file missing before
  this one, a newer program, a person filed in another household, a disabled account); 413 too big;
  503 the hub's database does not answer.
- ``GET /health``: 200 when the hub's database answers (503 otherwise), for a monitor or a reverse
  proxy.

Nothing travels in plain text even over plain HTTP: the file is encrypted for the hub's key and
signed by the device's; the receipt is encrypted for the laptop's key and signed by the hub's. A
reverse proxy with TLS in front is optional. Requests are applied one at a time (the hub's sequence
numbers are taken under one lock anyway)."""

from __future__ import annotations

import logging
import socket
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from zhuji_archive.domain.accounts import Capability, PermissionDenied
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.services.permissions import Guard
from zhuji_archive.services.sync import RECEIPT_SUFFIX, SUFFIX, ApplyResult, SyncGap
from zhuji_archive.services.sync_protocol import (
    ACKNOWLEDGED_HEADER,
    APPLIED_HEADER,
    CONFLICTS_HEADER,
    CONTENT_TYPE,
    DUPLICATE_HEADER,
    GAP_HEADER,
    HEALTH_PATH,
    SYNC_PATH,
)
from zhuji_archive.storage import sync_queries
from zhuji_archive.storage.database import head_revision
from zhuji_archive.storage.sync_bundle import Refusal, SyncFileRefused

if TYPE_CHECKING:
    import uvicorn

    from zhuji_archive.services.archive import Archive

LOGGER = logging.getLogger(__name__)
MAX_FILE_BYTES = 256 * 1024 * 1024  # a week is ~6 KB, 10,000 changes ~400 KB: far beyond any real file

UNAVAILABLE = "镇里的数据库暂时无法使用，这次同步没有导入任何内容。请稍后再同步，更改仍保留在笔记本上。"
TOO_BIG = "同步文件太大，已拒收。请分几次同步，或改用U盘导入。"

_STATUS_OF_REFUSAL = {
    Refusal.UNKNOWN_DEVICE: 403,
    Refusal.REVOKED_DEVICE: 403,
}


def status_of(error: DomainError) -> int:
    """The HTTP status of a refusal: the file itself (400), who sent it (403), the hub's state (409)."""
    if isinstance(error, SyncFileRefused):
        return _STATUS_OF_REFUSAL.get(error.reason, 400)
    if isinstance(error, PermissionDenied):
        return 403
    return 409


def check_server_account(archive: Archive) -> None:
    """The server applies files as its account (党政办, the whole town), the same right ``sync apply``
    needs; each change is still checked against the sending device's account. Refused before serving."""
    Guard(archive.actor).need_whole_town(Capability.REVIEW_REQUESTS, "运行同步服务（须用党政办的账号）")


def build_app(archive: Archive) -> Starlette:
    """The ASGI app serving ``archive`` (open at the hub, logged in as 党政办)."""
    check_server_account(archive)
    one_at_a_time = threading.Lock()

    def apply(data: bytes) -> tuple[ApplyResult, bytes]:
        with one_at_a_time, tempfile.TemporaryDirectory(prefix="zhuji-sync-") as folder:
            sent = Path(folder) / f"收到{SUFFIX}"
            sent.write_bytes(data)
            result = archive.sync.apply(sent, Path(folder) / f"回执{RECEIPT_SUFFIX}")
            assert result.receipt_path is not None
            return result, result.receipt_path.read_bytes()

    async def receive(request: Request) -> Response:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_FILE_BYTES:
            return _refusal(413, TOO_BIG)
        data = bytearray()
        async for chunk in request.stream():
            data += chunk
            if len(data) > MAX_FILE_BYTES:
                return _refusal(413, TOO_BIG)
        try:
            result, receipt = await run_in_threadpool(apply, bytes(data))
        except DomainError as error:
            status = status_of(error)
            LOGGER.warning("拒收一个同步文件（%d）：%s", status, error.message)
            refusal = _refusal(status, error.message)
            if isinstance(error, SyncGap):
                refusal.headers[GAP_HEADER] = "1"
            return refusal
        except Exception as error:  # noqa: BLE001 - the laptop gets a Chinese answer, the log no content
            LOGGER.error("导入同步文件时出错（%s.%s），没有导入", type(error).__module__, type(error).__qualname__)
            return _refusal(503, UNAVAILABLE)
        LOGGER.info("已导入一个同步文件：%s", result.summary())
        headers = {
            APPLIED_HEADER: str(result.applied),
            CONFLICTS_HEADER: str(result.conflicts),
            ACKNOWLEDGED_HEADER: str(result.acknowledged_to),
            DUPLICATE_HEADER: "1" if result.duplicate else "0",
        }
        return Response(receipt, media_type=CONTENT_TYPE, headers=headers)

    def database_answers() -> bool:
        with archive.db.sessions() as session:
            ident = sync_queries.identity(session)
        return ident is None or ident.role == "hub"

    async def health(_request: Request) -> Response:
        try:
            ok = await run_in_threadpool(database_answers)
        except Exception as error:  # noqa: BLE001 - a monitor needs a status, not a traceback
            LOGGER.error("健康检查：数据库没有回应（%s）", type(error).__qualname__)
            ok = False
        if not ok:
            return JSONResponse({"status": "unavailable", "message": UNAVAILABLE}, status_code=503)
        return JSONResponse({"status": "ok", "schema_version": head_revision()})

    return Starlette(
        routes=[Route(SYNC_PATH, receive, methods=["POST"]), Route(HEALTH_PATH, health, methods=["GET"])]
    )


def _refusal(status: int, message: str) -> Response:
    return PlainTextResponse(message, status_code=status, media_type="text/plain; charset=utf-8")


def make_server(archive: Archive, host: str, port: int) -> uvicorn.Server:
    """The uvicorn server for ``archive`` (``run()`` it; set ``should_exit`` to stop it)."""
    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            super().handle_exit(sig, frame)
            # Ctrl+C or systemd's SIGTERM asks for a stop: after the graceful shutdown the command ends
            # with its own message and exit code 0, rather than uvicorn raising the signal again
            captured = getattr(self, "_captured_signals", None)
            if isinstance(captured, list):
                captured.clear()

    config = uvicorn.Config(
        build_app(archive), host=host, port=port, lifespan="off", ws="none", http="h11",
        access_log=False, log_level="warning", server_header=False,
    )
    return Server(config)


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before serving so that a port in use is refused in Chinese."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _name, address = infos[0]
        sock = socket.socket(family, kind, proto)
    except OSError:
        raise DomainError(f"无法在“{host}”上等候连接：这台服务器没有这个地址") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError:
        sock.close()
        raise DomainError(f"无法在“{host}”的端口{port}上等候连接：端口已被占用，或这台服务器没有这个地址") from None
    sock.set_inheritable(True)
    return sock


def serve(archive: Archive, sock: socket.socket) -> None:
    """Run the endpoint on a socket from ``listen`` until interrupted (Ctrl+C, or SIGTERM from systemd)."""
    host, port = sock.getsockname()[:2]
    try:
        make_server(archive, host, port).run(sockets=[sock])
    finally:
        sock.close()
