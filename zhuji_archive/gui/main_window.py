"""The main window: organisation tree on the left, household list and village page on the right."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from zhuji_archive import APP_NAME, __version__
from zhuji_archive.domain.accounts import Capability
from zhuji_archive.gui.dashboard_page import DashboardPage
from zhuji_archive.gui.export_actions import ExportActions
from zhuji_archive.gui.household_dialog import HouseholdDialog
from zhuji_archive.gui.household_page import HouseholdPage
from zhuji_archive.gui.lock import WindowLock
from zhuji_archive.gui.operations import Changes, Query, runner_for
from zhuji_archive.gui.org_tree import OrgTree
from zhuji_archive.gui.request_detail import RequestDetailDialog
from zhuji_archive.gui.requests_page import RequestsPage
from zhuji_archive.gui.screen_fit import restore_geometry
from zhuji_archive.gui.service_page import ServicePage
from zhuji_archive.gui.summary_page import SummaryPage
from zhuji_archive.gui.todo_page import TodoPage
from zhuji_archive.gui.township_page import TownshipPage
from zhuji_archive.gui.village_page import VillagePage
from zhuji_archive.gui.welcome import GuideDialog, WelcomePanel
from zhuji_archive.services.archive import Archive

PREFERRED_SIZE = QSize(1280, 800)  # on a smaller screen, what the screen offers (gui/screen_fit.py)


class MainWindow(QMainWindow):
    """Holds the pages; remembers its size, splitter and column layout in ``settings``.

    ``relogin`` is emitted (with the archive's path) when the archive was replaced by a backup: the
    window closes and whoever started it asks for a login again (gui/app.py)."""

    relogin = Signal(object)

    def __init__(self, archive: Archive, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.settings = settings
        self.open_dialogs: dict[str, HouseholdDialog] = {}
        actor = archive.actor
        self.who = f"{actor.display_name} · {actor.role.label}"
        # A file by its name; a hub by server:port/database, never its password (the address holds it).
        self.hub = archive.db.shown_as if archive.db.on_hub else None
        where_file = archive.db.path.name if archive.db.path else (f"镇里的数据库 {self.hub}" if self.hub else "")
        self.setWindowTitle(f"{APP_NAME} {__version__} — {where_file} — {self.who}")
        self.restored = (
            None  # what a restore returned (services/backups.Restored), once one replaced the file
        )
        self.tree = OrgTree(archive.organisation, runner=runner_for(archive))
        if not archive.actor.can(Capability.READ_FILES):
            self.tree.hideColumn(1)  # 系统管理员 keeps the organisation but is not told household counts
        self.households = HouseholdPage(archive)
        self.village = VillagePage(archive)
        self.requests = RequestsPage(archive)
        self.township = TownshipPage(archive)
        self.summary = SummaryPage(archive)
        self.request_dialogs: dict[str, RequestDetailDialog] = {}
        self.todo = TodoPage(archive)
        self.dashboard = DashboardPage(archive)
        self.services = ServicePage(archive)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.todo, "今日待办")
        self.tabs.addTab(self.households, "户档案")
        self.tabs.addTab(self.village, "村情信息")
        self.tabs.addTab(self.requests, "诉求办理")
        self.tabs.addTab(self.township, "镇级审核")
        self.tabs.addTab(self.summary, "周报月报")
        self.tabs.addTab(self.services, "三式服务·考核")
        self.tabs.addTab(self.dashboard, "领导驾驶舱")
        self.sync_page = self._add_sync_page()
        # What the account may not see is not offered (the services refuse it anyway).
        can = archive.actor.can
        self.tabs.setTabVisible(
            self.tabs.indexOf(self.township),
            can(Capability.REVIEW_REQUESTS) or can(Capability.RUN_MEETING) or can(Capability.LEAD_CASES),
        )
        self.casework = can(Capability.READ_FILES)
        self.no_casework = QLabel(
            f"“{archive.actor.role.label}”账号管理组织机构、账号和设置，不查看群众档案和诉求。"
        )
        self.no_casework.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_casework.setWordWrap(True)
        # Each page loads when first shown and follows the changes it shows (its PageFeed).
        self.runner = runner_for(archive)
        self.runner.changed.connect(self._changed)
        self._add_busy_indicator()
        self.todo.countChanged.connect(
            lambda n: self.tabs.setTabText(
                self.tabs.indexOf(self.todo), f"今日待办（{n}）" if n else "今日待办"
            )
        )
        self.todo.openHousehold.connect(self.open_household)
        self.todo.openRequest.connect(self.open_request)
        self.todo.openReport.connect(self.open_report)
        self.dashboard.showRequests.connect(self.show_requests)
        # Right of the tree: the pages, or the first steps while the archive has no town.
        self.welcome = WelcomePanel()
        self.welcome.createRequested.connect(self.create_org)
        self.welcome.cadresRequested.connect(self.open_cadres)
        self.welcome.importRequested.connect(self.import_from_excel)
        self.welcome.guideRequested.connect(self.open_guide)
        self.welcome.finished.connect(lambda: self.show_welcome(False))
        self.pages = QStackedWidget()
        self.pages.addWidget(self.tabs)
        self.pages.addWidget(self.welcome)
        self.pages.addWidget(self.no_casework)
        if not self.casework:
            self.pages.setCurrentWidget(self.no_casework)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(self.pages)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([240, 1000])
        # The content, or the blank page that stands in for it while the window is locked (gui/lock.py).
        self.locked_page = QLabel("窗口已锁定，请输入密码解锁")
        self.locked_page.setObjectName("lockedPage")
        self.locked_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.locked_page.setStyleSheet("background: #dfe3e8; color: #555; font-size: 16pt;")
        self.content = QStackedWidget()
        self.content.addWidget(self.splitter)
        self.content.addWidget(self.locked_page)
        self.setCentralWidget(self.content)
        self.lock = WindowLock(
            self,
            archive,
            show_locked=lambda: self.content.setCurrentWidget(self.locked_page),
            show_content=lambda: self.content.setCurrentWidget(self.splitter),
        )
        self.tree.nodeSelected.connect(self._node_selected)
        self.tree.treeChanged.connect(self._organisation_changed)
        self.tree.nodeSelected.connect(lambda *_: self._update_org_actions())
        self.households.openHousehold.connect(self.open_household)
        self.households.newHousehold.connect(self.new_household)
        self.requests.openRequest.connect(self.open_request)
        self.township.openRequest.connect(self.open_request)
        self.township.changed.connect(lambda: self._requests_changed(""))
        self.village.saved.connect(lambda _id: self.statusBar().showMessage("村情信息已保存", 4000))
        self._build_menus()
        self._build_output_menu()
        self._apply_permissions()
        place = f"镇里的数据库：{self.hub}" if self.hub else f"数据库：{archive.db.path}"
        where = QLabel(f"{place}　登录：{self.who}")
        where.setObjectName("whoLabel")
        where.setToolTip(where.text())
        # A long path must not widen the window past a small screen: the label gives way instead
        # (an explicit minimum width replaces the label's own, the whole text).
        where.setMinimumWidth(160)
        self.statusBar().addPermanentWidget(where)
        self._restore_state()
        towns = self.tree.tree_model.rowCount()
        self._update_org_actions()
        if not towns:
            self.show_welcome(True)
            self.statusBar().showMessage(
                "新档案库：请按欢迎页的步骤新建镇、村和村民小组，登记干部，再导入台账或新建户"
            )
        if towns and self.tree.current_node() is None:
            self.tree.setCurrentIndex(self.tree.tree_model.index(0, 0))
        self._check_audit_log()

    def _add_sync_page(self) -> QWidget | None:
        """同步 on a laptop joined to the hub; 设备与同步 at the hub for an account that reviews the whole
        town (党政办). Others are not offered it (the services refuse them anyway)."""
        actor = self.archive.actor
        if not actor.can(Capability.READ_FILES):
            return None
        role = self.archive.sync.status().role
        hub = role == "hub" or (role is None and self.archive.db.on_hub)
        if hub and (not actor.can(Capability.REVIEW_REQUESTS) or actor.villages is not None):
            return None
        if not hub and not (role == "laptop" and actor.can(Capability.EDIT_FILES)):
            return None  # a file that is not in sync: the page's module is not even loaded
        from zhuji_archive.gui.sync_page import HubSyncPage, LaptopSyncPage

        page: QWidget
        if hub:
            page, title = HubSyncPage(self.archive), "设备与同步"
        else:
            page, title = LaptopSyncPage(self.archive, self.settings), "同步"
        page.synced.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.tabs.addTab(page, title)
        return page

    def _build_menus(self) -> None:
        archive_menu = self.menuBar().addMenu("档案(&A)")
        new_action = self.new_action = QAction("新建户(&N)", self)
        new_action.setShortcut(QKeySequence.StandardKey.New)
        new_action.triggered.connect(self.households._new_household)
        archive_menu.addAction(new_action)
        find_action = self.find_action = QAction("查找(&F)", self)
        find_action.setShortcut(QKeySequence.StandardKey.Find)
        find_action.triggered.connect(self._focus_search)
        archive_menu.addAction(find_action)
        self._add_import_action(archive_menu)
        archive_menu.addSeparator()
        self._add_org_actions(archive_menu)
        archive_menu.addSeparator()
        cadres_action = self.cadres_action = QAction("干部名册(&C)…", self)
        cadres_action.triggered.connect(self.open_cadres)
        archive_menu.addAction(cadres_action)
        settings_action = self.settings_action = QAction("设置(&S)…", self)
        settings_action.triggered.connect(self.open_settings)
        archive_menu.addAction(settings_action)
        if self.archive.actor.can(Capability.VIEW_AUDIT):  # the service refuses the others anyway
            self.audit_action = QAction("操作日志(&L)…", self)
            self.audit_action.triggered.connect(self.open_audit_log)
            archive_menu.addAction(self.audit_action)
        self.backup_action = None
        if self.archive.actor.can(Capability.BACKUP):
            self.backup_action = QAction("备份与恢复(&B)…", self)
            self.backup_action.triggered.connect(self.open_backups)
            archive_menu.addAction(self.backup_action)
        archive_menu.addSeparator()
        self._add_account_actions(archive_menu)
        archive_menu.addSeparator()
        quit_action = QAction("退出(&Q)", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        archive_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu("帮助(&H)")
        self.guide_action = QAction("使用说明(&G)", self)
        self.guide_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        self.guide_action.triggered.connect(self.open_guide)
        help_menu.addAction(self.guide_action)
        self.welcome_action = QAction("入门步骤(&W)", self)
        self.welcome_action.triggered.connect(lambda: self.show_welcome(True))
        help_menu.addAction(self.welcome_action)
        help_menu.addSeparator()
        about = QAction("关于(&A)", self)
        about.triggered.connect(
            lambda: QMessageBox.about(
                self,
                "关于",
                f"{APP_NAME} {__version__}\n村户群众档案与群众诉求办理\n源自诸暨市安华镇“群众档案”工作法",
            )
        )
        help_menu.addAction(about)

    # ---- the account -------------------------------------------------------------------------
    def _add_account_actions(self, menu: QMenu) -> None:
        """档案 → 锁定 (Ctrl+L), 修改密码, and 账号管理 for an account that may manage accounts."""
        self.lock_action = QAction("锁定(&L)", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock.lock)
        menu.addAction(self.lock_action)
        self.password_action = QAction("修改密码(&P)…", self)
        self.password_action.triggered.connect(self.change_password)
        menu.addAction(self.password_action)
        self.accounts_action: QAction | None = None
        if self.archive.actor.can(Capability.MANAGE_ACCOUNTS):
            self.accounts_action = QAction("账号管理(&U)…", self)
            self.accounts_action.triggered.connect(self.open_accounts)
            menu.addAction(self.accounts_action)

    def change_password(self) -> None:
        from zhuji_archive.gui.login import ChangePasswordDialog

        if ChangePasswordDialog(self.archive, parent=self).exec():
            self.statusBar().showMessage("密码已修改", 4000)

    def open_accounts(self) -> QWidget:
        from zhuji_archive.gui.accounts_dialog import AccountsDialog

        dialog = AccountsDialog(self.archive, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.show()
        return dialog

    def _apply_permissions(self) -> None:
        """Disable what the account's role may not do (archive.actor.can); the services check again."""
        can = self.archive.actor.can
        self.new_action.setEnabled(can(Capability.EDIT_FILES))
        self.find_action.setEnabled(self.casework)
        self.import_action.setEnabled(can(Capability.EDIT_FILES))
        self.cadres_action.setEnabled(can(Capability.MANAGE_ORGANISATION))
        self.settings_action.setEnabled(can(Capability.MANAGE_SETTINGS))
        self.outputs.menu.setEnabled(can(Capability.EXPORT))

    # ---- organisation and first steps ---------------------------------------------------------
    def _add_org_actions(self, menu: QMenu) -> None:
        """档案 → 新建镇/分中心/村/组, 重命名: the tree's context-menu actions, where they can be found."""
        self.org_actions: dict[str, QAction] = {}
        for key, label in self.tree.CREATE_LABELS.items():
            action = QAction(label, self)
            action.triggered.connect(lambda _checked=False, k=key: self.create_org(k))
            menu.addAction(action)
            self.org_actions[key] = action
        rename = QAction("重命名组织…", self)
        rename.triggered.connect(self._rename_org)
        menu.addAction(rename)
        self.org_actions["rename"] = rename
        menu.aboutToShow.connect(self._update_org_actions)

    def _update_org_actions(self) -> None:
        """Enable "new …" where it has a place to go (no village before a town), in menu and welcome."""
        organise = self.archive.actor.can(Capability.MANAGE_ORGANISATION)
        can_add = {
            key: organise and (key == "town" or self.tree.parent_for(key) is not None)
            for key in self.tree.CREATE_LABELS
        }
        for key, enabled in can_add.items():
            self.org_actions[key].setEnabled(enabled)
        self.org_actions["rename"].setEnabled(organise and self.tree.current_node() is not None)
        counts = self.tree.count_kinds()
        self.welcome.update_steps(counts["town"], counts["village"], counts["group"], can_add)

    def create_org(self, key: str) -> str | None:
        """New town, area, village or group (under the selected node, see OrgTree.parent_for)."""
        created = self.tree.create(key)
        self._update_org_actions()
        return created

    def _rename_org(self) -> None:
        node = self.tree.current_node()
        if node is not None:
            self.tree.edit_node("rename", node)

    def show_welcome(self, shown: bool) -> None:
        """The first steps instead of the pages (帮助 → 入门步骤 brings them back)."""
        self._update_org_actions()
        main = self.tabs if self.casework else self.no_casework
        self.pages.setCurrentWidget(self.welcome if shown else main)

    def open_guide(self) -> GuideDialog:
        dialog = GuideDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.show()
        return dialog

    def _add_import_action(self, menu: QMenu) -> None:
        """档案 → 从Excel导入…: the ledger import wizard (gui/import_wizard.py)."""
        self.import_action = QAction("从Excel导入(&I)…", self)
        self.import_action.triggered.connect(self.import_from_excel)
        menu.addAction(self.import_action)

    def import_from_excel(self) -> QWidget:
        from zhuji_archive.gui.import_wizard import ImportWizard

        wizard = ImportWizard(self.archive, self)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        wizard.imported.connect(self._imported)
        wizard.show()
        return wizard

    def _imported(self, result: object) -> None:
        """The import announced what it changed (pages follow); here the welcome gives way."""
        self.show_welcome(False)
        self.statusBar().showMessage(f"导入完成：{result.summary()}", 8000)  # type: ignore[attr-defined]

    def _build_output_menu(self) -> None:
        """输出 menu: rosters, the group book and blank forms of the selected node (see export_actions)."""
        self.outputs = ExportActions(self, self.archive, self.tree.current_node)
        self.outputs.add_menu(self.menuBar())
        self._add_request_print_actions()

    def _add_request_print_actions(self) -> None:
        """输出 → 打印空白情况反馈意见单 (gui/request_printing.py), for feedback visits in the field."""
        from zhuji_archive.gui.request_printing import RequestPrinting

        self.request_printing = RequestPrinting(self.archive, self)
        self.request_printing.add_to_menu(self.outputs.menu)

    def _organisation_changed(self) -> None:
        """Villages or cadres were added or renamed: pick-lists on the other pages follow."""
        self._update_org_actions()
        self.runner.notify(Changes(organisation=True, cadres=True))

    def open_cadres(self) -> None:
        from zhuji_archive.gui.cadre_dialog import CadreDialog

        CadreDialog(self.archive, self).exec()
        self._organisation_changed()

    def open_audit_log(self) -> QWidget:
        from zhuji_archive.gui.audit_log import AuditLogDialog

        dialog = AuditLogDialog(self.archive, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def _check_audit_log(self) -> None:
        """Walk the change log's chain in the background; the administrator and 党政办 are warned
        when it is broken (other accounts may not read the log)."""
        self.audit_warning: QMessageBox | None = None
        if not self.archive.actor.can(Capability.VIEW_AUDIT):
            return
        Query(self, "audit-check", self.archive.audit.problem_at_open, runner=self.runner).success(
            self._warn_audit
        ).failure(lambda _failure: None).run()

    def _warn_audit(self, problem: str | None) -> None:
        if not problem:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "操作日志校验未通过", problem, parent=self)
        box.setModal(False)
        box.show()
        self.audit_warning = box
        self.statusBar().showMessage("警告：操作日志校验未通过，日志可能被篡改")

    def open_settings(self) -> None:
        from zhuji_archive.gui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.archive, self)
        dialog.exec()
        self.runner.notify(Changes(settings=True, codes=True))
        self.lock.reload_setting()

    def open_backups(self) -> QWidget:
        """档案 → 备份与恢复; after a restore the archive is closed and a new login is asked for. A hub is
        backed up on its server (pg_dump), not by the application: the window says so instead."""
        from zhuji_archive.gui.backup_dialog import BackupDialog

        if self.hub:
            box = QMessageBox(
                QMessageBox.Icon.Information,
                "备份与恢复",
                f"镇里的数据库（{self.hub}）由数据库服务器统一备份：管理服务器的同志用 pg_dump 按计划备份，"
                "本程序不在这台电脑上备份它，也不从备份恢复。需要恢复时，请联系管理服务器的同志。",
                parent=self,
            )
            box.exec()
            return box

        dialog = BackupDialog(self.archive, self)
        dialog.restoredArchive.connect(self._restored)  # the restore runs on a worker, the dialog open
        dialog.exec()
        return dialog

    def _restored(self, restored) -> None:  # type: ignore[no-untyped-def]
        """A backup replaced the archive: the window closes and a new login is asked for."""
        self.restored = restored
        self.close()
        self.relogin.emit(restored.archive)

    def _focus_search(self) -> None:
        if not self.casework:
            return
        self.tabs.setCurrentWidget(self.households)
        self.households.search.setFocus()
        self.households.search.selectAll()

    def _node_selected(self, kind: str, node_id: str) -> None:
        if not self.casework:
            return  # the pages are not shown: nothing to load
        self.households.set_node(kind, node_id)
        village_id = self.tree.village_of(kind, node_id)
        self.village.show_village(village_id)
        self.requests.village_id = village_id
        self.requests.feed.invalidate()
        self.summary.follow_node(kind, node_id, village_id)
        self.summary.feed.invalidate()

    def _changed(self, changes: Changes) -> None:
        """What the window itself shows besides the pages: pick-lists of villages and cadres, the code
        filters of the household list, its rows, and the tree's counts."""
        if not self.casework:
            return
        if changes.organisation or changes.cadres:
            for page in (self.summary, self.dashboard, self.township.queue, self.todo):
                page.refresh_scopes()
        if changes.codes or changes.settings:
            self.households.reload_codes()
        if changes.all_households:
            self.households.model.reload()
        else:
            for household_id in changes.households:
                self.households.model.refresh_household(household_id)
        if changes.any_household:
            self.tree.refresh()  # its household counts (the tree reloads itself after its own edits)
        for household_id, dialog in list(self.open_dialogs.items()):  # open files follow changes made elsewhere
            if (changes.all_households or household_id in changes.households) and _alive(dialog) and dialog.isVisible():
                dialog.refresh()

    def _add_busy_indicator(self) -> None:
        """正在处理… in the status bar while the runner works (loads, exports, imports)."""
        self.busy_label = QLabel("正在处理…")
        self.busy_label.hide()
        self.statusBar().addPermanentWidget(self.busy_label)
        self.runner.busyChanged.connect(self.busy_label.setVisible)

    def open_report(self, report: tuple) -> None:  # type: ignore[type-arg]
        """Show a 周报/月报 from the to-do list."""
        kind, scope_kind, scope_id, start = report
        self.tabs.setCurrentWidget(self.summary)
        self.summary.show_report(kind, scope_kind, scope_id, start)

    def show_requests(self, field: str, value: str, village_id: str | None) -> None:
        """The list behind a dashboard bar."""
        page = self.requests
        page.village_id = village_id
        for name, combo in (("status", page.status), ("category", page.category), ("level", page.level)):
            combo.blockSignals(True)
            combo.setCurrentText(value if name == field else "全部")
            combo.blockSignals(False)
        page.light.setCurrentText("全部")
        self.tabs.setCurrentWidget(page)
        page.reload()  # supersedes the load that showing the page may have started

    def open_request(self, request_id: str) -> RequestDetailDialog:
        dialog = self.request_dialogs.get(request_id)
        if dialog is None or not _alive(dialog) or not dialog.isVisible():
            dialog = RequestDetailDialog(self.archive, request_id, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            dialog.changed.connect(self._requests_changed)
            dialog.openHousehold.connect(self.open_household)
            self.request_dialogs[request_id] = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _requests_changed(self, request_id: str) -> None:
        """A request moved on: pages that show requests follow; so does any open household file."""
        self.runner.notify(Changes(requests=True, meetings=True))
        for dialog in list(self.open_dialogs.values()):
            if _alive(dialog) and dialog.isVisible() and not dialog.dirty:
                dialog.refresh_requests()

    def open_household(self, household_id: str) -> HouseholdDialog:
        dialog = self.open_dialogs.get(household_id)
        if dialog is None or not dialog.isVisible():
            dialog = HouseholdDialog(self.archive, household_id=household_id, parent=self)
            self._track(dialog)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def new_household(self, group_id: str) -> HouseholdDialog:
        dialog = HouseholdDialog(self.archive, group_id=group_id, parent=self)
        self._track(dialog)
        dialog.show()
        return dialog

    def _track(self, dialog: HouseholdDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        if dialog.file.id:
            self.open_dialogs[dialog.file.id] = dialog
        dialog.saved.connect(lambda household_id, d=dialog: self._household_saved(household_id, d))
        dialog.openRequest.connect(self.open_request)
        dialog.destroyed.connect(lambda *_: self._forget_closed())

    def _forget_closed(self) -> None:
        self.open_dialogs = {k: d for k, d in self.open_dialogs.items() if _alive(d)}

    def _household_saved(self, household_id: str, dialog: HouseholdDialog) -> None:
        new = household_id not in self.open_dialogs
        self.open_dialogs[household_id] = dialog
        # A new household moves the tree's counts and joins the list; a saved one refreshes its row.
        changes = Changes(all_households=True) if new else Changes.of_households(household_id)
        self.runner.notify(changes | Changes(visits=True, requests=True))
        self.statusBar().showMessage("户档案已保存", 4000)

    # ---- window state -------------------------------------------------------------------
    def _restore_state(self) -> None:
        restore_geometry(self, self.settings.value("main/geometry"), PREFERRED_SIZE)
        for key, restore in (
            ("main/state", self.restoreState),
            ("main/splitter", self.splitter.restoreState),
            ("main/columns", self.households.view.horizontalHeader().restoreState),
        ):
            value = self.settings.value(key)
            if isinstance(value, QByteArray | bytes):
                restore(QByteArray(value))

    def save_state(self) -> None:
        self.settings.setValue("main/geometry", self.saveGeometry())
        self.settings.setValue("main/state", self.saveState())
        self.settings.setValue("main/splitter", self.splitter.saveState())
        self.settings.setValue("main/columns", self.households.view.horizontalHeader().saveState())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.restored is not None:  # the file was replaced: unsaved edits belong to the old one
            self.save_state()
            self.runner.wait_all()
            event.accept()
            return
        for dialog in list(self.open_dialogs.values()):
            if _alive(dialog) and dialog.isVisible() and not dialog.may_close():
                event.ignore()
                return
        if (
            self.village.dirty
            and QMessageBox.question(self, "未保存的修改", "村情信息有未保存的修改，确定放弃并退出吗？")
            != QMessageBox.StandardButton.Yes
        ):
            event.ignore()
            return
        self.save_state()
        self.runner.wait_all()  # the archive closes after the window: no load may still be reading it
        event.accept()


def _alive(widget: QWidget) -> bool:
    try:
        widget.isVisible()
    except RuntimeError:
        return False
    return True
