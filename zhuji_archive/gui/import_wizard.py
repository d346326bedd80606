"""The Excel import wizard: files → village and groups → header and column mapping → preview →
validation report → import with progress and cancel. Planning and importing run on a worker thread;
the pages only show the service's plan and pass the user's choices back to it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QSize, Qt, QThreadPool, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from zhuji_archive.domain.codes import KINDS_BY_KEY
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.ledger import FIELDS, IGNORE, NOTES
from zhuji_archive.gui.screen_fit import fit_to_screen
from zhuji_archive.logs import failure_message
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.export_files import file_name
from zhuji_archive.services.import_files import SheetSource, column_letter
from zhuji_archive.services.import_plan import CHOICES, ImportCancelled, ImportPlan
from zhuji_archive.services.importing import ImportResult

FIELD_CHOICES: list[tuple[str, str]] = [
    *((f.key, f.title) for f in FIELDS),
    (NOTES, "记入备注（保留原文）"),
    (IGNORE, "忽略此列"),
]
SKIP_SHEET = ""  # group combo value: do not import this sheet
ERROR_COLOR = Qt.GlobalColor.darkRed


class _Signals(QObject):
    progress = Signal(int, int)
    done = Signal(object)
    failed = Signal(str)


class Task(QRunnable):
    """Runs ``work(progress)`` on the thread pool; reports through signals on the GUI thread."""

    def __init__(self, work: Callable[[Callable[[int, int], None], Callable[[], bool]], Any]) -> None:
        super().__init__()
        self.work = work
        self.cancelled = False
        self.signals = _Signals()
        self.setAutoDelete(False)

    def run(self) -> None:
        try:
            result = self.work(self.signals.progress.emit, lambda: self.cancelled)
        except ImportCancelled:
            self.signals.failed.emit("已取消，数据库未做任何改动。")
        except DomainError as error:
            self.signals.failed.emit(error.message)
        except Exception as error:  # noqa: BLE001 - shown to the user, never a silent crash of a worker
            self.signals.failed.emit(failure_message("导入", error) + "\n数据库未做任何改动。")
        else:
            self.signals.done.emit(result)


def _item(text: object, tooltip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem("" if text is None else str(text))
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if tooltip:
        item.setToolTip(tooltip)
    return item


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
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.tasks: list[Task] = []
        self.finished_tasks: list[Task] = []
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
    ) -> Task:
        task = Task(work)
        task.signals.done.connect(done)
        task.signals.failed.connect(failed)
        if progress is not None:
            task.signals.progress.connect(progress)
        task.signals.done.connect(lambda _r, t=task: self._forget(t))
        task.signals.failed.connect(lambda _m, t=task: self._forget(t))
        self.tasks.append(task)
        self.pool.start(task)
        return task

    def _forget(self, task: Task) -> None:
        if task in self.tasks:
            self.tasks.remove(task)
            # Kept until the wizard goes: the pool thread may still be returning from run().
            self.finished_tasks.append(task)
        if self.close_pending and not self.tasks:
            super().reject()

    def cancel_all(self) -> None:
        for task in self.tasks:
            task.cancelled = True

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
            self.pool.waitForDone()
        super().done(result)


class FilesPage(QWizardPage):
    """Step 1: which workbooks; the template to hand out."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("第1步：选择台账文件")
        self.setSubTitle(
            "选择村里现有的户成员台账（花名册），可一次选多个工作簿；每个工作表通常是一个村民小组。"
        )
        layout = QVBoxLayout(self)
        self.files = QListWidget()
        layout.addWidget(self.files)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("添加文件…")
        self.add_button.clicked.connect(self._browse)
        self.remove_button = QPushButton("移除所选")
        self.remove_button.clicked.connect(self._remove)
        self.template_button = QPushButton("下载导入模板…")
        self.template_button.clicked.connect(self._save_template)
        for button in (self.add_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.template_button)
        layout.addLayout(buttons)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

    def add_files(self, paths: list[str | Path]) -> None:
        present = {self.files.item(i).text() for i in range(self.files.count())}
        for path in paths:
            if str(path) not in present:
                self.files.addItem(str(path))
        self.completeChanged.emit()

    def paths(self) -> list[Path]:
        return [Path(self.files.item(i).text()) for i in range(self.files.count())]

    def _browse(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "选择台账文件", "", "Excel 工作簿 (*.xlsx *.xlsm *.xls *.ods)"
        )
        self.add_files(paths)

    def _remove(self) -> None:
        for item in self.files.selectedItems():
            self.files.takeItem(self.files.row(item))
        self.completeChanged.emit()

    def _save_template(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "保存导入模板", "户成员台账模板.xlsx", "Excel 工作簿 (*.xlsx)"
        )
        if path:
            self.save_template(Path(path))

    def save_template(self, path: Path) -> None:
        try:
            self.wiz.importer.write_template(path)
        except (DomainError, OSError) as error:
            self.message.setText(f"模板未保存：{getattr(error, 'message', error)}")
            return
        self.message.setText(f"模板已保存到 {path}")

    def isComplete(self) -> bool:
        return self.files.count() > 0

    def validatePage(self) -> bool:
        try:
            self.wiz.sources = self.wiz.importer.read(self.paths())
        except DomainError as error:
            self.message.setText(error.message)
            return False
        self.message.clear()
        return True


class TargetPage(QWizardPage):
    """Step 2: the village, and the group each sheet goes to."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("第2步：导入到哪个村、哪个村民小组")
        self.setSubTitle(
            "按工作表名或标题自动对应村民小组（如“第二村民小组”对应“二组”），请核对；"
            "本村还没有的小组显示为“新建村民小组…”，随导入一起建立；不需要的工作表选“不导入”。"
        )
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("村："))
        self.village = QComboBox()
        self.village.currentIndexChanged.connect(self._village_changed)
        row.addWidget(self.village, 1)
        layout.addLayout(row)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["文件", "工作表", "标题", "导入到村民小组"])
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        layout.addWidget(self.table)
        self.combos: list[QComboBox] = []

    def initializePage(self) -> None:
        self.village.blockSignals(True)
        self.village.clear()
        for town in self.wiz.archive.organisation.tree():
            stack = list(town.children)
            while stack:
                node = stack.pop(0)
                if node.kind == "village":
                    self.village.addItem(node.name, node.id)
                elif node.kind == "area":
                    stack[:0] = node.children
        self.village.blockSignals(False)
        self._village_changed()

    def _village_changed(self) -> None:
        village_id = self.village.currentData()
        if village_id is None:
            return
        # A group the sheet names but the village lacks is offered as “新建…” (created with the import).
        self.wiz.importer.assign_groups(self.wiz.sources, village_id, create_missing=True)
        groups = self.wiz.importer.groups(village_id)
        new_groups = self.wiz.importer.new_groups()
        self.table.setRowCount(len(self.wiz.sources))
        self.combos = []
        for r, src in enumerate(self.wiz.sources):
            self.table.setItem(r, 0, _item(src.file_name))
            self.table.setItem(r, 1, _item(src.sheet + ("（隐藏）" if src.hidden else "")))
            self.table.setItem(r, 2, _item(src.title if src.found_header else "（未找到表头）"))
            combo = QComboBox()
            combo.addItem("不导入", SKIP_SHEET)
            for group_id, name in groups:
                combo.addItem(name, group_id)
            for group_id, name in new_groups:
                combo.addItem(f"新建村民小组“{name}”", group_id)
            if src.group_id and src.found_header:
                combo.setCurrentIndex(combo.findData(src.group_id))
            combo.currentIndexChanged.connect(lambda _i, s=src, c=combo: self._group_changed(s, c))
            self.table.setCellWidget(r, 3, combo)
            self.combos.append(combo)
            self._group_changed(src, combo)
        self.table.resizeColumnsToContents()

    def _group_changed(self, src: SheetSource, combo: QComboBox) -> None:
        src.group_id = combo.currentData() or None
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return any(src.group_id for src in self.wiz.sources)


class MappingPage(QWizardPage):
    """Step 3: the header row found and each column's field, both editable."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("第3步：核对表头和列的对应")
        self.setSubTitle("程序已在前10行中找到表头并按列名对应；如有不对，改表头行或右侧的“对应到”。")
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("工作表："))
        self.sheet = QComboBox()
        self.sheet.currentIndexChanged.connect(self._show_sheet)
        row.addWidget(self.sheet, 1)
        row.addWidget(QLabel("表头在第"))
        self.header_row = QSpinBox()
        self.header_row.setRange(1, 1)
        self.header_row.valueChanged.connect(self._header_changed)
        row.addWidget(self.header_row)
        row.addWidget(QLabel("行"))
        layout.addLayout(row)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["列", "表头", "示例内容", "对应到"])
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        layout.addWidget(self.table)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

    def used_sources(self) -> list[SheetSource]:
        return [s for s in self.wiz.sources if s.group_id]

    def initializePage(self) -> None:
        self.sheet.blockSignals(True)
        self.sheet.clear()
        for src in self.used_sources():
            self.sheet.addItem(f"{src.file_name}／{src.sheet}")
        self.sheet.blockSignals(False)
        self._show_sheet()

    def current(self) -> SheetSource | None:
        sources = self.used_sources()
        index = self.sheet.currentIndex()
        return sources[index] if 0 <= index < len(sources) else None

    def _show_sheet(self) -> None:
        src = self.current()
        if src is None:
            return
        self.header_row.blockSignals(True)
        self.header_row.setRange(1, max(1, min(len(src.rows), 10)))
        self.header_row.setValue(src.header_rows[-1] + 1 if src.header_rows else 1)
        self.header_row.blockSignals(False)
        self._fill_columns(src)

    def _header_changed(self, value: int) -> None:
        src = self.current()
        if src is not None:
            src.set_header_row(value)
            self._fill_columns(src)

    def _fill_columns(self, src: SheetSource) -> None:
        self.table.setRowCount(len(src.fields))
        for column, key in enumerate(src.fields):
            self.table.setItem(column, 0, _item(column_letter(column)))
            self.table.setItem(column, 1, _item(src.headers[column] if column < len(src.headers) else ""))
            self.table.setItem(column, 2, _item("、".join(src.samples(column))))
            combo = QComboBox()
            for choice, title in FIELD_CHOICES:
                combo.addItem(title, choice)
            combo.setCurrentIndex(combo.findData(key))
            combo.currentIndexChanged.connect(lambda _i, c=column, box=combo: self._field_changed(c, box))
            self.table.setCellWidget(column, 3, combo)
        self.table.resizeColumnsToContents()
        self.message.setText(
            ""
            if src.found_header
            else "这个工作表的前10行中没有找到表头，请指定表头所在的行，并逐列选择对应的内容。"
        )

    def _field_changed(self, column: int, combo: QComboBox) -> None:
        src = self.current()
        if src is None:
            return
        src.set_field(column, combo.currentData())
        # A field moved here leaves its old column as notes; show that.
        for other, key in enumerate(src.fields):
            box = self.table.cellWidget(other, 3)
            if isinstance(box, QComboBox) and box.currentData() != key:
                box.blockSignals(True)
                box.setCurrentIndex(box.findData(key))
                box.blockSignals(False)

    def set_mapping(self, column: int, key: str) -> None:
        """Choose a column's field the way the combo box does (for keyboard users and tests)."""
        box = self.table.cellWidget(column, 3)
        assert isinstance(box, QComboBox)
        box.setCurrentIndex(box.findData(key))


class PreviewPage(QWizardPage):
    """Step 4: households and members as they will be created; people already on file."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.ready = False
        self.generation = 0
        self.setTitle("第4步：预览")
        self.setSubTitle(
            "以下是将要建立的户和成员（尚未写入）。已在档案中的人按身份证号对应，可逐户选择如何处理。"
        )
        layout = QVBoxLayout(self)
        self.progress = QProgressBar()
        layout.addWidget(self.progress)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.tabs = QTabWidget()
        self.new_tree = QTreeWidget()
        self.new_tree.setHeaderLabels(
            ["户主 / 成员", "关系", "身份证号", "性别", "出生日期", "电话", "户号", "来源", "处理"]
        )
        self.new_tree.setUniformRowHeights(True)
        self.tabs.addTab(self.new_tree, "将新建的户")
        matched = QWidget()
        matched_layout = QVBoxLayout(matched)
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("全部设为："))
        self.all_buttons: dict[str, QPushButton] = {}
        for choice, title in CHOICES.items():
            button = QPushButton(title)
            button.clicked.connect(lambda _c=False, ch=choice: self.set_choice_all(ch))
            buttons.addWidget(button)
            self.all_buttons[choice] = button
        buttons.addStretch(1)
        matched_layout.addLayout(buttons)
        self.matched_tree = QTreeWidget()
        self.matched_tree.setHeaderLabels(["档案中的户 / 字段", "档案中现有", "表中", "处理"])
        self.matched_tree.itemChanged.connect(self._change_toggled)
        matched_layout.addWidget(self.matched_tree)
        self.tabs.addTab(matched, "已在档案中的户")
        layout.addWidget(self.tabs, 1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

    def initializePage(self) -> None:
        self.ready = False
        self.wiz.plan = None
        self.new_tree.clear()
        self.matched_tree.clear()
        self.summary.setText("正在检查……")
        self.message.clear()
        self.progress.setRange(0, 0)
        self.progress.show()
        sources = [s for s in self.wiz.sources if s.group_id]  # “不导入” sheets stay out of the plan
        importer = self.wiz.importer
        self.wiz.cancel_all()
        self.generation += 1
        generation = self.generation
        self.wiz.start(
            lambda progress, cancelled: importer.plan(sources, progress, cancelled),
            lambda plan: self._planned(plan) if generation == self.generation else None,
            lambda message: self._failed(message) if generation == self.generation else None,
        )

    def _failed(self, message: str) -> None:
        self.progress.hide()
        self.summary.setText("检查未完成")
        self.message.setText(message + "　请返回上一步修改。")

    def _planned(self, plan: ImportPlan) -> None:
        self.wiz.plan = plan
        self.progress.hide()
        self.fill()
        self.ready = True
        self.completeChanged.emit()

    def fill(self) -> None:
        plan = self.wiz.plan
        assert plan is not None
        self.new_tree.setUpdatesEnabled(False)
        self.new_tree.clear()
        items = []
        for h in plan.households:
            if h.existing is not None:
                continue
            action = h.action(plan.add_codes)
            top = QTreeWidgetItem(
                [
                    h.head_name,
                    "",
                    "",
                    "",
                    "",
                    h.phone,
                    str(h.number or "自动"),
                    f"{h.source.sheet}{h.rows_text()}",
                    action,
                ]
            )
            if action == "有错误":
                for col in range(top.columnCount()):
                    top.setForeground(col, ERROR_COLOR)
            for m in h.members:
                d = m.data
                top.addChild(
                    QTreeWidgetItem(
                        [
                            d.name,
                            d.relation,
                            d.id_number,
                            d.sex,
                            d.birth_date.isoformat() if d.birth_date else "",
                            d.phone,
                            "",
                            f"第{m.row + 1}行",
                            "",
                        ]
                    )
                )
            items.append(top)
        self.new_tree.addTopLevelItems(items)
        self.new_tree.setUpdatesEnabled(True)
        self._fill_matched()
        self._update_summary()

    def _fill_matched(self) -> None:
        plan = self.wiz.plan
        assert plan is not None
        self.matched_tree.blockSignals(True)
        self.matched_tree.clear()
        self.choice_boxes: dict[int, QComboBox] = {}
        for index, h in enumerate(plan.households):
            if h.existing is None:
                continue
            label = f"{h.existing.describe()}　←　{h.source.sheet}{h.rows_text()}（按{h.matched_by}对应）"
            top = QTreeWidgetItem([label, "", "", ""])
            self.matched_tree.addTopLevelItem(top)
            for change in h.changes:
                who = "户" if change.member is None else h.members[change.member].data.name
                child = QTreeWidgetItem([f"{who}：{change.title}", change.old, change.new, ""])
                child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                child.setCheckState(0, Qt.CheckState.Checked if change.selected else Qt.CheckState.Unchecked)
                child.setData(0, Qt.ItemDataRole.UserRole, (index, h.changes.index(change)))
                top.addChild(child)
            for m in h.new_members:
                top.addChild(QTreeWidgetItem([f"新增成员：{m.data.name}", "", m.data.relation, ""]))
            combo = QComboBox()
            for choice, title in CHOICES.items():
                combo.addItem(title, choice)
            combo.setCurrentIndex(combo.findData(h.choice))
            combo.currentIndexChanged.connect(lambda _i, hh=h, c=combo: self._choice_changed(hh, c))
            self.matched_tree.setItemWidget(top, 3, combo)
            self.choice_boxes[index] = combo
            top.setExpanded(bool(h.changes))
        self.matched_tree.blockSignals(False)
        count = len(self.choice_boxes)
        self.tabs.setTabText(1, f"已在档案中的户（{count}）")
        for button in self.all_buttons.values():
            button.setEnabled(count > 0)

    def _choice_changed(self, h: Any, combo: QComboBox) -> None:
        h.choice = combo.currentData()
        self._update_summary()

    def _change_toggled(self, item: QTreeWidgetItem, column: int) -> None:
        key = item.data(0, Qt.ItemDataRole.UserRole)
        if column != 0 or key is None or self.wiz.plan is None:
            return
        index, change = key
        self.wiz.plan.households[index].changes[change].selected = item.checkState(0) == Qt.CheckState.Checked
        self._update_summary()

    def set_choice_all(self, choice: str) -> None:
        plan = self.wiz.plan
        if plan is None:
            return
        plan.set_choice_all(choice)
        for combo in self.choice_boxes.values():
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(choice))
            combo.blockSignals(False)
        self._update_summary()

    def _update_summary(self) -> None:
        plan = self.wiz.plan
        if plan is None:
            return
        c = plan.counts()
        new_groups = "、".join(plan.groups_to_create())
        self.summary.setText(
            (f"将新建村民小组：{new_groups}。" if new_groups else "")
            + f"将新建 {c.households_new} 户 {c.members_new} 人；已在档案中的 {c.households_matched} 户"
            f"（按所选处理方式需更新 {c.households_changed} 户）；有错误 {c.households_rejected} 户"
            f"（{c.rows_rejected} 行），详见下一步的检查报告。"
        )
        self.tabs.setTabText(0, f"将新建的户（{c.households_new}）")

    def isComplete(self) -> bool:
        return self.ready


REPORT_COLUMNS = ["类别", "文件", "工作表", "行", "列", "表头", "内容", "原因"]


class ReportPage(QWizardPage):
    """Step 5: every problem by sheet, row and column; what to do with errors and unknown codes."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("第5步：检查报告")
        self.setSubTitle(
            "以下每一处都注明了工作表、行、列和原因。“提示”不影响导入；“错误”所在的整户不会导入。"
        )
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, len(REPORT_COLUMNS))
        self.table.setHorizontalHeaderLabels(REPORT_COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(
            len(REPORT_COLUMNS) - 1, QHeaderView.ResizeMode.Stretch
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        layout.addWidget(self.table, 1)
        self.errors_only = QCheckBox("只显示错误")
        self.errors_only.toggled.connect(self._filter)
        layout.addWidget(self.errors_only)
        self.add_codes = QCheckBox()
        self.add_codes.toggled.connect(self._options_changed)
        layout.addWidget(self.add_codes)
        self.skip = QRadioButton("跳过有错误的户，导入其余各户（可把错误行导出，改正后再导入）")
        self.block = QRadioButton("有错误时不导入任何数据")
        self.skip.setChecked(True)
        self.mode = QButtonGroup(self)
        self.mode.addButton(self.skip)
        self.mode.addButton(self.block)
        self.skip.toggled.connect(self._options_changed)
        layout.addWidget(self.skip)
        layout.addWidget(self.block)
        row = QHBoxLayout()
        self.export_button = QPushButton("导出错误清单…")
        self.export_button.clicked.connect(self._export)
        row.addWidget(self.export_button)
        self.message = QLabel()
        self.message.setWordWrap(True)
        row.addWidget(self.message, 1)
        layout.addLayout(row)

    def initializePage(self) -> None:
        plan = self.wiz.plan
        assert plan is not None
        self.table.setRowCount(len(plan.problems))
        for r, p in enumerate(plan.problems):
            values = [p.severity, p.file, p.sheet, p.row or "", p.column, p.header, p.value, p.reason]
            for c, value in enumerate(values):
                item = _item(value, p.reason if c == 7 else "")
                if p.blocking:
                    item.setForeground(ERROR_COLOR)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
        self._filter()
        codes = "、".join(
            f"“{label}”（{KINDS_BY_KEY[kind].title}，{n}处）"
            for (kind, label), n in sorted(plan.unknown_codes.items())
        )
        self.add_codes.setText(f"把代码表中没有的值加入代码表：{codes}" if codes else "没有代码表以外的值")
        self.add_codes.setEnabled(bool(codes))
        self.add_codes.setChecked(plan.add_codes)
        self._options_changed()

    def _filter(self) -> None:
        plan = self.wiz.plan
        if plan is None:
            return
        for row, problem in enumerate(plan.problems):
            self.table.setRowHidden(row, self.errors_only.isChecked() and not problem.blocking)

    def _options_changed(self) -> None:
        plan = self.wiz.plan
        if plan is None:
            return
        plan.add_codes = self.add_codes.isChecked()
        plan.skip_errors = self.skip.isChecked()
        c = plan.counts()
        self.summary.setText(
            f"错误 {c.errors} 处，提示 {c.notes} 处。可导入：新建 {c.households_new} 户 {c.members_new} 人，"
            f"更新 {c.households_changed} 户；因错误不导入 {c.households_rejected} 户（{c.rows_rejected} 行）。"
        )
        self.export_button.setEnabled(c.rows_rejected > 0)
        self.completeChanged.emit()

    def _export(self) -> None:
        village = self.wiz.target_page.village.currentText()  # lists of two villages must not collide
        path, _ = QFileDialog.getSaveFileName(
            self, "导出错误清单", f"{file_name(village + '导入错误清单')}.xlsx", "Excel 工作簿 (*.xlsx)"
        )
        if path:
            self.export_errors(Path(path))

    def export_errors(self, path: Path) -> None:
        assert self.wiz.plan is not None
        try:
            rows = self.wiz.importer.write_errors(self.wiz.plan, path)
        except (DomainError, OSError) as error:
            self.message.setText(f"未能导出：{getattr(error, 'message', error)}")
            return
        self.message.setText(f"已把 {rows} 行导出到 {path}")

    def isComplete(self) -> bool:
        plan = self.wiz.plan
        return plan is not None and (plan.skip_errors or not plan.blocking_problems())


class RunPage(QWizardPage):
    """Step 6: confirm, import with progress and cancel, see what was written."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.finished_ok = False
        self.setTitle("第6步：导入")
        self.setSubTitle("点“开始导入”后在一个事务中写入：要么全部写入，要么（出错或取消时）什么都不改。")
        layout = QVBoxLayout(self)
        self.plan_label = QLabel()
        self.plan_label.setWordWrap(True)
        layout.addWidget(self.plan_label)
        row = QHBoxLayout()
        self.start_button = QPushButton("开始导入")
        self.start_button.clicked.connect(self.start_import)
        self.cancel_button = QPushButton("取消导入")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_import)
        row.addWidget(self.start_button)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.progress = QProgressBar()
        layout.addWidget(self.progress)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        layout.addStretch(1)

    def initializePage(self) -> None:
        plan = self.wiz.plan
        assert plan is not None
        c = plan.counts()
        new_groups = "、".join(plan.groups_to_create())
        self.plan_label.setText(
            (f"将新建村民小组：{new_groups}。" if new_groups else "")
            + f"将新建 {c.households_new} 户 {c.members_new} 人，更新 {c.households_changed} 户；"
            f"{c.households_rejected} 户因有错误不导入。" + ("将把新值加入代码表。" if plan.add_codes else "")
        )
        self.finished_ok = False
        self.progress.setValue(0)
        self.status.clear()
        self.start_button.setEnabled(True)

    def start_import(self) -> None:
        plan = self.wiz.plan
        assert plan is not None
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.wiz.button(QWizard.WizardButton.BackButton).setEnabled(False)
        self.status.setText("正在导入……")
        importer = self.wiz.importer
        self.wiz.start(
            lambda progress, cancelled: importer.run(plan, progress, cancelled),
            self._done,
            self._failed,
            self._progress,
        )

    def cancel_import(self) -> None:
        self.wiz.cancel_all()
        self.status.setText("正在取消……")

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _done(self, result: ImportResult) -> None:
        self.wiz.result = result
        self.finished_ok = True
        self.cancel_button.setEnabled(False)
        self.status.setText("导入完成：" + result.summary())
        self.wiz.imported.emit(result)
        self.completeChanged.emit()

    def _failed(self, message: str) -> None:
        self.cancel_button.setEnabled(False)
        self.start_button.setEnabled(True)
        self.wiz.button(QWizard.WizardButton.BackButton).setEnabled(True)
        self.progress.setValue(0)
        self.status.setText(message)

    def isComplete(self) -> bool:
        return self.finished_ok
