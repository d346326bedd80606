"""The application's log file: a rotating file in the user's data folder, with no personal data.

Only the kind of a failure is written (the machine's trouble, or a bug's exception type and the
code locations it passed through) — never an error's message, which may hold names, ID numbers or
the values of a row being written."""

from __future__ import annotations

import logging
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

from platformdirs import user_data_path

from zhuji_archive.paths import private_folder
from zhuji_archive.storage.errors import classify

LOGGER = logging.getLogger("zhuji_archive")
LOG_NAME = "zhuji-archive.log"


def log_dir() -> Path:
    from zhuji_archive.paths import APP_DIR_NAME

    return user_data_path(APP_DIR_NAME, appauthor=False) / "logs"


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A rotating log whose files (the current one and each new one after a rollover) are readable by
    the user only, in a folder only the user opens."""

    def _open(self):  # type: ignore[no-untyped-def]
        from zhuji_archive.paths import private_file

        private_file(Path(self.baseFilename))
        return super()._open()


def setup(folder: Path | None = None) -> Path | None:
    """Log to ``folder`` (default: the user's data folder); None when it cannot be written there."""
    folder = folder or log_dir()
    path = folder / LOG_NAME
    for handler in list(LOGGER.handlers):
        if isinstance(handler, RotatingFileHandler):
            LOGGER.removeHandler(handler)
            handler.close()
    try:
        private_folder(folder)
        handler = PrivateRotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        return None  # a read-only profile must not stop the application
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)
    return path


def safe_trace(error: BaseException) -> str:
    """Exception types and code locations of ``error`` and its causes, without any message text."""
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        lines.append(f"{type(current).__module__}.{type(current).__qualname__}")
        for frame in traceback.extract_tb(current.__traceback__):
            lines.append(f"  {Path(frame.filename).name}:{frame.lineno} {frame.name}")
        current = current.__cause__ or current.__context__
    return "\n".join(lines)


def log_failure(where: str, error: BaseException) -> bool:
    """Record a failure of ``where`` (an action such as "导出"); True when the machine was at fault."""
    trouble = classify(error)
    if trouble is not None:
        LOGGER.warning("%s: %s (%s)", where, trouble.value, type(error).__name__)
        return True
    LOGGER.error("%s: 程序错误\n%s", where, safe_trace(error))
    return False


def log_path() -> Path | None:
    """The file being logged to, if any."""
    for handler in LOGGER.handlers:
        if isinstance(handler, RotatingFileHandler):
            return Path(handler.baseFilename)
    return None


def failure_message(where: str, error: BaseException) -> str:
    """Log a failure and return what the user is told: the machine's trouble in plain Chinese, or, for
    a bug, an apology naming where the details were recorded. Never the error's own text."""
    from zhuji_archive.storage.errors import describe_environment_error

    log_failure(where, error)
    message = describe_environment_error(error)
    if message is not None:
        return message
    path = log_path()
    where_logged = f"详细情况已记入日志文件“{path}”，" if path else ""
    return f"{where}时发生程序错误（{type(error).__name__}），操作没有完成。{where_logged}请告知维护人员。"
