"""The text rules of domain/text_input applied to a whole household file, each problem placed in
its section and row (the form says where, as for the file's other problems)."""

from __future__ import annotations

from zhuji_archive.domain.text_input import clean_record
from zhuji_archive.views.household_file import FieldProblem, HouseholdFile

SECTIONS = {
    "members": "member",
    "incomes": "income",
    "assistance": "assistance",
    "visits": "visit",
    "requests": "request",
}


def household_file_problems(file: HouseholdFile) -> list[FieldProblem]:
    """Normalise every text of the file in place; return the texts that cannot be saved."""
    problems = [FieldProblem("household", None, e.field, e.message) for e in clean_record("household", file)]
    for section, kind in SECTIONS.items():
        for index, row in enumerate(getattr(file, section)):
            if row.removed:
                continue
            for error in clean_record(kind, row):
                problems.append(FieldProblem(section, index, error.field, error.message))
    return problems
