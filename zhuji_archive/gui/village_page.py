"""The village information page: basic situation, 班子, 党员, 村民代表, the event log and its history."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from zhuji_archive.domain.accounts import Capability
from zhuji_archive.domain.codes import SEXES, VILLAGE_EVENT_CATEGORIES
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.gui.household_sections import HistoryRow, ask_reload, history_columns
from zhuji_archive.gui.record_table import Column, RecordDelegate, RecordTableModel
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.conflicts import StaleSave
from zhuji_archive.views.villages import (
    EnterpriseData,
    EventData,
    LeaderData,
    PartyMemberData,
    RepData,
    VillageInfo,
)

NO_VILLAGE = "请在左侧选择一个村"


class VillagePage(QWidget):
    """Shows and edits one village's information table; ``saved`` fires after a save."""

    saved = Signal(str)

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.info: VillageInfo | None = None
        self.dirty = False
        outer = QVBoxLayout(self)
        self.title = QLabel(NO_VILLAGE)
        self.title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.title.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        outer.addWidget(self.title)
        # Everything below the title belongs to one village: hidden while none is selected, so the
        # town or an area never shows another village's figures.
        self.content = QWidget()
        outer.addWidget(self.content, 1)
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        self.basic = QGroupBox("村基本情况")
        grid = QGridLayout(self.basic)
        self.population = self._spin(QSpinBox(), 999999)
        self.household_total = self._spin(QSpinBox(), 99999)
        self.farmland = self._spin(QDoubleSpinBox(), 999999)
        self.forest = self._spin(QDoubleSpinBox(), 999999)
        self.income = self._spin(QDoubleSpinBox(), 999999)
        self.industries = QLineEdit()
        self.notes = QPlainTextEdit()
        self.notes.setMaximumHeight(60)
        fields = (
            ("人口", self.population),
            ("户数", self.household_total),
            ("耕地(亩)", self.farmland),
            ("山林(亩)", self.forest),
            ("村集体收入(万元)", self.income),
        )
        for i, (label, widget) in enumerate(fields):
            grid.addWidget(QLabel(label), 0, i * 2)
            grid.addWidget(widget, 0, i * 2 + 1)
        grid.addWidget(QLabel("主要产业"), 1, 0)
        grid.addWidget(self.industries, 1, 1, 1, 9)
        grid.addWidget(QLabel("其他情况"), 2, 0)
        grid.addWidget(self.notes, 2, 1, 1, 9)
        for widget in (self.industries,):
            widget.textEdited.connect(self._mark_dirty)
        self.notes.textChanged.connect(self._mark_dirty)
        layout.addWidget(self.basic)

        self.tabs = QTabWidget()
        self.leaders = self._section(
            "村级班子",
            [Column("name", "姓名"), Column("post", "职务"), Column("phone", "联系电话")],
            LeaderData,
        )
        self.party = self._section(
            "党员",
            [
                Column("name", "姓名"),
                Column("sex", "性别", "choice", lambda: SEXES),
                Column("birth_date", "出生日期", "date"),
                Column("joined_on", "入党日期", "date"),
                Column("party_group", "党小组"),
                Column("phone", "联系电话"),
                Column("notes", "备注"),
            ],
            PartyMemberData,
        )
        self.reps = self._section(
            "村民代表",
            [
                Column("name", "姓名"),
                Column("group_name", "所代表小组", "choice", self._group_names),
                Column("phone", "联系电话"),
                Column("notes", "备注"),
            ],
            RepData,
        )
        self.events = self._section(
            "村情事项",
            [
                Column("date", "日期", "date"),
                Column("category", "类别", "choice", lambda: VILLAGE_EVENT_CATEGORIES),
                Column("title", "标题"),
                Column("content", "内容"),
                Column("major", "重大", "bool"),
            ],
            EventData,
        )
        self.enterprises = self._section(
            "企业",
            [
                Column("name", "企业名称"),
                Column("legal_person", "负责人"),
                Column("phone", "联系电话"),
                Column("industry", "行业"),
                Column("employees", "职工人数", "int"),
                Column("address", "地址"),
            ],
            EnterpriseData,
        )
        history_view = QTableView()
        self.history = RecordTableModel(
            history_columns(),
            [],
            editable=False,
            parent=self,
        )
        history_view.setModel(self.history)
        history_view.horizontalHeader().setStretchLastSection(True)
        self.tabs.addTab(history_view, "变更记录")
        layout.addWidget(self.tabs, 1)
        bar = QHBoxLayout()
        self.status = QLabel()
        self.status.setStyleSheet("color: #b26a00;")
        bar.addWidget(self.status, 1)
        self.save_button = QPushButton("保存村情信息")
        self.save_button.clicked.connect(self.save)
        self.save_button.setEnabled(self.archive.actor.can(Capability.EDIT_FILES))
        bar.addWidget(self.save_button)
        layout.addLayout(bar)
        self.content.setVisible(False)

    def _spin(self, spin, maximum):  # type: ignore[no-untyped-def]
        spin.setMaximum(maximum)
        spin.setSpecialValueText("—")
        spin.setMinimumWidth(70)
        spin.valueChanged.connect(self._mark_dirty)
        return spin

    def _group_names(self) -> list[str]:
        return [name for _id, name in (self.info.groups if self.info else [])]

    def _section(self, title: str, columns: list[Column], factory: type) -> RecordTableModel:
        page = QWidget()
        box = QVBoxLayout(page)
        buttons = QHBoxLayout()
        add, remove = QPushButton("添加"), QPushButton("移除")
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        box.addLayout(buttons)
        view = QTableView()
        model = RecordTableModel(columns, [], parent=self)
        view.setModel(model)
        view.setItemDelegate(RecordDelegate(columns, view))
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.horizontalHeader().setStretchLastSection(True)
        view.setColumnWidth(0, 110)
        box.addWidget(view)
        self.tabs.addTab(page, title)
        model.edited.connect(self._mark_dirty)

        def add_row() -> None:
            record = factory()
            if factory is EventData:
                from datetime import date

                record.date = date.today()
            row = model.append(record)
            view.setCurrentIndex(model.index(row, 0))
            view.edit(model.index(row, 0 if factory is not EventData else 2))

        def remove_row() -> None:
            index = view.currentIndex()
            if index.isValid():
                model.remove(index.row())

        add.clicked.connect(add_row)
        remove.clicked.connect(remove_row)
        return model

    def _mark_dirty(self, *_args: object) -> None:
        if self.info is not None and not getattr(self, "_loading", False):
            self.dirty = True
            self.status.setText("有未保存的修改")

    def show_village(self, village_id: str | None) -> None:
        """Show a village's table; ``None`` (the town, an area) shows the empty, labelled state.
        Unsaved edits stay in memory until another village is shown, so going back finds them."""
        if village_id is None:
            self.title.setText(NO_VILLAGE)
            self.content.setVisible(False)
            return
        if self.info is not None and self.info.id == village_id:
            self.title.setText(f"{self.info.name} 村级信息表")
            self.content.setVisible(True)
            return
        self._loading = True
        self.info = info = self.archive.villages.load(village_id)
        self.title.setText(f"{info.name} 村级信息表")
        for spin, value in (
            (self.population, info.population),
            (self.household_total, info.household_total),
            (self.farmland, info.farmland_mu),
            (self.forest, info.forest_mu),
            (self.income, info.collective_income),
        ):
            spin.setValue(value or 0)
        self.industries.setText(info.main_industries)
        self.notes.setPlainText(info.notes)
        self.leaders.set_rows(info.leaders)
        self.party.set_rows(info.party_members)
        self.reps.set_rows(info.reps)
        self.events.set_rows(info.events)
        self.enterprises.set_rows(info.enterprises)
        self.history.set_rows([HistoryRow.of(e) for e in self.archive.villages.history(info.id)])
        self.content.setVisible(True)
        self._loading = False
        self.dirty = False
        self.status.clear()

    def ask_reload(self, message: str) -> bool:
        """Someone else changed what was changed here: show who and what, offer to reload (which
        drops the edits on this page, so the user decides); tests replace this."""
        return ask_reload(self, "村情信息已被他人修改", message, "本村", "本页")

    def save(self) -> bool:
        info = self.info
        if info is None:
            return False
        info.population = self.population.value() or None
        info.household_total = self.household_total.value() or None
        info.farmland_mu = self.farmland.value() or None
        info.forest_mu = self.forest.value() or None
        info.collective_income = self.income.value() or None
        info.main_industries = self.industries.text().strip()
        info.notes = self.notes.toPlainText().strip()
        try:
            self.archive.villages.save(info)
        except StaleSave as stale:
            if self.ask_reload(stale.message):
                village_id = info.id
                self.info = None
                self.show_village(village_id)
            return False
        except DomainError as error:
            QMessageBox.warning(self, "无法保存", error.message)
            return False
        village_id = info.id
        self.info = None
        self.show_village(village_id)
        self.status.setText("已保存")
        self.saved.emit(village_id)
        return True
