"""Deciding the conflict queue (services/sync_conflicts.py): at the hub 党政办 chooses a field's side or
acknowledges a transition the hub could not take; on a laptop the cadre chooses between the hub's value
and the unsent local one, or acknowledges a step the hub did not take. Decisions are logged, travel like
any change, and never delete an entry."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from accounts import as_person
from sqlalchemy import select
from test_hub_sync import Town, _edit, _round, _town

from zhuji_archive.domain.accounts import PermissionDenied, Role
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.workflow import Action, Assignment, Classification, Feedback, Level, Resolution
from zhuji_archive.storage.models import ChangeLog, Household
from zhuji_archive.storage.sync_models import SyncConflict


@pytest.fixture(params=["postgresql", "sqlite"])
def town(request: pytest.FixtureRequest, tmp_path) -> Town:  # type: ignore[no-untyped-def]
    return _town(request, tmp_path)


def day(offset: int) -> date:
    return date.today() + timedelta(days=offset)


def _phone(arc, household: str) -> str:  # type: ignore[no-untyped-def]
    with arc.db.sessions() as session:
        return session.get(Household, household).phone


def _local_conflict(town: Town) -> None:
    """The hub's phone arrives with a receipt while the laptop's own phone is not sent yet."""
    early = town.laptop.sync.export(town.folder)  # nothing waiting yet
    _edit(town.laptop, town.household, phone="13800000001")
    _edit(town.hub, town.household, phone="13900000009")
    town.laptop.sync.apply_receipt(town.hub.sync.apply(early).receipt_path)


def _decisions(arc) -> list[str]:  # type: ignore[no-untyped-def]
    with arc.db.sessions() as session:
        return list(session.scalars(select(ChangeLog.note).where(ChangeLog.action == "裁决")))


def test_the_cadre_takes_the_hubs_value_on_the_laptop_and_it_travels(town: Town) -> None:
    _local_conflict(town)
    (row,) = town.laptop.sync.conflicts()
    assert row.choices == ("hub", "local") and row.decidable
    assert _phone(town.laptop, town.household) == "13800000001"  # the local value was kept
    town.laptop.sync.decide(row.id, "hub")
    assert _phone(town.laptop, town.household) == "13900000009"
    assert town.laptop.sync.conflicts() == []
    assert _decisions(town.laptop) == ["冲突裁决：采用镇里的值"]
    with town.laptop.db.sessions() as session:
        assert session.get(SyncConflict, row.id).decided  # kept, marked decided
    _round(town)
    assert _phone(town.hub, town.household) == "13900000009"  # the hub ends on the chosen value
    assert _phone(town.laptop, town.household) == "13900000009"


def test_the_cadre_keeps_the_local_value_and_it_wins_at_the_hub(town: Town) -> None:
    _local_conflict(town)
    (row,) = town.laptop.sync.conflicts()
    town.laptop.sync.decide(row.id, "local")
    assert town.laptop.sync.conflicts() == []
    _round(town)
    assert _phone(town.hub, town.household) == "13800000001"
    (at_hub,) = town.hub.sync.conflicts()  # the hub's displaced value is in its own queue, not lost
    assert at_hub.hub_value == "139****0009" and at_hub.choices == ("hub", "incoming")


def test_a_step_the_hub_did_not_take_is_acknowledged_on_both_sides(town: Town) -> None:
    rid = town.laptop.requests.record(town.household, "生活困难", "屋顶漏雨")
    town.laptop.requests.act(rid, Action.SORT, Classification("生活困难", "个性", "近期一时难以解决", Level.VILLAGE))
    town.laptop.requests.act(rid, Action.ASSIGN, Assignment("村委会", "王书记", day(30)))
    town.laptop.requests.act(rid, Action.SOLVE, Resolution(day(3), "维修", "村集体出资", "已修好"))
    _round(town)
    town.hub.requests.act(rid, Action.FEEDBACK, Feedback(day(4), "村委会", "小李", "村干部", "仍漏雨", "不满意", True))
    town.laptop.requests.act(rid, Action.FEEDBACK, Feedback(day(5), "村委会", "小李", "村干部", "已修好", "满意", True))
    _round(town)
    (at_hub,) = town.hub.sync.conflicts()
    (on_laptop,) = town.laptop.sync.conflicts()
    assert at_hub.choices == ("seen",) and on_laptop.choices == ("seen",)
    assert not at_hub.decidable
    assert on_laptop.other_who == "本机（镇里未采用）" and "反馈" in on_laptop.other_value
    with pytest.raises(DomainError, match="已知悉"):
        town.hub.sync.decide(at_hub.id, "incoming")  # no value to take for a transition
    town.hub.sync.decide(at_hub.id, "seen")
    town.laptop.sync.decide(on_laptop.id, "seen")
    assert town.hub.sync.conflicts() == [] and town.laptop.sync.conflicts() == []
    assert _decisions(town.hub) == ["冲突裁决：已知悉"]
    _round(town)  # the laptop's own acknowledgement does not come back as new
    assert town.laptop.sync.conflicts() == []


def test_a_decided_entry_cannot_be_decided_again(town: Town) -> None:
    _local_conflict(town)
    (row,) = town.laptop.sync.conflicts()
    town.laptop.sync.decide(row.id, "local")
    with pytest.raises(DomainError, match="已经处理过"):
        town.laptop.sync.decide(row.id, "hub")


def test_only_whole_town_review_decides_at_the_hub(town: Town) -> None:
    _local_conflict(town)
    _round(town)  # the laptop's value reaches the hub: the hub's goes to its queue
    (row,) = town.hub.sync.conflicts()
    cadre = as_person(town.hub, "甲村驻村干部", Role.CADRE, villages=(town.village,))
    with pytest.raises(PermissionDenied):
        cadre.sync.decide(row.id, "hub")
    assert [r.id for r in town.hub.sync.conflicts()] == [row.id]  # still open
