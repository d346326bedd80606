"""The import wizard's last three pages: the preview of what will be written, the report of every
problem by sheet, row and column, and the import itself with progress and cancel."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableWidget,
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
from zhuji_archive.gui.import_source_pages import ERROR_COLOR, read_only_item
from zhuji_archive.gui.operations import Changes
from zhuji_archive.logs import failure_message
from zhuji_archive.services.export_files import file_name
from zhuji_archive.services.import_plan import CHOICES, ImportPlan
from zhuji_archive.services.importing import ImportResult

if TYPE_CHECKING:
    from zhuji_archive.gui.import_wizard import ImportWizard


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
                item = read_only_item(value, p.reason if c == 7 else "")
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
        except DomainError as error:
            self.message.setText(f"未能导出：{error.message}")
            return
        except OSError as error:  # the machine's words (English, with the path) are not shown
            self.message.setText(f"未能导出：{failure_message('导出错误清单', error)}")
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
            Changes(all_households=True, organisation=True, codes=True, history=True),
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
