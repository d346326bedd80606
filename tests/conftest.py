"""Shared fixtures: every test gets fresh SQLite files; Qt runs offscreen."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from zhuji_archive.services.archive import Archive  # noqa: E402
from zhuji_archive.services.demo import generate  # noqa: E402

DEMO_DAY = date(2026, 11, 2)


@pytest.fixture
def archive(tmp_path: Path):
    """An empty, migrated archive with one town, one village and two groups."""
    arc = Archive.open(tmp_path / "archive.sqlite3", "测试员")
    town = arc.organisation.add_town("安华镇", "诸暨市", "330681")
    village = arc.organisation.add_village(town, "杜黄村")
    arc.organisation.add_group(village, "一组")
    arc.organisation.add_group(village, "二组")
    yield arc
    arc.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database built once per session; tests copy it."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    arc = Archive.open(path, "演示数据")
    generate(arc.db, households=300, seed=7, today=DEMO_DAY)
    arc.db.engine.dispose()
    return path


@pytest.fixture
def demo_archive(demo_template: Path, tmp_path: Path):
    """A private copy of the demo database."""
    import sqlite3

    target = tmp_path / "demo.sqlite3"
    src = sqlite3.connect(demo_template)
    dst = sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()
    arc = Archive.open(target, "测试员")
    yield arc
    arc.close()
