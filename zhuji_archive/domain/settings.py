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
    SettingSpec("revisit.months", "大走访间隔（月，至少每半年一次）", 6, 1, 12, "动态维护"),
    SettingSpec("revisit.short_months", "重点户大走访间隔（月）", 3, 1, 12, "动态维护"),
    SettingSpec("revisit.warn_days", "走访到期提前提醒（天）", 14, 0, 90, "动态维护"),
    SettingSpec("event.due_days", "事件必访期限（天）", 3, 1, 30, "动态维护"),
    SettingSpec("quota.驻点式.村", "驻点式：联系村数", 1, 0, 10, "三式服务定额"),
    SettingSpec("quota.驻点式.企业", "驻点式：联系企业数", 1, 0, 10, "三式服务定额"),
    SettingSpec("quota.驻点式.困难户", "驻点式：联系困难户数", 1, 0, 10, "三式服务定额"),
    SettingSpec("quota.驻点式.每月蹲点天数", "驻点式：每月蹲点工作日", 1, 0, 22, "三式服务定额"),
    SettingSpec("quota.驻点式.每年实事", "驻点式：每年为联系村、企业办实事（件）", 2, 0, 20, "三式服务定额"),
    SettingSpec(
        "quota.驻点式.每年解决困难", "驻点式：每年帮困难户解决实际困难（件）", 1, 0, 20, "三式服务定额"
    ),
    SettingSpec("quota.结对式.村", "结对式：联系村数", 1, 0, 10, "三式服务定额"),
    SettingSpec("quota.结对式.企业", "结对式：联系企业数", 1, 0, 10, "三式服务定额"),
    SettingSpec("quota.结对式.低收入户", "结对式：联系低收入户数", 1, 0, 10, "三式服务定额"),
    SettingSpec("quota.结对式.每月走访", "结对式：每月走访联系对象（次）", 1, 0, 30, "三式服务定额"),
    SettingSpec("weight.visit_coverage", "考核权重：走访覆盖率", 30, 0, 100, "考核权重"),
    SettingSpec("weight.reports_on_time", "考核权重：报表按时上报率", 15, 0, 100, "考核权重"),
    SettingSpec("weight.closed_on_time", "考核权重：诉求按期办结率", 25, 0, 100, "考核权重"),
    SettingSpec("weight.satisfaction", "考核权重：反馈满意率", 20, 0, 100, "考核权重"),
    SettingSpec("weight.quota", "考核权重：定额完成率", 10, 0, 100, "考核权重"),
    SettingSpec("lock.idle_minutes", "无操作多少分钟后锁定窗口（0 为不自动锁定）", 10, 0, 240, "安全"),
)
# Focus tags whose households are revisited at the shorter interval (a list, kept as text).
SHORT_REVISIT_TAGS_KEY = "revisit.short_tags"
SHORT_REVISIT_TAGS_DEFAULT = ("特困户", "问题户")
# Backup rotation (domain/backup_rotation.py). Kept apart from SETTINGS: they are changed in the
# 备份与恢复 dialog by a 系统管理员, not on the settings page.
BACKUP_SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("backup.keep_daily", "保留最近几天的每日备份", 7, 1, 60, "备份"),
    SettingSpec("backup.keep_weekly", "保留最近几周的每周备份", 4, 0, 52, "备份"),
    SettingSpec("backup.keep_monthly", "保留最近几个月的每月备份", 12, 0, 120, "备份"),
    SettingSpec("backup.keep_events", "升级前、导入前、手动、恢复前备份各保留几份", 10, 1, 100, "备份"),
)
# Where backups go (a folder path, kept as text); empty: the ``backups`` folder beside the archive.
BACKUP_FOLDER_KEY = "backup.folder"
SETTINGS_BY_KEY = {spec.key: spec for spec in (*SETTINGS, *BACKUP_SETTINGS)}
