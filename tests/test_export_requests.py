"""Request printouts and the ledger: each file is opened again (pypdf, openpyxl) and its content
compared with the request services' read-models."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from accounts import as_person_on
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.reporting import MONTHLY, period_of
from zhuji_archive.exports.pdf_requests import FIGURES, new_by_category, status_counts, summary_figures
from zhuji_archive.exports.xlsx_requests import LEDGER_COLUMNS
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.exports import ExportCancelled
from zhuji_archive.services.request_exports import parse_month
from zhuji_archive.services.requests import RequestQuery
from zhuji_archive.storage.models import ChangeLog, Household, Member, Village

DAY = date(2026, 11, 2)
PAGE = re.compile(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页")
MASKED_ID = re.compile(r"^\d{6}\*{8}[\dX]{4}$")
MASKED_PHONE = re.compile(r"^1\d{2}\*{4}\d{4}$")


@pytest.fixture
def arc(demo_archive) -> Archive:
    """The demo database seen on the day it was generated, so deadlines and lights are fixed."""
    return as_person_on(demo_archive.db, "测试员", DAY)


def texts(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def footers(pages: list[str]) -> list[tuple[int, int]]:
    return [(int(m.group(1)), int(m.group(2))) for m in (PAGE.search(p) for p in pages) if m]


def assert_pages_numbered(path: Path, expected: int) -> None:
    pages = texts(path)
    assert len(pages) == expected
    assert footers(pages) == [(n, expected) for n in range(1, expected + 1)]


def assert_font_embedded(path: Path) -> None:
    """Every font on every page (and in the footer forms) is the bundled TrueType font, embedded."""
    found = []

    def walk(resources) -> None:
        if resources is None:
            return
        resources = resources.get_object()
        found.extend(f.get_object() for f in (resources.get("/Font") or {}).values())
        for x in (resources.get("/XObject") or {}).values():
            x = x.get_object()
            if x.get("/Subtype") == "/Form":
                walk(x.get("/Resources"))

    for page in PdfReader(path).pages:
        walk(page.get("/Resources"))
    assert found
    for font in found:
        assert font["/Subtype"] == "/TrueType", font.get("/BaseFont")
        assert "/FontFile2" in font["/FontDescriptor"].get_object()
        assert "WenQuanYiMicroHei" in font["/BaseFont"]


def requests_in(arc: Archive, status: str):
    rows = arc.requests.list(RequestQuery(statuses=(status,)))
    assert rows, f"the demo has no request in state {status}"
    return rows


def export_log(arc: Archive, entity: str) -> list[ChangeLog]:
    with arc.db.sessions() as session:
        return list(
            session.scalars(
                select(ChangeLog).where(ChangeLog.action.in_(("导出", "打印")), ChangeLog.entity == entity)
            )
        )


# ---- 情况反馈意见单 --------------------------------------------------------------------------------


def test_feedback_form_is_filled_from_a_solved_request(arc, tmp_path: Path) -> None:
    row = requests_in(arc, "已办结")[0]
    detail = arc.requests.detail(row.id)
    path = tmp_path / "反馈意见单.pdf"
    result = arc.request_exports.feedback_form(row.id, path)
    assert result.pages == 1
    assert_pages_numbered(path, 1)
    assert_font_embedded(path)
    text = compact(texts(path)[0])
    assert "群众诉求办理情况反馈意见单" in text
    for value in (
        f"{row.village_name}{row.group_name}第{row.household_number}户",
        row.head_name,
        compact(row.description),
        row.category,
        row.responsible_unit,
        row.responsible_person,
        row.status,
        compact(detail.case.resolution.result),
        f"诉求编号：{row.number}",
    ):
        assert value and value in text, value
    assert row.id not in text  # the internal id means nothing to a household
    assert "办理结果" in text
    labels = arc.codes.values("satisfaction")
    assert labels == ["满意", "基本满意", "不满意"]
    assert "满意基本满意不满意" in text
    for signer in ("当事人（签字或按手印）", "责任人（签字）", "驻村干部（签字）", "村干部（签字）"):
        assert signer in text
    (entry,) = export_log(arc, "情况反馈意见单")
    assert entry.record_id == row.id and entry.household_id == row.household_id
    assert row.head_name not in entry.note and path.name in entry.note and entry.action == "打印"
    assert row.number in entry.note


def test_feedback_form_of_an_unsolvable_request_prints_the_lawful_explanation(arc, tmp_path: Path) -> None:
    row = requests_in(arc, "不能解决")[0]
    explanation = arc.requests.detail(row.id).case.explanation
    path = tmp_path / "反馈意见单.pdf"
    arc.request_exports.feedback_form(row.id, path)
    text = compact(texts(path)[0])
    assert "不能解决的合理合法解释" in text
    assert compact(explanation.text) in text


def test_feedback_form_shows_the_household_phone_of_the_file(arc, tmp_path: Path) -> None:
    row = requests_in(arc, "已办结")[0]
    with arc.db.sessions() as session:
        phone = session.scalar(
            select(Household.phone).where(Household.id == row.household_id)
        ) or session.scalar(
            select(Member.phone).where(Member.household_id == row.household_id, Member.relation == "户主")
        )
    path = tmp_path / "f.pdf"
    arc.request_exports.feedback_form(row.id, path)
    if phone:
        assert phone in compact(texts(path)[0])


def test_blank_feedback_forms_have_labels_and_no_household(arc, tmp_path: Path) -> None:
    path = tmp_path / "空白.pdf"
    result = arc.request_exports.feedback_form(None, path, copies=3)
    assert result.pages == 3 and result.rows == 3
    assert_pages_numbered(path, 3)
    assert_font_embedded(path)
    for page in texts(path):
        text = compact(page)
        assert "群众诉求办理情况反馈意见单" in text
        assert "镇（乡）" in text and "村民小组" in text
        assert "满意基本满意不满意" in text
        assert "诉求编号" not in text
    (entry,) = export_log(arc, "空白情况反馈意见单")
    assert "3份" in entry.note


def test_feedback_form_of_an_unknown_request_is_refused(arc, tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="找不到这条诉求"):
        arc.request_exports.feedback_form("nope", tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_a_folder_that_does_not_exist_gives_a_chinese_message(arc, tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="不存在"):
        arc.request_exports.feedback_form(None, tmp_path / "没有" / "x.pdf")


# ---- 交办单 ----------------------------------------------------------------------------------------


def test_meeting_sheet_lists_every_decided_request(arc, tmp_path: Path) -> None:
    meeting = next(m for m in arc.meetings.meetings() if m.status == "已决定")
    decisions = arc.meetings.decisions(meeting.id)
    assert decisions
    path = tmp_path / "交办单.pdf"
    result = arc.request_exports.meeting_sheet(meeting.id, path)
    assert result.rows == len(decisions) == meeting.items
    assert_pages_numbered(path, result.pages)
    assert_font_embedded(path)
    text = compact("".join(texts(path)))
    assert "诉求专题会议交办单" in text and compact(meeting.title) in text
    assert f"{meeting.held_on.year}年{meeting.held_on.month}月{meeting.held_on.day}日" in text
    for name in meeting.attendees.split("、"):
        assert name in text
    for d in decisions:
        for value in (d.request.head_name, d.unit, d.person, d.deadline.isoformat(), d.request.number):
            assert value and value in text, value
        assert d.request.id not in text
        assert compact(d.request.description)[:8] in text
    assert text.count("【") == len(decisions)
    assert "会议主持人（签字）" in text
    (entry,) = export_log(arc, "交办单")
    assert entry.record_id == meeting.id and f"{len(decisions)}件" in entry.note


def test_meeting_sheet_of_an_unknown_meeting_is_refused(arc, tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="找不到这次会议"):
        arc.request_exports.meeting_sheet("nope", tmp_path / "x.pdf")


# ---- 周报 / 月报 ----------------------------------------------------------------------------------


def village_id(arc: Archive, name: str) -> str:
    with arc.db.sessions() as session:
        return session.scalar(select(Village.id).where(Village.name == name))


def numbers_after(lines: list[str], title: str, count: int, occurrence: int = 1) -> list[int]:
    """The first ``count`` integer lines after the ``occurrence``-th line equal to ``title``."""
    index = [i for i, line in enumerate(lines) if line == title][occurrence - 1]
    return [int(x) for x in lines[index + 1 :] if x.isdigit()][:count]


def test_summary_pdf_figures_and_charts_equal_the_read_model(arc, tmp_path: Path) -> None:
    vid = village_id(arc, "杜黄村")
    period = parse_month("2026-10")
    assert period == period_of(MONTHLY, date(2026, 10, 1))
    summary = arc.summaries.build("village", vid, period)
    assert summary.new_total and sum(summary.by_status.values())
    path = tmp_path / "月报.pdf"
    result = arc.request_exports.summary_pdf("village", vid, period, path)
    assert_pages_numbered(path, result.pages)
    assert_font_embedded(path)
    pages = texts(path)
    text = compact("".join(pages))
    assert "杜黄村2026年10月诉求分类汇总（月报）" in text
    figures = summary_figures(summary)
    assert list(figures) == list(FIGURES)
    for name, value in figures.items():
        assert f"{name}{value}" in text, name
    for category, scope, solvability, count in summary.new_by_class:
        assert f"{category}{scope}{solvability}{count}" in text
    assert f"合计{summary.new_total}" in text
    lines = [line.strip() for line in "\n".join(pages).splitlines() if line.strip()]
    # The charts: bar value labels in the order of the bars, then the axis labels.
    categories = new_by_category(summary)
    assert numbers_after(lines, "本期新增诉求（按类别）", len(categories)) == [n for _c, n in categories]
    statuses = status_counts(summary)
    assert numbers_after(lines, "诉求办理状态（截至期末）", len(statuses), occurrence=1) == [
        n for _s, n in statuses
    ]
    content = b"".join(page.get_contents().get_data() for page in PdfReader(path).pages)
    bars = sum(1 for _l, n in statuses if n) + sum(1 for _c, n in categories if n)
    assert content.count(b" re f") + content.count(b" re B") >= bars  # filled rectangles drawn
    (entry,) = export_log(arc, "月报")
    assert entry.village_id == vid and "PDF" in entry.note


def test_summary_of_a_cadre_and_a_week(arc, tmp_path: Path) -> None:
    cadre = arc.organisation.cadres("驻村干部")[0]
    period = period_of("周报", DAY)
    path = tmp_path / "周报.pdf"
    arc.request_exports.summary_pdf("cadre", cadre.id, period, path)
    text = compact("".join(texts(path)))
    assert f"驻村干部{cadre.name}" in text and "（周报）" in text


def test_summary_of_the_town_and_of_an_area(arc, tmp_path: Path) -> None:
    """The tree's town and area nodes report too: the PDF names the town or area, never a cadre."""
    (town,) = arc.organisation.tree()
    area = next(node for node in town.children if node.kind == "area")
    period = parse_month("2026年10月")
    for kind, node in (("town", town), ("area", area)):
        path = tmp_path / f"{kind}.pdf"
        arc.request_exports.summary_pdf(kind, node.id, period, path)
        text = compact("".join(texts(path)))
        assert f"{node.name}2026年10月诉求分类汇总（月报）" in text, kind
        assert f"驻村干部{node.name}" not in text, kind


def test_summary_workbook_equals_the_read_model(arc, tmp_path: Path) -> None:
    vid = village_id(arc, "杜黄村")
    period = parse_month("2026年10月")
    summary = arc.summaries.build("village", vid, period)
    path = tmp_path / "月报.xlsx"
    arc.request_exports.summary_xlsx("village", vid, period, path)
    ws = load_workbook(path)["诉求汇总"]
    assert ws["A1"].value == "杜黄村2026年10月诉求分类汇总（月报）"
    assert "A1:F1" in {str(r) for r in ws.merged_cells.ranges}
    cells = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None}
    figures = {}
    for (r, c), value in cells.items():
        if value in FIGURES and r < 8:  # the figure block under 主要数字 (row 4)
            figures[value] = cells[(r, c + 1)]
    expected = summary_figures(summary)
    assert cells[(4, 1)] == "主要数字"
    assert {k: str(v) for k, v in figures.items()} == expected
    by_label = {}
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "三、诉求办理状态（截至期末）")
    for r in rows[start + 2 : start + 2 + len(status_counts(summary))]:
        by_label[r[0]] = r[1]
    assert by_label == dict(status_counts(summary))
    assert len(ws._charts) == 2


def test_bad_month_is_refused() -> None:
    with pytest.raises(DomainError, match="2026-11"):
        parse_month("十一月")


# ---- 诉求台账 -------------------------------------------------------------------------------------


def ledger_rows(ws):
    header = [c.value for c in ws[3]]
    rows = [r for r in ws.iter_rows(min_row=4) if isinstance(r[0].value, int)]
    return header, rows


def test_ledger_rows_equal_the_request_list_with_exact_close_off(arc, tmp_path: Path) -> None:
    query = RequestQuery()
    expected = arc.requests.list(query)
    path = tmp_path / "台账.xlsx"
    result = arc.request_exports.ledger(query, path, masked=False, reason="核对低保名单")
    assert result.rows == len(expected) and result.masked is False
    ws = load_workbook(path)["诉求台账"]
    assert ws["A1"].value == "安华镇群众诉求办理台账"
    header, rows = ledger_rows(ws)
    assert header == ["序号", *[c.title for c in LEDGER_COLUMNS]]
    assert ws.freeze_panes == "B4"
    assert len(rows) == len(expected)
    col = {title: i for i, title in enumerate(header)}
    closed = 0
    for cells, req in zip(rows, expected, strict=True):
        values = [c.value for c in cells]
        assert values[col["诉求编号"]] == req.number and req.number.startswith("安华")
        assert values[col["户主"]] == req.head_name
        assert values[col["诉求内容"]] == req.description
        assert values[col["办理状态"]] == req.status
        assert (values[col["责任单位"]] or "") == req.responsible_unit
        is_open = req.status in ("登记", "已梳理", "待上会", "办理中")
        light = req.time_status.value if req.deadline and is_open else None
        assert values[col["时限状态"]] == light
        should = req.status == "已反馈" and req.satisfaction in ("满意", "基本满意")
        assert values[col["销号"]] == ("已销号" if should else "未销号")
        closed += should
    assert closed, "the demo has requests closed off with a satisfied household"
    assert any(r.status != "已反馈" for r in expected)


def test_ledger_id_and_phone_are_text_and_masked_exactly(arc, tmp_path: Path) -> None:
    vid = village_id(arc, "杜黄村")
    query = RequestQuery(village_id=vid)
    expected = arc.requests.list(query)
    full_path, masked_path = tmp_path / "完整.xlsx", tmp_path / "脱敏.xlsx"
    arc.request_exports.ledger(query, full_path, masked=False, reason="核对低保名单")
    arc.request_exports.ledger(query, masked_path, masked=True)
    full_ws = load_workbook(full_path).active
    masked_ws = load_workbook(masked_path).active
    header, full_rows = ledger_rows(full_ws)
    _h, masked_rows = ledger_rows(masked_ws)
    assert len(full_rows) == len(masked_rows) == len(expected)
    id_col, phone_col = header.index("户主身份证号"), header.index("联系电话")
    ids = 0
    for full, masked in zip(full_rows, masked_rows, strict=True):
        number, phone = full[id_col], full[phone_col]
        if number.value:
            ids += 1
            assert number.data_type == "s" and number.number_format == "@"
            assert len(number.value) == 18
            assert masked[id_col].value == number.value[:6] + "*" * 8 + number.value[-4:]
            assert MASKED_ID.match(masked[id_col].value)
        if phone.value:
            assert phone.data_type == "s" and phone.number_format == "@"
            assert masked[phone_col].value == phone.value[:3] + "****" + phone.value[7:]
            assert MASKED_PHONE.match(masked[phone_col].value)
    assert ids
    assert "已部分隐藏" in masked_ws["A2"].value and "已部分隐藏" not in full_ws["A2"].value
    notes = [e.note for e in export_log(arc, "诉求台账")]
    assert any("未脱敏" in n for n in notes) and any("（脱敏）" in n for n in notes)


def test_cancelled_ledger_leaves_no_file(arc, tmp_path: Path) -> None:
    path = tmp_path / "out" / "台账.xlsx"
    path.parent.mkdir()
    asked: list[int] = []

    def cancelled() -> bool:  # cancel once rows are being written, not before
        asked.append(1)
        return len(asked) > 2

    with pytest.raises(ExportCancelled):
        arc.request_exports.ledger(RequestQuery(), path, cancelled=cancelled)
    assert len(asked) == 3
    assert list(path.parent.iterdir()) == []
    assert export_log(arc, "诉求台账") == []


# ---- command line ----------------------------------------------------------------------------------


def test_command_line_prints_and_exports(arc, demo_archive, tmp_path: Path, capsys) -> None:
    from accounts import cli_as

    main = cli_as(demo_archive.actor.login)  # logged in as the fixture's account

    db = str(demo_archive.db.path)
    row = requests_in(arc, "已办结")[0]
    out = tmp_path / "cli"
    out.mkdir()
    assert main(["--db", db, "print", "feedback", "--request", row.number, "-o", str(out / "f.pdf")]) == 0
    assert row.head_name in compact(texts(out / "f.pdf")[0])
    assert f"诉求编号：{row.number}" in compact(texts(out / "f.pdf")[0])
    capsys.readouterr()
    assert main(["--db", db, "print", "feedback", "--request", "安华1999-9999", "-o", str(out / "x.pdf")]) == 2
    assert "找不到诉求编号为“安华1999-9999”的诉求" in capsys.readouterr().err
    assert main(["--db", db, "print", "feedback", "--blank", "--copies", "2", "-o", str(out / "b.pdf")]) == 0
    assert len(texts(out / "b.pdf")) == 2
    assert main(["--db", db, "print", "meeting", "--meeting", "latest", "-o", str(out / "m.pdf")]) == 0
    assert "交办单" in compact(texts(out / "m.pdf")[0])
    args = ["--village", "杜黄村", "--month", "2026-10"]
    assert main(["--db", db, "print", "summary", *args, "-o", str(out / "s.pdf")]) == 0
    assert "杜黄村2026年10月诉求分类汇总（月报）" in compact(texts(out / "s.pdf")[0])
    assert main(["--db", db, "export", "summary", *args, "-o", str(out / "s.xlsx")]) == 0
    assert (
        main(["--db", db, "export", "ledger", "--village", "杜黄村", "--mask", "-o", str(out / "l.xlsx")])
        == 0
    )
    vid = village_id(arc, "杜黄村")
    _header, rows = ledger_rows(load_workbook(out / "l.xlsx").active)
    assert len(rows) == len(arc.requests.list(RequestQuery(village_id=vid)))
    assert "已导出诉求台账" in capsys.readouterr().out
    assert (
        main(["--db", db, "print", "summary", "--cadre", "无此人", "--month", "2026-10", "-o", "x.pdf"]) == 2
    )
    assert "无此人" in capsys.readouterr().err


def test_summary_without_requests_says_so_instead_of_an_empty_chart(tmp_path: Path) -> None:
    from zhuji_archive.exports.pdf_requests import write_summary
    from zhuji_archive.views.summaries import Summary

    empty = Summary(
        scope_kind="village",
        scope_id="v",
        scope_name="新桥村",
        period=period_of(MONTHLY, DAY),
        households_visited=0,
        new_by_class=[],
        by_status={},
        solved=0,
        explained=0,
        escalated_town=0,
        escalated_city=0,
        overdue=0,
        feedback={},
    )
    path = tmp_path / "空.pdf"
    assert write_summary(path, empty, unit="安华镇新桥村", today=DAY, author="测试员") == 1
    text = compact(texts(path)[0])
    assert "（本期无新增诉求）" in text and "（本期无反馈）" in text and "（本期无数据）" in text
    assert "反馈满意率—" in text
    assert_font_embedded(path)
