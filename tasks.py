#!/usr/bin/env python3
"""Bootstrap and everyday commands (each creates .venv and installs on first use):

  python3 tasks.py demo    run the application on a demo database (demo.sqlite3)
  python3 tasks.py demo-sync [FOLDER]
                           a township hub and two enrolled village laptops from the demo town, and one
                           sync round between them (in demo-sync/ unless FOLDER is given; see README)
  python3 tasks.py test    lint and run the whole test suite
  python3 tasks.py bench   the scale benchmarks: archive, import, exports
  python3 tasks.py forms   recompile ui/*.ui into zhuji_archive/gui/forms/
  python3 tasks.py package build this machine's distribution: the PyInstaller bundle in dist/, and
                           the .deb (Debian-like Linux) or the setup .exe (Windows, needs NSIS)
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed"
# What runs a second time on PostgreSQL: the services, the storage layer, the permission matrix, the audit
# chain, and the walks through the window and the command line on a hub.
HUB_SUITES = (
    "tests/test_services_*.py",
    "tests/test_storage_*.py",
    "tests/test_permission_matrix.py",
    "tests/test_audit_chain.py",
    "tests/test_audit_events.py",
    "tests/test_masking.py",
    "tests/test_hub_*.py",
)


def _run(*args: str | Path, **kwargs) -> int:
    return subprocess.call([str(a) for a in args], cwd=ROOT, **kwargs)


def bootstrap() -> None:
    """Create the virtual environment and install the project, once per pyproject change."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and PY.exists():
        return
    if not PY.exists():
        print("正在创建虚拟环境 .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    print("正在安装依赖 …", flush=True)
    if _run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip") != 0:
        sys.exit("pip 升级失败")
    if _run(PY, "-m", "pip", "install", "--quiet", "-e", ".[test]") != 0:
        sys.exit("依赖安装失败")
    STAMP.write_text(wanted)


def _test_both(env: dict[str, str]) -> int:
    """The whole suite on SQLite and, at the same time on the other core, the service and storage suites
    on a hub (a throwaway PostgreSQL server, tests/pg_cluster.py). The hub run's report follows."""
    work = Path(tempfile.mkdtemp(prefix="zhuji-tests-"))
    hub_env = dict(env, ZHUJI_TEST_DATABASE="postgresql")
    suites = sorted({str(p.relative_to(ROOT)) for pattern in HUB_SUITES for p in ROOT.glob(pattern)})
    hub_log = work / "hub.log"
    with open(hub_log, "w", encoding="utf-8") as log:
        hub_run = subprocess.Popen(
            [str(PY), "-m", "pytest", "-m", "not file_archive", "--durations=10", "--basetemp", str(work / "hub"), *suites],
            cwd=ROOT, env=hub_env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            # The slowest tests are named at the end: the suite must stay well under CI's 15 minutes.
            code = _run(PY, "-m", "pytest", "--durations=15", "--basetemp", str(work / "file"), env=env)
        finally:
            hub_code = hub_run.wait()
    print("\n在 PostgreSQL（镇级数据库）上运行的服务层与存储层测试：", flush=True)
    print(hub_log.read_text(encoding="utf-8"), end="", flush=True)
    shutil.rmtree(work, ignore_errors=True)
    return code or hub_code


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else "help"
    rest = sys.argv[2:]
    if command == "demo":
        bootstrap()
        db = ROOT / "demo.sqlite3"
        marker = ROOT / "demo.sqlite3.demo.json"
        if not db.exists() or not marker.exists():
            # A demo.sqlite3 from before accounts (plain, no demo accounts) is made again.
            code = _run(PY, "-m", "zhuji_archive", "demo", "--db", db, *(["--force"] if db.exists() else []))
            if code:
                return code
        print("演示档案：在登录窗口选择一个演示账号登录，密码都是 Demo-2026（见 README.md）。", flush=True)
        return _run(PY, "-m", "zhuji_archive", "--db", db, *rest)
    if command == "demo-sync":
        bootstrap()
        folder = Path(rest[0]) if rest else ROOT / "demo-sync"
        return _run(PY, "-m", "zhuji_archive", "demo", "--sync", folder, *rest[1:])
    if command == "test":
        bootstrap()
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        code = _run(PY, "-m", "ruff", "check", "zhuji_archive", "tests", "bench", "tools", "installer", "tasks.py")
        if code:
            return code
        if rest:
            return _run(PY, "-m", "pytest", *rest, env=env)
        return _test_both(env)
    if command == "bench":
        bootstrap()
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        for script, args in (("bench_archive.py", rest), ("bench_import.py", []), ("bench_exports.py", [])):
            code = _run(PY, f"bench/{script}", *args, env=env)
            if code:
                return code
        return 0
    if command == "package":
        bootstrap()
        if _run(PY, "-c", "import PyInstaller") != 0:
            print("正在安装打包工具 …", flush=True)
            if _run(PY, "-m", "pip", "install", "--quiet", "-e", ".[test,package]") != 0:
                sys.exit("打包工具安装失败")
        return _run(PY, "installer/build.py", *rest)
    if command == "forms":
        bootstrap()
        return _run(PY, "tools/build_forms.py")
    print(__doc__)
    return 0 if command == "help" else 2


if __name__ == "__main__":
    sys.exit(main())
