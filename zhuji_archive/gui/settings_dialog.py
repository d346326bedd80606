"""设置: the editable code lists, the numeric settings (from their declarations) and holiday adjustments."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from zhuji_archive.domain.accounts import Capability, Role
from zhuji_archive.domain.codes import ALL_KINDS
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.gui.screen_fit import fit_to_screen
from zhuji_archive.gui.widgets import date_edit
from zhuji_archive.services.archive import Archive

RetiredRole = Qt.ItemDataRole.UserRole


class CodeListsTab(QWidget):
    """Kinds on the left; their values on the right. A value in use is retired, not deleted."""

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        layout = QHBoxLayout(self)
        self.kinds = QListWidget()
        self.kinds.setMaximumWidth(160)
        for kind in ALL_KINDS:
            item = QListWidgetItem(kind.title)
            item.setData(Qt.ItemDataRole.UserRole, kind.key)
            self.kinds.addItem(item)
        layout.addWidget(self.kinds)
        right = QVBoxLayout()
        self.values = QListWidget()
        right.addWidget(self.values, 1)
        buttons = QHBoxLayout()
        self.new_value = QLineEdit()
        self.new_value.setPlaceholderText("新增的名称")
        self.add_button = QPushButton("添加")
        self.remove_button = QPushButton("删除/停用")
        self.remove_button.setToolTip("未使用过的直接删除；已被档案使用的只能停用，原记录保持不变")
        self.restore_button = QPushButton("恢复启用")
        for widget in (self.new_value, self.add_button, self.remove_button, self.restore_button):
            buttons.addWidget(widget)
        right.addLayout(buttons)
        self.message = QLabel()
        right.addWidget(self.message)
        layout.addLayout(right, 1)
        self.kinds.currentRowChanged.connect(lambda _row: self.reload())
        self.add_button.clicked.connect(self.add)
        self.new_value.returnPressed.connect(self.add)
        self.remove_button.clicked.connect(self.remove)
        self.restore_button.clicked.connect(self.restore)
        self.kinds.setCurrentRow(0)

    def kind(self) -> str:
        return self.kinds.currentItem().data(Qt.ItemDataRole.UserRole)

    def reload(self) -> None:
        active = set(self.archive.codes.values(self.kind()))
        self.values.clear()
        for label in self.archive.codes.values(self.kind(), include_retired=True):
            item = QListWidgetItem(label if label in active else f"{label}（已停用）")
            item.setData(Qt.ItemDataRole.UserRole, label)
            item.setData(RetiredRole + 1, label not in active)
            if label not in active:
                item.setForeground(Qt.GlobalColor.gray)
            self.values.addItem(item)

    def _selected(self) -> tuple[str, bool] | None:
        item = self.values.currentItem()
        return (item.data(Qt.ItemDataRole.UserRole), bool(item.data(RetiredRole + 1))) if item else None

    def add(self) -> None:
        try:
            self.archive.codes.add(self.kind(), self.new_value.text())
        except DomainError as error:
            self.message.setText(error.message)
            return
        self.message.setText(f"已添加“{self.new_value.text().strip()}”")
        self.new_value.clear()
        self.reload()

    def remove(self) -> None:
        selected = self._selected()
        if selected is None:
            return
        outcome = self.archive.codes.remove(self.kind(), selected[0])
        used = "（已有档案使用，停用后原记录不变，新录入时不再可选）" if outcome == "停用" else ""
        self.message.setText(f"已{outcome}“{selected[0]}”{used}")
        self.reload()

    def restore(self) -> None:
        selected = self._selected()
        if selected is None or not selected[1]:
            return
        self.archive.codes.add(self.kind(), selected[0])
        self.message.setText(f"已恢复“{selected[0]}”")
        self.reload()


class ParametersTab(QScrollArea):
    """One spin box per declared setting, in a box per group, plus the short-interval focus tags."""

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.setWidgetResizable(True)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        values = archive.settings.all()
        self.spins: dict[str, QSpinBox] = {}
        forms: dict[str, QFormLayout] = {}
        for spec in archive.settings.specs():
            if spec.group not in forms:
                box = QGroupBox(spec.group)
                forms[spec.group] = QFormLayout(box)
                layout.addWidget(box)
            spin = QSpinBox()
            spin.setRange(spec.minimum, spec.maximum)
            spin.setValue(values[spec.key])
            spin.setToolTip(f"默认值 {spec.default}")
            forms[spec.group].addRow(spec.title, spin)
            self.spins[spec.key] = spin
        self.short_tags = QLineEdit("、".join(archive.settings.short_revisit_tags()))
        self.short_tags.setToolTip("用顿号分隔，须为“重点关注”代码表中的名称")
        forms["动态维护"].addRow("按较短间隔走访的重点关注类别", self.short_tags)
        layout.addWidget(self._numbers_box())
        layout.addStretch(1)
        self.setWidget(inner)

    def _numbers_box(self) -> QGroupBox:
        """Per role: whether lists and search results show full ID and phone numbers (default masked)."""
        box = QGroupBox("列表中的身份证号和电话")
        form = QFormLayout(box)
        hint = QLabel(
            "勾选的角色在户列表、搜索结果中看到完整号码；未勾选的只看到脱敏号码（如 138****5678），"
            "需要时可右键“显示完整号码”，每次查看都记入变更记录。户档案中始终显示完整号码。"
        )
        hint.setWordWrap(True)
        form.addRow(hint)
        may_edit = self.archive.actor.can(Capability.MANAGE_SETTINGS)
        self.full_numbers: dict[Role, QCheckBox] = {}
        for role, full in self.archive.settings.list_full_numbers().items():
            check = QCheckBox("列表显示完整号码")
            check.setChecked(full)
            check.setEnabled(may_edit)
            if not may_edit:
                check.setToolTip("只有可以管理设置的账号（党政办、系统管理员）能修改")
            form.addRow(f"{role.label}：", check)
            self.full_numbers[role] = check
        return box

    def save(self) -> None:
        tags = [
            t for t in self.short_tags.text().replace(",", "、").replace("，", "、").split("、") if t.strip()
        ]
        known = set(self.archive.codes.values("focus_tag", include_retired=True))
        unknown = [t for t in tags if t.strip() not in known]
        if unknown:
            raise DomainError(f"重点关注代码表中没有：{'、'.join(unknown)}")
        for key, spin in self.spins.items():
            self.archive.settings.set(key, spin.value())
        self.archive.settings.set_short_revisit_tags(tags)
        shown = self.archive.settings.list_full_numbers()
        for role, check in self.full_numbers.items():
            if check.isChecked() != shown[role]:
                self.archive.settings.set_lists_show_full(self.archive.actor, role, check.isChecked())


class HolidaysTab(QWidget):
    """Days the township marks as holiday or make-up working day (for years the calendar does not know)."""

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        layout = QVBoxLayout(self)
        hint = QLabel(
            "程序内置国务院公布的节假日安排（含调休上班日）。尚未内置的年份，可在此逐日登记放假日和调休上班日，"
            "用于计算办结时限的工作日。"
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["日期", "类型", "说明"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table, 1)
        bar = QHBoxLayout()
        self.day = date_edit()
        self.workday = QCheckBox("调休上班")
        self.note = QLineEdit()
        self.note.setPlaceholderText("如：2027年春节")
        add, remove = QPushButton("登记"), QPushButton("删除所选")
        for widget in (self.day, self.workday, self.note, add, remove):
            bar.addWidget(widget)
        layout.addLayout(bar)
        add.clicked.connect(self.add)
        remove.clicked.connect(self.remove)
        self.reload()

    def reload(self) -> None:
        rows = self.archive.settings.holiday_overrides()
        self.table.setRowCount(len(rows))
        for r, (day, workday, note) in enumerate(rows):
            for c, text in enumerate((day.isoformat(), "调休上班" if workday else "放假", note)):
                self.table.setItem(r, c, QTableWidgetItem(text))

    def add(self) -> None:
        self.archive.settings.set_holiday_override(
            self.day.date().toPython(), self.workday.isChecked(), self.note.text()
        )
        self.reload()

    def remove(self) -> None:
        from datetime import date

        row = self.table.currentRow()
        if row >= 0:
            self.archive.settings.remove_holiday_override(date.fromisoformat(self.table.item(row, 0).text()))
            self.reload()


class SettingsDialog(QDialog):
    """The settings window; code lists and holidays save as they are edited, parameters on 保存."""

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("设置")
        fit_to_screen(self, QSize(760, 520))
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.codes = CodeListsTab(archive)
        self.parameters = ParametersTab(archive)
        self.holidays = HolidaysTab(archive)
        self.tabs.addTab(self.codes, "代码表")
        self.tabs.addTab(self.parameters, "办理时限等参数")
        self.tabs.addTab(self.holidays, "节假日调整")
        layout.addWidget(self.tabs)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存参数")
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.button(QDialogButtonBox.StandardButton.Save).clicked.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def save(self) -> None:
        try:
            self.parameters.save()
        except DomainError as error:
            QMessageBox.warning(self, "设置", error.message)
            return
        QMessageBox.information(self, "设置", "参数已保存")
