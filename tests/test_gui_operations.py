"""The background-operation runner: results and classified errors come back on the GUI thread, a
bug's text never reaches the user, cancel and progress work, writes go one at a time, what changed
reaches the pages that subscribe to it, and a superseded load's result is dropped."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt, QThread
from PySide6.QtWidgets import QApplication, QLabel, QProgressDialog, QPushButton, QWidget
from sqlalchemy.pool import QueuePool
from test_storage_privacy import generated_people, log_file  # noqa: F401 - log_file is a fixture

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.gui.operations import Changes, Operation, PageFeed, Query, Runner
from zhuji_archive.services.exports import ExportCancelled


def ended(qtbot, handle, timeout: int = 10000) -> str:  # type: ignore[no-untyped-def]
    if handle.running:
        with qtbot.waitSignal(handle.ended, timeout=timeout):
            pass
    return handle.outcome


def test_a_result_comes_back_on_the_gui_thread(qtbot) -> None:
    runner = Runner()
    seen: list[tuple[object, bool]] = []
    worker: list[bool] = []

    def work(progress, cancelled):  # type: ignore[no-untyped-def]
        worker.append(QThread.currentThread() is QApplication.instance().thread())
        return 42

    handle = Operation(None, "测试", work, runner=runner).success(
        lambda result: seen.append((result, QThread.currentThread() is QApplication.instance().thread()))
    ).run()
    assert ended(qtbot, handle) == "done"
    assert worker == [False]  # the work ran on a pool thread
    assert seen == [(42, True)]  # the result was handed over on the GUI thread


def test_a_rule_broken_is_shown_with_its_message(qtbot) -> None:
    failures = []

    def work(progress, cancelled):  # type: ignore[no-untyped-def]
        raise DomainError("户号已被使用")

    handle = Operation(None, "保存", work, runner=Runner()).failure(failures.append).run()
    assert ended(qtbot, handle) == "failed"
    (failure,) = failures
    assert (failure.kind, failure.message) == ("rule", "户号已被使用")


def test_the_machines_trouble_is_classified_as_environment(qtbot, tmp_path: Path, log_file) -> None:  # noqa: F811
    path = tmp_path / "a.sqlite3"
    sqlite3.connect(path).execute("create table t (x)").connection.close()
    failures = []

    def work(progress, cancelled):  # type: ignore[no-untyped-def]
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            connection.execute("insert into t values (1)")  # a real SQLITE_READONLY
        finally:
            connection.close()

    handle = Operation(None, "保存", work, runner=Runner()).failure(failures.append).run()
    assert ended(qtbot, handle) == "failed"
    (failure,) = failures
    assert failure.kind == "environment"
    assert failure.message.startswith("数据库文件是只读的")
    assert "保存: read_only" in log_file.read_text(encoding="utf-8")


def test_a_bug_shows_no_personal_data_and_is_logged_without_it(qtbot, log_file) -> None:  # noqa: F811
    name, number, phone = generated_people(7)[0]
    failures = []

    def buggy(progress, cancelled):  # type: ignore[no-untyped-def]
        raise KeyError(f"{name} {number} {phone}")

    handle = Operation(None, "导出", buggy, runner=Runner()).failure(failures.append).run()
    assert ended(qtbot, handle) == "failed"
    (failure,) = failures
    assert failure.kind == "bug" and failure.error is None
    assert "程序错误" in failure.message and "KeyError" in failure.message and str(log_file) in failure.message
    text = log_file.read_text(encoding="utf-8")
    assert "builtins.KeyError" in text and "buggy" in text
    for secret in (name, number, phone):
        assert secret not in failure.message and secret not in text


def test_a_failure_without_a_handler_is_shown_in_a_message_box(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()

    def work(progress, cancelled):  # type: ignore[no-untyped-def]
        raise DomainError("请先选择村民小组")

    handle = Operation(parent, "新建户", work, runner=Runner()).run()
    assert ended(qtbot, handle) == "failed"
    boxes = [w for w in parent.findChildren(QWidget) if w.windowTitle() == "新建户" and w.isVisible()]
    assert len(boxes) == 1 and "请先选择村民小组" in boxes[0].text()  # type: ignore[attr-defined]
    boxes[0].close()


def test_progress_shows_and_cancel_stops_the_work(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    reached: list[int] = []
    stopped = threading.Event()

    def work(progress, cancelled):  # type: ignore[no-untyped-def]
        for step in range(1000):
            if cancelled():
                stopped.set()
                raise ExportCancelled
            progress(step, 1000)
            reached.append(step)
            time.sleep(0.005)
        return "finished"

    cancelled_seen: list[bool] = []
    handle = Operation(parent, "导出名册", work, progress=True, runner=Runner()).on_cancel(
        lambda: cancelled_seen.append(True)
    ).run()
    dialog = next(d for d in parent.findChildren(QProgressDialog))
    qtbot.waitUntil(lambda: dialog.value() >= 10 and dialog.maximum() == 1000, timeout=10000)
    cancel = dialog.findChild(QPushButton)
    assert cancel is not None and cancel.text() == "取消"
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert ended(qtbot, handle) == "cancelled"
    assert stopped.is_set() and cancelled_seen == [True] and len(reached) < 1000
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible())


def test_writes_run_one_at_a_time(qtbot) -> None:
    runner = Runner()
    inside = 0
    most = 0
    lock = threading.Lock()

    def work(progress, cancelled):  # type: ignore[no-untyped-def]
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
        time.sleep(0.05)
        with lock:
            inside -= 1

    handles = [Operation(None, "保存", work, runner=runner).run() for _ in range(4)]
    for handle in handles:
        assert ended(qtbot, handle) == "done"
    assert most == 1


def test_what_changed_reaches_subscribed_pages_only(qtbot) -> None:
    runner = Runner()
    received: list[Changes] = []
    runner.changed.connect(received.append)
    handle = Operation(
        None, "保存户档案", lambda p, c: "h1", runner=runner, changes=lambda hid: Changes.of_households(hid)
    ).run()
    assert ended(qtbot, handle) == "done"
    assert received == [Changes(households=frozenset({"h1"}))]

    shown, hidden = QLabel(), QLabel()
    for page in (shown, hidden):
        qtbot.addWidget(page)
    shown.show()
    refreshed: list[str] = []
    shown_feed = PageFeed(shown, runner, ["requests"], lambda: refreshed.append("shown"))
    shown_feed.stale = False
    hidden_feed = PageFeed(hidden, runner, ["requests"], lambda: refreshed.append("hidden"))
    hidden_feed.stale = False
    runner.notify(Changes(visits=True))  # neither page shows visits
    assert refreshed == []
    runner.notify(Changes(requests=True))
    assert refreshed == ["shown"]  # the shown page refreshes at once
    assert hidden_feed.stale  # the hidden one when it is shown
    hidden.show()
    assert refreshed == ["shown", "hidden"] and not hidden_feed.stale


def test_a_superseded_load_is_dropped(qtbot) -> None:
    runner = Runner()
    page = QLabel()
    qtbot.addWidget(page)
    release = threading.Event()

    def slow() -> str:
        release.wait(10)
        return "旧"

    shown: list[str] = []
    old = Query(page, "list", slow, runner=runner).success(shown.append).run()
    new = Query(page, "list", lambda: "新", runner=runner).success(shown.append).run()
    assert ended(qtbot, new) == "done"
    release.set()
    assert ended(qtbot, old) == "superseded"
    assert shown == ["新"]


def test_services_run_on_worker_threads_with_a_session_each(qtbot, demo_archive) -> None:
    """SQLAlchemy's pool for a file hands each thread its own connection for the length of a call;
    pages querying at once on workers while the GUI thread saves do not trip over each other."""
    assert isinstance(demo_archive.db.engine.pool, QueuePool)
    runner = Runner()
    page = QLabel()
    qtbot.addWidget(page)
    handles = [
        Query(page, f"q{n}", demo_archive.requests.counts, runner=runner).run()
        for n in range(6)
    ]
    demo_archive.organisation.tree()  # the GUI thread reads meanwhile
    for handle in handles:
        assert ended(qtbot, handle, 30000) == "done", handle.failure
    assert len({tuple(sorted(h.result.items())) for h in handles}) == 1
