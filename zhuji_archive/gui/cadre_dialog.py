"""干部名册: the township and village cadres who are responsible for households, visit and are linked."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhuji_archive.domain.codes import CADRE_KINDS
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.gui.screen_fit import fit_to_screen
from zhuji_archive.services.archive import Archive


class CadreDialog(QDialog):
    """Lists active cadres; adds one; retires one (their records stay)."""

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.setWindowTitle("干部名册")
        fit_to_screen(self, QSize(760, 520))
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["姓名", "类别", "单位", "联系村"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        layout.addWidget(self.table, 1)
        form = QHBoxLayout()
        self.name = QLineEdit()
        self.name.setPlaceholderText("姓名")
        self.kind = QComboBox()
        self.kind.addItems(CADRE_KINDS)
        self.kind.setCurrentText("驻村干部")
        self.unit = QLineEdit()
        self.unit.setPlaceholderText("单位，如 安华镇党政办")
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("联系电话")
        self.village = QComboBox()
        self.village.addItem("（不限）", "")
        for village_id, name in archive.organisation.villages():
            self.village.addItem(name, village_id)
        self.add_button = QPushButton("添加")
        self.retire_button = QPushButton("停用所选")
        self.retire_button.setToolTip("调离的干部不再出现在选择列表中，已有的档案和记录保持不变")
        for widget in (self.name, self.kind, self.unit, self.phone, self.village, self.add_button):
            form.addWidget(widget)
        layout.addLayout(form)
        bottom = QHBoxLayout()
        self.message = QLabel()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.retire_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        bottom.addWidget(buttons)
        layout.addLayout(bottom)
        self.add_button.clicked.connect(self.add)
        self.retire_button.clicked.connect(self.retire)
        self.reload()

    def reload(self) -> None:
        villages = dict(self.archive.organisation.villages())
        cadres = self.archive.organisation.cadres()
        self.table.setRowCount(len(cadres))
        for row, cadre in enumerate(cadres):
            values = (cadre.name, cadre.kind, cadre.unit, villages.get(cadre.village_id or "", ""))
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(256, cadre.id)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()

    def add(self) -> bool:
        try:
            self.archive.organisation.add_cadre(
                self.name.text(),
                self.kind.currentText(),
                self.unit.text(),
                "",
                self.phone.text(),
                self.village.currentData() or None,
            )
        except DomainError as error:
            self.message.setText(error.message)
            return False
        self.message.setText(f"已添加{self.name.text().strip()}")
        self.name.clear()
        self.phone.clear()
        self.reload()
        return True

    def retire(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            return
        cadre_id = self.table.item(row, 0).data(256)
        self.archive.organisation.retire_cadre(cadre_id)
        self.message.setText(f"已停用{self.table.item(row, 0).text()}")
        self.reload()
