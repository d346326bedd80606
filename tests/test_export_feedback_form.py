"""The 情况反馈意见单 read back from the PDF: the 诉求编号 (not the internal id), which feedback it is,
and the recorded answer ticked once the household's feedback closed the request."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from conftest import WorkflowTown
from pypdf import PdfReader

from zhuji_archive.domain.workflow import Action, Assignment, Classification, Feedback, Level, Resolution

D = date.fromisoformat
ROUND = re.compile(r"第\d+次反馈")


def text_of(path: Path) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(path).pages))


def feedback(satisfaction: str, on: str, opinion: str) -> Feedback:
    return Feedback(D(on), "王书记", "李驻村", "赵村干", opinion, satisfaction, True)


def test_form_after_closing_shows_number_round_and_the_ticked_answer(
    workflow_town: WorkflowTown, tmp_path: Path
) -> None:
    town = workflow_town
    requests, exports = town.archive.requests, town.archive.request_exports
    rid = requests.record(town.households["张建国"], "基础设施", "村口桥梁护栏损坏", D("2025-09-01"))
    requests.act(rid, Action.SORT, Classification("基础设施", "个性", "立即可以解决", Level.VILLAGE))
    requests.act(rid, Action.ASSIGN, Assignment("村委会", "王书记", D("2025-09-30")))
    requests.act(rid, Action.SOLVE, Resolution(D("2025-09-10"), "更换护栏", "村级实施", "护栏已修复"))

    before = tmp_path / "第一次.pdf"
    exports.feedback_form(rid, before)
    text = text_of(before)
    assert "诉求编号：安华2025-0001" in text
    assert rid not in text
    assert not ROUND.search(text)  # the first feedback is not numbered
    assert "√" not in text  # nothing answered yet

    requests.act(rid, Action.FEEDBACK, feedback("不满意", "2025-09-12", "护栏高度不够"))
    requests.act(rid, Action.SOLVE, Resolution(D("2025-09-18"), "加高护栏", "复查整改", "整改到位"))
    second = tmp_path / "第二次.pdf"
    exports.feedback_form(rid, second)
    text = text_of(second)
    assert "第2次反馈" in text and "√" not in text  # taken to the household for the second feedback

    requests.act(rid, Action.FEEDBACK, feedback("满意", "2025-09-20", "整改到位，群众满意"))
    assert requests.detail(rid).row.status == "已反馈"
    closed = tmp_path / "归档.pdf"
    exports.feedback_form(rid, closed)
    text = text_of(closed)
    assert "诉求编号：安华2025-0001" in text and rid not in text
    assert "第2次反馈" in text and "第3次反馈" not in text
    assert "√满意" in text and "√基本满意" not in text and "√不满意" not in text
    assert "整改到位，群众满意" in text
    assert "2025-09-20" in text


def test_a_recorded_basic_satisfaction_ticks_that_box(workflow_town: WorkflowTown, tmp_path: Path) -> None:
    town = workflow_town
    requests = town.archive.requests
    rid = requests.record(town.households["赵大"], "生活困难", "屋顶漏雨", D("2025-09-01"))
    requests.act(rid, Action.SORT, Classification("生活困难", "个性", "立即可以解决", Level.VILLAGE))
    requests.act(rid, Action.ASSIGN, Assignment("村委会", "王书记", D("2025-09-30")))
    requests.act(rid, Action.SOLVE, Resolution(D("2025-09-10"), "修补屋顶", "村级实施", "不再漏雨"))
    requests.act(rid, Action.FEEDBACK, feedback("基本满意", "2025-09-15", "希望再检查一次"))
    path = tmp_path / "f.pdf"
    town.archive.request_exports.feedback_form(rid, path)
    text = text_of(path)
    assert "√基本满意" in text and "√满意" not in text
    assert not ROUND.search(text)
