"""The 诉求办理 list pages in as the view scrolls: the first page with the full count in the counts line,
then the rest on scrolling, every request once; the model stays a valid Qt model while it fetches more,
and 导出台账 still takes every matching request, not only the rows loaded."""

from __future__ import annotations

from loading import loaded

from zhuji_archive.services.requests import RequestQuery


def test_the_request_list_pages_in_as_it_scrolls(window, demo_archive, qtbot, qtmodeltester) -> None:
    requests = demo_archive.requests
    every = [r.id for r in requests.list()]
    assert len(every) > 12
    requests.PAGE_SIZE = 5  # a small page, so that the demo's requests take several
    page = window.requests
    window.tabs.setCurrentWidget(page)
    loaded(qtbot, demo_archive)
    model = page.model
    shown = len(model.rows)  # the view fetches as many pages as fill it
    assert 5 <= shown < len(every) and shown % 5 == 0
    assert [r.id for r in model.rows] == every[:shown]
    assert page.counts.text().startswith(f"共 {len(every)} 条")
    qtmodeltester.check(model)
    assert model.canFetchMore()
    page.view.scrollToBottom()
    qtbot.waitUntil(lambda: len(model.rows) > shown)
    while model.canFetchMore():
        model.fetchMore()
        qtmodeltester.check(model)
    assert [r.id for r in model.rows] == every
    assert page.ledger_query() == RequestQuery(text="")


def test_a_filtered_list_counts_every_match_and_pages_them(window, demo_archive, qtbot) -> None:
    requests = demo_archive.requests
    matching = [r.id for r in requests.list(RequestQuery(statuses=("办理中",)))]
    assert len(matching) > 3
    requests.PAGE_SIZE = 2
    page = window.requests
    window.tabs.setCurrentWidget(page)
    page.status.setCurrentText("办理中")
    loaded(qtbot, demo_archive)
    qtbot.waitUntil(lambda: page.model.rows and {r.status for r in page.model.rows} == {"办理中"})
    assert page.counts.text().startswith(f"共 {len(matching)} 条")
    while page.model.canFetchMore():
        page.model.fetchMore()
    assert [r.id for r in page.model.rows] == matching


def test_the_township_review_queue_pages_in_and_keeps_what_was_ticked(
    window, demo_archive, qtbot, qtmodeltester
) -> None:
    """Every reported request of a county is thousands of rows: the review queue lists a page with the
    whole count, the rest as the view scrolls, and a request ticked before scrolling stays ticked."""
    from PySide6.QtCore import Qt

    requests = demo_archive.requests
    every = [r.id for r in requests.list(RequestQuery(township_only=True))]
    assert len(every) > 6
    requests.PAGE_SIZE = 2
    queue = window.township.queue
    window.tabs.setCurrentWidget(window.township)
    queue.waiting_only.setChecked(False)  # every request reported to the town
    loaded(qtbot, demo_archive)
    model = queue.model
    qtbot.waitUntil(lambda: model.total == len(every))
    shown = len(model.rows)
    assert 2 <= shown < len(every)
    assert queue.count.text() == f"共 {len(every)} 条，已列出 {shown} 条（向下滚动列出其余）"
    qtmodeltester.check(model)
    model.setData(model.index(0, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    while model.canFetchMore():
        model.fetchMore()
        qtmodeltester.check(model)
    assert [r.id for r in model.rows] == every
    assert queue.count.text() == f"共 {len(every)} 条"
    assert model.checked_ids() == [every[0]]
    queue.check_all.setChecked(True)
    assert model.checked_ids() == every
