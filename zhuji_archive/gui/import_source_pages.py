"""The import wizard's first three pages: which workbooks, which village and groups, and the header
row and column mapping of each sheet (gui/import_wizard.py puts the pages together)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.ledger import FIELDS, IGNORE, NOTES
from zhuji_archive.logs import failure_message
from zhuji_archive.services.import_files import SheetSource, column_letter

if TYPE_CHECKING:
    from zhuji_archive.gui.import_wizard import ImportWizard

FIELD_CHOICES: list[tuple[str, str]] = [
    *((f.key, f.title) for f in FIELDS),
    (NOTES, "记入备注（保留原文）"),
    (IGNORE, "忽略此列"),
]
SKIP_SHEET = ""  # group combo value: do not import this sheet
ERROR_COLOR = Qt.GlobalColor.darkRed


def read_only_item(text: object, tooltip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem("" if text is None else str(text))
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if tooltip:
        item.setToolTip(tooltip)
    return item



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
        except DomainError as error:
            self.message.setText(f"模板未保存：{error.message}")
            return
        except OSError as error:  # the machine's words (English, with the path) are not shown
            self.message.setText(f"模板未保存：{failure_message('保存模板', error)}")
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
            self.table.setItem(r, 0, read_only_item(src.file_name))
            self.table.setItem(r, 1, read_only_item(src.sheet + ("（隐藏）" if src.hidden else "")))
            self.table.setItem(r, 2, read_only_item(src.title if src.found_header else "（未找到表头）"))
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
            self.table.setItem(column, 0, read_only_item(column_letter(column)))
            self.table.setItem(column, 1, read_only_item(src.headers[column] if column < len(src.headers) else ""))
            self.table.setItem(column, 2, read_only_item("、".join(src.samples(column))))
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
