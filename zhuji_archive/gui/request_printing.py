"""Printing and exporting the request workflow from the window: the 情况反馈意见单 (of a request, or
blank), a meeting's 交办单, the 周报/月报 as PDF or Excel, and the request ledger.

Everything runs through the export plumbing of gui/export_actions.py: a background worker with a
cancellable progress dialog, and the PDF print preview, which removes its temporary file on close."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QWidget,
)

from zhuji_archive.domain.reporting import Period
from zhuji_archive.gui.export_actions import (
    ExportTask,
    Job,
    PdfPreviewDialog,
    _documents,
)
from zhuji_archive.gui.export_options import ChosenOptions, ExportOptions
from zhuji_archive.gui.operations import runner_for
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.export_files import file_name
from zhuji_archive.services.requests import RequestQuery

if TYPE_CHECKING:  # the export services load openpyxl and reportlab: only when something is exported
    from zhuji_archive.services.exports import ExportResult

ProgressFn = Callable[[int, int], None]
CancelledFn = Callable[[], bool]


class LedgerOptionsDialog(QDialog):
    """Asks whether the ledger shows full ID and phone numbers (with a reason) and for a password."""

    def __init__(self, scope_text: str, count: int, may_unmask: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("导出诉求台账")
        form = QFormLayout()
        form.addRow("导出范围：", QLabel(f"{scope_text}（按当前筛选条件，共 {count} 件）"))
        self.options = ExportOptions(self, form, may_unmask=may_unmask, counted="件")


class RequestPrinting(QObject):
    """Print and export actions of the request pages; ``parent`` is the widget the dialogs belong to."""

    def __init__(self, archive: Archive, parent: QWidget) -> None:
        super().__init__(parent)
        self.archive = archive
        self.widget = parent
        self.tasks: list[ExportTask] = []
        self.previews: list[PdfPreviewDialog] = []

    # ---- PDFs shown in the print preview -----------------------------------------------------
    def print_feedback(self, request_id: str | None) -> ExportTask:
        """The 情况反馈意见单 of a request (``None``: a blank one) in the print preview."""
        exports = self.archive.request_exports
        name = exports.feedback_form_name(request_id)

        def job(path: Path) -> Job:
            return lambda progress, cancelled: exports.feedback_form(
                request_id, path, progress=progress, cancelled=cancelled
            )

        return self._preview("打印情况反馈意见单", name, job)

    def print_meeting(self, meeting_id: str) -> ExportTask:
        exports = self.archive.request_exports

        def job(path: Path) -> Job:
            return lambda progress, cancelled: exports.meeting_sheet(
                meeting_id, path, progress=progress, cancelled=cancelled
            )

        return self._preview("打印交办单", exports.meeting_sheet_name(meeting_id), job)

    def print_summary(
        self, scope_kind: str, scope_id: str, period: Period, name: str | None = None
    ) -> ExportTask:
        """The 周报/月报 in the print preview; ``name`` (the summary's title) names the file."""
        exports = self.archive.request_exports

        def job(path: Path) -> Job:
            return lambda progress, cancelled: exports.summary_pdf(
                scope_kind, scope_id, period, path, progress=progress, cancelled=cancelled
            )

        return self._preview(f"打印{period.kind}", file_name(name or period.kind), job)

    def _preview(self, title: str, name: str, make_job: Callable[[Path], Job]) -> ExportTask:
        folder = Path(tempfile.mkdtemp(prefix="zhuji-print-"))
        task = self._start(title, "正在排版…", make_job(folder / f"{name}.pdf"))
        task.done.connect(lambda result: self.show_preview(result.paths, name, folder))
        task.ended.connect(lambda outcome: outcome == "finished" or shutil.rmtree(folder, ignore_errors=True))
        return task

    def show_preview(self, paths: list[Path], title: str, owned_dir: Path | None = None) -> PdfPreviewDialog:
        dialog = PdfPreviewDialog(paths, title, self.widget, owned_dir)
        self.previews.append(dialog)
        dialog.destroyed.connect(lambda *_: self._forget(dialog))
        dialog.show()
        return dialog

    def _forget(self, dialog: PdfPreviewDialog) -> None:
        self.previews = [d for d in self.previews if d is not dialog]

    # ---- Excel ----------------------------------------------------------------------------------
    def export_summary(
        self, scope_kind: str, scope_id: str, period: Period, suggested: str
    ) -> ExportTask | None:
        path = self._ask_path("导出周报月报", suggested)
        if path is None:
            return None
        return self.start_summary_xlsx(path, scope_kind, scope_id, period)

    def start_summary_xlsx(self, path: Path, scope_kind: str, scope_id: str, period: Period) -> ExportTask:
        exports = self.archive.request_exports

        def job(progress: ProgressFn, cancelled: CancelledFn) -> ExportResult:
            return exports.summary_xlsx(
                scope_kind, scope_id, period, path, progress=progress, cancelled=cancelled
            )

        task = self._start(f"导出{period.kind}", f"正在导出“{path.name}”…", job)
        task.done.connect(lambda _result: self._status(f"已导出{period.kind}到 {path}"))
        return task

    def export_ledger(self, query: RequestQuery, scope_text: str) -> ExportTask | None:
        """Ask full or masked and where to save, then export the ledger of ``query`` in the background."""
        count = len(self.archive.request_exports.ledger_lines(query))
        may_unmask = self.archive.exports.may_export_unmasked()
        dialog = LedgerOptionsDialog(scope_text, count, may_unmask, self.widget)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        options = dialog.options.chosen()
        path = self._ask_path("导出诉求台账", f"{file_name(scope_text + '诉求台账')}.xlsx")
        if path is None:
            return None
        return self.start_ledger(path, query, options=options)

    def start_ledger(
        self, path: Path, query: RequestQuery, *, options: ChosenOptions | None = None
    ) -> ExportTask:
        exports = self.archive.request_exports
        chosen = options or ChosenOptions()

        def job(progress: ProgressFn, cancelled: CancelledFn) -> ExportResult:
            return exports.ledger(
                query,
                path,
                masked=chosen.masked,
                reason=chosen.reason,
                password=chosen.password,
                progress=progress,
                cancelled=cancelled,
            )

        task = self._start("导出诉求台账", f"正在导出“{path.name}”…", job)
        task.done.connect(
            lambda result: self._status(
                f"已导出诉求台账 {result.rows} 件到 {path}" + ("（已脱敏）" if result.masked else "")
            )
        )
        return task

    def _ask_path(self, title: str, suggested: str) -> Path | None:
        path, _filter = QFileDialog.getSaveFileName(
            self.widget, title, str(_documents() / suggested), "Excel 工作簿 (*.xlsx)"
        )
        if not path:
            return None
        return Path(path if path.lower().endswith(".xlsx") else path + ".xlsx")

    # ---- the 输出 menu -------------------------------------------------------------------------
    def add_to_menu(self, menu: QMenu) -> QAction:
        """输出 → 打印空白情况反馈意见单, after 打印空白户表."""
        action = QAction("打印空白情况反馈意见单(&Y)", self.widget)
        action.triggered.connect(lambda: self.print_feedback(None))
        menu.addAction(action)
        return action

    # ---- plumbing -------------------------------------------------------------------------------
    def _start(self, title: str, label: str, job: Job) -> ExportTask:
        task = ExportTask(self.widget, title, label, job, runner_for(self.archive))
        self.tasks.append(task)
        task.ended.connect(lambda outcome: self._ended(task, outcome))
        return task

    def _ended(self, task: ExportTask, outcome: str) -> None:
        self.tasks = [t for t in self.tasks if t is not task]
        if outcome == "cancelled":
            self._status("已取消，未保存任何文件")

    def _status(self, text: str) -> None:
        window = self.widget.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 8000)
