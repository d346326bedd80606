"""A workflow action's payload as it travels in a sync file, and back (issue 14).

A laptop's transition travels as the action and what the user gave with it (a classification, an
assignment, a resolution …), so that the hub replays it on the request as the hub has it
(``domain/workflow.apply``) instead of copying the laptop's result. The wire form is plain JSON: a dict
tagged with the payload's kind, dates as ISO text, levels as their Chinese value. Pure Python."""

from __future__ import annotations

import dataclasses
import typing
from datetime import date
from typing import Any

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.workflow import (
    Assignment,
    Classification,
    Explanation,
    Feedback,
    Level,
    OnTheSpot,
    Payload,
    Progress,
    Reopen,
    Resolution,
    Supervision,
)

_KINDS: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Classification, Assignment, Supervision, Progress, Resolution, Explanation, Feedback, OnTheSpot, Reopen,
    )
}


def to_wire(payload: Payload) -> dict[str, Any] | None:
    """The payload as JSON-ready data (None for an action that carries nothing)."""
    if payload is None:
        return None
    if type(payload).__name__ not in _KINDS:
        raise TypeError(f"not a workflow payload: {type(payload).__name__}")
    out: dict[str, Any] = {"kind": type(payload).__name__}
    for f in dataclasses.fields(payload):  # type: ignore[arg-type]
        value = getattr(payload, f.name)
        if dataclasses.is_dataclass(value):
            out[f.name] = to_wire(value)  # type: ignore[arg-type]
        elif isinstance(value, date):
            out[f.name] = value.isoformat()
        else:
            out[f.name] = value.value if isinstance(value, Level) else value
    return out


def from_wire(data: dict[str, Any] | None) -> Payload:
    """The payload back from its wire form; a form this program cannot read raises DomainError."""
    if data is None:
        return None
    try:
        cls = _KINDS[data["kind"]]
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name not in data:
                continue  # a field with a default the sender's program did not have
            values[f.name] = _value(hints[f.name], data[f.name])
        return cls(**values)  # type: ignore[no-any-return]
    except (KeyError, TypeError, ValueError) as error:
        raise DomainError("同步文件中的诉求办理内容无法读取") from error


def _value(hint: Any, raw: Any) -> Any:
    if raw is None:
        return None
    options = typing.get_args(hint) or (hint,)
    for option in options:
        if option is date:
            return date.fromisoformat(raw)
        if option is Level:
            return Level(raw)
        if isinstance(option, type) and option.__name__ in _KINDS:
            return from_wire(raw)
    return raw
