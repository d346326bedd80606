"""Visit and feedback forms are pre-filled with the household's 责任干部, not the operator at the
keyboard; the operator stays the signer of the change."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import select

from zhuji_archive.domain.workflow import Action
from zhuji_archive.gui.request_detail import RequestDetailDialog
from zhuji_archive.gui.visit_dialog import VisitDialog
from zhuji_archive.storage.models import (
    Cadre,
    ChangeLog,
    Household,
    Request,
    RequestEvent,
    RequestFeedback,
    Visit,
)


def household_with_cadre(archive) -> tuple[str, str]:
    with archive.db.sessions() as session:
        row = session.execute(
            select(Household.id, Cadre.name)
            .join(Cadre, Cadre.id == Household.responsible_cadre_id)
            .where(Household.status == "在册")
            .limit(1)
        ).one()
    return row[0], row[1]


def test_visit_dialog_prefills_the_households_cadre(qtbot, window, demo_archive) -> None:
    household_id, cadre = household_with_cadre(demo_archive)
    assert cadre != demo_archive.operator == "测试员"
    dialog = VisitDialog(demo_archive, household_id, "测试户", parent=window)
    qtbot.addWidget(dialog)
    assert dialog.cadres.text() == cadre
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    today = demo_archive.maintenance.today
    with demo_archive.db.sessions() as session:
        (visit_id, cadres), = session.execute(
            select(Visit.id, Visit.cadres).where(Visit.household_id == household_id, Visit.date == today)
        ).all()
        signer = session.scalar(select(ChangeLog.operator).where(ChangeLog.record_id == visit_id))
    assert cadres == cadre
    assert signer == "测试员"  # who typed it in signs it


def test_new_visit_row_in_the_household_file_takes_the_chosen_cadre(qtbot, window, demo_archive) -> None:
    household_id, cadre = household_with_cadre(demo_archive)
    dialog = window.open_household(household_id)
    before = dialog.visits.rowCount()
    qtbot.mouseClick(dialog.ui.visitsAddButton, Qt.MouseButton.LeftButton)
    assert dialog.visits.rowCount() == before + 1
    added = dialog.visits.record(dialog.visits.view_row(before))
    assert added.cadres == cadre
    # Choosing no cadre leaves the next row empty for the user to fill, never the operator's name.
    dialog.ui.cadreCombo.setCurrentIndex(0)
    qtbot.mouseClick(dialog.ui.visitsAddButton, Qt.MouseButton.LeftButton)
    assert dialog.visits.record(dialog.visits.view_row(before + 1)).cadres == ""


def test_feedback_dialog_prefills_the_households_cadre(qtbot, window, demo_archive) -> None:
    with demo_archive.db.sessions() as session:
        request_id, cadre = session.execute(
            select(Request.id, Cadre.name)
            .join(Household, Household.id == Request.household_id)
            .join(Cadre, Cadre.id == Household.responsible_cadre_id)
            .where(Request.status == "已办结", Request.deleted.is_(False))
            .limit(1)
        ).one()
    detail = window.open_request(request_id)
    assert isinstance(detail, RequestDetailDialog)
    qtbot.mouseClick(detail.action_buttons[Action.FEEDBACK], Qt.MouseButton.LeftButton)
    dialog = detail.action_dialog
    assert dialog.value("cadre") == cadre
    dialog.set_value("village_cadre", "王村长")
    dialog.set_value("satisfaction", "满意")
    qtbot.mouseClick(
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    with demo_archive.db.sessions() as session:
        stored = session.scalars(
            select(RequestFeedback.cadre).where(RequestFeedback.request_id == request_id)
        ).all()
        signer = session.scalar(
            select(RequestEvent.operator)
            .where(RequestEvent.request_id == request_id, RequestEvent.action == "反馈")
            .order_by(RequestEvent.at.desc())
        )
    assert cadre in stored and signer == "测试员"


def test_a_household_of_a_retired_cadre_keeps_its_cadre_when_saved(qtbot, window, demo_archive) -> None:
    """The cadre a household names was retired: the file shows that cadre (marked 已退出), and saving an
    unrelated change keeps it — before, the list offered only active cadres and saving cleared it."""
    household_id, cadre = household_with_cadre(demo_archive)
    with demo_archive.db.sessions() as session:
        cadre_id = session.scalar(select(Household.responsible_cadre_id).where(Household.id == household_id))
    demo_archive.organisation.retire_cadre(cadre_id)
    dialog = window.open_household(household_id)
    assert dialog.ui.cadreCombo.currentData() == cadre_id
    assert dialog.ui.cadreCombo.currentText() == f"{cadre}（驻村干部，已退出）"
    dialog.ui.notesEdit.setText("复核家庭情况")
    dialog.save()
    with demo_archive.db.sessions() as session:
        assert session.scalar(select(Household.responsible_cadre_id).where(Household.id == household_id)) == cadre_id
