"""The first steps on an empty archive (welcome panel) and the user guide shipped with the program."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from zhuji_archive import APP_NAME
from zhuji_archive.gui.screen_fit import fit_to_screen
from zhuji_archive.paths import resource_dir

GUIDE_FILE = ("guide", "user-guide.html")  # under the resources package (zhuji_archive.resources)


def guide_path():  # type: ignore[no-untyped-def]
    return resource_dir().joinpath(*GUIDE_FILE)


class WelcomePanel(QWidget):
    """Shown instead of the pages while an archive has no town: the steps of setting one up, each a
    button that runs the same action as the menu (the window connects the signals)."""

    createRequested = Signal(str)  # "town", "area", "village" or "group"
    cadresRequested = Signal()
    importRequested = Signal()
    guideRequested = Signal()
    finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buttons: dict[str, QPushButton] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        title = QLabel(f"欢迎使用{APP_NAME}")
        title.setStyleSheet("font-size: 20pt; font-weight: bold;")
        layout.addWidget(title)
        intro = QLabel(
            "这是一个新的档案库。请按下面的顺序做好准备工作，以后随时可以在“档案”菜单中找到同样的功能，"
            "也可以在左侧组织树上点右键新建或重命名。"
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        steps = QGridLayout()
        steps.setColumnStretch(1, 1)
        steps.setVerticalSpacing(14)
        layout.addLayout(steps)
        self.progress = QLabel()
        self._step(
            steps,
            0,
            "第一步　建立组织",
            "先建镇（乡），再建行政村（需要时在镇下建驻村分中心或网格），然后在每个村建村民小组。",
            [
                ("town", "新建镇（乡）…"),
                ("area", "新建驻村分中心/网格…"),
                ("village", "新建行政村…"),
                ("group", "新建村民小组…"),
            ],
        )
        steps.addWidget(self.progress, 1, 1)
        self._step(
            steps,
            2,
            "第二步　登记干部",
            "在干部名册中登记驻村干部、镇领导、机关干部和村干部，户档案和诉求才能指定责任干部。",
            [("cadres", "干部名册…")],
        )
        self._step(
            steps,
            3,
            "第三步　建立户档案",
            "把村里现有的户成员台账（花名册）从 Excel 导入；也可以选中村民小组后逐户新建。",
            [("import", "从Excel导入台账…")],
        )
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        layout.addWidget(line)
        bottom = QGridLayout()
        guide = QPushButton("阅读使用说明")
        guide.clicked.connect(self.guideRequested)
        done = QPushButton("开始使用")
        done.setToolTip("关闭欢迎页，进入今日待办、户档案等页面")
        done.clicked.connect(self.finished)
        self.buttons.update({"guide": guide, "done": done})
        bottom.addWidget(guide, 0, 0)
        bottom.setColumnStretch(1, 1)
        bottom.addWidget(done, 0, 2)
        layout.addLayout(bottom)
        layout.addStretch(1)
        self.buttons["cadres"].clicked.connect(self.cadresRequested)
        self.buttons["import"].clicked.connect(self.importRequested)
        for key in ("town", "area", "village", "group"):
            self.buttons[key].clicked.connect(lambda _checked=False, k=key: self.createRequested.emit(k))

    def _step(
        self, grid: QGridLayout, row: int, title: str, text: str, actions: list[tuple[str, str]]
    ) -> None:
        heading = QLabel(title)
        heading.setStyleSheet("font-weight: bold;")
        heading.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        grid.addWidget(heading, row, 0)
        box = QVBoxLayout()
        label = QLabel(text)
        label.setWordWrap(True)
        box.addWidget(label)
        bar = QGridLayout()
        for column, (key, caption) in enumerate(actions):
            button = QPushButton(caption)
            self.buttons[key] = button
            bar.addWidget(button, 0, column)
        bar.setColumnStretch(len(actions), 1)
        box.addLayout(bar)
        grid.addLayout(box, row, 1)

    def update_steps(self, towns: int, villages: int, groups: int, can_add: dict[str, bool]) -> None:
        """Show what exists and enable the "new …" buttons that have a place to put their node."""
        self.progress.setText(f"已建立：{towns} 个镇（乡）、{villages} 个行政村、{groups} 个村民小组")
        for key, enabled in can_add.items():
            self.buttons[key].setEnabled(enabled)
        self.buttons["village"].setToolTip("" if can_add.get("village") else "请先新建镇（乡）")
        self.buttons["group"].setToolTip("" if can_add.get("group") else "请先新建行政村")


class GuideDialog(QDialog):
    """帮助 → 使用说明: the short user guide (resources/guide/user-guide.html)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("使用说明")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(True)
        self.browser.setOpenExternalLinks(False)
        try:
            self.browser.setHtml(guide_path().read_text(encoding="utf-8"))
        except OSError:
            self.browser.setPlainText("找不到使用说明文件，程序可能没有完整安装。请联系维护人员重新安装。")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        fit_to_screen(self, QSize(820, 720))
