"""County-scale behaviour of the services: the to-do list cuts long request lists but counts them all,
and the period figures read through the period indexes agree with counting every record."""

from __future__ import annotations

from collections import Counter

import pytest

from zhuji_archive.services.archive import Archive
from zhuji_archive.services.maintenance import FEEDBACK, REQUEST_DUE, REVISIT, MaintenanceService


def test_the_todo_lists_the_first_requests_of_each_kind_and_counts_them_all(
    demo_archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(MaintenanceService, "REVISIT_LIMIT", 10**6)
    full = demo_archive.maintenance.todo()
    full_by_kind = Counter(item.kind for item in full.items)
    assert full_by_kind[REQUEST_DUE] > 4 and full_by_kind[FEEDBACK] > 2  # the premise: long lists
    assert full.counts[REQUEST_DUE] == full_by_kind[REQUEST_DUE]

    monkeypatch.setattr(MaintenanceService, "REVISIT_LIMIT", 2)
    cut = demo_archive.maintenance.todo()
    assert cut.counts == full.counts  # every kind still counted in full
    for kind in (FEEDBACK, REVISIT):
        shown = [item.request_id or item.household_id for item in cut.items if item.kind == kind]
        everything = [item.request_id or item.household_id for item in full.items if item.kind == kind]
        assert shown == everything[:2]
    due = [item for item in cut.items if item.kind == REQUEST_DUE]
    assert 0 < len(due) <= 4  # the first two overdue and the first two due soon
    assert {item.request_id for item in due} <= {
        item.request_id for item in full.items if item.kind == REQUEST_DUE
    }
