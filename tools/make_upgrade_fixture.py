"""Writes tests/fixtures/archive-VERSION.db and its .json: an archive as the released VERSION wrote it.

Run once per release, with that release's code, and commit both files; never regenerate an old one. The
JSON records what the file held when it was written (rows per table and a sample of rows, field by field),
so tests/test_upgrade_fixtures.py can prove that every later version opens, backs up and upgrades the file
without losing a record. The data is the generated demo (安华镇), no real person's.

From version 0.2 an archive is encrypted: the fixture is made as the program makes an archive
(services/access.create) with the administrator ``LOGIN`` / ``PASSWORD`` below, and its keyring
``archive-VERSION.db.keys`` is written beside it (commit both); the JSON records the login and password.

    PYTHONPATH=/work/main .venv/bin/python tools/make_upgrade_fixture.py   # main's code, as released
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
SAMPLES_PER_TABLE = 4
DEMO_DAY = date(2026, 11, 2)
# The fixture's administrator: a test file of made-up people, so its password is no secret.
LOGIN, PASSWORD = "admin", "Fixture-2026"


def table_names(conn: Any) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    return [name for (name,) in rows]


def primary_key(conn: Any, table: str) -> list[str]:
    info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
    keyed = sorted((row[5], row[1]) for row in info if row[5])
    return [name for _, name in keyed] or ["rowid"]


def connect(path: Path, key: bytes | None) -> Any:
    """The program's own SQLite (SQLCipher's), keyed when the file is encrypted."""
    from zhuji_archive.storage import cipher

    return cipher.connect(path, key)


def snapshot(path: Path, key: bytes | None = None) -> dict[str, object]:
    """Rows per table and, per table, a spread of rows (first, last and between) with every field."""
    from zhuji_archive.storage import cipher

    conn = connect(path, key)
    conn.row_factory = cipher.dbapi.Row
    counts: dict[str, int] = {}
    samples: dict[str, dict[str, object]] = {}
    for table in table_names(conn):
        counts[table] = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        key = primary_key(conn, table)
        order = ", ".join(f'"{k}"' if k != "rowid" else k for k in key)
        rows = conn.execute(f'SELECT * FROM "{table}" ORDER BY {order}').fetchall()
        if not rows:
            continue
        picks = sorted(
            {round(i * (len(rows) - 1) / max(SAMPLES_PER_TABLE - 1, 1)) for i in range(SAMPLES_PER_TABLE)}
        )
        samples[table] = {"key": key, "rows": [dict(rows[i]) for i in picks]}
    conn.close()
    return {"counts": counts, "samples": samples}


def main() -> int:
    parser = argparse.ArgumentParser(description="生成升级测试用的档案库样本")
    parser.add_argument("--households", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2008)
    args = parser.parse_args()

    import zhuji_archive
    from zhuji_archive.services import access
    from zhuji_archive.services.demo import generate
    from zhuji_archive.storage import keyring
    from zhuji_archive.storage.database import head_revision

    version = zhuji_archive.__version__
    source = Path(zhuji_archive.__file__).resolve().parent.parent
    commit = subprocess.run(
        ["git", "-C", str(source), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    target = FIXTURES / f"archive-{version}.db"
    if target.exists():
        sys.exit(f"{target} 已存在：发布版本的样本不可重写")
    FIXTURES.mkdir(parents=True, exist_ok=True)
    keyring.keyring_path(target).unlink(missing_ok=True)  # a keyring left by an interrupted run
    archive = access.create(target, LOGIN, "系统管理员", PASSWORD, today=DEMO_DAY)
    key = archive.db.key
    generate(archive.db, households=args.households, seed=args.seed, today=DEMO_DAY)
    archive.close()
    # One self-contained file (no -wal beside it), compacted, as a user would copy it.
    conn = connect(target, key)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("VACUUM")
    conn.close()
    record = {
        "version": version,
        "revision": head_revision(),
        "written_by": f"zhuji-archive {version} ({commit or 'unknown commit'}), demo --households "
        f"{args.households} --seed {args.seed}, today {DEMO_DAY.isoformat()}",
        "login": LOGIN,
        "password": PASSWORD,
        **snapshot(target, key),
    }
    target.with_suffix(".json").write_text(
        json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(
        f"已写入 {target}（{target.stat().st_size // 1024} KB）、{keyring.keyring_path(target).name}"
        f" 和 {target.with_suffix('.json').name}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
