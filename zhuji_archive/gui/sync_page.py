"""The sync pages (issue 14, docs/sync.md): 同步 on a laptop joined to the hub (where it stands, 立即同步 over
the network through services/sync_client.py, 生成同步文件, 导入回执, its own conflicts) and 设备与同步 at the hub for 党政办 (devices, 登记设备, 停用设备, 导入同步文件,
the conflict queue with 采用镇里的值 / 采用笔记本的值). Every read and write goes through the runner
(gui/operations.py); the services check the account's rights again."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.gui.operations import Changes, Failure, Operation, PageFeed, runner_for, show_failure
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.sync import ApplyResult, DeviceRow, SyncStatus
from zhuji_archive.services.sync_client import DEFAULT_PORT, NowResult, endpoint, sync_now
from zhuji_archive.services.sync_conflicts import CHOICE_LABELS, ConflictRow

# What adds to the changes waiting to be sent: household files and visits, and each step of a request
# (梳理, 上报镇, 办结, 反馈 … on the request window announce "requests" only).
SYNC_CHANGES = ("households", "visits", "requests")
ADDRESS_KEY = "sync/hub_address"  # the township sync service's 服务器:端口, in the window's QSettings
CONFLICT_HEADERS = ["记录", "字段", "镇里的值", "镇里：谁、何时", "笔记本的值", "笔记本：谁、何时", "现在用的"]


def _when(at: datetime | None) -> str:
    return f"{at:%Y-%m-%d %H:%M}" if at is not None else "—"


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]], ids: list[str]) -> None:
    table.setRowCount(len(rows))
    for r, (row, row_id) in enumerate(zip(rows, ids, strict=True)):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, row_id)
            item.setToolTip(text)
            table.setItem(r, c, item)


def _who_when(who: str, at: datetime | None) -> str:
    return f"{who} {at:%m-%d %H:%M}" if at is not None else who


def _conflict_rows(conflicts: list[ConflictRow], kept_other: str) -> list[list[str]]:
    rows = []
    for c in conflicts:
        kept = "镇里的值" if c.kept == "hub" else f"{kept_other}的值"
        rows.append([c.what, c.field, c.hub_value, _who_when(c.hub_who, c.hub_at), c.other_value,
                     _who_when(c.other_who, c.other_at), kept])
    return rows


def _explain(table: QTableWidget, conflicts: list[ConflictRow]) -> None:
    """Each row's tooltip says what kind of conflict it is, with the full who and when."""
    for r, c in enumerate(conflicts):
        tip = (f"{c.kind}\n镇里：{c.hub_value}（{c.hub_who}，{_when(c.hub_at)}）\n"
               f"笔记本：{c.other_value}（{c.other_who}，{_when(c.other_at)}）")
        for col in range(table.columnCount()):
            item = table.item(r, col)
            if item is not None:
                item.setToolTip(tip)


def _changes_of(result: ApplyResult) -> Changes:
    """What applying a sync file or a receipt changed, for the pages that show it."""
    if not result.households:
        return Changes()
    return Changes(households=frozenset(result.households), visits=True, requests=True)


def _choice_row(layout: QVBoxLayout, page: QWidget, choices: tuple[str, ...]) -> dict[str, QPushButton]:
    """The decision buttons under a conflict table; each calls ``page.decide(choice)``."""
    row = QHBoxLayout()
    row.addWidget(QLabel("选中一条冲突后："))
    buttons = {}
    for choice in choices:
        button = QPushButton(CHOICE_LABELS[choice])
        button.clicked.connect(lambda _checked=False, c=choice: page.decide(c))  # type: ignore[attr-defined]
        row.addWidget(button)
        buttons[choice] = button
    row.addStretch(1)
    layout.addLayout(row)
    return buttons


def _selected_id(table: QTableWidget) -> str | None:
    items = table.selectedItems()
    return str(items[0].data(Qt.ItemDataRole.UserRole)) if items else None


def _enable_choices(buttons: dict[str, QPushButton], table: QTableWidget, rows: list[ConflictRow]) -> None:
    """Only the decisions the selected entry offers are enabled (services/sync_conflicts.choices_for)."""
    selected = _selected_id(table)
    offered = next((c.choices for c in rows if c.id == selected), ())
    for choice, button in buttons.items():
        button.setEnabled(choice in offered)


def _decide(page: Any, table: QTableWidget, take: str) -> None:
    conflict = _selected_id(table)
    if conflict is None:
        return
    Operation(
        page, "裁决冲突", lambda _p, _c: page.archive.sync.decide(conflict, take), runner=page.runner,
        changes=Changes(all_households=True, requests=True),
    ).success(lambda _r: page.reload()).failure(lambda f: show_failure(page, "裁决冲突", f)).run()


def now_summary(result: NowResult) -> str:
    """What 立即同步 did, in a sentence: delivered, the receipt applied, conflicts on either side."""
    if result.sent == 0 and result.hub_applied == 0:
        text = "没有待发送的更改"
    elif result.duplicate or result.hub_applied == 0:
        text = f"镇里此前已收到这{result.sent}条更改，没有重复导入"
    else:
        text = f"已送达镇里{result.hub_applied}条更改"
    if result.hub_conflicts:
        text += f"（{result.hub_conflicts}处镇里也改过，已列入镇里的冲突待办）"
    receipt = result.receipt
    text += f"；回执已导入：更新了本机{receipt.applied}条记录，镇里已确认到第{receipt.acknowledged_to}号"
    if receipt.conflicts:
        text += f"；{receipt.conflicts}处本机也改过，已列入下面的冲突"
    return text


class AddressDialog(QDialog):
    """The township sync service's address (服务器地址:端口); there is no password."""

    def __init__(self, address: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("镇里同步服务的地址")
        form = QFormLayout(self)
        self.address = QLineEdit(address)
        self.address.setPlaceholderText(f"服务器地址:端口，如 192.168.1.10:{DEFAULT_PORT}")
        self.address.setMinimumWidth(260)
        form.addRow(QLabel("请向镇里党政办要同步服务的地址。这台笔记本会记住它，下次不再询问。"))
        form.addRow("服务器地址和端口", self.address)
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020;")
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("同步")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _check(self) -> None:
        try:
            endpoint(self.address.text())  # only reads what was typed; no network here
        except DomainError as error:
            self.problem.setText(error.message)
            return
        self.accept()


class LaptopSyncPage(QWidget):
    """同步 on a laptop: where it stands, 立即同步…, 生成同步文件…, 导入回执…, and the conflicts kept on
    this laptop. ``settings`` (the window's) remembers the township sync service's address."""

    synced = Signal(str)  # a line for the status bar

    def __init__(self, archive: Archive, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.settings = settings
        self.last_now: NowResult | None = None
        self.now_running = False
        self.runner = runner_for(archive)
        self.feed = PageFeed(self, self.runner, SYNC_CHANGES, self.reload)
        self.last_file: Path | None = None
        self.last_result: ApplyResult | None = None
        layout = QVBoxLayout(self)
        state = QGroupBox("同步情况")
        form = QFormLayout(state)
        self.recorded = QLabel()
        self.waiting = QLabel()
        self.waiting.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.receipt_at = QLabel()
        self.exported = QLabel("本次打开后还没有生成同步文件")
        self.exported.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.exported.setWordWrap(True)
        self.applied = QLabel("本次打开后还没有导入回执")
        self.applied.setWordWrap(True)
        self.now_result = QLabel("本次打开后还没有立即同步")
        self.now_result.setWordWrap(True)
        self.now_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hub_address = QLabel()
        form.addRow("等待发送的更改", self.waiting)
        form.addRow("本机记录的更改", self.recorded)
        form.addRow("上次导入回执", self.receipt_at)
        form.addRow("生成的同步文件", self.exported)
        form.addRow("导入回执的结果", self.applied)
        form.addRow("镇里同步服务", self.hub_address)
        form.addRow("立即同步的结果", self.now_result)
        layout.addWidget(state)
        bar = QHBoxLayout()
        self.now_button = QPushButton("立即同步…")
        self.now_button.setToolTip("联网把本机的更改送到镇里，并取回镇里的回执")
        self.address_button = QPushButton("更改地址…")
        bar.addWidget(self.now_button)
        bar.addWidget(self.address_button)
        self.export_button = QPushButton("生成同步文件…")
        self.receipt_button = QPushButton("导入回执…")
        hint = QLabel("能连上镇里的网络时点“立即同步”；没有网络时，同步文件可存到U盘，交镇里党政办导入，"
                      "镇里导入后给回执，再在这里导入回执。")
        hint.setWordWrap(True)
        self.complete_button = QPushButton("生成完整同步文件…")
        self.complete_button.setToolTip("写入本机的全部更改：只在镇里说“前面还缺…更改”时用（镇里的数据库从备份恢复过）")
        bar.addWidget(self.export_button)
        bar.addWidget(self.receipt_button)
        bar.addWidget(self.complete_button)
        bar.addWidget(hint, 1)
        layout.addLayout(bar)
        self.conflict_title = QLabel("冲突：本机和镇里都改过的地方（本机的值保留，待镇里裁决）")
        layout.addWidget(self.conflict_title)
        self.conflicts = _table(CONFLICT_HEADERS)
        layout.addWidget(self.conflicts, 1)
        self.conflict_rows: list[ConflictRow] = []
        self.choice_buttons = _choice_row(layout, self, ("hub", "local", "seen"))
        self.conflicts.itemSelectionChanged.connect(self._update_choices)
        self._update_choices()
        self.export_button.clicked.connect(self._choose_folder)
        self.complete_button.clicked.connect(lambda: self._choose_folder(complete=True))
        self.receipt_button.clicked.connect(self._choose_receipt)
        self.now_button.clicked.connect(self._ask_sync_now)
        self.address_button.clicked.connect(self._ask_address)
        self._show_address()

    def reload(self) -> None:
        sync = self.archive.sync
        self.feed.load("status", sync.status, self.show_status)
        self.feed.load("conflicts", sync.conflicts, self.show_conflicts)

    def show_status(self, status: SyncStatus) -> None:
        self.status = status
        self.waiting.setText(f"{status.waiting}条" if status.waiting else "没有，全部已送达镇里")
        self.recorded.setText(f"共{status.recorded}条，镇里已确认到第{status.acknowledged}号")
        self.receipt_at.setText(_when(status.last_receipt_at) if status.last_receipt_at else "还没有导入过回执")

    def show_conflicts(self, conflicts: list[ConflictRow]) -> None:
        self.conflict_rows = conflicts
        _fill(self.conflicts, _conflict_rows(conflicts, "本机"), [c.id for c in conflicts])
        _explain(self.conflicts, conflicts)
        self.conflict_title.setText(
            f"冲突（{len(conflicts)}处）：本机和镇里都改过的地方，或镇里未采用的本机办理；选中一条后决定"
        )
        self._update_choices()

    def _update_choices(self) -> None:
        _enable_choices(self.choice_buttons, self.conflicts, self.conflict_rows)

    def decide(self, take: str) -> None:
        _decide(self, self.conflicts, take)

    # ---- 立即同步 -------------------------------------------------------------------------------------
    def address(self) -> str:
        value = self.settings.value(ADDRESS_KEY, "") if self.settings is not None else ""
        return str(value or "")

    def remember_address(self, address: str) -> None:
        if self.settings is not None:
            self.settings.setValue(ADDRESS_KEY, address.strip())
            self.settings.sync()
        self._show_address()

    def _show_address(self) -> None:
        self.hub_address.setText(self.address() or "还没有填写（点“立即同步…”时填写）")

    def _ask_address(self) -> bool:
        dialog = AddressDialog(self.address(), self)
        if not dialog.exec():
            return False
        self.remember_address(dialog.address.text())
        return True

    def _ask_sync_now(self) -> None:
        if self.address() or self._ask_address():
            self.sync_now()

    def sync_now(self) -> None:
        """Send this laptop's changes to the remembered address and apply the hub's receipt, on the
        write thread (services/sync_client.py does the HTTP); the page shows the outcome."""
        address = self.address()
        if not address or self.now_running:
            return
        self.now_running = True
        self.now_button.setEnabled(False)
        self.now_result.setText(f"正在与镇里同步（{address}）…")
        Operation(
            self, "立即同步", lambda _p, _c: sync_now(self.archive, address), label="正在与镇里同步…",
            runner=self.runner,
            changes=lambda r: _changes_of(r.receipt),
        ).success(self._synced_now).failure(self._sync_now_failed).run()

    def _synced_now(self, result: NowResult) -> None:
        self._now_ended()
        self.last_now = result
        text = now_summary(result)
        self.now_result.setText(text)
        self.synced.emit(text)
        self.reload()

    def _sync_now_failed(self, failure: Failure) -> None:
        self._now_ended()
        self.now_result.setText(failure.message)
        self.synced.emit("立即同步没有完成")
        self.reload()
        show_failure(self, "立即同步", failure)

    def _now_ended(self) -> None:
        self.now_running = False
        self.now_button.setEnabled(True)

    def _choose_folder(self, complete: bool = False) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择存放同步文件的文件夹或U盘")
        if folder:
            self.export_to(Path(folder), complete)

    def export_to(self, folder: Path, complete: bool = False) -> None:
        Operation(
            self, "生成同步文件", lambda _p, _c: self.archive.sync.export(folder, complete), label="正在生成同步文件…",
            progress=True, runner=self.runner,
        ).success(self._exported).failure(lambda f: show_failure(self, "生成同步文件", f)).run()

    def _exported(self, path: Path) -> None:
        self.last_file = path
        self.exported.setText(f"{path.name}（在 {path.parent}）")
        self.synced.emit(f"同步文件已生成：{path.name}")
        self.reload()

    def _choose_receipt(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择镇里给的回执", "", "回执 (*.zjreceipt);;所有文件 (*)")
        if path:
            self.apply_receipt(Path(path))

    def apply_receipt(self, path: Path) -> None:
        Operation(
            self, "导入回执", lambda p, c: self.archive.sync.apply_receipt(path, p, c), label="正在导入回执…",
            progress=True, runner=self.runner,
            changes=_changes_of,
        ).success(self._receipt_applied).failure(lambda f: show_failure(self, "导入回执", f)).on_cancel(
            lambda: self.applied.setText("已取消：这份回执没有导入任何内容，可以再导入一次")
        ).run()

    def _receipt_applied(self, result: ApplyResult) -> None:
        self.last_result = result
        if result.duplicate:
            text = f"这份回执已经导入过（镇里已确认到第{result.acknowledged_to}号）"
        else:
            text = f"更新了{result.applied}条记录，镇里已确认到第{result.acknowledged_to}号"
            if result.conflicts:
                text += f"；{result.conflicts}处本机也改过，已列入下面的冲突"
        self.applied.setText(text)
        self.synced.emit(text)
        self.reload()


class EnrolDialog(QDialog):
    """登记设备: the device's name and the account that will use it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("登记设备")
        form = QFormLayout(self)
        self.name = QLineEdit()
        self.name.setPlaceholderText("如：甲村小李的笔记本")
        self.login = QLineEdit()
        self.login.setPlaceholderText("驻村干部或村干部的登录名")
        form.addRow("设备名称", self.name)
        form.addRow("使用的账号", self.login)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("登记")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.setMinimumWidth(380)


class HubSyncPage(QWidget):
    """设备与同步 at the hub (党政办): devices, enrolment, revocation, applying laptops' files, the
    conflict queue and its decisions."""

    synced = Signal(str)

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.runner = runner_for(archive)
        self.feed = PageFeed(self, self.runner, SYNC_CHANGES, self.reload)
        self.last_code: str | None = None
        self.last_result: ApplyResult | None = None
        self.code_box: QMessageBox | None = None
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.enrol_button = QPushButton("登记设备…")
        self.revoke_button = QPushButton("停用设备")
        self.apply_button = QPushButton("导入同步文件…")
        self.receipt_button = QPushButton("生成回执…")
        self.receipt_button.setToolTip("不等笔记本的同步文件，把镇里的更改（如会议交办）做成回执，存到U盘带给选中的设备")
        for b in (self.enrol_button, self.revoke_button, self.apply_button, self.receipt_button):
            bar.addWidget(b)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        bar.addWidget(self.result, 1)
        layout.addLayout(bar)
        layout.addWidget(QLabel("已登记的设备"))
        self.devices = _table(["设备", "账号", "登记时间", "最后联系", "已导入到", "状态"])
        layout.addWidget(self.devices, 2)
        self.conflict_title = QLabel("冲突待办")
        layout.addWidget(self.conflict_title)
        self.conflicts = _table(CONFLICT_HEADERS)
        layout.addWidget(self.conflicts, 3)
        self.choice_buttons = _choice_row(layout, self, ("hub", "incoming", "seen"))
        self.take_hub, self.take_laptop = self.choice_buttons["hub"], self.choice_buttons["incoming"]
        self.enrol_button.clicked.connect(self._ask_enrol)
        self.revoke_button.clicked.connect(self._ask_revoke)
        self.receipt_button.clicked.connect(self._ask_receipt)
        self.apply_button.clicked.connect(self._choose_file)
        self.devices.itemSelectionChanged.connect(self._update_buttons)
        self.conflicts.itemSelectionChanged.connect(self._update_buttons)
        self.device_rows: list[DeviceRow] = []
        self.conflict_rows: list[ConflictRow] = []
        self._update_buttons()

    def reload(self) -> None:
        sync = self.archive.sync
        self.feed.load("devices", sync.devices, self.show_devices)
        self.feed.load("conflicts", sync.conflicts, self.show_conflicts)

    def show_devices(self, devices: list[DeviceRow]) -> None:
        self.device_rows = devices
        rows = [
            [d.name, d.account, _when(d.enrolled_at), _when(d.last_contact), f"第{d.applied_seq}号",
             "已停用" if d.revoked else "使用中"]
            for d in devices
        ]
        _fill(self.devices, rows, [d.id for d in devices])
        self._update_buttons()

    def show_conflicts(self, conflicts: list[ConflictRow]) -> None:
        self.conflict_rows = conflicts
        _fill(self.conflicts, _conflict_rows(conflicts, "笔记本"), [c.id for c in conflicts])
        _explain(self.conflicts, conflicts)
        self.conflict_title.setText(f"冲突待办（{len(conflicts)}处）：两边都改过的地方，或镇里未能采用的笔记本办理；选中一条后决定")
        self._update_buttons()

    def _update_buttons(self) -> None:
        device = _selected_id(self.devices)
        revoked = {d.id for d in self.device_rows if d.revoked}
        self.revoke_button.setEnabled(device is not None and device not in revoked)
        self.receipt_button.setEnabled(device is not None and device not in revoked)
        _enable_choices(self.choice_buttons, self.conflicts, self.conflict_rows)

    # ---- enrolment and revocation ----------------------------------------------------------------
    def _ask_enrol(self) -> None:
        dialog = EnrolDialog(self)
        if not dialog.exec():
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "保存登记文件", f"{dialog.name.text().strip() or '设备'}.zjenrol", "登记文件 (*.zjenrol)"
        )
        if path:
            self.enrol(dialog.name.text(), dialog.login.text().strip(), Path(path))

    def enrol(self, name: str, login: str, path: Path) -> None:
        def work(_p: object, _c: object) -> str:
            enrolment = self.archive.sync.enrol_device(name, login)
            path.write_bytes(enrolment.data)
            return enrolment.code

        Operation(self, "登记设备", work, label="正在登记设备…", progress=True, runner=self.runner).success(
            lambda code: self._enrolled(code, path)
        ).failure(lambda f: show_failure(self, "登记设备", f)).run()

    def _enrolled(self, code: str, path: Path) -> None:
        self.last_code = code
        shown = " ".join(code[i : i + 4] for i in range(0, len(code), 4))
        box = QMessageBox(
            QMessageBox.Icon.Information, "设备已登记",
            f"登记文件已保存：{path.name}\n\n请当面念给驻村干部这串一次性验证码（不要写在文件旁边）：\n\n{shown}\n\n"
            "干部在笔记本上“从镇里领取档案”时输入它。",
            QMessageBox.StandardButton.Ok, self,
        )
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        box.open()
        self.code_box = box
        self.result.setText(f"已登记设备，登记文件：{path.name}")
        self.reload()

    def _ask_revoke(self) -> None:
        device = _selected_id(self.devices)
        if device is None:
            return
        name = next((d.name for d in self.device_rows if d.id == device), "")
        if QMessageBox.question(
            self, "停用设备", f"停用“{name}”后，镇里不再接收它的同步文件（它上面未发送的数据仍保留在笔记本上）。确定停用吗？"
        ) == QMessageBox.StandardButton.Yes:
            self.revoke(device)

    def revoke(self, device_id: str) -> None:
        Operation(
            self, "停用设备", lambda _p, _c: self.archive.sync.revoke_device(device_id), runner=self.runner
        ).success(lambda _r: self.reload()).failure(lambda f: show_failure(self, "停用设备", f)).run()

    def _ask_receipt(self) -> None:
        device = _selected_id(self.devices)
        folder = QFileDialog.getExistingDirectory(self, "回执存到哪里（可选U盘）") if device else ""
        if device and folder:
            self.receipt_for(device, Path(folder))

    def receipt_for(self, device_id: str, folder: Path) -> None:
        Operation(
            self, "生成回执", lambda _p, _c: self.archive.sync.receipt_for(device_id, folder), runner=self.runner,
        ).success(lambda path: self.result.setText(f"回执已保存：{path.name}（交给干部在笔记本上导入）")).failure(
            lambda f: show_failure(self, "生成回执", f)
        ).run()

    # ---- applying a laptop's file ------------------------------------------------------------------
    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择笔记本的同步文件", "", "同步文件 (*.zjsync);;所有文件 (*)")
        if path:
            self.apply_file(Path(path))

    def apply_file(self, path: Path, receipt_path: Path | None = None) -> None:
        Operation(
            self, "导入同步文件", lambda p, c: self.archive.sync.apply(path, receipt_path, p, c),
            label="正在导入同步文件…", progress=True, runner=self.runner,
            changes=_changes_of,
        ).success(self._applied).failure(lambda f: show_failure(self, "导入同步文件", f)).on_cancel(
            lambda: self.result.setText("已取消：这个同步文件没有导入任何内容，可以再导入一次")
        ).run()

    def _applied(self, result: ApplyResult) -> None:
        self.last_result = result
        where = result.receipt_path.name if result.receipt_path else ""
        text = f"{result.summary()}。回执已保存：{where}（交给干部在笔记本上导入）"
        self.result.setText(text)
        self.synced.emit(text)
        self.reload()

    # ---- the conflict queue ---------------------------------------------------------------------------
    def decide(self, take: str) -> None:
        _decide(self, self.conflicts, take)
