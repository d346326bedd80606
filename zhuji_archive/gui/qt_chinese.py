"""Qt's own texts in Chinese: the standard buttons, file and print dialogs, text-field menus.

Qt ships its translation (``qtbase_zh_CN.qm``) with PySide6; it lacks a few strings that Qt's
widgets still show (the file dialog's "Look in:" and "Files of type:", the "Folder" type in its
list, some print-dialog labels), so a small supplement answers those."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

CHINESE = QLocale(QLocale.Language.Chinese, QLocale.Script.SimplifiedChineseScript, QLocale.Country.China)

# (context, source text) -> text, for strings that qtbase_zh_CN.qm does not translate
SUPPLEMENT: dict[tuple[str, str], str] = {
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    ("QAbstractFileIconProvider", "Folder"): "文件夹",
    ("QAbstractFileIconProvider", "Drive"): "驱动器",
    ("QAbstractFileIconProvider", "File"): "文件",
    ("QAbstractFileIconProvider", "%1 File"): "%1 文件",
    ("QAbstractFileIconProvider", "Unknown"): "未知",
    ("QFileSystemModel", "%1 bytes"): "%1 字节",
    ("QPrintSettingsOutput", "Page &Set:"): "打印页面(&S)：",
    ("QPageSetupWidget", "Page &order:"): "页面顺序(&O)：",
    ("QPageSetupWidget", "Pages &per sheet:"): "每张纸页数(&P)：",
}


class _Supplement(QTranslator):
    """Answers the strings of ``SUPPLEMENT``; None (a null string) lets Qt ask the next translator."""

    def translate(self, context, source, disambiguation=None, n=-1):  # type: ignore[no-untyped-def]
        return SUPPLEMENT.get((context, source))

    def isEmpty(self) -> bool:
        return False


def translation_folders() -> list[str]:
    """Where qtbase_zh_CN.qm may be: Qt's own answer first, then the PySide6 package's folders
    (a bundle without qt.conf may report a folder that does not exist)."""
    import PySide6

    package = Path(PySide6.__file__).parent
    return [
        QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
        str(package / "Qt" / "translations"),
        str(package / "translations"),
    ]


def install_chinese(app: QCoreApplication) -> bool:
    """Make Qt's texts Chinese whatever language the computer uses; dates in calendar pop-ups follow
    the default locale. Safe to call twice. Returns whether Qt's translation was found."""
    QLocale.setDefault(CHINESE)
    if app.property("zhuji_qt_translation") is not None:
        return bool(app.property("zhuji_qt_translation"))
    qtbase = QTranslator(app)  # parented: lives as long as the application
    loaded = ""
    for folder in translation_folders():
        if qtbase.load(CHINESE, "qtbase", "_", folder):
            app.installTranslator(qtbase)
            loaded = qtbase.filePath()
            break
    # Installed last, so asked first; it answers only its own few strings.
    app.installTranslator(_Supplement(app))
    app.setProperty("zhuji_qt_translation", loaded)
    return bool(loaded)
