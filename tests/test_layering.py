"""The layers import one way: gui -> services -> storage, exports, views, domain; exports -> views, domain;
views -> domain; domain -> nothing; Qt only in gui.

Every .py file of the package is parsed with ``ast`` (imports inside functions count too).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import zhuji_archive

PACKAGE_DIR = Path(zhuji_archive.__file__).resolve().parent
PACKAGE = "zhuji_archive"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, is_package: bool) -> set[str]:
    """Absolute names of every module imported by ``source`` (``from a import b`` gives a and a.b)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                base_parts = package[: len(package) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return found


def package_files() -> list[Path]:
    return sorted(p for p in PACKAGE_DIR.rglob("*.py") if "__pycache__" not in p.parts)


def layer_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE_DIR)
    return relative.parts[0] if len(relative.parts) > 1 else relative.name


def imports_of(path: Path) -> set[str]:
    return imported_modules(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py")


def uses(imports: set[str], top: str) -> set[str]:
    return {name for name in imports if name == top or name.startswith(top + ".")}


FILES = package_files()


def files_in(*layers: str) -> list[Path]:
    return [p for p in FILES if layer_of(p) in layers]


def ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(PACKAGE_DIR)) for p in paths]


# ---- the checker itself ------------------------------------------------------------------------


def test_the_walk_finds_the_layers() -> None:
    for layer in ("domain", "storage", "services", "exports", "views"):
        assert len(files_in(layer)) >= 3, layer
    assert len(files_in("cli")) >= 3


def test_import_extraction() -> None:
    source = (
        "import os, PySide6.QtWidgets as W\n"
        "from sqlalchemy.orm import Session\n"
        "from . import codes\n"
        "from ..storage import models\n"
        "def later():\n"
        "    from PySide6 import QtCore\n"
    )
    found = imported_modules(source, "zhuji_archive.domain.rules", is_package=False)
    assert {"os", "PySide6.QtWidgets", "sqlalchemy.orm", "sqlalchemy.orm.Session", "zhuji_archive.domain.codes",
            "zhuji_archive.storage.models", "PySide6", "PySide6.QtCore"} <= found
    assert uses(found, "PySide6") == {"PySide6.QtWidgets", "PySide6", "PySide6.QtCore"}
    assert uses(found, "zhuji_archive.storage") == {"zhuji_archive.storage", "zhuji_archive.storage.models"}
    assert not uses({"sqlalchemyx"}, "sqlalchemy")
    init = imported_modules("from . import idcard", "zhuji_archive.domain", is_package=True)
    assert "zhuji_archive.domain.idcard" in init


# ---- the rules ---------------------------------------------------------------------------------

NON_GUI = files_in("domain", "storage", "views", "services", "exports", "cli", "paths.py", "__init__.py", "__main__.py")


@pytest.mark.parametrize("path", NON_GUI, ids=ids(NON_GUI))
def test_only_gui_imports_qt(path: Path) -> None:
    assert not uses(imports_of(path), "PySide6"), f"{path.relative_to(PACKAGE_DIR)} imports Qt"


LOWER_LAYERS = files_in("domain", "storage", "views", "services", "exports")


@pytest.mark.parametrize("path", LOWER_LAYERS, ids=ids(LOWER_LAYERS))
def test_lower_layers_do_not_import_the_gui(path: Path) -> None:
    # the CLI may start the window (it imports gui.app lazily); the layers below the GUI may not.
    assert not uses(imports_of(path), f"{PACKAGE}.gui"), f"{path.relative_to(PACKAGE_DIR)} imports the GUI"


DOMAIN = files_in("domain")


@pytest.mark.parametrize("path", DOMAIN, ids=ids(DOMAIN))
def test_domain_is_pure(path: Path) -> None:
    imports = imports_of(path)
    for forbidden in ("sqlalchemy", "alembic", f"{PACKAGE}.storage", f"{PACKAGE}.views", f"{PACKAGE}.services",
                      f"{PACKAGE}.exports", f"{PACKAGE}.gui"):
        assert not uses(imports, forbidden), f"{path.name} imports {forbidden}"


OUTSIDE_DATA_LAYERS = [p for p in FILES if layer_of(p) not in ("storage", "services")]


@pytest.mark.parametrize("path", OUTSIDE_DATA_LAYERS, ids=ids(OUTSIDE_DATA_LAYERS))
def test_sqlalchemy_only_in_storage_and_services(path: Path) -> None:
    imports = imports_of(path)
    assert not uses(imports, "sqlalchemy"), f"{path.relative_to(PACKAGE_DIR)} imports SQLAlchemy"
    assert not uses(imports, "alembic"), f"{path.relative_to(PACKAGE_DIR)} imports Alembic"


NOT_STORAGE = [p for p in FILES if layer_of(p) != "storage"]


@pytest.mark.parametrize("path", NOT_STORAGE, ids=ids(NOT_STORAGE))
def test_alembic_only_in_storage(path: Path) -> None:
    assert not uses(imports_of(path), "alembic")


@pytest.mark.parametrize("path", NOT_STORAGE, ids=ids(NOT_STORAGE))
def test_database_drivers_only_in_storage(path: Path) -> None:
    """Which database the archive is on (a laptop's SQLCipher file, a hub's PostgreSQL) is storage's
    business: nothing above it talks to a driver."""
    imports = imports_of(path)
    assert not (uses(imports, "psycopg") | uses(imports, "sqlite3") | uses(imports, "sqlcipher3"))


CLI = files_in("cli")


@pytest.mark.parametrize("path", CLI, ids=ids(CLI))
def test_cli_goes_through_the_services(path: Path) -> None:
    imports = imports_of(path)
    assert not uses(imports, "sqlalchemy")
    assert not uses(imports, f"{PACKAGE}.storage"), "the CLI goes through the services"
    assert not uses(imports, f"{PACKAGE}.exports"), "the CLI goes through the services"


# Which of the package's own layers each layer may import (besides itself and the top-level modules such as
# paths.py): the read-models sit below both services and exports, so neither needs the other to print a file.
ALLOWED_LAYERS = {
    "views": {"domain"},
    "exports": {"views", "domain"},
    "services": {"storage", "views", "exports", "domain"},
}
SUBPACKAGES = {d.name for d in PACKAGE_DIR.iterdir() if (d / "__init__.py").is_file()}
LAYERED = files_in(*ALLOWED_LAYERS)


def own_layers(imports: set[str]) -> set[str]:
    """The package's layers (``views``, ``services`` …) named by imports; top-level modules (paths.py) are none."""
    parts = (name.split(".") for name in uses(imports, PACKAGE))
    return {p[1] for p in parts if len(p) > 1 and p[1] in SUBPACKAGES}


@pytest.mark.parametrize("path", LAYERED, ids=ids(LAYERED))
def test_imports_run_downwards(path: Path) -> None:
    layer = layer_of(path)
    upward = own_layers(imports_of(path)) - ALLOWED_LAYERS[layer] - {layer}
    assert not upward, f"{path.relative_to(PACKAGE_DIR)} imports {sorted(upward)}"


def test_the_layer_rule_sees_an_upward_import() -> None:
    exports_importing_services = imported_modules(
        "from zhuji_archive.services.records import HouseholdFile\nfrom zhuji_archive import paths\n",
        "zhuji_archive.exports.pdf_household", is_package=False)
    assert own_layers(exports_importing_services) == {"services"}
    views_importing_domain = imported_modules("from ..domain.idcard import parse\n", "zhuji_archive.views.x", False)
    assert own_layers(views_importing_domain) == {"domain"}


VIEWS = files_in("views")


@pytest.mark.parametrize("path", VIEWS, ids=ids(VIEWS))
def test_views_are_plain(path: Path) -> None:
    # read-models are plain dataclasses: no database, no rendering libraries
    imports = imports_of(path)
    for forbidden in ("sqlalchemy", "reportlab", "openpyxl", "PySide6"):
        assert not uses(imports, forbidden), f"{path.name} imports {forbidden}"
