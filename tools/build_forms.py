#!/usr/bin/env python3
"""Compile ui/*.ui into zhuji_archive/gui/forms/ui_*.py with pyside6-uic, when the .ui is newer or changed.

Each generated file records the sha256 of its source, so a test can tell a stale form from a fresh one
without depending on the uic version."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UI_DIR = ROOT / "ui"
FORMS_DIR = ROOT / "zhuji_archive" / "gui" / "forms"


def source_hash(ui_file: Path) -> str:
    return hashlib.sha256(ui_file.read_bytes()).hexdigest()


def target_for(ui_file: Path) -> Path:
    return FORMS_DIR / f"ui_{ui_file.stem}.py"


def recorded_hash(target: Path) -> str | None:
    if not target.exists():
        return None
    for line in target.read_text(encoding="utf-8").splitlines()[:3]:
        if line.startswith("# source-sha256: "):
            return line.split(": ", 1)[1].strip()
    return None


def uic_command() -> list[str]:
    exe = shutil.which("pyside6-uic", path=str(Path(sys.executable).parent)) or shutil.which("pyside6-uic")
    if exe is None:
        sys.exit("找不到 pyside6-uic，请先安装 PySide6")
    return [exe]


def build(force: bool = False) -> list[Path]:
    built = []
    for ui_file in sorted(UI_DIR.glob("*.ui")):
        target = target_for(ui_file)
        digest = source_hash(ui_file)
        if not force and recorded_hash(target) == digest:
            continue
        code = subprocess.run(
            [*uic_command(), str(ui_file)], check=True, capture_output=True, text=True
        ).stdout
        header = f"# generated from ui/{ui_file.name} by tools/build_forms.py — do not edit\n# source-sha256: {digest}\n"
        target.write_text(header + code, encoding="utf-8")
        built.append(target)
    return built


if __name__ == "__main__":
    for path in build(force="--force" in sys.argv):
        print(f"已生成 {path.relative_to(ROOT)}")
