"""Every application setting declared once: key, type, default and Chinese title.

The settings page is generated from these declarations; the values live in the database."""

from __future__ import annotations

from dataclasses import dataclass

from zhuji_archive.domain.errors import DomainError


@dataclass(frozen=True)
class SettingSpec:
    """One setting: integer settings have an inclusive range."""

    key: str
    title: str
    default: int
    minimum: int = 0
    maximum: int = 10_000
    group: str = "诉求办理"

    def parse(self, text: str | int) -> int:
        try:
            value = int(text)
        except (TypeError, ValueError):
            raise DomainError(f"“{self.title}”须为整数", self.key) from None
        if not self.minimum <= value <= self.maximum:
            raise DomainError(f"“{self.title}”须在{self.minimum}到{self.maximum}之间", self.key)
        return value


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("deadline.村级", "村级诉求默认办结时限（工作日）", 10, 1, 250),
    SettingSpec("deadline.驻村干部", "驻村干部协调诉求默认办结时限（工作日）", 10, 1, 250),
    SettingSpec("deadline.镇级", "镇级诉求默认办结时限（工作日）", 20, 1, 250),
    SettingSpec("deadline.市镇联动", "市镇联动诉求默认办结时限（工作日）", 60, 1, 500),
    SettingSpec("warn_days", "临期黄灯预警提前（工作日）", 3, 0, 60),
    SettingSpec("book.volume_limit", "档案册每册最多户数", 150, 10, 2000, "打印输出"),
)
SETTINGS_BY_KEY = {spec.key: spec for spec in SETTINGS}
