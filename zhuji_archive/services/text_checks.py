"""The text rules of domain/text_input applied to a whole household file, each problem placed in
its section and row so the form can show it beside the field."""

from __future__ import annotations

from zhuji_archive.domain.text_input import clean_record
from zhuji_archive.services.records import FieldProblem, HouseholdFile

SECTIONS = {
    "members": ("member", "成员"),
    "incomes": ("income", "经济来源"),
    "assistance": ("assistance", "帮扶记录"),
    "visits": ("visit", "走访记录"),
    "requests": ("request", "诉求"),
}


def household_file_problems(file: HouseholdFile) -> list[FieldProblem]:
    """Normalise every text of the file in place; return the texts that cannot be saved."""
    problems = [FieldProblem("household", None, e.field, e.message) for e in clean_record("household", file)]
    for section, (kind, title) in SECTIONS.items():
        for index, row in enumerate(getattr(file, section)):
            if row.removed:
                continue
            for error in clean_record(kind, row):
                problems.append(FieldProblem(section, index, error.field, f"{title}第{index + 1}行：{error.message}"))
    return problems
