"""档案 → 账号管理 (系统管理员): the accounts in a table; new, change, disable and reset a password.

Everything goes through AccountService, which checks the rights again; a refusal or a broken rule is
shown next to the field it concerns."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhuji_archive.domain.accounts import SCOPED_ROLES, Role, ScopeUnit, UnitKind
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.gui.account_forms import (
    PASSWORD_RULES,
    REPEAT_FIELD,
    FieldForm,
    check_repeat,
    hint_label,
    password_edit,
)
from zhuji_archive.gui.screen_fit import fit_to_screen
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.organisation import OrgNode
from zhuji_archive.views.accounts import AccountItem

COLUMNS = ("登录名", "姓名", "角色", "范围", "状态", "最近登录")
UNIT_KINDS = {"town": UnitKind.TOWN, "area": UnitKind.AREA, "village": UnitKind.VILLAGE}
UnitRole = Qt.ItemDataRole.UserRole


def status_text(item: AccountItem) -> str:
    if item.disabled:
        return "已停用"
    return "待改密码" if item.must_change_password else "正常"


def local_time(when: datetime | None) -> str:
    """A UTC timestamp as the local time a person reads (stored naive, in UTC)."""
    if when is None:
        return "从未登录"
    return when.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")


class ScopeEditor(QTreeWidget):
    """The organisation's town, areas and villages with a check box each: the units of a scope."""

    def __init__(self, tree: list[OrgNode], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.items: dict[ScopeUnit, QTreeWidgetItem] = {}
        for town in tree:
            self.invisibleRootItem().addChild(self._item(town))
        self.expandAll()

    def _item(self, node: OrgNode) -> QTreeWidgetItem:
        kind = UNIT_KINDS[node.kind]
        item = QTreeWidgetItem(
            [f"{node.name}（{kind.value}）" if kind is not UnitKind.VILLAGE else node.name]
        )
        unit = ScopeUnit(kind, node.id)
        item.setData(0, UnitRole, unit)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(0, Qt.CheckState.Unchecked)
        self.items[unit] = item
        for child in node.children:
            if child.kind in UNIT_KINDS:
                item.addChild(self._item(child))
        return item

    def set_units(self, units: list[ScopeUnit]) -> None:
        for unit, item in self.items.items():
            item.setCheckState(0, Qt.CheckState.Checked if unit in units else Qt.CheckState.Unchecked)

    def units(self) -> list[ScopeUnit]:
        return [unit for unit, item in self.items.items() if item.checkState(0) == Qt.CheckState.Checked]

    def check_village(self, name: str) -> None:
        """Tick the village called ``name`` (as a user clicking its box would)."""
        for unit, item in self.items.items():
            if unit.kind is UnitKind.VILLAGE and item.text(0) == name:
                item.setCheckState(0, Qt.CheckState.Checked)


class AccountEditDialog(QDialog):
    """One account: new (login and a first password, to be changed at the first login) or changed
    (name, role, scope)."""

    def __init__(
        self, archive: Archive, item: AccountItem | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.archive = archive
        self.item = item
        self.account_id: str | None = item.id if item else None
        self.setWindowTitle("修改账号" if item else "新建账号")
        layout = QVBoxLayout(self)
        self.fields = FieldForm()
        self.login = self.fields.add("login", "登录名", QLineEdit(item.login if item else ""))
        self.login.setReadOnly(item is not None)
        self.login.setPlaceholderText("小写英文字母、数字和 . _ -，例如 zhangwei")
        self.display_name = self.fields.add(
            "display_name", "姓名", QLineEdit(item.display_name if item else "")
        )
        self.role = self.fields.add("role", "角色", QComboBox())
        for role in Role:
            self.role.addItem(role.label, role)
        self.role.setCurrentIndex(self.role.findData(item.role if item else Role.CADRE))
        self.scope = ScopeEditor(archive.organisation.tree())
        self.scope.setMinimumHeight(160)
        if item:
            self.scope.set_units([unit for unit, _name in item.scope])
        self.scope_hint = hint_label("")
        scope_box = QWidget()
        scope_column = QVBoxLayout(scope_box)
        scope_column.setContentsMargins(0, 0, 0, 0)
        scope_column.addWidget(self.scope)
        scope_column.addWidget(self.scope_hint)
        self.fields.add("scope", "负责范围", scope_box)
        layout.addWidget(self.fields)
        self.password: QLineEdit | None = None
        if item is None:
            self.password = self.fields.add("password", "初始密码", password_edit())
            self.repeat = self.fields.add(REPEAT_FIELD, "再输一次", password_edit())
            layout.addWidget(
                hint_label(PASSWORD_RULES + "请把初始密码当面告诉本人；首次登录时须改成自己的密码。")
            )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.role.currentIndexChanged.connect(self._role_changed)
        self._role_changed()
        fit_to_screen(self, QSize(560, 640 if item is None else 520))

    def _role_changed(self) -> None:
        role: Role = self.role.currentData()
        self.scope.setEnabled(role in SCOPED_ROLES)
        hints = {
            Role.ADMIN: "系统管理员管理账号和设置，不办理档案，不需要范围。",
            Role.OFFICE: "党政办覆盖全镇，不需要范围。",
            Role.LEADER: "镇领导覆盖全镇，不需要范围。",
            Role.CADRE: "驻村干部：勾选负责的村，或整个片区。",
            Role.VILLAGE: "村干部：勾选本村（只能一个村）。",
            Role.READER: "只读：勾选可查看的村或片区；都不勾选则可查看全镇。",
        }
        self.scope_hint.setText(hints[role])

    def save(self) -> None:
        self.fields.clear_errors()
        role: Role = self.role.currentData()
        units = self.scope.units() if role in SCOPED_ROLES else []
        try:
            if self.item is None:
                assert self.password is not None
                check_repeat(self.password.text(), self.repeat.text())
                self.account_id = self.archive.accounts.create(
                    self.login.text(), self.display_name.text(), role, units, self.password.text()
                )
            else:
                self.archive.accounts.update(self.item.id, self.display_name.text(), role, units)
        except DomainError as error:
            self.fields.show_error(error)
            return
        self.accept()


class ResetPasswordDialog(QDialog):
    """A new password for an account (it must be changed at the next login; a disabled account is
    enabled again). The archive's records are not touched."""

    def __init__(self, archive: Archive, item: AccountItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.item = item
        self.setWindowTitle("重置密码")
        layout = QVBoxLayout(self)
        layout.addWidget(
            hint_label(
                f"为“{item.display_name}”（{item.login}）设置新密码。本人下次登录时须改成自己的密码；"
                "重置密码不会改动任何档案内容。"
                + ("这个账号已停用，重置后将重新启用。" if item.disabled else "")
            )
        )
        self.fields = FieldForm()
        self.password = self.fields.add("password", "新密码", password_edit())
        self.repeat = self.fields.add(REPEAT_FIELD, "再输一次", password_edit())
        layout.addWidget(self.fields)
        layout.addWidget(hint_label(PASSWORD_RULES))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("重置密码")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def save(self) -> None:
        self.fields.clear_errors()
        try:
            check_repeat(self.password.text(), self.repeat.text())
            self.archive.accounts.reset_password(self.item.id, self.password.text())
        except DomainError as error:
            self.fields.show_error(error)
            return
        self.accept()


class AccountsDialog(QDialog):
    """The table of accounts and the four things the administrator does with them."""

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.accounts: list[AccountItem] = []
        self.setWindowTitle("账号管理")
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        layout.addWidget(self.message)
        bar = QHBoxLayout()
        self.new_button = QPushButton("新建…")
        self.edit_button = QPushButton("修改…")
        self.disable_button = QPushButton("停用")
        self.reset_button = QPushButton("重置密码…")
        close = QPushButton("关闭")
        for button in (self.new_button, self.edit_button, self.disable_button, self.reset_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(close)
        layout.addLayout(bar)
        self.new_button.clicked.connect(self.new_account)
        self.edit_button.clicked.connect(self.edit_account)
        self.disable_button.clicked.connect(self.disable_account)
        self.reset_button.clicked.connect(self.reset_password)
        close.clicked.connect(self.close)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self.edit_account())
        fit_to_screen(self, QSize(820, 480))
        self.reload()

    def reload(self, select: str | None = None) -> None:
        try:
            self.accounts = self.archive.accounts.list()
        except DomainError as error:
            self._say(error.message, ok=False)
            self.accounts = []
        self.table.setRowCount(len(self.accounts))
        for row, item in enumerate(self.accounts):
            texts = (
                item.login,
                item.display_name,
                item.role.label,
                item.scope_text,
                status_text(item),
                local_time(item.last_login_at),
            )
            for column, text in enumerate(texts):
                cell = QTableWidgetItem(text)
                if item.disabled:
                    cell.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(row, column, cell)
            if item.id == select:
                self.table.selectRow(row)
        self._update_buttons()

    def selected(self) -> AccountItem | None:
        rows = self.table.selectionModel().selectedRows()
        return self.accounts[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        item = self.selected()
        for button in (self.edit_button, self.reset_button):
            button.setEnabled(item is not None)
        self.disable_button.setEnabled(item is not None and not item.disabled)

    def new_account(self) -> AccountEditDialog:
        dialog = AccountEditDialog(self.archive, parent=self)
        dialog.accepted.connect(lambda: self._done(dialog.account_id, "账号已建立"))
        dialog.open()
        return dialog

    def edit_account(self) -> AccountEditDialog | None:
        item = self.selected()
        if item is None:
            return None
        dialog = AccountEditDialog(self.archive, item, parent=self)
        dialog.accepted.connect(lambda: self._done(item.id, "账号已修改"))
        dialog.open()
        return dialog

    def reset_password(self) -> ResetPasswordDialog | None:
        item = self.selected()
        if item is None:
            return None
        dialog = ResetPasswordDialog(self.archive, item, parent=self)
        dialog.accepted.connect(lambda: self._done(item.id, f"“{item.display_name}”的密码已重置"))
        dialog.open()
        return dialog

    def disable_account(self) -> None:
        item = self.selected()
        if item is None:
            return
        answer = QMessageBox.question(
            self,
            "停用账号",
            f"停用“{item.display_name}”（{item.login}）后，这个账号不能再登录；它做过的记录都保留。"
            "以后可以用“重置密码”重新启用。确定停用吗？",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.archive.accounts.disable(item.id)
        except DomainError as error:
            self._say(error.message, ok=False)
            return
        self._done(item.id, f"“{item.display_name}”已停用")

    def _done(self, account_id: str | None, what: str) -> None:
        self.reload(select=account_id)
        self._say(what, ok=True)

    def _say(self, text: str, ok: bool) -> None:
        self.message.setStyleSheet("color: #1b5e20;" if ok else "color: #b00020;")
        self.message.setText(text)
