"""Where things live: the archive (the user's data folder, platformdirs), bundled resources, and the
system fonts that cover the rare characters the bundled font lacks."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path

APP_DIR_NAME = "zhuji-archive"


def resource_dir() -> Path:
    """Bundled resources: inside the installed package, or the top-level resources/ of a checkout."""
    from importlib import resources

    try:
        return Path(str(resources.files("zhuji_archive.resources")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "resources"


def private_folder(folder: Path) -> Path:
    """Create ``folder`` (and its parents) for the application's own files and let only the user
    open it (0700; Windows keeps the profile's own permissions). Raises OSError when it cannot."""
    import os

    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    if created or folder.name == APP_DIR_NAME or folder.parent.name == APP_DIR_NAME:
        try:
            os.chmod(folder, 0o700)
        except OSError:
            pass
    return folder


def private_file(path: Path) -> Path:
    """Make ``path`` readable and writable by the user only (0600), creating it empty if missing, so
    that whatever writes it later (Qt's settings, a log) starts from those permissions."""
    import os

    private_folder(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(descriptor)
    try:
        os.chmod(path, 0o600)
    except OSError:
        pass
    return path


def default_database() -> Path:
    return user_data_path(APP_DIR_NAME, appauthor=False) / "archive.sqlite3"


def settings_file() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_DIR_NAME, appauthor=False) / "settings.ini"


# ---- fonts for characters the bundled font lacks ---------------------------------------------------
# The bundled WenQuanYi Micro Hei covers the common set (CJK Unified Ideographs) but not the extensions,
# and names on household registers use characters from Extension A, B and beyond. These system fonts
# cover them, are TrueType outlines (reportlab can embed them; CFF fonts such as Noto CJK it cannot),
# and are tried in this order after the bundled font, character by character.
# Debian / UOS / Kylin packages that install the Linux ones; the .deb depends on them and CI installs them:
#   fonts-hanazono: HanaMinA (BMP + Extension A complete), HanaMinB (Extensions B–F nearly complete);
#   fonts-babelstone-han: BabelStone Han (part of Extensions B–H, used after HanaMin).
FALLBACK_FONT_PACKAGES = ("fonts-hanazono", "fonts-babelstone-han")
FALLBACK_FONTS_ENV = "ZHUJI_ARCHIVE_FALLBACK_FONTS"  # os.pathsep-separated files instead of the list below


def _windows_fonts() -> Path:
    import os

    return Path(os.environ.get("WINDIR", "C:/Windows")) / "Fonts"


def fallback_font_candidates() -> list[Path]:
    """Where fonts with the CJK extensions are looked for, in the order they are used."""
    import os

    override = os.environ.get(FALLBACK_FONTS_ENV)
    if override is not None:
        return [Path(p) for p in override.split(os.pathsep) if p.strip()]
    windows = _windows_fonts()
    linux = Path("/usr/share/fonts/truetype")
    return [
        linux / "hanazono" / "HanaMinA.ttf",
        linux / "hanazono" / "HanaMinB.ttf",
        linux / "babelstone" / "BabelStoneHan.ttf",
        windows / "simsun.ttc",  # SimSun: Extension A
        windows / "simsunb.ttf",  # SimSun-ExtB: Extension B
        windows / "SimsunExtG.ttf",  # SimSun-ExtG (Windows 11): Extensions C–G
        linux / "arphic" / "uming.ttc",
        Path("/System/Library/Fonts/Supplemental/Songti.ttc"),
    ]


def fallback_font_files() -> list[Path]:
    """The candidates that exist on this machine."""
    return [path for path in fallback_font_candidates() if path.is_file()]
