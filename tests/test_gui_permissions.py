"""The main window offers each account only what its role may do (the services refuse the rest anyway):
a 只读 account finds 新建户, import, the organisation's "new …", settings and the cadre roll disabled; a
村干部 has no 镇级审核 tab and sees only his village in the tree; the 系统管理员 sees no casework pages;
a request's buttons are the actions the account may take."""

from __future__ import annotations

from accounts import as_person
from conftest import WORKFLOW_DAY, WorkflowTown
from PySide6.QtWidgets import QDialogButtonBox

from zhuji_archive.domain.accounts import Role
from zhuji_archive.domain.workflow import Action
from zhuji_archive.gui.app import make_application
from zhuji_archive.gui.main_window import MainWindow
from zhuji_archive.gui.operations import wait_for
from zhuji_archive.gui.request_detail import RequestDetailDialog
from zhuji_archive.services.archive import Archive


def window_for(qtbot, settings, archive: Archive) -> MainWindow:  # type: ignore[no-untyped-def]
    make_application()
    win = MainWindow(archive, settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def person(town: WorkflowTown, name: str, role: Role, *villages: str) -> Archive:
    return as_person(town.archive, name, role, WORKFLOW_DAY, tuple(town.villages[v] for v in villages))


def close(win: MainWindow) -> None:
    win.close()
    wait_for(win.archive)


def test_the_office_is_offered_everything(qtbot, settings, workflow_town: WorkflowTown) -> None:
    win = window_for(qtbot, settings, workflow_town.archive)
    assert win.import_action.isEnabled() and win.settings_action.isEnabled() and win.cadres_action.isEnabled()
    assert win.org_actions["town"].isEnabled()
    assert win.tabs.isTabVisible(win.tabs.indexOf(win.township))
    assert win.outputs.menu.isEnabled()
    assert win.pages.currentWidget() is win.tabs
    close(win)


def test_a_reader_is_offered_no_writing(qtbot, settings, workflow_town: WorkflowTown) -> None:
    reader = person(workflow_town, "孙只读", Role.READER, "杜黄村")
    win = window_for(qtbot, settings, reader)
    assert not win.new_action.isEnabled()
    assert not win.import_action.isEnabled()
    assert not win.settings_action.isEnabled()
    assert not win.cadres_action.isEnabled()
    assert not any(action.isEnabled() for action in win.org_actions.values())
    assert win.tree.actions_for(None) == []
    assert win.tree.select_node("group", workflow_town.groups["杜黄村一组"])
    assert not win.households.new_button.isEnabled()
    assert win.outputs.menu.isEnabled()  # 只读 may export in scope
    dialog = win.open_household(workflow_town.households["张建国"])
    assert not dialog.ui.buttonBox.button(QDialogButtonBox.StandardButton.Save).isEnabled()
    assert not dialog.event_button.isEnabled()
    assert dialog.print_button.isEnabled()
    dialog.close()
    close(win)


def test_a_village_cadre_has_no_township_review(qtbot, settings, workflow_town: WorkflowTown) -> None:
    cadre = person(workflow_town, "赵村干", Role.VILLAGE, "杜黄村")
    win = window_for(qtbot, settings, cadre)
    assert not win.tabs.isTabVisible(win.tabs.indexOf(win.township))
    assert win.new_action.isEnabled()
    assert win.tree.select_node("group", workflow_town.groups["杜黄村一组"])
    assert win.households.new_button.isEnabled()
    assert not win.tree.select_node("group", workflow_town.groups["新桥村一组"])  # not in his tree
    close(win)


def test_the_administrator_sees_no_casework(qtbot, settings, workflow_town: WorkflowTown) -> None:
    admin = person(workflow_town, "管理员乙", Role.ADMIN)
    win = window_for(qtbot, settings, admin)
    assert win.pages.currentWidget() is win.no_casework
    assert win.org_actions["town"].isEnabled() and win.settings_action.isEnabled()
    assert not win.new_action.isEnabled() and not win.outputs.menu.isEnabled()
    assert win.tree.isColumnHidden(1)  # no household counts (the tree would show 0 for every unit)
    close(win)


def test_a_request_offers_only_the_actions_the_account_may_take(qtbot, workflow_town: WorkflowTown) -> None:
    rid = workflow_town.archive.requests.record(workflow_town.households["张建国"], "生活困难", "修路")
    office = RequestDetailDialog(workflow_town.archive, rid)
    qtbot.addWidget(office)
    assert set(office.action_buttons) == {Action.SORT, Action.SOLVE_ON_SPOT}
    leader = person(workflow_town, "陈镇长", Role.LEADER)
    dialog = RequestDetailDialog(leader, rid)
    qtbot.addWidget(dialog)
    assert dialog.action_buttons == {}
