"""户表: one household's five items laid out as the official paper form, and the blank form for field use.

Five items after the practice (家庭基本情况, 家庭主要经济来源, 帮扶记录, 家庭诉求, 解决情况), then the
visits, remarks and the signature blocks of 填表人, 驻村干部 and 户主. A QR code in the heading carries
the household's id so a printed sheet leads back to its file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.flowables import PageBreakIfNotEmpty

from zhuji_archive.domain.household import age_on, per_capita_income, yuan
from zhuji_archive.exports import fonts
from zhuji_archive.exports.pdf_common import (
    CONTENT_WIDTH,
    LINE,
    Anchor,
    ArchiveDoc,
    QrCode,
    TickBoxes,
    chinese_date,
    form_table,
    grid_table,
    heading,
    iso,
    money,
    number,
)
from zhuji_archive.views.household_file import HouseholdFile, RequestData

SHEET_TITLE = "群众档案户表"
QR_SIZE = 20 * mm

MEMBER_HEADER = [
    "序号",
    "姓名",
    "与户主\n关系",
    "性别",
    "公民身份号码",
    "年龄",
    "文化程度",
    "政治面貌",
    "健康状况",
    "联系电话",
    "外出务工\n地点",
]
MEMBER_WIDTHS = [8, 15, 13, 8, 31, 8, 19, 18, 14, 21, 19]
INCOME_HEADER = ["来源", "内容（作物、行业、务工地点）", "面积(亩)", "规模", "务工月数", "年收入(元)"]
INCOME_WIDTHS = [22, 58, 17, 25, 17, 35]
AID_HEADER = ["日期", "帮扶单位", "单位性质", "帮扶类别", "帮扶内容", "金额(元)"]
AID_WIDTHS = [20, 34, 17, 20, 55, 28]
REQUEST_HEADER = [
    "登记日期",
    "类别",
    "诉求内容（生产生活困难、信访、矛盾纠纷）",
    "办理状态",
    "解决情况（时间、措施、办法、结果）",
]
REQUEST_WIDTHS = [20, 17, 55, 16, 66]
VISIT_HEADER = ["走访日期", "走访类型", "走访干部", "走访情况", "宣传政策"]
VISIT_WIDTHS = [20, 20, 24, 70, 40]


def _mm(widths: list[int]) -> list[float]:
    scale = CONTENT_WIDTH / (sum(widths) * mm)
    return [w * mm * scale for w in widths]


@dataclass(frozen=True)
class SheetInput:
    """A household file as printed, with the name of the cadre responsible for it."""

    file: HouseholdFile
    cadre_name: str = ""


def qr_payload(household_id: str) -> str:
    """What the QR code on a household sheet encodes."""
    return f"zhuji-archive/household/{household_id}"


def sheet_key(household_id: str) -> str:
    return f"hh-{household_id}"


def _title_block(s: fonts.Styles, place: str, code: Flowable | None, id_text: str) -> Table:
    """The sheet's title block; with a QR code on the right when the sheet belongs to a household."""
    centre: list[Flowable] = [
        Paragraph(SHEET_TITLE, s.title),
        Spacer(1, 1.5 * mm),
        Paragraph(fonts.markup(place), s.subtitle),
    ]
    if id_text:
        centre.append(Paragraph(fonts.markup(id_text), s.caption))
    if code is None:
        table = Table([[centre]], colWidths=[CONTENT_WIDTH])
        table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), fonts.FONT, 9)]))
        return table
    side = QR_SIZE + 6 * mm
    right = [code, Spacer(1, 0.8 * mm), Paragraph("扫码调阅档案", s.caption)]
    table = Table([["", centre, right]], colWidths=[side, CONTENT_WIDTH - 2 * side, side])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), fonts.FONT, 9),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (2, 0), (2, 0), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _place(file: HouseholdFile) -> str:
    return f"{file.town_name}　{file.village_name}　{file.group_name}　第 {file.number} 户"


def household_flowables(sheet: SheetInput, today: date, outline_level: int = 0) -> list[Flowable]:
    """The flowables of one filled-in household sheet (``outline_level``: its bookmark's depth)."""
    s = fonts.styles()
    f = sheet.file
    members = f.active(f.members)
    incomes = f.active(f.incomes)
    aid = f.active(f.assistance)
    requests = f.active(f.requests)
    visits = f.active(f.visits)
    head = f.head
    head_name = head.name if head else ""
    assert f.id is not None
    out: list[Flowable] = [
        PageBreakIfNotEmpty(),
        Anchor(
            sheet_key(f.id),
            f"{f.village_name}{f.group_name} 第{f.number}户 {head_name}",
            outline=f"第{f.number}户 {head_name}",
            level=outline_level,
        ),
        _title_block(s, _place(f), QrCode(qr_payload(f.id), QR_SIZE), f"档案识别码：{f.id}"),
        Spacer(1, 3 * mm),
    ]
    status = f.status + (f"（{f.status_note}）" if f.status_note else "")
    w = CONTENT_WIDTH
    out.append(
        form_table(
            [
                ["户主姓名", head_name, "家庭人口", f"{len(members)} 人", "联系电话", f.phone],
                ["家庭住址", f.address, "", "", "户状态", status],
                ["经济类型", fonts.join(f.economic_types), "", "", "责任干部", sheet.cadre_name],
                [
                    "重点关注",
                    fonts.join(f.focus_tags) or "无",
                    "",
                    "",
                    "建档户号",
                    f"{f.village_name}{f.group_name}-{f.number:03d}",
                ],
            ],
            [w * 0.12, w * 0.22, w * 0.12, w * 0.14, w * 0.12, w * 0.28],
            label_columns=(0, 2, 4),
            spans=[((1, 1), (3, 1)), ((1, 2), (3, 2)), ((1, 3), (3, 3))],
        )
    )

    out += heading("一、家庭基本情况")
    rows = []
    for index, m in enumerate(members, 1):
        age = age_on(m.birth_date, today)
        health = m.health + (m.disability_grade if m.health == "残疾" and m.disability_grade else "")
        rows.append(
            [
                str(index),
                m.name,
                m.relation,
                m.sex,
                m.id_number,
                "" if age is None else str(age),
                m.education,
                m.political_status,
                health,
                m.phone,
                m.migrant_place or ("是" if m.migrant_worker else ""),
            ]
        )
    out.append(
        grid_table(
            MEMBER_HEADER,
            rows,
            _mm(MEMBER_WIDTHS),
            align={0: "CENTER", 2: "CENTER", 3: "CENTER", 4: "CENTER", 5: "CENTER"},
        )
    )

    out += heading("二、家庭主要经济来源")
    total = sum(i.annual_income or 0 for i in incomes)
    rows = [
        [i.kind, i.description, number(i.land_mu), i.scale, number(i.months), money(i.annual_income)]
        for i in incomes
    ]
    per_head = per_capita_income([i.annual_income for i in incomes], len(members))
    if incomes:
        rows.append(
            [
                "合计",
                f"家庭人口 {len(members)} 人，人均年收入 {yuan(per_head) or '—'} 元",
                "",
                "",
                "",
                money(total),
            ]
        )
    out.append(
        grid_table(
            INCOME_HEADER,
            rows,
            _mm(INCOME_WIDTHS),
            align={2: "RIGHT", 4: "CENTER", 5: "RIGHT"},
            total_row=bool(incomes),
            total_span=(1, 4),
        )
    )

    out += heading("三、帮扶记录")
    rows = [[iso(a.date), a.provider, a.provider_type, a.kind, a.content, money(a.amount)] for a in aid]
    if aid:
        rows.append(["合计", f"{len(aid)} 次", "", "", "", money(sum(a.amount or 0 for a in aid))])
    out.append(
        grid_table(
            AID_HEADER,
            rows,
            _mm(AID_WIDTHS),
            align={0: "CENTER", 2: "CENTER", 5: "RIGHT"},
            total_row=bool(aid),
            total_span=(1, 4),
        )
    )

    out += heading("四、家庭诉求　五、解决情况")
    rows = [[iso(r.recorded_on), r.category, numbered(r), r.status, r.resolution] for r in requests]
    out.append(
        grid_table(REQUEST_HEADER, rows, _mm(REQUEST_WIDTHS), align={0: "CENTER", 1: "CENTER", 3: "CENTER"})
    )

    out += heading("走访记录")
    rows = [[iso(v.date), v.kind, v.cadres, v.notes, v.policies] for v in visits]
    out.append(grid_table(VISIT_HEADER, rows, _mm(VISIT_WIDTHS), align={0: "CENTER", 1: "CENTER"}))

    if f.notes:
        out += heading("备注")
        out.append(form_table([[f.notes]], [CONTENT_WIDTH], label_columns=()))
    out.append(Spacer(1, 5 * mm))
    out.append(signature_block(today=None))
    return out


def signature_block(today: date | None) -> Flowable:
    """填表人 / 驻村干部 / 户主 signatures, each with a date line, kept on one page."""
    s = fonts.styles()
    date_line = "________年_____月_____日" if today is None else chinese_date(today)
    cells = []
    for who in ("填表人（签字）：", "驻村干部（签字）：", "户主（签字或按手印）："):
        cells.append([Paragraph(who, s.body), Spacer(1, 10 * mm), Paragraph(f"日期：{date_line}", s.body)])
    table = Table([cells], colWidths=[CONTENT_WIDTH / 3] * 3)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), fonts.FONT, 9),
                ("BOX", (0, 0), (-1, -1), 0.9, LINE),
                ("LINEBEFORE", (1, 0), (-1, -1), 0.5, LINE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    note = Paragraph("以上情况经本户确认属实。本表一式一份，存入本村民小组《群众档案》册。", s.note)
    return KeepTogether([table, Spacer(1, 1.5 * mm), note])


def blank_flowables() -> list[Flowable]:
    """An empty 户表 with room to write by hand (two A4 pages)."""
    s = fonts.styles()
    w = CONTENT_WIDTH
    place = "________镇（乡）________村________村民小组　第______户"
    out: list[Flowable] = [
        Anchor("blank", "空白户表（入户采集用）"),
        _title_block(s, place, None, ""),
        Spacer(1, 3 * mm),
    ]
    out.append(
        form_table(
            [
                ["户主姓名", "", "家庭人口", "", "联系电话", ""],
                ["家庭住址", "", "", "", "户状态", _choices("在册", "迁出", "合户")],
                [
                    "经济类型",
                    _choices("加工户", "种植户", "养殖户", "打工户", "经商户", "低保户", "其他______"),
                    "",
                    "",
                    "",
                    "",
                ],
                [
                    "重点关注",
                    _choices("问题户", "五保户", "特困户", "低保户", "残疾人户", "空巢老人户", "留守户"),
                    "",
                    "",
                    "",
                    "",
                ],
            ],
            [w * 0.12, w * 0.22, w * 0.12, w * 0.14, w * 0.12, w * 0.28],
            label_columns=(0, 2, 4),
            spans=[((1, 1), (3, 1)), ((1, 2), (5, 2)), ((1, 3), (5, 3))],
            row_height=9 * mm,
        )
    )
    tall = 8.5 * mm
    out += heading("一、家庭基本情况")
    out.append(
        grid_table(
            MEMBER_HEADER,
            [[str(i)] + [""] * 10 for i in range(1, 8)],
            _mm(MEMBER_WIDTHS),
            align={0: "CENTER"},
            min_height=tall,
        )
    )
    out += heading("二、家庭主要经济来源")
    kinds = ["承包土地", "种植养殖", "经商办企业", "外出务工", "其他收入"]
    rows = [[k, "", "", "", "", ""] for k in kinds] + [
        ["合计", "家庭人口______人，人均年收入__________元", "", "", "", ""]
    ]
    out.append(
        grid_table(
            INCOME_HEADER,
            rows,
            _mm(INCOME_WIDTHS),
            align={0: "CENTER"},
            min_height=tall,
            total_row=True,
            total_span=(1, 4),
        )
    )
    out += heading("三、帮扶记录")
    out.append(grid_table(AID_HEADER, [[""] * 6 for _ in range(4)], _mm(AID_WIDTHS), min_height=tall))
    out += heading("四、家庭诉求　五、解决情况")
    out.append(
        grid_table(REQUEST_HEADER, [[""] * 5 for _ in range(5)], _mm(REQUEST_WIDTHS), min_height=17 * mm)
    )
    out += heading("走访记录")
    out.append(grid_table(VISIT_HEADER, [[""] * 5 for _ in range(5)], _mm(VISIT_WIDTHS), min_height=12 * mm))
    out += heading("备注")
    out.append(form_table([[""]], [CONTENT_WIDTH], label_columns=(), row_height=18 * mm))
    out.append(Spacer(1, 5 * mm))
    out.append(signature_block(today=None))
    return out


def numbered(r: RequestData) -> str:
    """诉求内容 headed by its 诉求编号, so the paper file and the window name a request alike."""
    return f"{r.number}\n{r.description}" if r.number else r.description


def _choices(*options: str) -> Flowable:
    """Tick boxes on the paper form, smaller than the feedback form's."""
    return TickBoxes(options, size=9.0, box=3.0 * mm, gap=3.5 * mm, leading=1.5)


# Printed text fields and what the form calls them, for telling the user where a character is.
_MEMBER_TEXTS = (
    ("relation", "与户主关系"),
    ("education", "文化程度"),
    ("political_status", "政治面貌"),
    ("health", "健康状况"),
    ("disability_grade", "残疾等级"),
    ("migrant_place", "外出务工地点"),
)
_SECTION_TEXTS = (
    ("incomes", "经济来源", (("kind", "来源"), ("description", "内容"), ("scale", "规模"))),
    (
        "assistance",
        "帮扶记录",
        (("provider", "帮扶单位"), ("provider_type", "单位性质"), ("kind", "帮扶类别"), ("content", "帮扶内容")),
    ),
    (
        "requests",
        "家庭诉求",
        (("category", "类别"), ("description", "诉求内容"), ("status", "办理状态"), ("resolution", "解决情况")),
    ),
    ("visits", "走访记录", (("kind", "走访类型"), ("cadres", "走访干部"), ("notes", "走访情况"), ("policies", "宣传政策"))),
)


def sheet_texts(sheet: SheetInput) -> list[tuple[str, str]]:
    """Every user-entered text the sheet prints, as (where, text): names first, each field once."""
    f = sheet.file
    p = f"第{f.number}户"
    head = f.head
    out: list[tuple[str, str]] = []
    members = f.active(f.members)
    for index, m in enumerate(members, 1):
        out.append((f"{p} 户主姓名" if m is head else f"{p} 成员{index}姓名", m.name))
    out += [
        (f"{p} 所在镇村组", f"{f.town_name}{f.village_name}{f.group_name}"),
        (f"{p} 家庭住址", f.address),
        (f"{p} 户状态说明", f.status_note),
        (f"{p} 经济类型", fonts.join(f.economic_types)),
        (f"{p} 重点关注", fonts.join(f.focus_tags)),
        (f"{p} 责任干部", sheet.cadre_name),
        (f"{p} 备注", f.notes),
    ]
    for index, m in enumerate(members, 1):
        out += [(f"{p} 成员{index}{label}", getattr(m, name)) for name, label in _MEMBER_TEXTS]
    for section, title, labels in _SECTION_TEXTS:
        for index, row in enumerate(f.active(getattr(f, section)), 1):
            out += [(f"{p} {title}第{index}行 {label}", getattr(row, name)) for name, label in labels]
    return [(where, text) for where, text in out if text]


def sheet_header(file: HouseholdFile) -> str:
    return f"{file.town_name}{file.village_name}{file.group_name} 群众档案"


def write_household(
    path: Path, sheet: SheetInput, *, today: date, author: str, password: str | None = None
) -> int:
    """Write one household's sheet to ``path``; return the number of pages."""
    f = sheet.file
    head = f.head.name if f.head else ""
    doc = ArchiveDoc(
        path,
        title=f"{SHEET_TITLE} {f.village_name}{f.group_name}第{f.number}户 {head}",
        header_left=sheet_header(f),
        printed_on=today,
        author=author,
        password=password,
    )
    return doc.build_stream(household_flowables(sheet, today))


def write_households(
    path: Path,
    sheets: Iterable[SheetInput],
    *,
    title: str,
    header: str,
    today: date,
    author: str,
    password: str | None = None,
) -> int:
    """Write several households' sheets to one file, each starting on a new page (``sheets`` is consumed
    lazily); return the number of pages."""
    doc = ArchiveDoc(
        path,
        title=f"{SHEET_TITLE} {title}",
        header_left=header,
        printed_on=today,
        author=author,
        password=password,
    )
    return doc.build_stream(household_flowables(sheet, today) for sheet in sheets)


def write_blank(path: Path, *, today: date, author: str, copies: int = 1) -> int:
    """Write an empty 户表 (``copies`` times, each starting on a new page); return the number of pages."""
    doc = ArchiveDoc(
        path,
        title=f"{SHEET_TITLE}（空白）",
        header_left="群众档案　空白户表",
        printed_on=today,
        author=author,
    )

    def parts() -> Iterable[list[Flowable]]:
        for copy in range(copies):
            yield ([PageBreakIfNotEmpty()] if copy else []) + blank_flowables()

    return doc.build_stream(parts())
