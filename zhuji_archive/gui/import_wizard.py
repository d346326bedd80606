"""The Excel import wizard: files → village and groups → header and column mapping → preview →
validation report → import with progress and cancel. Planning and importing run through the window's
operation runner (gui/operations.py), one at a time; the pages (gui/import_source_pages.py,
gui/import_check_pages.py) only show the service's plan and pass the user's choices back to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import QWidget, QWizard

from zhuji_archive.gui.import_check_pages import PreviewPage, ReportPage, RunPage
from zhuji_archive.gui.import_source_pages import FilesPage, MappingPage, TargetPage
from zhuji_archive.gui.operations import NOTHING, Changes, Failure, Handle, Operation, runner_for
from zhuji_archive.gui.screen_fit import fit_to_screen
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.import_files import SheetSource
from zhuji_archive.services.import_plan import ImportPlan
from zhuji_archive.services.importing import ImportResult


class ImportWizard(QWizard):
    """Emits ``imported(result)`` after a successful import."""

    imported = Signal(object)

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.importer = archive.importer
        self.sources: list[SheetSource] = []
        self.plan: ImportPlan | None = None
        self.result: ImportResult | None = None
        self.runner = runner_for(archive)
        self.tasks: list[Handle] = []
        self.close_pending = False
        self.setWindowTitle("从Excel导入户成员台账")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setButtonText(QWizard.WizardButton.NextButton, "下一步 >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< 上一步")
        self.setButtonText(QWizard.WizardButton.FinishButton, "完成")
        self.setButtonText(QWizard.WizardButton.CancelButton, "取消")
        self.files_page = FilesPage(self)
        self.target_page = TargetPage(self)
        self.mapping_page = MappingPage(self)
        self.preview_page = PreviewPage(self)
        self.report_page = ReportPage(self)
        self.run_page = RunPage(self)
        for page in (
            self.files_page,
            self.target_page,
            self.mapping_page,
            self.preview_page,
            self.report_page,
            self.run_page,
        ):
            self.addPage(page)
        fit_to_screen(self, QSize(1100, 720))

    def start(
        self,
        work: Callable[..., Any],
        done: Callable[[Any], None],
        failed: Callable[[str], None],
        progress: Callable[[int, int], None] | None = None,
        changes: Changes = NOTHING,
    ) -> Handle:
        """Run ``work(progress, cancelled)`` through the runner; ``failed`` gets the message to show."""

        def failure(f: Failure) -> None:
            failed(f.message if f.kind == "rule" else f.message + "\n数据库未做任何改动。")

        operation = Operation(self, "导入", work, runner=self.runner, changes=changes)
        operation.success(done).failure(failure).on_cancel(lambda: failed("已取消，数据库未做任何改动。"))
        task = operation.run()
        if progress is not None:
            task.progressed.connect(progress)
        task.ended.connect(lambda _outcome, t=task: self._forget(t))
        self.tasks.append(task)
        return task

    def _forget(self, task: Handle) -> None:
        if task in self.tasks:
            self.tasks.remove(task)
        if self.close_pending and not self.tasks:
            super().reject()

    def cancel_all(self) -> None:
        for task in self.tasks:
            task.cancel()

    @property
    def busy(self) -> bool:
        return bool(self.tasks)

    def reject(self) -> None:
        if self.busy:
            # The worker notices at its next batch and rolls everything back; then the dialog closes.
            self.close_pending = True
            self.cancel_all()
            self.run_page.status.setText("正在取消……")
            return
        super().reject()

    def done(self, result: int) -> None:
        if self.busy:
            self.cancel_all()
            self.runner.write_pool.waitForDone()
        super().done(result)
