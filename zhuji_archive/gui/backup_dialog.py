"""档案 → 备份与恢复: the archive's backups (时间, 类型, 大小, 校验), 立即备份, 恢复所选…, 打开所在文件夹,
备份位置…. Shown to accounts with the 备份与恢复 right; the service checks it again on every call.

After a restore the archive is closed: ``restored`` holds what the service returned, and the main
window closes and asks for a login again (gui/main_window.py)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.gui.operations import Failure, Handle, Operation, runner_for, wait_for
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.backups import BackupEntry, Restored

COLUMNS = ("时间", "类型", "大小", "校验")


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


class BackupDialog(QDialog):
    """The table of backups and the four actions on them."""

    restoredArchive = Signal(object)  # services/backups.Restored, once a restore replaced the file

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.entries: list[BackupEntry] = []
        self.restored: Restored | None = None
        self.running = False  # a backup or restore is under way on a worker
        self.setWindowTitle("备份与恢复")
        self.resize(620, 420)
        layout = QVBoxLayout(self)
        self.where = QLabel()
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.where)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table)
        note = QLabel(
            "每天第一次登录、每次导入和升级前自动备份。每个备份包括档案文件和钥匙文件，缺一不能打开；"
            "复制到别处保存时，请把同名的几个文件一起复制。"
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        self.busy = QLabel()
        self.busy.hide()
        layout.addWidget(self.busy)
        buttons = QHBoxLayout()
        self.make_button = QPushButton("立即备份")
        self.restore_button = QPushButton("恢复所选…")
        self.open_button = QPushButton("打开所在文件夹")
        self.folder_button = QPushButton("备份位置…")
        close = QPushButton("关闭")
        for button in (self.make_button, self.restore_button, self.open_button, self.folder_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.make_button.clicked.connect(lambda: self.make_now())
        self.restore_button.clicked.connect(lambda: self.restore_selected())
        self.open_button.clicked.connect(self.open_folder)
        self.folder_button.clicked.connect(self.choose_folder)
        close.clicked.connect(self.reject)
        self.refresh()

    # ----- showing -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        folder = self.archive.backups.folder()
        default = folder == self.archive.backups.default_folder()
        self.where.setText(f"备份位置：{folder}" + ("（档案所在文件夹中，默认）" if default else ""))
        self.entries = self.archive.backups.list()
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            cells = (
                f"{entry.taken:%Y-%m-%d %H:%M}",
                entry.kind_label,
                size_text(entry.size),
                "已校验" if entry.verified else "未通过",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 3 and not entry.verified:
                    item.setForeground(Qt.GlobalColor.red)
                    item.setToolTip("备份文件已损坏或在备份后被改动，不能用来恢复")
                self.table.setItem(row, column, item)
        self._selection_changed()

    def selected(self) -> BackupEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.entries[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        entry = self.selected()
        self.restore_button.setEnabled(entry is not None and entry.verified)

    # ----- actions -----------------------------------------------------------------------------------
    def _run(self, where: str, work, done) -> Handle:  # type: ignore[no-untyped-def]
        """Run a backup or a restore on the operation runner's write thread: a county's archive is
        gigabytes, and copying and verifying it held the GUI thread for seconds. The buttons wait and
        the window keeps painting meanwhile; a rule the service states is shown as a warning."""
        self._waiting(True, f"正在{where}…")

        def failed(failure: Failure) -> None:
            self._waiting(False)
            QMessageBox.warning(self, where, failure.message)
            self.refresh()

        def succeeded(value) -> None:  # type: ignore[no-untyped-def]
            self._waiting(False)
            done(value)

        return (
            Operation(self, where, lambda _progress, _cancelled: work(), runner=runner_for(self.archive))
            .success(succeeded)
            .failure(failed)
            .run()
        )

    def _waiting(self, waiting: bool, text: str = "") -> None:
        self.running = waiting
        self.busy.setText(text)
        self.busy.setVisible(waiting)
        for button in (self.make_button, self.restore_button, self.folder_button):
            button.setEnabled(not waiting)
        if not waiting:
            self._selection_changed()

    def make_now(self) -> Handle:
        return self._run("立即备份", self.archive.backups.make_now, self._made)

    def _made(self, entry: BackupEntry) -> None:
        self.refresh()
        if not entry.verified:
            QMessageBox.warning(
                self, "备份与恢复", "备份已保存，但未通过完整性校验：档案文件可能已损坏，请尽快联系维护人员。"
            )

    def confirm_restore(self, entry: BackupEntry) -> bool:
        answer = QMessageBox.question(
            self,
            "恢复档案",
            f"确定用 {entry.taken:%Y-%m-%d %H:%M} 的备份（{entry.kind_label}）恢复档案吗？\n\n"
            "此后录入和修改的内容都将不再出现在档案中。当前档案会先另存为一份“恢复前”备份，"
            "如有需要还可以恢复回来。\n\n恢复后程序将关闭档案，请重新登录；密码是备份当时的密码。",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def restore_selected(self) -> Handle | None:
        """Restore the selected backup once the user confirms (None when nothing is restored); when the
        restore is done ``restoredArchive`` is emitted and the dialog accepted."""
        entry = self.selected()
        if entry is None or not self.confirm_restore(entry):
            return None
        wait_for(self.archive)  # no page may still be reading the file that is about to be replaced
        return self._run("恢复档案", lambda: self.archive.backups.restore(entry), self._restored)

    def _restored(self, restored: Restored) -> None:
        self.restored = restored
        QMessageBox.information(self, "恢复档案", restored.message)
        self.accept()
        # After the operation's own callbacks: the window that closes then waits for its runner.
        QTimer.singleShot(0, lambda: self.restoredArchive.emit(restored))

    def open_folder(self) -> Path:
        folder = self.archive.backups.folder()
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        return folder

    def choose_folder(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "备份位置",
            f"现在的备份位置：{self.archive.backups.folder()}",
            parent=self,
        )
        choose = box.addButton("选择文件夹…", QMessageBox.ButtonRole.AcceptRole)
        default = box.addButton("改回默认位置", QMessageBox.ButtonRole.ResetRole)
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is choose:
            folder = QFileDialog.getExistingDirectory(self, "选择备份位置（如U盘上的文件夹）")
            if folder:
                self.set_folder(folder)
        elif box.clickedButton() is default:
            self.set_folder(None)

    def set_folder(self, folder: str | None) -> None:
        try:
            self.archive.backups.set_folder(folder)
        except DomainError as error:
            QMessageBox.warning(self, "备份位置", error.message)
        self.refresh()
