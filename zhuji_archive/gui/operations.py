"""One way to run work in the background: every long service call of the window goes through a
``Runner``, as a write ``Operation`` (one at a time, with a progress dialog and a working cancel when the
service reports progress) or a read ``Query`` (several at once; a page's newer load supersedes its older
one, whose result is dropped). Results and errors come back on the GUI thread; an error arrives
classified (the user's mistake, the machine's trouble, or a bug — whose own text is never shown), and a
successful write announces what it changed (``Changes``), so each page refreshes only what it shows.

    Operation(self, "导出名册", lambda progress, cancelled: exports.roster(path, ...,
              progress=progress, cancelled=cancelled), label="正在导出…", progress=True,
              changes=Changes(history=True)).success(show_result).run()

    Query(page, "dashboard", lambda: archive.dashboard.build(village_id)).success(page.show).run()

Services take a session per call from the engine's pool (SQLAlchemy's QueuePool for a file: a
connection is used by one thread at a time and returned to the pool afterwards), so calling them on a
pool thread is safe; ``tests/test_gui_operations.py`` checks it."""

from __future__ import annotations

import gc
import itertools
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QProgressDialog, QWidget

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.logs import failure_message
from zhuji_archive.services.progress import OperationCancelled
from zhuji_archive.storage.errors import classify

T = TypeVar("T")
Work = Callable[[Callable[[int, int], None], Callable[[], bool]], Any]

# ---- what changed -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Changes:
    """What a write changed, so that pages refresh only what they show (Anki's OpChanges).

    ``households`` holds the ids of households whose own row changed (their list row is re-read);
    ``all_households`` says that households were added, moved or changed in bulk (lists reset)."""

    households: frozenset[str] = frozenset()
    all_households: bool = False
    requests: bool = False
    visits: bool = False
    meetings: bool = False
    reports: bool = False
    settings: bool = False
    codes: bool = False
    organisation: bool = False
    cadres: bool = False
    service_links: bool = False
    history: bool = False

    @classmethod
    def of_households(cls, *ids: str, **more: bool) -> Changes:
        return cls(households=frozenset(ids), **more)

    @classmethod
    def everything(cls) -> Changes:
        return cls(**{f.name: True for f in fields(cls) if f.name != "households"})

    @property
    def any_household(self) -> bool:
        return self.all_households or bool(self.households)

    def touches(self, kinds: Iterable[str]) -> bool:
        """True when any of ``kinds`` (field names; "households" for any household) changed."""
        for kind in kinds:
            if kind == "households" and self.any_household:
                return True
            if kind != "households" and getattr(self, kind):
                return True
        return False

    def __or__(self, other: Changes) -> Changes:
        merged = {
            f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self) if f.name != "households"
        }
        return replace(Changes(**merged), households=self.households | other.households)

    def __bool__(self) -> bool:
        return self.any_household or any(
            getattr(self, f.name) for f in fields(self) if f.name not in ("households", "all_households")
        )


NOTHING = Changes()

# ---- how a call ended ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """Why an operation did not finish, classified where it happened.

    ``kind`` is "rule" (the user's input broke a rule: ``message`` is the rule's Chinese text and
    ``error`` the DomainError), "environment" (disk full, locked, read-only…) or "bug" (``message`` is
    an apology naming the log file; the error itself never leaves the worker)."""

    kind: str
    message: str
    error: DomainError | None = None


def _failure(where: str, error: BaseException) -> Failure:
    if isinstance(error, DomainError):
        return Failure("rule", error.message, error)
    message = failure_message(where, error)  # logs it, without its text
    return Failure("environment" if classify(error) is not None else "bug", message)


class _Signals(QObject):
    """The runner's one mailbox from its workers. It lives as long as the runner: a worker must never
    hold the last reference to a QObject (it would be deleted on the wrong thread)."""

    progress = Signal(object, int, int)  # task number, done, total
    finished = Signal(object, str, object)  # task number, outcome ("done", "failed", "cancelled"), value


class _Task(QRunnable):
    """Runs ``work(progress, cancelled)`` on a pool thread and reports through the runner's mailbox.
    It holds no QObject of its own, so it may be freed on whichever thread lets it go."""

    def __init__(self, number: int, where: str, work: Work, mailbox: _Signals) -> None:
        super().__init__()
        self.setAutoDelete(False)  # Python owns it; Qt must not delete it under our feet
        self.number = number
        self.where = where
        self.work: Work | None = work
        self.mailbox = mailbox
        self.cancel_event = threading.Event()

    def _progress(self, done: int, total: int) -> None:
        self.mailbox.progress.emit(self.number, done, total)

    def run(self) -> None:
        work, self.work = self.work, None  # what the work holds is let go with it
        assert work is not None
        try:
            result = work(self._progress, self.cancel_event.is_set)
        except OperationCancelled:
            self.mailbox.finished.emit(self.number, "cancelled", None)
        except Exception as error:  # noqa: BLE001 - a failure must reach the user, not vanish in a thread
            self.mailbox.finished.emit(self.number, "failed", _failure(self.where, error))
        else:
            self.mailbox.finished.emit(self.number, "done", result)


# ---- the runner ---------------------------------------------------------------------------------


class Runner(QObject):
    """Runs operations and queries for one archive and tells subscribers what changed.

    Writes go one at a time through a one-thread pool, so two never meet in the archive; queries use
    a pool of their own. ``changed(Changes)`` is emitted after every successful write (and by
    ``notify`` for a change made elsewhere, e.g. a dialog that saved); ``busyChanged(bool)`` drives the
    window's busy indicator."""

    changed = Signal(object)
    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.write_pool = QThreadPool(self)
        self.write_pool.setMaxThreadCount(1)
        self.read_pool = QThreadPool(self)
        self.read_pool.setMaxThreadCount(max(2, QThreadPool.globalInstance().maxThreadCount()))
        self.active: list[Handle] = []
        self._latest: dict[tuple[int, str], Handle] = {}
        self._numbers = itertools.count(1)
        self.mailbox = _Signals(self)
        self.mailbox.progress.connect(self._progress, Qt.ConnectionType.QueuedConnection)
        self.mailbox.finished.connect(self._finished, Qt.ConnectionType.QueuedConnection)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.wait_all)
        _collect_on_gui_thread()

    @property
    def busy(self) -> bool:
        return bool(self.active)

    def notify(self, changes: Changes) -> None:
        """Announce a change made outside the runner (a dialog that saved on the GUI thread)."""
        if changes:
            self.changed.emit(changes)

    def start(self, handle: Handle, write: bool) -> None:
        was_busy = self.busy
        self.active.append(handle)
        if handle.supersede_key is not None:
            older = self._latest.get(handle.supersede_key)
            if older is not None:
                older.cancel()
            self._latest[handle.supersede_key] = handle
        (self.write_pool if write else self.read_pool).start(handle.task)
        if not was_busy:
            self.busyChanged.emit(True)

    def new_task(self, where: str, work: Work) -> _Task:
        return _Task(next(self._numbers), where, work, self.mailbox)

    def _handle(self, number: int) -> Handle | None:
        return next((h for h in self.active if h.task.number == number), None)

    def _progress(self, number: int, done: int, total: int) -> None:
        handle = self._handle(number)
        if handle is not None:
            handle.progressed_in_worker(done, total)

    def _finished(self, number: int, outcome: str, value: Any) -> None:
        handle = self._handle(number)
        if handle is not None:
            handle.finished_in_worker(outcome, value)

    def is_latest(self, handle: Handle) -> bool:
        return handle.supersede_key is None or self._latest.get(handle.supersede_key) is handle

    def ended(self, handle: Handle) -> None:
        self.active = [h for h in self.active if h is not handle]
        if handle.supersede_key is not None and self._latest.get(handle.supersede_key) is handle:
            del self._latest[handle.supersede_key]
        if not self.busy:
            self.busyChanged.emit(False)
            if _COLLECTOR:
                QTimer.singleShot(0, _COLLECTOR[0].collect_young)  # what the finished work held, freed here

    def wait_all(self, msecs: int = 30000) -> bool:
        """Cancel what can be cancelled and wait for the workers (used when the window closes)."""
        for handle in list(self.active):
            handle.cancel()
        return self.write_pool.waitForDone(msecs) and self.read_pool.waitForDone(msecs)


class _CollectOnGuiThread(QObject):
    """Python's cycle collector runs on whichever thread happens to allocate; on a worker it would
    free widgets there, and Qt then crashes on their timers. So, as Anki does, automatic collection is
    switched off once workers exist and cycles are collected here, on the GUI thread: the young ones
    whenever the runner falls idle, all of them every ten seconds."""

    INTERVAL_MS = 10000

    def __init__(self) -> None:
        super().__init__()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(self.INTERVAL_MS)
        self.timer.timeout.connect(self.collect)
        self.timer.start()

    def collect(self) -> None:
        gc.collect()

    def collect_young(self) -> None:
        gc.collect(1)  # cheap: what the last loads left behind; the timer does the rest


_COLLECTOR: list[_CollectOnGuiThread] = []


def _collect_on_gui_thread() -> None:
    if not _COLLECTOR and QCoreApplication.instance() is not None:
        _COLLECTOR.append(_CollectOnGuiThread())


_RUNNERS: weakref.WeakKeyDictionary[Any, Runner] = weakref.WeakKeyDictionary()
_SHARED: list[Runner] = []


def runner_for(archive: Any) -> Runner:
    """The one runner of an open archive, shared by its window, pages and dialogs (None: a shared
    runner for work that touches no archive)."""
    if archive is None:
        if not _SHARED or not shiboken6.isValid(_SHARED[0]):
            _SHARED[:] = [Runner()]
        return _SHARED[0]
    runner = _RUNNERS.get(archive)
    if runner is None or not shiboken6.isValid(runner):
        runner = _RUNNERS[archive] = Runner()
    return runner


def wait_for(archive: Any, msecs: int = 30000) -> bool:
    """Wait until the workers of ``archive``'s runner (if it has one) have stopped; call before
    closing the archive, so that no query is left running against a closed engine."""
    runner = _RUNNERS.get(archive)
    return runner is None or not shiboken6.isValid(runner) or runner.wait_all(msecs)


class Handle(QObject):
    """One running operation or query, on the GUI thread. ``ended(outcome)`` is emitted once, with
    "done", "failed", "cancelled" or "superseded" (a newer load of the same page won)."""

    ended = Signal(str)
    progressed = Signal(int, int)

    def __init__(self, runner: Runner, where: str, work: Work, supersede_key: tuple[int, str] | None) -> None:
        super().__init__()  # no parent: whoever started it may keep it after it ended
        self.runner = runner
        self.task = runner.new_task(where, work)
        self.supersede_key = supersede_key
        self.outcome = ""
        self.result: Any = None
        self.failure: Failure | None = None
        self.on_done: list[Callable[[Any], None]] = []
        self.on_failed: list[Callable[[Failure], None]] = []
        self.on_cancelled: list[Callable[[], None]] = []
        self.changes: Changes | Callable[[Any], Changes] = NOTHING

    @property
    def running(self) -> bool:
        return not self.outcome

    @property
    def cancelled(self) -> bool:
        return self.task.cancel_event.is_set()

    def cancel(self) -> None:
        """Ask the service to stop at its next ``cancelled()`` check; nothing it wrote is kept."""
        self.task.cancel_event.set()

    def progressed_in_worker(self, done: int, total: int) -> None:
        if not self.cancelled:
            self.progressed.emit(done, total)

    def finished_in_worker(self, outcome: str, value: Any) -> None:
        superseded = not self.runner.is_latest(self)
        self.runner.ended(self)
        if superseded:
            self.outcome = "superseded"  # a newer load of the same page won: this result is stale
        elif outcome == "done":
            self.outcome, self.result = "done", value
            changes = self.changes(value) if callable(self.changes) else self.changes
            self.runner.notify(changes)
            for callback in self.on_done:
                callback(value)
        elif outcome == "failed":
            self.outcome, self.failure = "failed", value
            for failed in self.on_failed:
                failed(value)
        else:
            self.outcome = "cancelled"
            for cancelled in self.on_cancelled:
                cancelled()
        self.ended.emit(self.outcome)


class _Call(Generic[T]):
    """What Operation and Query share: callbacks set fluently, then ``run()``."""

    def __init__(self, parent: QWidget | None, where: str) -> None:
        self.parent = parent
        self.where = where
        self._done: list[Callable[[T], None]] = []
        self._failed: list[Callable[[Failure], None]] = []
        self._cancelled: list[Callable[[], None]] = []

    def success(self, callback: Callable[[T], None]) -> _Call[T]:
        self._done.append(callback)
        return self

    def failure(self, callback: Callable[[Failure], None]) -> _Call[T]:
        """Replaces the default (a message box over ``parent``)."""
        self._failed.append(callback)
        return self

    def on_cancel(self, callback: Callable[[], None]) -> _Call[T]:
        self._cancelled.append(callback)
        return self

    def _alive(self) -> bool:
        return self.parent is None or shiboken6.isValid(self.parent)

    def _wire(self, handle: Handle) -> None:
        handle.on_done.append(lambda result: [cb(result) for cb in self._done] if self._alive() else None)
        if self._failed:
            handle.on_failed.append(lambda f: [cb(f) for cb in self._failed] if self._alive() else None)
        else:
            handle.on_failed.append(lambda f: show_failure(self.parent, self.where, f) if self._alive() else None)
        handle.on_cancelled.append(lambda: [cb() for cb in self._cancelled] if self._alive() else None)


class Operation(_Call[T]):
    """A write (or an export, which records itself in the change history): one at a time.

    ``work(progress, cancelled)`` runs on the write thread. With ``progress=True`` a window-modal
    progress dialog shows the service's progress and its 取消 cancels the work; otherwise only the
    window's busy indicator shows. ``changes`` (a Changes or a function of the result) is announced on
    success."""

    def __init__(
        self,
        parent: QWidget | None,
        where: str,
        work: Work,
        *,
        label: str = "",
        progress: bool = False,
        changes: Changes | Callable[[T], Changes] = NOTHING,
        runner: Runner | None = None,
        archive: Any = None,
    ) -> None:
        super().__init__(parent, where)
        self.work = work
        self.label = label or f"正在{where}…"
        self.show_progress = progress
        self.changes = changes
        self.runner = runner or runner_for(archive)

    def run(self, dialog: ProgressDialog | None = None) -> Handle:
        """Start; ``dialog`` is an existing progress dialog to follow this run (else one is made
        when ``progress`` was asked for, and deleted at the end)."""
        runner = self.runner
        handle = Handle(runner, self.where, self.work, None)
        handle.changes = self.changes
        self._wire(handle)
        if dialog is not None:
            dialog.follow(handle)
        elif self.show_progress:
            made = ProgressDialog(self.parent, self.where, self.label)
            made.follow(handle)
            handle.ended.connect(lambda _outcome: made.deleteLater())
        runner.start(handle, write=True)
        return handle


class Query(_Call[T]):
    """A read for a page: runs beside other reads; a newer query of the same ``owner`` and ``key``
    supersedes this one (its result is dropped). ``work()`` takes no arguments."""

    def __init__(
        self,
        owner: QObject,
        key: str,
        work: Callable[[], T],
        *,
        where: str = "载入",
        runner: Runner | None = None,
        archive: Any = None,
    ) -> None:
        super().__init__(owner if isinstance(owner, QWidget) else None, where)
        self.owner = owner
        self.key = key
        self.work = work
        self.runner = runner or runner_for(archive)

    def run(self) -> Handle:
        work = self.work
        handle = Handle(self.runner, self.where, lambda _p, _c: work(), (id(self.owner), self.key))
        self._wire(handle)
        self.runner.start(handle, write=False)
        return handle


def show_failure(parent: QWidget | None, title: str, failure: Failure) -> QMessageBox:
    """The default way a failure reaches the user: a window-modal message, never the error's text."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, failure.message, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.open()
    return box


class ProgressDialog(QProgressDialog):
    """The progress of an operation; 取消 cancels it (the service then leaves nothing half-written).
    It can follow several operations in turn (an export run again after a question)."""

    def __init__(self, parent: QWidget | None, title: str, label: str) -> None:
        super().__init__(label, "取消", 0, 0, parent)
        self.handle: Handle | None = None
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumDuration(0)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumWidth(360)
        self.canceled.connect(self._cancel)

    def follow(self, handle: Handle, close_at_end: bool = True) -> None:
        self.handle = handle
        handle.progressed.connect(self._progress)
        if close_at_end:
            handle.ended.connect(lambda _outcome: self.close())
        self.show()

    def _cancel(self) -> None:
        if self.handle is not None and self.handle.running:
            self.handle.cancel()
            self.setLabelText("正在取消…")

    def _progress(self, done: int, total: int) -> None:
        self.setMaximum(max(total, 1))
        self.setValue(min(done, max(total, 1)))


# ---- pages that load through the runner and follow what changed --------------------------------


class Loading(QLabel):
    """A light "正在载入…" note over a page while its data loads (not a modal dialog)."""

    def __init__(self, page: QWidget) -> None:
        super().__init__("正在载入…", page)
        self.setStyleSheet(
            "background: rgba(255, 255, 255, 220); border: 1px solid #d0d7de; border-radius: 4px;"
            "padding: 6px 14px; color: #333;"
        )
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.hide()
        self.count = 0

    def begin(self) -> None:
        self.count += 1
        self.adjustSize()
        parent = self.parentWidget()
        if parent is not None:
            self.move(max(0, (parent.width() - self.width()) // 2), 8)
        self.raise_()
        self.show()

    def end(self) -> None:
        self.count = max(0, self.count - 1)
        if not self.count:
            self.hide()


class PageFeed(QObject):
    """Connects a page to the runner: it loads through queries (with the 正在载入… note), and when a
    change of one of ``kinds`` arrives it refreshes at once if shown, or when next shown. A page
    starts stale, so it loads when first shown and start-up stays fast."""

    def __init__(
        self, page: QWidget, runner: Runner, kinds: Iterable[str], refresh: Callable[[], None]
    ) -> None:
        super().__init__(page)
        self.page = page
        self.runner = runner
        self.kinds = tuple(kinds)
        self.refresh = refresh
        self.stale = True
        self.loading = Loading(page)
        self.pending: dict[str, Handle] = {}
        runner.changed.connect(self._changed)
        page.installEventFilter(self)

    @property
    def busy(self) -> bool:
        return bool(self.pending)

    def _changed(self, changes: Changes) -> None:
        if changes.touches(self.kinds):
            self.invalidate()

    def invalidate(self) -> None:
        """The page's data changed: refresh now if it is shown, else when it is next shown."""
        if not shiboken6.isValid(self.page):
            return
        if self.page.isVisible():
            self.stale = False
            self.refresh()
        else:
            self.stale = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # getattr: while the page is being destroyed, Qt may still call a half-gone filter.
        if event.type() == QEvent.Type.Show and watched is getattr(self, "page", None) and self.stale:
            self.stale = False
            self.refresh()
        return False

    def load(self, key: str, work: Callable[[], T], show: Callable[[T], None]) -> Handle:
        """Run ``work`` on a worker and ``show`` its result, unless a newer load of ``key`` came first."""
        self.stale = False
        handle = Query(self.page, key, work, runner=self.runner).success(show).run()
        older = self.pending.get(key)
        self.pending[key] = handle
        if older is None:
            self.loading.begin()
        handle.ended.connect(lambda _outcome, k=key, h=handle: self._ended(k, h))
        return handle

    def _ended(self, key: str, handle: Handle) -> None:
        if self.pending.get(key) is handle:
            del self.pending[key]
            if shiboken6.isValid(self.loading):
                self.loading.end()
