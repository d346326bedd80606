"""Generated form modules must match their Qt Designer sources."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_forms  # noqa: E402

UI_FILES = sorted((ROOT / "ui").glob("*.ui"))


def test_there_are_forms():
    assert {p.stem for p in UI_FILES} >= {"household_dialog", "member_dialog", "status_dialog"}


@pytest.mark.parametrize("ui_file", UI_FILES, ids=lambda p: p.name)
def test_generated_form_is_fresh(ui_file: Path):
    target = build_forms.target_for(ui_file)
    assert target.exists(), f"{target.name} missing: run `python3 tasks.py forms`"
    assert build_forms.recorded_hash(target) == build_forms.source_hash(ui_file), (
        f"ui/{ui_file.name} changed without recompiling: run `python3 tasks.py forms`"
    )


@pytest.mark.parametrize("ui_file", UI_FILES, ids=lambda p: p.name)
def test_generated_form_imports(ui_file: Path):
    module = importlib.import_module(f"zhuji_archive.gui.forms.ui_{ui_file.stem}")
    form_class = ElementTree.parse(ui_file).getroot().findtext("class")
    assert hasattr(module, f"Ui_{form_class}")
