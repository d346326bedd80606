"""A summary of a past period shows the states requests were in then, not what became of them later."""

from __future__ import annotations

from datetime import date

from zhuji_archive.domain import workflow as wf
from zhuji_archive.domain.reporting import MONTHLY, period_of
from zhuji_archive.domain.workflow import Action, Level

LATER = "近期一时难以解决"


def test_a_past_month_counts_states_as_they_were_at_its_end(workflow_town):
    household = workflow_town.households["张建国"]
    village = workflow_town.villages["杜黄村"]
    august = workflow_town.on(date(2025, 8, 5)).requests
    first = august.record(household, "生产困难", "灌溉渠损坏", date(2025, 8, 4))
    august.act(first, Action.SORT, wf.Classification("生产困难", "个性", LATER, Level.VILLAGE))
    august.act(first, Action.ASSIGN, wf.Assignment("村委会", "张书记", date(2025, 9, 30)))
    second = august.record(household, "生活困难", "申请临时救助", date(2025, 8, 5))
    # In September both move on: the first is solved, the second sorted.
    september = workflow_town.on(date(2025, 9, 12)).requests
    september.act(first, Action.SOLVE, wf.Resolution(date(2025, 9, 10), "修复", "村里组织", "已修好"))
    september.act(second, Action.SORT, wf.Classification("生活困难", "个性", LATER, Level.CADRE))

    summaries = workflow_town.archive.summaries
    month = period_of(MONTHLY, date(2025, 8, 10))
    assert summaries.build("village", village, month).by_status == {"办理中": 1, "登记": 1}
    assert summaries.build("village", village, month.next()).by_status == {"已办结": 1, "已梳理": 1}
