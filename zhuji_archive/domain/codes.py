"""Code lists: the editable pick-lists of the archive, their Chinese titles and seed values."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CodeKind:
    """One editable list: its key, Chinese title, whether a household may hold several values."""

    key: str
    title: str
    defaults: tuple[str, ...]
    multiple: bool = False


ECONOMIC_TYPE = CodeKind(
    "economic_type", "经济类型", ("加工户", "种植户", "养殖户", "打工户", "经商户", "低保户"), True
)
FOCUS_TAG = CodeKind(
    "focus_tag",
    "重点关注",
    ("问题户", "五保户", "特困户", "低保户", "残疾人户", "空巢老人户", "留守户"),
    True,
)
RELATION = CodeKind(
    "relation",
    "与户主关系",
    ("户主", "配偶", "子", "女", "儿媳", "女婿", "孙子", "孙女", "父亲", "母亲", "兄弟姐妹", "其他"),
)
EDUCATION = CodeKind(
    "education",
    "文化程度",
    ("文盲或半文盲", "小学", "初中", "高中", "中专", "大专", "本科", "研究生", "学龄前"),
)
POLITICAL_STATUS = CodeKind(
    "political_status", "政治面貌", ("群众", "中共党员", "中共预备党员", "共青团员", "民主党派")
)
HEALTH = CodeKind("health", "健康状况", ("健康", "慢性病", "大病", "残疾"))
REQUEST_CATEGORY = CodeKind(
    "request_category",
    "诉求类别",
    ("生产困难", "生活困难", "信访", "矛盾纠纷", "基础设施", "政策咨询", "其他"),
)
ASSISTANCE_KIND = CodeKind(
    "assistance_kind",
    "帮扶类别",
    ("低保金", "五保供养", "临时救助", "医疗救助", "教育资助", "慰问", "产业帮扶", "其他"),
)
INCOME_KIND = CodeKind(
    "income_kind", "收入来源", ("承包土地", "种植养殖", "经商办企业", "外出务工", "其他收入")
)

REQUEST_SCOPE = CodeKind("request_scope", "问题性质", ("共性", "个性"))
SOLVABILITY = CodeKind("solvability", "解决难易", ("立即可以解决", "近期一时难以解决"))
SATISFACTION = CodeKind("satisfaction", "满意程度", ("满意", "基本满意", "不满意"))

EVENT_KIND = CodeKind(
    "event_kind",
    "必访事件",
    ("住院", "生活困难", "意外事故", "家庭矛盾", "邻里纠纷", "乔迁", "思想顾虑", "应得未得"),
)

ALL_KINDS: tuple[CodeKind, ...] = (
    ECONOMIC_TYPE,
    FOCUS_TAG,
    RELATION,
    EDUCATION,
    POLITICAL_STATUS,
    HEALTH,
    REQUEST_CATEGORY,
    REQUEST_SCOPE,
    SOLVABILITY,
    SATISFACTION,
    ASSISTANCE_KIND,
    EVENT_KIND,
)
KINDS_BY_KEY = {kind.key: kind for kind in ALL_KINDS}

# Fixed vocabularies: these carry rules, so they are not user-editable.
HEAD_RELATION = "户主"
SEXES = ("男", "女")
HOUSEHOLD_STATUSES = ("在册", "迁出", "合户", "注销")
ACTIVE_HOUSEHOLD_STATUS = "在册"
VISIT_KINDS = ("建档走访", "半年大走访", "回访", "事件必访")
DISABILITY_GRADES = ("一级", "二级", "三级", "四级")
VILLAGE_EVENT_CATEGORIES = ("重大事项", "组织建设", "村级建设", "计划生育", "综治信访", "安全生产")
AREA_KINDS = ("驻村分中心", "网格")
CADRE_KINDS = ("镇领导", "机关干部", "驻村干部", "村干部")
INCOME_KINDS = INCOME_KIND.defaults
REQUEST_INITIAL_STATUS = "登记"


def validate_label(label: str) -> str:
    """A code label is trimmed, non-empty and short enough for a column."""
    from zhuji_archive.domain.errors import DomainError

    text = (label or "").strip()
    if not text:
        raise DomainError("名称不能为空", "label")
    if len(text) > 20:
        raise DomainError("名称不能超过20个字", "label")
    return text
