"""Rules of a monthly meeting's decisions (会议决定): what a complete decision needs and how early
its deadline may be. Pure; the meeting service and the decision table both use it."""

from __future__ import annotations

from datetime import date

from zhuji_archive.domain.errors import DomainError


def decision_gaps(unit: str, person: str, deadline: date | None) -> list[str]:
    """The fields a decision still lacks, by their Chinese names (empty when complete)."""
    return [
        name
        for name, value in (("责任单位", unit.strip()), ("责任人", person.strip()), ("办结时限", deadline))
        if not value
    ]


def check_deadline(deadline: date | None, held_on: date) -> None:
    """A meeting cannot set a deadline before the day it was held."""
    if deadline is not None and deadline < held_on:
        raise DomainError(
            f"办结时限{deadline.isoformat()}早于会议日期{held_on.isoformat()}，请改为会议当天或以后的日期",
            "deadline",
        )


def incomplete_message(lines: list[str]) -> str:
    """The one message that names every incomplete decision (``lines`` as built by the caller)."""
    return "以下诉求的会议决定不完整，未交办任何诉求：\n" + "\n".join(lines)
