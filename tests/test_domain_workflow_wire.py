"""A transition's payload travels in a sync file and comes back equal (domain/workflow_wire.py)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhuji_archive.domain import workflow_wire as wire
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.workflow import (
    Assignment,
    Classification,
    Explanation,
    Feedback,
    OnTheSpot,
    Progress,
    Reopen,
    Resolution,
    Supervision,
)

PAYLOADS = st.one_of(
    st.none(),
    *(
        st.builds(cls)
        for cls in (
            Classification, Assignment, Supervision, Progress, Resolution, Explanation, Feedback, OnTheSpot, Reopen,
        )
    ),
)


@given(PAYLOADS)
def test_every_payload_survives_the_journey_through_json(payload: object) -> None:
    travelled = json.loads(json.dumps(wire.to_wire(payload), ensure_ascii=False))  # type: ignore[arg-type]
    assert wire.from_wire(travelled) == payload


def test_a_field_the_sender_did_not_have_takes_its_default() -> None:
    sent = {"kind": "Progress", "on": "2026-03-02", "content": "已联系水利站"}
    assert wire.from_wire(sent) == Progress(on=date(2026, 3, 2), content="已联系水利站")


@pytest.mark.parametrize(
    "data",
    [{"kind": "Unknown"}, {"kind": "Resolution", "solved_on": "not a date", "measures": "", "method": "", "result": ""},
     {"content": "no kind"}, {"kind": "Explanation"}],
)
def test_a_form_this_program_cannot_read_is_refused_in_chinese(data: dict[str, object]) -> None:
    with pytest.raises(DomainError, match="无法读取"):
        wire.from_wire(data)
