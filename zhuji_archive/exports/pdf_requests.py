"""Printed forms of the request workflow: the 情况反馈意见单 the household signs (filled from a request,
or blank for field use), the 交办单 of a monthly meeting, and the 周报/月报 with its bar charts.

All on A4 through ArchiveDoc, so they share the embedded font, the running header and the
"第 X 页 共 Y 页" footer of the household sheets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from zhuji_archive.domain.workflow import Status
from zhuji_archive.exports import fonts
from zhuji_archive.exports.pdf_common import (
    CONTENT_WIDTH,
    LINE,
    Anchor,
    ArchiveDoc,
    TickBoxes,
    chinese_date,
    form_table,
    grid_table,
    heading,
    iso,
)
from zhuji_archive.views.meetings import DecisionRow, MeetingSummary
from zhuji_archive.views.summaries import Summary

FEEDBACK_TITLE = "群众诉求办理情况反馈意见单"
MEETING_TITLE = "诉求专题会议交办单"
BLANK_DATE = "________年______月______日"
FEEDBACK_SIGNERS = ("当事人（签字或按手印）", "责任人（签字）", "驻村干部（签字）", "村干部（签字）")


# ---- small drawn parts of a paper form ------------------------------------------------------------


class RuledLines(Flowable):
    """Ruled lines to write on by hand; the first may start after a printed lead-in."""

    def __init__(self, count: int, spacing: float = 8.5 * mm, lead: str = "", size: float = 9) -> None:
        super().__init__()
        self.count, self.spacing, self.lead, self.size = count, spacing, lead, size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        self.height = self.count * self.spacing
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        canv.setLineWidth(0.4)
        canv.setStrokeColor(colors.HexColor("#555555"))
        for n in range(self.count):
            y = self.height - (n + 1) * self.spacing + 1.2 * mm
            start = 0.0
            if n == 0 and self.lead:
                fonts.draw(canv, 0, y + 1, self.lead, self.size)
                start = fonts.width(self.lead, self.size) + 1 * mm
            canv.line(start, y, self.width, y)


def signature_row(signers: Sequence[str], *, dated: bool = True, height: float = 13 * mm) -> Table:
    """One boxed row of signature cells, each with room to sign and a date line."""
    s = fonts.styles()
    cells = []
    for who in signers:
        parts: list[Flowable] = [Paragraph(fonts.markup(f"{who}："), s.body), Spacer(1, height)]
        if dated:
            parts.append(Paragraph("____年___月___日", s.body))
        cells.append(parts)
    table = Table([cells], colWidths=[CONTENT_WIDTH / len(signers)] * len(signers))
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), fonts.FONT, 9),
                ("BOX", (0, 0), (-1, -1), 0.9, LINE),
                ("LINEBEFORE", (1, 0), (-1, -1), 0.5, LINE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return table


def _title(text: str, subtitle: str, code: str = "") -> list[Flowable]:
    s = fonts.styles()
    out: list[Flowable] = [Paragraph(fonts.markup(text), s.title), Spacer(1, 1.5 * mm)]
    if subtitle:
        out.append(Paragraph(fonts.markup(subtitle), s.subtitle))
    if code:
        out.append(Paragraph(fonts.markup(code), s.caption))
    out.append(Spacer(1, 4 * mm))
    return out


# ---- 情况反馈意见单 ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackForm:
    """What a filled-in feedback form says; every field empty gives the blank form."""

    town: str = ""
    village: str = ""
    group: str = ""
    number: int | None = None
    head_name: str = ""
    phone: str = ""
    address: str = ""
    recorded_on: date | None = None
    category: str = ""
    description: str = ""
    classification: str = ""
    level: str = ""
    unit: str = ""
    person: str = ""
    deadline: date | None = None
    status: str = ""
    outcome_label: str = "办理结果"
    outcome: str = ""
    round: int = 1  # the how-many-th feedback on this request
    code: str = ""  # the 诉求编号, so a returned form leads back to its request
    satisfactions: tuple[str, ...] = ("满意", "基本满意", "不满意")
    # A feedback already recorded (the form printed after closing): the ticked answer, words, day.
    satisfaction: str = ""
    opinion: str = ""
    feedback_on: date | None = None

    @property
    def blank(self) -> bool:
        return not self.code

    @property
    def place(self) -> str:
        if self.blank:
            return "________镇（乡）________村________村民小组　第______户"
        return f"{self.town}　{self.village}　{self.group}　第 {self.number} 户"


def feedback_flowables(form: FeedbackForm) -> list[Flowable]:
    """One 情况反馈意见单 (one A4 page)."""
    w = CONTENT_WIDTH
    blank = form.blank
    header = (
        "空白情况反馈意见单" if blank else f"{form.village}{form.group}第{form.number}户 {form.head_name}"
    )
    code = (
        "" if blank else f"诉求编号：{form.code}" + (f"　　第 {form.round} 次反馈" if form.round > 1 else "")
    )
    out: list[Flowable] = [
        Anchor(f"fb-{form.code or 'blank'}", header),
        *_title(FEEDBACK_TITLE, form.place, code),
    ]
    deadline = iso(form.deadline) if form.deadline else ("" if blank else "—")
    outcome_label = "办理结果\n（或不能解决的\n合理合法解释）" if blank else form.outcome_label
    widths = [w * 0.15, w * 0.35, w * 0.15, w * 0.35]
    tall = 9 * mm
    rows = [
        ["当事人（户主）", form.head_name, "联系电话", form.phone],
        ["家庭住址", form.address, "", ""],
        ["登记日期", iso(form.recorded_on), "诉求类别", form.category],
        ["诉求内容", form.description, "", ""],
        ["分类梳理", form.classification, "办理层级", form.level],
        ["责任单位", form.unit, "责任人", form.person],
        ["办结时限", deadline, "办理状态", form.status],
        [outcome_label, form.outcome, "", ""],
    ]
    heights: list[float | None] = [tall, tall, tall, 24 * mm, tall, tall, tall, 30 * mm]
    for row, text in ((3, form.description), (7, form.outcome)):
        if _text_height(text, w * 0.85) > heights[row]:  # type: ignore[operator]
            heights[row] = None  # a long text grows its row rather than run over the next
    # Fixed heights: room to write on the blank form, and the same layout when filled in.
    table = form_table(
        rows,
        widths,
        label_columns=(0, 2),
        spans=[((1, 1), (3, 1)), ((1, 3), (3, 3)), ((1, 7), (3, 7))],
        row_height=heights,  # type: ignore[arg-type]  # reportlab takes one height or one per row
    )
    table.setStyle(TableStyle([("VALIGN", (1, 3), (3, 3), "TOP"), ("VALIGN", (1, 7), (3, 7), "TOP")]))
    out.append(table)
    out.append(Spacer(1, 4 * mm))
    out.append(_opinion_block(form))
    out.append(Spacer(1, 4 * mm))
    out.append(signature_row(FEEDBACK_SIGNERS, height=18 * mm))
    out.append(Spacer(1, 2 * mm))
    s = fonts.styles()
    out.append(
        Paragraph(
            "说明：诉求办结（或作出合理合法解释）后，由责任人会同驻村干部、村干部上门向当事人反馈，"
            "当事人填写满意程度和意见并签字。本单一式两份，一份交当事人，一份存入本村民小组《群众档案》册。"
            "当事人不满意的，诉求重新办理。",
            s.note,
        )
    )
    return out


def _text_height(text: str, width: float) -> float:
    if not text:
        return 0.0
    return Paragraph(fonts.markup(text), fonts.styles().value).wrap(width - 6, 10_000)[1] + 7


def _opinion_block(form: FeedbackForm) -> Table:
    """满意程度 tick boxes and ruled lines for the household's own words, with the feedback date."""
    s = fonts.styles()
    w = CONTENT_WIDTH
    label = Paragraph("当事人\n满意程度".replace("\n", "<br/>"), s.label)
    opinion = Paragraph("当事人<br/>意见", s.label)
    when = Paragraph("反馈日期", s.label)
    table = Table(
        [
            [label, TickBoxes(form.satisfactions, ticked=form.satisfaction)],
            [opinion, Paragraph(fonts.markup(form.opinion), s.value) if form.opinion else RuledLines(6, spacing=9 * mm)],
            [
                when,
                Paragraph(
                    (iso(form.feedback_on) if form.feedback_on else BLANK_DATE)
                    + "　　　反馈地点：____________________",
                    s.value,
                ),
            ],
        ],
        colWidths=[w * 0.15, w * 0.85],
        rowHeights=[12 * mm, 58 * mm, 10 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), fonts.FONT, 9),
                ("GRID", (0, 0), (-1, -1), 0.5, LINE),
                ("BOX", (0, 0), (-1, -1), 0.9, LINE),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#EDEDED")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("VALIGN", (1, 1), (1, 1), "TOP"),
                ("LEFTPADDING", (1, 0), (1, -1), 6),
                ("RIGHTPADDING", (1, 0), (1, -1), 6),
            ]
        )
    )
    return table


def write_feedback(path: Path, forms: Sequence[FeedbackForm], *, today: date, author: str) -> int:
    """Write one feedback form per entry of ``forms`` (each on its own page); return the pages."""
    doc = ArchiveDoc(
        path,
        title=FEEDBACK_TITLE + ("（空白）" if all(f.blank for f in forms) else ""),
        header_left=f"{forms[0].town}群众诉求办理" if forms and forms[0].town else "群众档案　诉求办理",
        printed_on=today,
        author=author,
    )
    flowables: list[Flowable] = []
    for index, form in enumerate(forms):
        if index:
            flowables.append(PageBreak())
        flowables += feedback_flowables(form)
    return doc.build_stream(flowables)


# ---- 交办单 of a monthly meeting ----------------------------------------------------------------------


DECISION_HEADER = ["序号", "户（村、组、户主）", "诉求内容", "责任单位", "责任人", "办结时限", "会议意见"]
DECISION_WIDTHS = [8, 30, 50, 24, 14, 19, 37]


@dataclass(frozen=True)
class MeetingSheet:
    """A meeting and its decisions as printed."""

    town: str
    meeting: MeetingSummary
    decisions: list[DecisionRow] = field(default_factory=list)


def _widths(units: list[int]) -> list[float]:
    scale = CONTENT_WIDTH / sum(units)
    return [u * scale for u in units]


def meeting_flowables(sheet: MeetingSheet) -> list[Flowable]:
    m = sheet.meeting
    s = fonts.styles()
    w = CONTENT_WIDTH
    out: list[Flowable] = [
        Anchor(f"meeting-{m.id}", m.title),
        *_title(f"{sheet.town}{MEETING_TITLE}", m.title),
    ]
    decided = "已决定并交办" if m.status == "已决定" else "筹备中（决定未交办）"
    out.append(
        form_table(
            [
                ["会议名称", m.title, "会议日期", chinese_date(m.held_on)],
                ["参加人员", m.attendees or "", "", ""],
                ["议定诉求", f"{len(sheet.decisions)} 件", "会议状态", decided],
            ],
            [w * 0.13, w * 0.45, w * 0.13, w * 0.29],
            label_columns=(0, 2),
            spans=[((1, 1), (3, 1))],
            row_height=None,
        )
    )
    out += heading("会议决定事项")
    rows = []
    for n, d in enumerate(sheet.decisions, 1):
        r = d.request
        rows.append(
            [
                str(n),
                f"{r.village_name}{r.group_name}第{r.household_number}户\n{r.head_name}",
                (f"{r.number}\n" if r.number else "") + f"【{r.category}】{r.description}",
                d.unit,
                d.person,
                iso(d.deadline),
                d.note,
            ]
        )
    out.append(
        grid_table(
            DECISION_HEADER,
            rows,
            _widths(DECISION_WIDTHS),
            align={0: "CENTER", 4: "CENTER", 5: "CENTER"},
            empty_text="（本次会议未列入诉求）",
        )
    )
    out.append(Spacer(1, 3 * mm))
    out.append(
        Paragraph(
            "请各责任单位、责任人按会议确定的时限办结，办结后会同驻村干部、村干部向当事人反馈，"
            "并将办理结果和《情况反馈意见单》报党政办销号。逾期未办结的，列入督办。",
            s.body,
        )
    )
    out.append(Spacer(1, 5 * mm))
    out.append(KeepTogether([signature_row(("会议主持人（签字）", "记录人（签字）", "党政办（盖章）"))]))
    return out


def write_meeting(path: Path, sheet: MeetingSheet, *, today: date, author: str) -> int:
    doc = ArchiveDoc(
        path,
        title=f"{sheet.meeting.title}交办单",
        header_left=f"{sheet.town}{MEETING_TITLE}",
        printed_on=today,
        author=author,
    )
    return doc.build_stream(meeting_flowables(sheet))


# ---- 周报 / 月报 ---------------------------------------------------------------------------------------

FIGURES = (
    "走访户数",
    "新增诉求",
    "已办结",
    "不能解决（已解释）",
    "上报镇",
    "市镇联动",
    "超期未办结",
    "反馈满意率",
)


def summary_figures(summary: Summary) -> dict[str, str]:
    """The headline figures as printed (and as exported to Excel)."""
    rate = summary.satisfaction_rate
    values = (
        summary.households_visited,
        summary.new_total,
        summary.solved,
        summary.explained,
        summary.escalated_town,
        summary.escalated_city,
        summary.overdue,
        "—" if rate is None else f"{rate:.1%}",
    )
    return {name: str(value) for name, value in zip(FIGURES, values, strict=True)}


def new_by_category(summary: Summary) -> list[tuple[str, int]]:
    """New requests of the period per category, in order of first appearance of the category."""
    totals: dict[str, int] = {}
    for category, _scope, _solvability, count in summary.new_by_class:
        totals[category] = totals.get(category, 0) + count
    return list(totals.items())


def status_counts(summary: Summary) -> list[tuple[str, int]]:
    return [(s.value, summary.by_status.get(s.value, 0)) for s in Status]


def summary_title(summary: Summary) -> str:
    return f"{summary.who}{summary.period.title}诉求分类汇总（{summary.period.kind}）"


class BarChart(Flowable):
    """A labelled vertical bar chart (reportlab.graphics), the CJK font on every label."""

    def __init__(
        self, title: str, data: list[tuple[str, int]], width: float, height: float = 62 * mm
    ) -> None:
        super().__init__()
        self.title, self.data = title, data
        self.width, self.height = width, height
        self.drawing = self._drawing()

    def _drawing(self) -> Drawing:
        fonts.register()
        d = Drawing(self.width, self.height, initialFontName=fonts.FONT, initialFontSize=8)
        for piece in fonts.strings(self.width / 2, self.height - 11, self.title, 9.5, anchor="middle"):
            d.add(piece)
        if not self.data:
            d.add(
                String(
                    self.width / 2,
                    self.height / 2,
                    "（本期无数据）",
                    fontName=fonts.FONT,
                    fontSize=9,
                    textAnchor="middle",
                )
            )
            return d
        chart = VerticalBarChart()
        chart.x, chart.y = 26, 34
        chart.width, chart.height = self.width - 36, self.height - 58
        values = [n for _label, n in self.data] or [0]
        chart.data = [values]
        chart.categoryAxis.categoryNames = [label for label, _n in self.data] or ["（无）"]
        top = max(values) if values else 0
        step = max(1, -(-top // 5))
        chart.valueAxis.valueMin = 0
        chart.valueAxis.valueMax = max(step * 5, 1)
        chart.valueAxis.valueStep = step
        for labels in (chart.categoryAxis.labels, chart.valueAxis.labels):
            labels.fontName = fonts.FONT
            labels.fontSize = 7.5
        for index, name in enumerate(chart.categoryAxis.categoryNames):
            if not fonts.plain_ok(name):  # a label is one string: the one font that has all of it
                chart.categoryAxis.labels[index].fontName = fonts.single_font(name)
        many = len(self.data) > 6
        chart.categoryAxis.labels.angle = 30 if many else 0
        chart.categoryAxis.labels.boxAnchor = "ne" if many else "n"
        chart.categoryAxis.labels.dy = -2
        chart.valueAxis.gridStrokeColor = colors.HexColor("#BBBBBB")
        chart.valueAxis.gridStrokeWidth = 0.3
        chart.valueAxis.visibleGrid = True
        chart.bars[0].fillColor = colors.HexColor("#5B7FA6")
        chart.bars[0].strokeColor = colors.HexColor("#2F4C6E")
        chart.barWidth = 8
        chart.groupSpacing = 6
        chart.barLabelFormat = "%d"
        chart.barLabels.fontName = fonts.FONT
        chart.barLabels.fontSize = 7.5
        chart.barLabels.nudge = 6
        d.add(chart)
        return d

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.drawing.drawOn(self.canv, 0, 0)


def summary_flowables(summary: Summary, unit: str) -> list[Flowable]:
    s = fonts.styles()
    w = CONTENT_WIDTH
    p = summary.period
    out: list[Flowable] = [
        Anchor("summary", summary_title(summary)),
        *_title(
            summary_title(summary),
            f"填报单位：{unit}　　统计期间：{chinese_date(p.start)}至{chinese_date(p.end)}",
        ),
    ]
    figures = list(summary_figures(summary).items())
    rows = []
    for start in range(0, len(figures), 4):
        row: list[str] = []
        for name, value in figures[start : start + 4]:
            row += [name, value]
        rows.append(row)
    figure_table = form_table(rows, [w * 0.15, w * 0.1] * 4, label_columns=(0, 2, 4, 6), row_height=10 * mm)
    figure_table.setStyle(TableStyle([("ALIGN", (c, 0), (c, -1), "CENTER") for c in (1, 3, 5, 7)]))
    out.append(figure_table)
    out.append(Spacer(1, 1 * mm))
    out.append(
        Paragraph(
            "注：新增诉求按登记日期计入本期；办理状态为截至期末的在办、办结件数；"
            "满意率＝（满意＋基本满意）÷ 本期反馈件数。",
            s.note,
        )
    )
    categories = new_by_category(summary)
    statuses = status_counts(summary)
    out += heading("一、本期新增诉求分类")
    class_rows = [[c, sc, sv, str(n)] for c, sc, sv, n in summary.new_by_class]
    if class_rows:
        class_rows.append(["合计", "", "", str(summary.new_total)])
    out.append(
        grid_table(
            ["诉求类别", "性质（共性/个性）", "难易程度", "新增件数"],
            class_rows,
            [w * 0.3, w * 0.22, w * 0.3, w * 0.18],
            align={1: "CENTER", 2: "CENTER", 3: "RIGHT"},
            total_row=bool(class_rows),
            empty_text="（本期无新增诉求）",
        )
    )
    out += heading("二、诉求办理状态（截至期末）　三、本期情况反馈")
    status_rows = [[label, str(n)] for label, n in statuses] + [["合计", str(sum(n for _l, n in statuses))]]
    feedback_rows = [[label, str(n)] for label, n in sorted(summary.feedback.items())]
    rate = summary.satisfaction_rate
    if feedback_rows:
        feedback_rows.append(["满意率", "—" if rate is None else f"{rate:.1%}"])
    half = (w - 6 * mm) / 2
    left = grid_table(
        ["办理状态", "件数"], status_rows, [half * 0.6, half * 0.4], align={1: "RIGHT"}, total_row=True
    )
    right = grid_table(
        ["满意程度", "件数"],
        feedback_rows,
        [half * 0.6, half * 0.4],
        align={1: "RIGHT"},
        total_row=bool(feedback_rows),
        empty_text="（本期无反馈）",
    )
    out.append(_side_by_side(left, right, half))
    out += heading("四、统计图")
    out.append(
        _side_by_side(
            BarChart("本期新增诉求（按类别）", categories, half),
            BarChart("诉求办理状态（截至期末）", statuses, half),
            half,
        )
    )
    out.append(Spacer(1, 6 * mm))
    submitted = (
        f"本报告已于{summary.submitted_at:%Y-%m-%d}由{summary.submitted_by}上报。"
        if summary.submitted_at
        else "本报告尚未在系统中标记上报。"
    )
    out.append(Paragraph(fonts.markup(submitted), s.note))
    out.append(Spacer(1, 3 * mm))
    out.append(
        KeepTogether(
            [signature_row(("填报人（签字）", "审核人（签字）", "填报单位（盖章）"), height=10 * mm)]
        )
    )
    return out


def _side_by_side(left: Flowable, right: Flowable, half: float) -> Table:
    table = Table([[left, right]], colWidths=[half + 3 * mm, half + 3 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), fonts.FONT, 9),  # else the empty cell state names Helvetica
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
            ]
        )
    )
    return table


def write_summary(
    path: Path, summary: Summary, *, unit: str, today: date, author: str, password: str | None = None
) -> int:
    doc = ArchiveDoc(
        path,
        title=summary_title(summary),
        header_left=f"{unit}　诉求{summary.period.kind}",
        printed_on=today,
        author=author,
        password=password,
    )
    return doc.build_stream(summary_flowables(summary, unit))
