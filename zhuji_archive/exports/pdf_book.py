"""群众档案册: the book of one 村民小组 (or one volume of it) as filed in the archive box.

Cover, table of contents with page numbers, the village information table with its event log, one
户表 per household, and the register of requests and how they were resolved — numbered continuously.
Households are read lazily, so a volume of any size is laid out without holding it all in memory."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer, Table, TableStyle

from zhuji_archive.domain.codes import VILLAGE_EVENT_CATEGORIES
from zhuji_archive.exports import fonts
from zhuji_archive.exports.pdf_common import (
    CONTENT_WIDTH,
    LINE,
    Anchor,
    ArchiveDoc,
    PageRef,
    chinese_date,
    form_table,
    grid_table,
    heading,
    iso,
    money,
    number,
)
from zhuji_archive.exports.pdf_household import SheetInput, household_flowables, numbered, sheet_key
from zhuji_archive.views.household_file import RequestData
from zhuji_archive.views.villages import EventData, VillageInfo

BOOK_TITLE = "群众档案"


@dataclass(frozen=True)
class BookCover:
    """What the cover of one volume says."""

    town: str
    village: str
    group: str  # "" for a book of the whole village
    cadres: str
    first_visit: date | None
    last_visit: date | None
    households: int  # in this volume
    first_number: int
    last_number: int
    volume: int = 1
    volumes: int = 1

    @property
    def unit(self) -> str:
        return f"{self.town}人民政府"

    @property
    def scope(self) -> str:
        return f"{self.village}{self.group or '（全村）'}"


@dataclass(frozen=True)
class TocEntry:
    """One household line of the table of contents."""

    household_id: str
    number: int
    head_name: str
    members: int
    economic_types: str
    focus_tags: str
    group: str = ""


def _month(day: date | None) -> str:
    return f"{day.year}年{day.month}月" if day else "—"


def cover_flowables(cover: BookCover, today: date) -> list[Flowable]:
    s = fonts.styles()
    archive_no = form_table(
        [["全宗号", "", "目录号", "", "案卷号", ""]],
        [14 * mm, 16 * mm, 14 * mm, 16 * mm, 14 * mm, 16 * mm],
        label_columns=(0, 2, 4),
        size=8,
    )
    archive_no.hAlign = "RIGHT"
    volume = f"第 {cover.volume} 册　共 {cover.volumes} 册"
    rows = [
        ["镇（乡）", cover.town],
        ["行 政 村", cover.village],
        ["村民小组", cover.group or "全村各村民小组"],
        ["驻村干部", cover.cadres or "—"],
        ["在册户数", f"本册 {cover.households} 户（第 {cover.first_number} 户至第 {cover.last_number} 户）"],
        ["走访建档", f"{_month(cover.first_visit)} 至 {_month(cover.last_visit)}"],
        ["册　　次", volume],
        ["保管期限", ""],
    ]
    fields = form_table(rows, [34 * mm, 96 * mm], label_columns=(0,), row_height=11 * mm, size=13)
    fields.hAlign = "CENTER"
    return [
        Anchor("cover", "", outline="封面"),
        archive_no,
        Spacer(1, 30 * mm),
        Paragraph("群　众　档　案", s.cover_title),
        Spacer(1, 4 * mm),
        Paragraph("（服务群众档案）", s.cover_line),
        Spacer(1, 10 * mm),
        Paragraph(fonts.markup(f"{cover.town}　{cover.village}　{cover.group or '全村'}"), s.cover_line),
        Spacer(1, 16 * mm),
        fields,
        Spacer(1, 28 * mm),
        Paragraph(fonts.markup(f"{cover.unit}　编印"), s.cover_line),
        Paragraph(chinese_date(today), s.cover_line),
        PageBreak(),
    ]


TOC_HEADER = ["序号", "村民小组", "户号", "户主姓名", "家庭人口", "经济类型", "重点关注", "页码"]
TOC_WIDTHS = [12, 20, 12, 22, 15, 38, 32, 17]


def toc_flowables(entries: list[TocEntry]) -> list[Flowable]:
    s = fonts.styles()
    scale = CONTENT_WIDTH / (sum(TOC_WIDTHS) * mm)
    widths = [w * mm * scale for w in TOC_WIDTHS]
    page_width = widths[-1] - 5
    rows: list[list[object]] = [["", "村级信息表", "", "", "", "", "", PageRef("village", page_width)]]
    for index, entry in enumerate(entries, 1):
        rows.append(
            [
                str(index),
                entry.group,
                str(entry.number),
                entry.head_name,
                f"{entry.members}人",
                entry.economic_types,
                entry.focus_tags,
                PageRef(sheet_key(entry.household_id), page_width),
            ]
        )
    rows.append(["", "诉求办理情况登记表", "", "", "", "", "", PageRef("requests", page_width)])
    table = grid_table(TOC_HEADER, rows, widths, align={0: "CENTER", 2: "CENTER", 4: "CENTER", 7: "RIGHT"})
    table.setStyle(TableStyle([("SPAN", (1, 1), (6, 1)), ("SPAN", (1, len(rows)), (6, len(rows)))]))
    return [Anchor("toc", "目录", outline="目录"), Paragraph("目　　录", s.title), Spacer(1, 4 * mm), table]


def village_flowables(info: VillageInfo, town: str) -> list[Flowable]:
    s = fonts.styles()
    w = CONTENT_WIDTH
    out: list[Flowable] = [
        PageBreak(),
        Anchor("village", "村级信息表", outline="村级信息表"),
        Paragraph("村级信息表", s.title),
        Paragraph(fonts.markup(f"{town}　{info.name}"), s.subtitle),
        Spacer(1, 3 * mm),
        *heading("一、村基本情况"),
        form_table(
            [
                [
                    "村　　名",
                    info.name,
                    "人　　口",
                    f"{number(info.population)} 人" if info.population else "",
                    "户　　数",
                    f"{number(info.household_total)} 户" if info.household_total else "",
                ],
                [
                    "耕地(亩)",
                    number(info.farmland_mu),
                    "山林(亩)",
                    number(info.forest_mu),
                    "村集体收入",
                    f"{money(info.collective_income)} 万元" if info.collective_income is not None else "",
                ],
                ["主要产业", info.main_industries, "", "", "", ""],
                ["其他情况", info.notes, "", "", "", ""],
            ],
            [w * 0.13, w * 0.2, w * 0.13, w * 0.2, w * 0.14, w * 0.2],
            label_columns=(0, 2, 4),
            spans=[((1, 2), (5, 2)), ((1, 3), (5, 3))],
        ),
        *heading("二、村级班子"),
    ]
    leaders = [[str(i), r.name, r.post, r.phone] for i, r in enumerate(info.leaders, 1)]
    out.append(
        grid_table(
            ["序号", "姓名", "职务", "联系电话"],
            leaders,
            [w * 0.1, w * 0.25, w * 0.35, w * 0.3],
            align={0: "CENTER"},
        )
    )
    out += heading(f"三、党员（{len(info.party_members)} 名）")
    party = [
        [str(i), p.name, p.sex, iso(p.birth_date), iso(p.joined_on), p.party_group, p.phone, p.notes]
        for i, p in enumerate(info.party_members, 1)
    ]
    out.append(
        grid_table(
            ["序号", "姓名", "性别", "出生日期", "入党日期", "党小组", "联系电话", "备注"],
            party,
            [w * x for x in (0.07, 0.13, 0.07, 0.14, 0.14, 0.14, 0.17, 0.14)],
            align={0: "CENTER", 2: "CENTER", 3: "CENTER", 4: "CENTER"},
        )
    )
    out += heading(f"四、村民代表（{len(info.reps)} 名）")
    reps = [[str(i), r.name, r.group_name, r.phone, r.notes] for i, r in enumerate(info.reps, 1)]
    out.append(
        grid_table(
            ["序号", "姓名", "所代表村民小组", "联系电话", "备注"],
            reps,
            [w * x for x in (0.08, 0.18, 0.22, 0.22, 0.3)],
            align={0: "CENTER", 2: "CENTER"},
        )
    )
    out += heading("五、村情事项登记")
    events = _sorted_events(info)
    rows = [
        [str(i), e.category, iso(e.date), e.title, e.content, "是" if e.major else ""]
        for i, e in enumerate(events, 1)
    ]
    out.append(
        grid_table(
            ["序号", "类别", "日期", "事项", "内容", "重大事项"],
            rows,
            [w * x for x in (0.07, 0.12, 0.13, 0.24, 0.34, 0.1)],
            align={0: "CENTER", 1: "CENTER", 2: "CENTER", 5: "CENTER"},
        )
    )
    out.append(
        Paragraph("注：类别依次为重大事项、组织建设、村级建设、计划生育、综治信访、安全生产。", s.note)
    )
    return out


REQUEST_LOG_HEADER = ["序号", "户号", "户主", "登记日期", "类别", "诉求内容", "办理状态", "解决情况"]


def request_log_flowables(items: list[tuple[int, str, RequestData]]) -> list[Flowable]:
    s = fonts.styles()
    w = CONTENT_WIDTH
    rows = [
        [str(i), str(n), head, iso(r.recorded_on), r.category, numbered(r), r.status, r.resolution]
        for i, (n, head, r) in enumerate(items, 1)
    ]
    closed = sum(1 for _n, _h, r in items if r.status in ("已办结", "已反馈"))
    return [
        PageBreak(),
        Anchor("requests", "诉求办理情况登记表", outline="诉求办理情况登记表"),
        Paragraph("诉求办理情况登记表", s.title),
        Spacer(1, 3 * mm),
        grid_table(
            REQUEST_LOG_HEADER,
            rows,
            [w * x for x in (0.06, 0.06, 0.1, 0.12, 0.1, 0.26, 0.1, 0.2)],
            align={0: "CENTER", 1: "CENTER", 3: "CENTER", 4: "CENTER", 6: "CENTER"},
        ),
        Spacer(1, 2 * mm),
        Paragraph(f"本册共登记诉求 {len(items)} 件，其中已办结或已反馈 {closed} 件。", s.note),
    ]


def _sorted_events(info: VillageInfo) -> list[EventData]:
    """Village events as printed: by category in the official order, newest first within one."""
    order = {c: i for i, c in enumerate(VILLAGE_EVENT_CATEGORIES)}
    return sorted(info.events, key=lambda e: (order.get(e.category, 99), -(e.date.toordinal() if e.date else 0)))


def book_texts(cover: BookCover, village: VillageInfo) -> list[tuple[str, str]]:
    """The texts of a volume outside the household sheets, as (where, text): cover and village table."""
    out = [("封面 镇村组", f"{cover.town}{cover.village}{cover.group}"), ("封面 驻村干部", cover.cadres)]
    v = "村级信息表"
    out += [(f"{v} 村名", village.name), (f"{v} 主要产业", village.main_industries), (f"{v} 其他情况", village.notes)]
    for i, r in enumerate(village.leaders, 1):
        out += [(f"{v} 村级班子第{i}行 姓名", r.name), (f"{v} 村级班子第{i}行 职务", r.post)]
    for i, p in enumerate(village.party_members, 1):
        out += [(f"{v} 党员第{i}行 姓名", p.name), (f"{v} 党员第{i}行 党小组", p.party_group)]
        out.append((f"{v} 党员第{i}行 备注", p.notes))
    for i, rep in enumerate(village.reps, 1):
        out += [(f"{v} 村民代表第{i}行 姓名", rep.name), (f"{v} 村民代表第{i}行 备注", rep.notes)]
    for i, e in enumerate(_sorted_events(village), 1):
        out += [(f"{v} 村情事项第{i}条 事项", e.title), (f"{v} 村情事项第{i}条 内容", e.content)]
    return [(where, text) for where, text in out if text]


def _closing_line() -> Table:
    table = Table([["（本册完）"]], colWidths=[CONTENT_WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), fonts.FONT, 9),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("LINEABOVE", (0, 0), (-1, 0), 0.5, LINE),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def write_book(
    path: Path,
    cover: BookCover,
    village: VillageInfo,
    entries: list[TocEntry],
    sheets: Iterable[SheetInput],
    *,
    today: date,
    author: str,
    password: str | None = None,
) -> int:
    """Write one volume of the book to ``path``; ``sheets`` is consumed lazily. Return the page count."""
    title = f"{cover.town}{cover.scope}{BOOK_TITLE}"
    if cover.volumes > 1:
        title += f"（第{cover.volume}册）"
    doc = ArchiveDoc(path, title=title, header_left=title, printed_on=today, author=author, password=password)
    doc.plain_pages.add(1)
    requests: list[tuple[int, str, RequestData]] = []

    def parts() -> Iterator[Flowable | list[Flowable]]:
        yield cover_flowables(cover, today)
        yield toc_flowables(entries)
        yield village_flowables(village, cover.town)
        for index, sheet in enumerate(sheets):
            f = sheet.file
            head = f.head.name if f.head else ""
            requests.extend((f.number, head, r) for r in f.active(f.requests))
            flowables = household_flowables(sheet, today, outline_level=1)
            if index == 0:  # after the page break that starts the first sheet
                outline = f"户表（第{cover.first_number}—{cover.last_number}户）"
                flowables.insert(1, Anchor("sheets", "", outline=outline))
            yield flowables
        yield request_log_flowables(requests)
        yield _closing_line()

    return doc.build_stream(parts())
