"""Shared fixtures: every test gets fresh SQLite files; Qt runs offscreen."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

# Offscreen, on the screen of a typical township laptop (1366×768) rather than the plugin's 800×800.
_SCREEN = Path(__file__).with_name("offscreen-1366x768.json")
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen" and ":" not in str(_SCREEN):
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_SCREEN}"


from accounts import ON_HUB, as_person, copy_archive, drop_test_databases, open_archive  # noqa: E402

from zhuji_archive.gui.operations import wait_for  # noqa: E402
from zhuji_archive.services.archive import Archive  # noqa: E402
from zhuji_archive.services.demo import generate  # noqa: E402
from zhuji_archive.storage import keyring, sync_enrolment  # noqa: E402
from zhuji_archive.views.household_file import MemberData  # noqa: E402

# Argon2id at its real cost (64 MiB, 3 passes) takes 0.1 s a login; the suite logs in thousands of
# times. Slots record their own cost, so cheap test slots open exactly as real ones do.
keyring.KDF = keyring.KdfParams(time_cost=1, memory_kib=64, parallelism=1)
sync_enrolment.SCRYPT_N = 2**10  # the enrolment code's key derivation, likewise cheap in tests

DEMO_DAY = date(2026, 11, 2)
# A Friday: the next working days are the make-up Sunday 2025-09-28, 09-29 and 09-30, then the
# National Day holiday 10-01..10-08, so deadlines near "today" exercise the holiday calendar.
WORKFLOW_DAY = date(2025, 9, 26)


@pytest.fixture(autouse=True)
def _hub_databases(request: pytest.FixtureRequest):
    """On a hub run (ZHUJI_TEST_DATABASE=postgresql), the databases a test made are dropped after it."""
    if not ON_HUB:
        yield
        return
    folder = request.getfixturevalue("tmp_path")
    yield
    drop_test_databases(folder)


@pytest.fixture
def archive(tmp_path: Path):
    """An empty, migrated archive with one town, one village and two groups."""
    arc = open_archive(tmp_path / "archive.sqlite3")
    town = arc.organisation.add_town("安华镇", "诸暨市", "330681")
    village = arc.organisation.add_village(town, "杜黄村")
    arc.organisation.add_group(village, "一组")
    arc.organisation.add_group(village, "二组")
    yield arc
    wait_for(arc)  # no page's load may still be running against the closed file
    arc.close()


_QAPP = []  # keeps the session's QApplication alive until the interpreter exits


@pytest.fixture(scope="session")
def qapp(qapp_args):
    """pytest-qt's application, set up by the application's own ``make_application`` (Chinese
    translation, locale and bundled font), so every GUI test sees what a user sees."""
    from zhuji_archive.gui.app import make_application

    app = make_application(qapp_args)
    _QAPP.append(app)
    return app


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database built once per session; tests copy it."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    arc = open_archive(path, "演示数据")
    generate(arc.db, households=300, seed=7, today=DEMO_DAY)
    arc.db.engine.dispose()
    return path



@pytest.fixture
def demo_archive(demo_template: Path, tmp_path: Path):
    """A private copy of the demo database."""
    target = copy_archive(demo_template, tmp_path / "demo.sqlite3")
    arc = open_archive(target)
    yield arc
    wait_for(arc)  # no page's load may still be running against the closed file
    arc.close()


@dataclass
class WorkflowTown:
    """An archive whose "today" is WORKFLOW_DAY: two villages, three households with members."""

    archive: Archive
    villages: dict[str, str] = field(default_factory=dict)  # village name -> id
    groups: dict[str, str] = field(default_factory=dict)  # "杜黄村一组" -> id
    households: dict[str, str] = field(default_factory=dict)  # head name -> household id

    def on(self, day: date, operator: str = "测试员") -> Archive:
        """The same database seen on another day (business dates of actions default to "today")."""
        if operator == self.archive.actor.display_name:
            return self.archive.acting_as(self.archive.actor, day)
        return as_person(self.archive, operator, today=day)


@pytest.fixture
def workflow_town(tmp_path: Path) -> Iterator[WorkflowTown]:
    arc = open_archive(tmp_path / "workflow.sqlite3", today=WORKFLOW_DAY)
    town = WorkflowTown(arc)
    town_id = arc.organisation.add_town("安华镇", "诸暨市", "330681")
    for village, groups in (("杜黄村", ("一组", "二组")), ("新桥村", ("一组",))):
        town.villages[village] = arc.organisation.add_village(town_id, village)
        for group in groups:
            town.groups[village + group] = arc.organisation.add_group(town.villages[village], group)
    families = (
        ("杜黄村一组", "张建国", (("李秀英", "配偶"), ("张伟", "子"))),
        ("杜黄村二组", "赵大", ()),
        ("新桥村一组", "王小明", (("王芳", "女"),)),
    )
    for group, head, others in families:
        file = arc.households.new_file(town.groups[group])
        file.members = [
            MemberData(name=head, relation="户主"),
            *(MemberData(name=name, relation=relation) for name, relation in others),
        ]
        town.households[head] = arc.households.save(file)
    yield town
    wait_for(arc)  # no page's load may still be running against the closed file
    arc.close()


@pytest.fixture
def settings(tmp_path: Path):
    """Window settings in a private file, so tests never see each other's layout."""
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, demo_archive, settings, monkeypatch):
    """The main window on a private demo database. No modal question may block a test run:
    leftover edits in household windows are discarded at teardown."""
    from PySide6.QtWidgets import QMessageBox

    from zhuji_archive.gui.app import make_application
    from zhuji_archive.gui.household_dialog import HouseholdDialog
    from zhuji_archive.gui.main_window import MainWindow

    monkeypatch.setattr(HouseholdDialog, "ask_unsaved", lambda self: QMessageBox.StandardButton.Discard)
    make_application()
    win = MainWindow(demo_archive, settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    wait_for(demo_archive)


@pytest.fixture
def when_modal(qtbot):
    """``when_modal(handle)``: run ``handle(dialog)`` on the next modal dialog once it is up, for code
    under test that blocks in ``exec()``; returns the list of dialogs seen."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def arm(handle):  # type: ignore[no-untyped-def]
        seen: list = []

        def poll() -> None:
            modal = QApplication.activeModalWidget()
            if modal is None or not modal.isVisible():
                QTimer.singleShot(10, poll)
                return
            seen.append(modal)
            handle(modal)

        QTimer.singleShot(0, poll)
        return seen

    return arm
