"""``sync now`` on a laptop (issue 14, docs/sync.md): export, POST the file to the hub's endpoint
(services/sync_endpoint.py), apply the receipt, in one go. The client is the standard library's
urllib: no dependency of its own.

Nothing is lost when it fails: exporting changes nothing on the laptop, and the receipt is applied only
once it has arrived whole, so an unreachable hub, a refusal or a lost answer leaves every change waiting
for the next ``sync now`` (or a USB stick). A file the hub applied but whose receipt was lost is simply
acknowledged again next time (applying is idempotent)."""

from __future__ import annotations

import socket
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import TYPE_CHECKING

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.services.sync import RECEIPT_SUFFIX, ApplyResult
from zhuji_archive.services.sync_protocol import (
    APPLIED_HEADER,
    CONFLICTS_HEADER,
    CONTENT_TYPE,
    DUPLICATE_HEADER,
    GAP_HEADER,
    SYNC_PATH,
)
from zhuji_archive.storage import sync_bundle

if TYPE_CHECKING:
    from zhuji_archive.services.archive import Archive

TIMEOUT = 120.0  # seconds without an answer: a 10,000-change file applies in about 9 s at the hub
DEFAULT_PORT = 8765


class HubUnreachable(DomainError):
    """The hub's endpoint could not be reached or did not answer: nothing changed on the laptop."""


class HubRefused(DomainError):
    """The hub answered with a refusal (its Chinese message): nothing changed on the laptop."""


@dataclass
class NowResult:
    sent: int  # changes in the file sent
    hub_applied: int  # changes the hub merged
    hub_conflicts: int
    duplicate: bool
    receipt: ApplyResult  # what applying the receipt did on the laptop


def endpoint(address: str) -> str:
    """The POST address from what the user typed: ``192.168.1.10:8765``, ``http://hub:8765`` or an
    ``https://`` address behind a reverse proxy (with or without a path)."""
    text = address.strip()
    if "://" not in text:
        text = "http://" + text
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DomainError(f"镇里同步服务的地址不对：“{address}”。请写成 服务器:端口，如 192.168.1.10:{DEFAULT_PORT}")
    try:
        parts.port  # noqa: B018 - raises on a port that is no number
    except ValueError:
        raise DomainError(f"镇里同步服务的地址中端口不对：“{address}”") from None
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + SYNC_PATH, "", ""))


def sync_now(archive: Archive, address: str, timeout: float = TIMEOUT) -> NowResult:
    """Export this laptop's unacknowledged changes, send them to the hub, apply its receipt."""
    url = endpoint(address)
    shown = urllib.parse.urlsplit(url).netloc.rpartition("@")[2]
    waiting = archive.sync.waiting()
    keep = f"本机{waiting}条待发送的更改都还在，" if waiting else ""
    later = f"{keep}等能连上镇里时再运行 sync now，或用U盘同步（sync export）。"
    with tempfile.TemporaryDirectory(prefix="zhuji-sync-") as folder:
        try:
            try:
                receipt, headers = _post(url, archive.sync.export(Path(folder)), timeout)
            except urllib.error.HTTPError as error:
                if error.headers.get(GAP_HEADER) != "1":
                    raise
                # the hub lost changes it had applied (restored from a backup): send all of them
                receipt, headers = _post(url, archive.sync.export(Path(folder) / "complete", complete=True), timeout)
        except urllib.error.HTTPError as error:
            body = _text(error)
            if body and error.code >= 500:
                raise HubUnreachable(f"{body}。{later}") from None
            if body:
                raise HubRefused(f"镇里拒收了这次同步：{body}。本机没有任何改动。") from None
            raise HubUnreachable(f"镇里的同步服务（{shown}）回复了错误（状态码{error.code}）。{later}") from None
        except TimeoutError:
            raise HubUnreachable(
                f"镇里的同步服务（{shown}）没有及时回复。{later}如果镇里其实已经导入，下次同步时会再次确认，不会重复导入。"
            ) from None
        except (urllib.error.URLError, OSError) as error:
            raise HubUnreachable(f"连不上镇里的同步服务（{shown}）：{_why(error)}。{later}") from None
        try:
            kind = sync_bundle.peek_manifest(receipt).get("kind")
        except sync_bundle.SyncFileRefused:
            kind = None
        if kind != "receipt":
            raise HubUnreachable(f"“{shown}”的回复不是镇里的回执，地址可能不对。{later}")
        path = Path(folder) / f"回执{RECEIPT_SUFFIX}"
        path.write_bytes(receipt)
        applied = archive.sync.apply_receipt(path)
    if applied.renumbered:
        # the laptop was restored from a backup and its unsent changes took new numbers: send them now
        return sync_now(archive, address, timeout)
    return NowResult(
        sent=waiting, hub_applied=_number(headers.get(APPLIED_HEADER)),
        hub_conflicts=_number(headers.get(CONFLICTS_HEADER)), duplicate=headers.get(DUPLICATE_HEADER) == "1",
        receipt=applied,
    )


def _post(url: str, sent: Path, timeout: float) -> tuple[bytes, Message]:
    request = urllib.request.Request(url, data=sent.read_bytes(), method="POST", headers={"Content-Type": CONTENT_TYPE})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only
        return response.read(), response.headers


def _text(error: urllib.error.HTTPError) -> str:
    """The hub's Chinese refusal, when the answer is one (a proxy's error page is not)."""
    if not (error.headers.get("Content-Type") or "").startswith("text/plain"):
        return ""
    try:
        return error.read(4096).decode("utf-8").strip().rstrip("。")
    except (OSError, UnicodeDecodeError):
        return ""


def _why(error: BaseException) -> str:
    reason = getattr(error, "reason", error)
    if isinstance(reason, ConnectionRefusedError):
        return "对方没有在运行同步服务（连接被拒绝）"
    if isinstance(reason, socket.gaierror):
        return "找不到这个服务器"
    if isinstance(reason, TimeoutError):
        return "连接超时"
    return "网络不通"


def _number(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0
