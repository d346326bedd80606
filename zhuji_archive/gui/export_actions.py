"""Export and print from the window: export tasks with a cancellable progress dialog, the roster
options dialog, the PDF print preview, and the 输出 menu of the main window.

An export runs through the operation runner (gui/operations.py), so the window stays responsive;
取消 makes the service's ``cancelled()`` return true, and the service then removes its temporary
file, so nothing half-written is left."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMarginsF, QObject, QSize, QStandardPaths, Qt, Signal
from PySide6.QtGui import QAction, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenuBar,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from zhuji_archive.domain.glyphs import UnprintableText
from zhuji_archive.gui.export_options import ChosenOptions, ExportOptions
from zhuji_archive.gui.operations import (
    Changes,
    Failure,
    Handle,
    Operation,
    ProgressDialog,
    Runner,
    runner_for,
    show_failure,
)
from zhuji_archive.gui.screen_fit import fit_to_screen
from zhuji_archive.logs import failure_message
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.export_files import file_name

if TYPE_CHECKING:  # the PDF and workbook libraries behind it load when something is exported
    from zhuji_archive.services.exports import ExportResult

Job = Callable[[Callable[[int, int], None], Callable[[], bool]], "ExportResult"]
PRINT_DPI = 300  # pages are rendered to images for the printer; 300 dpi keeps Chinese text crisp


# ---- running an export in the background --------------------------------------------------------


class ExportTask(QObject):
    """One export through the window's operation runner (gui/operations.py), with its progress
    dialog. Emits ``done(result)`` on success and ``ended(outcome)`` with "finished", "cancelled" or
    "failed" in every case. An export records itself in the change history, so it runs as a write.

    When the job refuses because some characters have no font (UnprintableText), the user is shown
    which and where, and chooses: 仍然打印 runs ``anyway`` (the same job printing with gaps), 取消
    ends the task as cancelled. Without ``anyway`` the refusal is shown as a failure."""

    done = Signal(object)
    ended = Signal(str)

    def __init__(
        self,
        parent: QWidget,
        title: str,
        label: str,
        job: Job,
        runner: Runner | None = None,
        anyway: Job | None = None,
    ) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.title = title
        self.result: ExportResult | None = None
        self.outcome = ""
        self.error = ""
        self.runner = runner or runner_for(None)
        self.anyway = anyway
        self.question: QMessageBox | None = None
        self.handle: Handle | None = None
        self.dialog = ProgressDialog(parent, title, label)
        self._run(job)

    def _run(self, job: Job) -> None:
        operation = Operation(
            self.parent_widget, self.title, job, runner=self.runner, changes=Changes(history=True)
        )
        operation.success(self._finished).failure(self._failure).on_cancel(self._cancelled)
        self.handle = operation.run(self.dialog)

    @property
    def running(self) -> bool:
        return not self.outcome

    def cancel(self) -> None:
        if self.running and self.handle is not None:
            self.handle.cancel()
            self.dialog.setLabelText("正在取消…")

    def _end(self, outcome: str) -> None:
        self.outcome = outcome
        self.dialog.close()
        self.ended.emit(outcome)

    def _finished(self, result: ExportResult) -> None:
        self.result = result
        self._end("finished")
        self.done.emit(result)

    def _cancelled(self) -> None:
        self._end("cancelled")

    def _failure(self, failure: Failure) -> None:
        if isinstance(failure.error, UnprintableText) and self.anyway is not None:
            self._unprintable(failure.error)
        else:
            self._failed(failure.message)

    def _unprintable(self, error: UnprintableText) -> None:
        self.dialog.reset()  # stops its show-after-delay timer, which would bring it back over the question
        self.dialog.hide()
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.title,
            error.message + "\n\n打印出来这些字的位置将是空白，可打印后手工补写。仍要打印吗？",
            QMessageBox.StandardButton.NoButton,
            self.parent_widget,
        )
        self.print_anyway = box.addButton("仍然打印", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.setStyleSheet("QLabel#qt_msgbox_label { min-width: 36em; }")  # one line per character, not two
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        box.finished.connect(lambda _code: self._answered(box.clickedButton() is self.print_anyway))
        self.question = box
        box.open()

    def _answered(self, go_on: bool) -> None:
        self.question = None
        if go_on and self.anyway is not None:
            self._run(self.anyway)
        else:
            self._cancelled()

    def _failed(self, message: str) -> None:
        self.error = message
        self._end("failed")
        show_failure(self.parent_widget, self.title, Failure("rule", message))


# ---- the print preview --------------------------------------------------------------------------


class PdfPreviewDialog(QDialog):
    """Shows the pages of one or more PDF files (the volumes of a book) and prints them through the
    system printer dialog. Temporary files given in ``owned_dir`` are removed when it closes."""

    def __init__(
        self, paths: list[Path], title: str, parent: QWidget | None = None, owned_dir: Path | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"打印预览 - {title}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.paths = paths
        self.owned_dir = owned_dir
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        bar = QHBoxLayout()
        self.volumes = QComboBox()
        for number, path in enumerate(paths, 1):
            self.volumes.addItem(f"第{number}册" if len(paths) > 1 else path.name, str(path))
        self.volumes.setVisible(len(paths) > 1)
        self.volumes.currentIndexChanged.connect(lambda i: self.load(Path(self.volumes.itemData(i))))
        bar.addWidget(self.volumes)
        self.pages_label = QLabel()
        bar.addWidget(self.pages_label)
        bar.addStretch(1)
        self.fit_button = QPushButton("适合宽度")
        self.fit_button.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth))
        self.whole_button = QPushButton("整页")
        self.whole_button.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitInView))
        self.save_button = QPushButton("另存为PDF…")
        self.save_button.clicked.connect(self.save_copy)
        self.save_button.setVisible(owned_dir is not None)
        self.print_button = QPushButton("打印…")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.print_document)
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        for button in (self.fit_button, self.whole_button, self.save_button, self.print_button, close):
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        fit_to_screen(self, QSize(900, 1000))  # a whole A4 page where the screen allows
        self.load(paths[0])

    def load(self, path: Path) -> None:
        self.current = path
        error = self.document.load(str(path))
        if error != QPdfDocument.Error.None_:
            self.pages_label.setText(f"无法打开“{path.name}”")
            return
        self.pages_label.setText(f"共 {self.document.pageCount()} 页")

    def save_copy(self) -> None:
        target, _filter = QFileDialog.getSaveFileName(
            self, "另存为PDF", str(_documents() / self.current.name), "PDF 文件 (*.pdf)"
        )
        if not target:
            return
        try:
            shutil.copyfile(self.current, target)
        except OSError as error:
            QMessageBox.warning(self, "另存为PDF", f"无法保存到“{target}”：{failure_message('另存为PDF', error)}")

    def print_document(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setDocName(self.current.stem)
        dialog = QPrintDialog(printer, self)
        dialog.setMinMax(1, self.document.pageCount())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        first, last = printer.fromPage(), printer.toPage()
        if first == 0:
            first, last = 1, self.document.pageCount()
        self.print_to(printer, first, last)

    def print_to(self, printer: QPrinter, first: int = 1, last: int | None = None) -> int:
        """Render pages ``first``..``last`` (1-based) onto ``printer``; return how many were printed."""
        last = last or self.document.pageCount()
        printer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
        printer.setFullPage(True)
        painter = QPainter()
        if not painter.begin(printer):
            QMessageBox.warning(self, "打印", "无法连接打印机，请检查打印机设置。")
            return 0
        printed = 0
        try:
            for page in range(first - 1, last):
                if printed:
                    printer.newPage()
                target = painter.viewport()
                points = self.document.pagePointSize(page)
                scale = PRINT_DPI / 72.0
                image = self.document.render(
                    page, QSize(int(points.width() * scale), int(points.height() * scale))
                )
                painter.drawImage(target, image)
                printed += 1
        finally:
            painter.end()
        return printed

    def done(self, result: int) -> None:  # noqa: A003 - QDialog API
        self.document.close()
        if self.owned_dir is not None:
            shutil.rmtree(self.owned_dir, ignore_errors=True)
        super().done(result)


def _documents() -> Path:
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(location) if location else Path.home()


# ---- options of a roster ------------------------------------------------------------------------


class RosterOptionsDialog(QDialog):
    """Asks which roster (the focus tag, for 重点户名册), masked or not (with a reason), and a password."""

    def __init__(
        self, kind: str, scope_text: str, tags: list[str], may_unmask: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(
            {"households": "导出户花名册", "members": "导出成员花名册"}.get(kind, "导出重点户名册")
        )
        form = QFormLayout()
        form.addRow("导出范围：", QLabel(scope_text))
        self.tag = QComboBox()
        self.tag.addItems(tags)
        if kind == "focus":
            form.addRow("重点关注类别：", self.tag)
        self.options = ExportOptions(self, form, may_unmask=may_unmask, counted="行")


class BookOptionsDialog(QDialog):
    """Asks whether the printed book shows full numbers (with a reason) and whether it has a password."""

    def __init__(self, scope_text: str, may_unmask: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("打印档案册")
        form = QFormLayout()
        form.addRow("打印范围：", QLabel(scope_text))
        self.options = ExportOptions(self, form, may_unmask=may_unmask, counted="户", xlsx=False)


# ---- the actions --------------------------------------------------------------------------------


ScopeGetter = Callable[[], tuple[str, str] | None]


class ExportActions(QObject):
    """The 输出 menu: rosters for the selected node, the group book, blank forms; and household sheets."""

    def __init__(self, window: QWidget, archive: Archive, current_node: ScopeGetter | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.archive = archive
        self.current_node = current_node or (lambda: None)
        self.runner = runner_for(archive)
        self.tasks: list[ExportTask] = []
        self.previews: list[PdfPreviewDialog] = []

    # ---- menu ---------------------------------------------------------------------------------
    def add_menu(self, bar: QMenuBar) -> None:
        menu = bar.addMenu("输出(&O)")
        help_action = next((a for a in bar.actions() if a.text().startswith("帮助")), None)
        if help_action is not None:  # keep 帮助 last
            bar.insertMenu(help_action, menu)
        for text, slot in (
            ("导出户花名册(&H)…", lambda: self.export_roster("households")),
            ("导出成员花名册(&M)…", lambda: self.export_roster("members")),
            ("导出重点户名册(&F)…", lambda: self.export_roster("focus")),
            (None, None),
            ("打印本组档案册(&B)…", self.print_book),
            ("打印空白户表(&K)", self.print_blank),
        ):
            if text is None:
                menu.addSeparator()
                continue
            action = QAction(text, self.window)
            action.triggered.connect(slot)
            menu.addAction(action)
        self.menu = menu

    # ---- scope of the selected tree node -----------------------------------------------------
    def _scope(self) -> dict[str, str]:
        node = self.current_node()
        if node is None:
            return {}
        kind, node_id = node
        return {
            "group": {"group_id": node_id},
            "village": {"village_id": node_id},
            "area": {"area_id": node_id},
        }.get(kind, {})

    def _scope_text(self) -> str:
        return self.archive.exports.scope_title(**self._scope())

    # ---- rosters ------------------------------------------------------------------------------
    def export_roster(self, kind: str) -> ExportTask | None:
        exports = self.archive.exports
        tags = self.archive.codes.values("focus_tag")
        dialog = RosterOptionsDialog(
            kind, self._scope_text(), tags, exports.may_export_unmasked(), self.window
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        tag = dialog.tag.currentText() if kind == "focus" else None
        options = dialog.options.chosen()
        name = {"households": "户花名册", "members": "成员花名册"}.get(kind, f"{tag}名册")
        suggested = _documents() / f"{file_name(self._scope_text() + name)}.xlsx"
        path, _filter = QFileDialog.getSaveFileName(
            self.window, "导出名册", str(suggested), "Excel 工作簿 (*.xlsx)"
        )
        if not path:
            return None
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        return self.start_roster(Path(path), kind, tag=tag, options=options)

    def start_roster(
        self, path: Path, kind: str, *, tag: str | None = None, options: ChosenOptions | None = None
    ) -> ExportTask:
        """Export a roster of the selected node to ``path`` in the background (masked by default)."""
        scope = self._scope()
        exports = self.archive.exports
        chosen = options or ChosenOptions()

        def job(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> ExportResult:
            return exports.roster(
                path,
                kind,
                tag=tag,
                masked=chosen.masked,
                reason=chosen.reason,
                password=chosen.password,
                progress=progress,
                cancelled=cancelled,
                **scope,
            )

        task = self._start("导出名册", f"正在导出“{path.name}”…", job)
        task.done.connect(
            lambda result: self._status(
                f"已导出 {result.rows} 行到 {path}" + ("（已脱敏）" if result.masked else "")
            )
        )
        return task

    # ---- PDFs ---------------------------------------------------------------------------------
    def print_book(self) -> ExportTask | None:
        node = self.current_node()
        if node is None or node[0] not in ("group", "village"):
            QMessageBox.information(
                self.window, "打印档案册", "请先在左侧组织树中选择一个村民小组（或一个村）。"
            )
            return None
        dialog = BookOptionsDialog(
            self._scope_text(), self.archive.exports.may_export_unmasked(), self.window
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        options = dialog.options.chosen()
        suggested = _documents() / f"{file_name(self._scope_text() + '群众档案册')}.pdf"
        path, _filter = QFileDialog.getSaveFileName(
            self.window, "打印档案册", str(suggested), "PDF 文件 (*.pdf)"
        )
        if not path:
            return None
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        # A protected book is not opened in the preview: the preview would have to ask for the password.
        return self.start_book(Path(path), preview=options.password is None, options=options)

    def start_book(
        self, path: Path, preview: bool = True, options: ChosenOptions | None = None
    ) -> ExportTask:
        node = self.current_node()
        assert node is not None
        kind, node_id = node
        ids = {"group_id": node_id} if kind == "group" else {"village_id": node_id}
        exports = self.archive.exports
        chosen = options or ChosenOptions()

        def job(allow: bool) -> Job:
            return lambda progress, cancelled: exports.book(
                path,
                progress=progress,
                cancelled=cancelled,
                allow_unprintable=allow,
                masked=chosen.masked,
                reason=chosen.reason,
                password=chosen.password,
                **ids,
            )

        task = self._start("打印档案册", "正在排版群众档案册…", job(False), anyway=job(True))
        task.done.connect(lambda result: self._book_done(result, preview))
        return task

    def _book_done(self, result: ExportResult, preview: bool) -> None:
        volumes = f"，分 {len(result.paths)} 册" if len(result.paths) > 1 else ""
        self._status(
            f"档案册已保存：{result.rows} 户，共 {result.pages} 页{volumes}（{result.paths[0].parent}）"
        )
        if preview:
            self.show_preview(result.paths, result.paths[0].stem)

    def print_blank(self) -> ExportTask:
        folder = Path(tempfile.mkdtemp(prefix="zhuji-print-"))
        path = folder / "空白户表.pdf"
        exports = self.archive.exports

        def job(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> ExportResult:
            return exports.blank_form(path, progress=progress, cancelled=cancelled)

        return self._start_preview("打印空白户表", job, folder, "空白户表")

    def print_household(self, household_id: str, parent: QWidget | None = None) -> ExportTask:
        """Print one household's sheet: laid out in the background, then shown in the preview."""
        folder = Path(tempfile.mkdtemp(prefix="zhuji-print-"))
        exports = self.archive.exports
        name = exports.household_sheet_name(household_id)  # 另存为 and the print job take this name
        path = folder / f"{name}.pdf"

        def job(allow: bool) -> Job:
            return lambda progress, cancelled: exports.household_sheet(
                path, household_id, progress=progress, cancelled=cancelled, allow_unprintable=allow
            )

        return self._start_preview("打印户表", job(False), folder, name, parent, anyway=job(True))

    def _start_preview(
        self,
        title: str,
        job: Job,
        folder: Path,
        name: str,
        parent: QWidget | None = None,
        anyway: Job | None = None,
    ) -> ExportTask:
        task = self._start(title, "正在排版…", job, parent, anyway)
        task.done.connect(lambda result: self.show_preview(result.paths, name, folder, parent))
        task.ended.connect(lambda outcome: outcome == "finished" or shutil.rmtree(folder, ignore_errors=True))
        return task

    def show_preview(
        self, paths: list[Path], title: str, owned_dir: Path | None = None, parent: QWidget | None = None
    ) -> PdfPreviewDialog:
        dialog = PdfPreviewDialog(paths, title, parent or self.window, owned_dir)
        self.previews.append(dialog)
        dialog.destroyed.connect(lambda *_: self._forget_preview(dialog))
        dialog.show()
        return dialog

    def _forget_preview(self, dialog: PdfPreviewDialog) -> None:
        self.previews = [d for d in self.previews if d is not dialog]

    # ---- plumbing -----------------------------------------------------------------------------
    def _start(
        self, title: str, label: str, job: Job, parent: QWidget | None = None, anyway: Job | None = None
    ) -> ExportTask:
        task = ExportTask(parent or self.window, title, label, job, self.runner, anyway=anyway)
        self.tasks.append(task)
        task.ended.connect(lambda outcome: self._ended(task, outcome))
        return task

    def _ended(self, task: ExportTask, outcome: str) -> None:
        self.tasks = [t for t in self.tasks if t is not task]
        if outcome == "cancelled":
            self._status("已取消，未保存任何文件")

    def _status(self, text: str) -> None:
        if isinstance(self.window, QMainWindow):
            self.window.statusBar().showMessage(text, 8000)

    def wait_all(self, msecs: int = 30000) -> None:
        """Wait for background exports to stop (used when the window closes)."""
        for task in self.tasks:
            task.cancel()
        self.runner.wait_all(msecs)
