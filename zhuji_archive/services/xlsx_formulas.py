"""Formula cells without a cached result in .xlsx/.xlsm files. Files written by other programs
(openpyxl, report generators, some web exports) keep the formula but no computed value, so a reader
that takes cached values (python-calamine) sees a blank: the import must say so, not import blanks."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_ANY_FORMULA = re.compile(rb"<(?:\w+:)?f[\s/>]")
_REF = re.compile(r"([A-Z]+)(\d+)")
FORMULA_SUFFIXES = (".xlsx", ".xlsm")


def _cell_index(ref: str) -> tuple[int, int] | None:
    match = _REF.fullmatch(ref or "")
    if match is None:
        return None
    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - 64
    return int(match.group(2)) - 1, column - 1


def _sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip member holding its cells."""
    targets = {}
    for rel in ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels")).iter(_PACKAGE_REL):
        target = rel.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        targets[rel.get("Id", "")] = part
    workbook = ElementTree.fromstring(package.read("xl/workbook.xml"))
    return {
        sheet.get("name", ""): targets.get(sheet.get(_REL, ""), "")
        for sheet in workbook.iter(f"{_MAIN}sheet")
    }


def uncached_formulas(path: Path) -> dict[str, set[tuple[int, int]]]:
    """Per sheet name, the 0-based (row, column) of formula cells that hold no computed value.
    Empty for other formats (.xls and .ods store a result with every formula)."""
    if path.suffix.lower() not in FORMULA_SUFFIXES:
        return {}
    result: dict[str, set[tuple[int, int]]] = {}
    with zipfile.ZipFile(path) as package:
        for name, part in _sheet_parts(package).items():
            if not part or part not in package.namelist():
                continue
            data = package.read(part)
            if _ANY_FORMULA.search(data) is None:  # most ledgers have none: skip the slow parse
                continue
            cells = _scan(io.BytesIO(data))
            if cells:
                result[name] = cells
    return result


def _scan(stream: object) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    row, column = -1, -1
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):  # type: ignore[arg-type]
        if event == "start":
            if element.tag == f"{_MAIN}row":
                index = element.get("r")
                row, column = (int(index) - 1 if index else row + 1), -1
            continue
        if element.tag != f"{_MAIN}c":
            if element.tag == f"{_MAIN}row":
                element.clear()
            continue
        place = _cell_index(element.get("r", ""))
        row, column = place if place is not None else (row, column + 1)
        if element.find(f"{_MAIN}f") is not None:
            value = element.find(f"{_MAIN}v")
            # Excel writes an empty <v/> with t="str" for a formula whose result is the empty string.
            if value is None or (not value.text and element.get("t") != "str"):
                found.add((row, column))
    return found
