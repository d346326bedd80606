"""The request (诉求) workflow rules, tested without Qt or a database.

The expectations here are written from the rules in the issue and DESIGN.md, not read from the
module: a table of the actions each state allows, and an oracle that says, for any action and
payload, whether it must be refused (and which field is at fault) or what the case becomes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.workflow import (
    Action,
    Assignment,
    Classification,
    Explanation,
    Feedback,
    Level,
    OnTheSpot,
    Progress,
    Reopen,
    RequestCase,
    Resolution,
    Status,
    Supervision,
    Transition,
    allowed_actions,
    apply,
)

RECORDED = date(2025, 3, 3)
LATER = RECORDED + timedelta(days=20)
IMMEDIATE = "立即可以解决"
NOT_SOON = "近期一时难以解决"

# ---- the table of allowed actions, per state and (for 已梳理) per level -----------------------
BY_STATUS: dict[Status, list[Action]] = {
    Status.REGISTERED: [Action.SORT, Action.SOLVE_ON_SPOT],
    Status.AWAITING_MEETING: [Action.ASSIGN, Action.JOINT],
    Status.IN_PROGRESS: [Action.PROGRESS, Action.SOLVE, Action.EXPLAIN],
    Status.SOLVED: [Action.FEEDBACK],
    Status.UNSOLVABLE: [Action.FEEDBACK],
    Status.CLOSED: [Action.REOPEN],
}
SORTED_BY_LEVEL: dict[Level | None, list[Action]] = {
    Level.VILLAGE: [Action.SORT, Action.ASSIGN],
    Level.CADRE: [Action.SORT, Action.ASSIGN],
    Level.TOWN: [Action.SORT, Action.REPORT],
    Level.JOINT: [Action.SORT, Action.JOINT],
    None: [Action.SORT],  # a sorted request without a level (e.g. migrated) can only be re-sorted
}
LEVELS: list[Level | None] = [None, *Level]


def expected_actions(status: Status, level: Level | None) -> list[Action]:
    if status == Status.SORTED:
        return SORTED_BY_LEVEL[level]
    return BY_STATUS[status]


# ---- the oracle -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Refused:
    """The action must be refused; the error's field must be one of ``fields``."""

    fields: frozenset[str | None]


def blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def unsatisfied(label: str) -> bool:
    return "不满意" in label


def before_recorded(day: date | None, case: RequestCase) -> bool:
    return day is not None and case.recorded_on is not None and day < case.recorded_on


def classification_problems(c: Classification) -> set[str]:
    bad = {name for name in ("category", "scope", "solvability") if blank(getattr(c, name))}
    if not isinstance(c.level, Level):
        bad.add("level")
    return bad


def assignment_problems(a: Assignment, case: RequestCase) -> set[str]:
    bad = {name for name in ("unit", "person", "deadline") if blank(getattr(a, name))}
    if before_recorded(a.deadline, case):
        bad.add("deadline")
    return bad


def resolution_problems(r: Resolution, case: RequestCase) -> set[str]:
    bad = {name for name in ("solved_on", "measures", "method", "result") if blank(getattr(r, name))}
    if before_recorded(r.solved_on, case):
        bad.add("solved_on")
    return bad


PAYLOAD_OF: dict[Action, type | None] = {
    Action.SORT: Classification,
    Action.SOLVE_ON_SPOT: OnTheSpot,
    Action.REPORT: None,  # needs nothing
    Action.ASSIGN: Assignment,
    Action.JOINT: Supervision,
    Action.PROGRESS: Progress,
    Action.SOLVE: Resolution,
    Action.EXPLAIN: Explanation,
    Action.FEEDBACK: Feedback,
    Action.REOPEN: Reopen,
}


def oracle(case: RequestCase, action: Action, payload: object) -> RequestCase | Refused:
    """What applying ``action`` with ``payload`` to ``case`` must give."""
    if action not in expected_actions(case.status, case.level):
        return Refused(frozenset({None}))
    kind = PAYLOAD_OF[action]
    if kind is not None and not isinstance(payload, kind):
        return Refused(frozenset({None}))
    bad: set[str] = set()
    if action == Action.SORT:
        assert isinstance(payload, Classification)
        bad = classification_problems(payload)
        after = replace(case, status=Status.SORTED, classification=payload)
    elif action == Action.SOLVE_ON_SPOT:
        assert isinstance(payload, OnTheSpot)
        bad = classification_problems(payload.classification) | resolution_problems(payload.resolution, case)
        if payload.classification.solvability != IMMEDIATE:
            bad.add("solvability")
        after = replace(
            case, status=Status.SOLVED, classification=payload.classification, resolution=payload.resolution
        )
    elif action == Action.REPORT:
        after = replace(case, status=Status.AWAITING_MEETING)
    elif action == Action.ASSIGN:
        assert isinstance(payload, Assignment)
        bad = assignment_problems(payload, case)
        after = replace(case, status=Status.IN_PROGRESS, assignment=payload)
    elif action == Action.JOINT:
        assert isinstance(payload, Supervision)
        bad = {name for name in ("body", "listed_on", "leader") if blank(getattr(payload, name))}
        if before_recorded(payload.listed_on, case):
            bad.add("listed_on")
        bad |= assignment_problems(payload.assignment, case)
        c = case.classification
        after = replace(
            case,
            status=Status.IN_PROGRESS,
            supervision=payload,
            assignment=payload.assignment,
            classification=replace(c, level=Level.JOINT) if c is not None else None,
        )
    elif action == Action.PROGRESS:
        assert isinstance(payload, Progress)
        bad = {name for name in ("on", "content") if blank(getattr(payload, name))}
        if before_recorded(payload.on, case):
            bad.add("on")
        after = case
        if case.supervision is not None and payload.next_check_on is not None:
            after = replace(case, supervision=replace(case.supervision, next_check_on=payload.next_check_on))
    elif action == Action.SOLVE:
        assert isinstance(payload, Resolution)
        bad = resolution_problems(payload, case)
        after = replace(case, status=Status.SOLVED, resolution=payload, explanation=None)
    elif action == Action.EXPLAIN:
        assert isinstance(payload, Explanation)
        bad = {name for name in ("text", "given_on") if blank(getattr(payload, name))}
        if before_recorded(payload.given_on, case):
            bad.add("given_on")
        after = replace(case, status=Status.UNSOLVABLE, explanation=payload, resolution=None)
    elif action == Action.FEEDBACK:
        assert isinstance(payload, Feedback)
        people = ("responsible_person", "cadre", "village_cadre")
        bad = {"on"} if payload.on is None or before_recorded(payload.on, case) else set()
        if all(blank(getattr(payload, name)) for name in people):
            bad |= set(people)
        if blank(payload.satisfaction):
            bad.add("satisfaction")
        elif unsatisfied(payload.satisfaction) and blank(payload.opinion):
            bad.add("opinion")
        back = not blank(payload.satisfaction) and unsatisfied(payload.satisfaction)
        after = replace(case, status=Status.IN_PROGRESS if back else Status.CLOSED, feedback=payload)
    else:
        assert action == Action.REOPEN and isinstance(payload, Reopen)
        bad = {"reason"} if blank(payload.reason) else set()
        after = replace(case, status=Status.IN_PROGRESS, reopen_reason=payload.reason)
    if bad:
        return Refused(frozenset(bad))
    return after


# ---- payload strategies -----------------------------------------------------------------------
GOOD_TEXT = st.sampled_from(["村委会", "王建军", "修复灌溉渠", "镇农业农村办", "已落实救助金"])
BAD_TEXT = st.sampled_from(["", "   ", "\u3000", "\t\n"])
TEXT = st.one_of(GOOD_TEXT, GOOD_TEXT, BAD_TEXT)
GOOD_DAY = st.dates(RECORDED, RECORDED + timedelta(days=300))
DAY = st.one_of(
    GOOD_DAY, GOOD_DAY, st.none(), st.dates(RECORDED - timedelta(days=60), RECORDED - timedelta(days=1))
)
LEVEL = st.one_of(st.sampled_from(Level), st.sampled_from(Level), st.none())
SOLVABILITY = st.sampled_from([IMMEDIATE, NOT_SOON, "", " ", "较难解决"])
SATISFACTION = st.sampled_from(["满意", "基本满意", "不满意", "很不满意", "", " "])


def classifications(good: bool = False) -> st.SearchStrategy[Classification]:
    if good:
        return st.builds(
            Classification,
            GOOD_TEXT,
            st.sampled_from(["共性", "个性"]),
            st.sampled_from([IMMEDIATE, NOT_SOON]),
            st.sampled_from([Level.VILLAGE, Level.CADRE, Level.TOWN, Level.TOWN, Level.JOINT]),
        )
    return st.builds(Classification, TEXT, TEXT, SOLVABILITY, LEVEL)  # type: ignore[arg-type]


def assignments(good: bool = False) -> st.SearchStrategy[Assignment]:
    if good:
        return st.builds(Assignment, GOOD_TEXT, GOOD_TEXT, GOOD_DAY, st.sampled_from(["", "会议决定"]))
    return st.builds(Assignment, TEXT, TEXT, DAY, st.sampled_from(["", "备注"]))


def supervisions(good: bool = False) -> st.SearchStrategy[Supervision]:
    day = GOOD_DAY if good else DAY
    text = GOOD_TEXT if good else TEXT
    return st.builds(Supervision, text, day, text, assignments(good), st.one_of(st.none(), GOOD_DAY))


def progresses(good: bool = False) -> st.SearchStrategy[Progress]:
    day = GOOD_DAY if good else DAY
    return st.builds(Progress, day, GOOD_TEXT if good else TEXT, st.one_of(st.none(), GOOD_DAY))


def resolutions(good: bool = False) -> st.SearchStrategy[Resolution]:
    day, text = (GOOD_DAY, GOOD_TEXT) if good else (DAY, TEXT)
    return st.builds(Resolution, day, text, text, text)


def explanations(good: bool = False) -> st.SearchStrategy[Explanation]:
    return st.builds(Explanation, GOOD_TEXT if good else TEXT, GOOD_DAY if good else DAY)


def feedbacks(good: bool = False) -> st.SearchStrategy[Feedback]:
    if good:
        return st.builds(
            Feedback,
            GOOD_DAY,
            GOOD_TEXT,
            st.one_of(GOOD_TEXT, BAD_TEXT),
            st.one_of(GOOD_TEXT, BAD_TEXT),
            GOOD_TEXT,
            st.sampled_from(["满意", "基本满意", "不满意"]),
            st.booleans(),
        )
    return st.builds(Feedback, DAY, TEXT, TEXT, TEXT, TEXT, SATISFACTION, st.booleans())


def on_the_spot(good: bool = False) -> st.SearchStrategy[OnTheSpot]:
    if good:
        c = st.builds(
            Classification,
            GOOD_TEXT,
            st.sampled_from(["共性", "个性"]),
            st.just(IMMEDIATE),
            st.sampled_from(Level),
        )
        return st.builds(OnTheSpot, c, resolutions(True))
    return st.builds(OnTheSpot, classifications(), resolutions())


def reopens(good: bool = False) -> st.SearchStrategy[Reopen]:
    return st.builds(Reopen, GOOD_TEXT if good else TEXT)


STRATEGY_OF = {
    Classification: classifications,
    Assignment: assignments,
    Supervision: supervisions,
    Progress: progresses,
    Resolution: resolutions,
    Explanation: explanations,
    Feedback: feedbacks,
    OnTheSpot: on_the_spot,
    Reopen: reopens,
}
ANY_PAYLOAD = st.one_of(st.none(), *(make() for make in STRATEGY_OF.values()))


def good_payload(action: Action) -> st.SearchStrategy[object]:
    kind = PAYLOAD_OF[action]
    return st.none() if kind is None else STRATEGY_OF[kind](True)


# ---- the state machine ------------------------------------------------------------------------
class RequestLifecycle(RuleBasedStateMachine):
    """Random sequences of actions, valid and invalid, against the oracle and the invariants."""

    def __init__(self) -> None:
        super().__init__()
        self.case = RequestCase(recorded_on=RECORDED)
        self.log: list[Transition] = []

    def _try(self, action: Action, payload: object) -> None:
        before = self.case
        snapshot = replace(before)  # an equal copy, to show the case is unchanged after a refusal
        expected = oracle(before, action, payload)
        if isinstance(expected, Refused):
            with pytest.raises(DomainError) as caught:
                apply(before, action, payload)  # type: ignore[arg-type]
            assert caught.value.field in expected.fields, (action, payload, caught.value.message)
            assert caught.value.message.strip()
            assert before == snapshot
            return
        after, transition = apply(before, action, payload)  # type: ignore[arg-type]
        assert after == expected
        assert transition.action == action
        assert transition.before == before.status
        assert transition.after == after.status
        assert isinstance(transition.note, str)
        if action == Action.EXPLAIN:
            assert transition.note == payload.text  # type: ignore[union-attr]
        if action == Action.REOPEN:
            assert transition.note == payload.reason  # type: ignore[union-attr]
        if action == Action.FEEDBACK and after.status == Status.IN_PROGRESS:
            assert payload.opinion in transition.note  # type: ignore[union-attr]
        if after.status == Status.CLOSED:
            assert action == Action.FEEDBACK
            assert before.status in (Status.SOLVED, Status.UNSOLVABLE)
        self.case = after
        self.log.append(transition)

    @rule(data=st.data())
    def allowed_action_with_a_complete_payload(self, data: st.DataObject) -> None:
        action = data.draw(st.sampled_from(expected_actions(self.case.status, self.case.level)))
        payload = data.draw(good_payload(action))
        assert not isinstance(oracle(self.case, action, payload), Refused)
        self._try(action, payload)

    @precondition(lambda self: self.case.status == Status.SORTED and self.case.level == Level.TOWN)
    @rule()
    def report_to_the_town(self) -> None:
        self._try(Action.REPORT, None)

    @rule(action=st.sampled_from(Action), payload=ANY_PAYLOAD)
    def any_action_with_any_payload(self, action: Action, payload: object) -> None:
        self._try(action, payload)

    @rule(data=st.data())
    def allowed_action_with_a_payload_of_its_kind(self, data: st.DataObject) -> None:
        action = data.draw(st.sampled_from(expected_actions(self.case.status, self.case.level)))
        kind = PAYLOAD_OF[action]
        payload = data.draw(st.none() if kind is None else STRATEGY_OF[kind]())
        self._try(action, payload)

    @precondition(lambda self: self.case.status not in (Status.REGISTERED,))
    @rule(action=st.sampled_from(Action), payload=ANY_PAYLOAD)
    def action_outside_the_table_is_refused(self, action: Action, payload: object) -> None:
        if action in expected_actions(self.case.status, self.case.level):
            return
        before = self.case
        with pytest.raises(DomainError) as caught:
            apply(before, action, payload)  # type: ignore[arg-type]
        assert str(before.status) in caught.value.message and str(action) in caught.value.message
        assert self.case == before

    @invariant()
    def allowed_actions_follow_the_table(self) -> None:
        assert allowed_actions(self.case) == expected_actions(self.case.status, self.case.level)

    @invariant()
    def log_chains_from_registration_to_the_current_state(self) -> None:
        status = Status.REGISTERED
        for transition in self.log:
            assert transition.before == status
            status = transition.after
        assert status == self.case.status

    @invariant()
    def closed_only_with_a_satisfied_feedback(self) -> None:
        if self.case.status == Status.CLOSED:
            feedback = self.case.feedback
            assert feedback is not None and feedback.on is not None
            assert feedback.satisfaction.strip() and not unsatisfied(feedback.satisfaction)
            assert self.log[-1].action == Action.FEEDBACK

    @invariant()
    def unsolvable_always_has_an_explanation_and_date(self) -> None:
        if self.case.status == Status.UNSOLVABLE:
            explanation = self.case.explanation
            assert explanation is not None and explanation.text.strip()
            assert explanation.given_on is not None and explanation.given_on >= RECORDED
            assert self.case.resolution is None

    @invariant()
    def solved_always_has_a_complete_resolution(self) -> None:
        if self.case.status == Status.SOLVED:
            r = self.case.resolution
            assert r is not None and r.solved_on is not None and r.solved_on >= RECORDED
            assert r.measures.strip() and r.method.strip() and r.result.strip()
            assert self.case.explanation is None

    @invariant()
    def every_assignment_is_complete(self) -> None:
        a = self.case.assignment
        if a is not None:
            assert a.unit.strip() and a.person.strip() and a.deadline is not None and a.deadline >= RECORDED

    @invariant()
    def supervision_has_body_date_and_leader(self) -> None:
        s = self.case.supervision
        if s is not None:
            assert s.body.strip() and s.listed_on is not None and s.leader.strip()
            assert self.case.assignment == s.assignment
            assert self.case.level in (Level.JOINT, None)


RequestLifecycle.TestCase.settings = settings(
    max_examples=200, stateful_step_count=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_request_lifecycle = RequestLifecycle.TestCase


# ---- the table, exhaustively --------------------------------------------------------------------
def case_in(status: Status, level: Level | None) -> RequestCase:
    classification = Classification("生活困难", "个性", NOT_SOON, level) if level is not None else None
    return RequestCase(status=status, recorded_on=RECORDED, classification=classification)


GOOD: dict[Action, object] = {
    Action.SORT: Classification("生活困难", "个性", NOT_SOON, Level.VILLAGE),
    Action.SOLVE_ON_SPOT: OnTheSpot(
        Classification("政策咨询", "个性", IMMEDIATE, Level.CADRE),
        Resolution(RECORDED, "当场答复", "解答", "已解决"),
    ),
    Action.REPORT: None,
    Action.ASSIGN: Assignment("村委会", "王书记", LATER),
    Action.JOINT: Supervision("诸暨市信访局", RECORDED, "陈国平", Assignment("镇综治中心", "何伟", LATER)),
    Action.PROGRESS: Progress(LATER, "召开协调会"),
    Action.SOLVE: Resolution(LATER, "修复水渠", "协调施工", "已通水"),
    Action.EXPLAIN: Explanation("不符合政策，已依法解释", LATER),
    Action.FEEDBACK: Feedback(LATER, "王书记", "李驻村", "", "满意", "满意", True),
    Action.REOPEN: Reopen("群众再次反映"),
}


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("level", LEVELS)
def test_allowed_actions_table(status: Status, level: Level | None) -> None:
    case = case_in(status, level)
    expected = expected_actions(status, level)
    assert allowed_actions(case) == expected
    for action in Action:
        if action in expected:
            after, transition = apply(case, action, GOOD[action])  # type: ignore[arg-type]
            assert (transition.before, transition.after) == (status, after.status)
        else:
            with pytest.raises(DomainError) as caught:
                apply(case, action, GOOD[action])  # type: ignore[arg-type]
            message = caught.value.message
            assert f"“{status}”" in message and f"“{action}”" in message
            for allowed in expected:
                assert allowed in message  # the message says what can be done instead


def test_every_state_is_reachable_and_the_happy_path() -> None:
    case = RequestCase(recorded_on=RECORDED)
    path = [
        (Action.SORT, Classification("生产困难", "共性", NOT_SOON, Level.TOWN), Status.SORTED),
        (Action.REPORT, None, Status.AWAITING_MEETING),
        (Action.ASSIGN, Assignment("镇农业农村办", "周主任", LATER, "月度专题会议决定"), Status.IN_PROGRESS),
        (Action.SOLVE, Resolution(LATER, "修复渠道", "组织施工", "已通水"), Status.SOLVED),
        (Action.FEEDBACK, GOOD[Action.FEEDBACK], Status.CLOSED),
    ]
    seen = {case.status}
    for action, payload, status in path:
        case, _ = apply(case, action, payload)  # type: ignore[arg-type]
        assert case.status == status
        seen.add(status)
    case, _ = apply(case, Action.REOPEN, Reopen("又漏水了"))
    case, _ = apply(case, Action.EXPLAIN, GOOD[Action.EXPLAIN])  # type: ignore[arg-type]
    seen.add(case.status)
    assert seen == set(Status)


# ---- what each action needs, with its Chinese message ---------------------------------------------
def sorted_case(level: Level) -> RequestCase:
    return case_in(Status.SORTED, level)


@pytest.mark.parametrize(
    ("assignment", "field", "named"),
    [
        (Assignment("", "王书记", LATER), "unit", "责任单位"),
        (Assignment("  ", "王书记", LATER), "unit", "责任单位"),
        (Assignment("村委会", "", LATER), "person", "责任人"),
        (Assignment("村委会", "\u3000", LATER), "person", "责任人"),
        (Assignment("村委会", "王书记", None), "deadline", "办结时限"),
    ],
)
def test_assignment_needs_unit_person_and_deadline(assignment: Assignment, field: str, named: str) -> None:
    case = sorted_case(Level.VILLAGE)
    with pytest.raises(DomainError) as caught:
        apply(case, Action.ASSIGN, assignment)
    assert caught.value.field == field
    assert named in caught.value.message


def test_deadline_before_the_request_was_recorded_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        apply(
            sorted_case(Level.CADRE),
            Action.ASSIGN,
            Assignment("村委会", "王书记", RECORDED - timedelta(days=1)),
        )
    assert caught.value.field == "deadline"
    assert "办结时限" in caught.value.message and RECORDED.isoformat() in caught.value.message


def test_assignment_without_payload_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        apply(sorted_case(Level.VILLAGE), Action.ASSIGN, None)
    assert "交办" in caught.value.message


@pytest.mark.parametrize(
    ("supervision", "field", "named"),
    [
        (Supervision("", RECORDED, "陈国平", GOOD[Action.ASSIGN]), "body", "挂牌督办"),  # type: ignore[arg-type]
        (Supervision("市信访局", None, "陈国平", GOOD[Action.ASSIGN]), "listed_on", "挂牌日期"),  # type: ignore[arg-type]
        (Supervision("市信访局", RECORDED, " ", GOOD[Action.ASSIGN]), "leader", "包案领导"),  # type: ignore[arg-type]
        (Supervision("市信访局", RECORDED, "陈国平", Assignment("", "何伟", LATER)), "unit", "责任单位"),
        (
            Supervision("市信访局", RECORDED, "陈国平", Assignment("镇综治中心", "何伟", None)),
            "deadline",
            "办结时限",
        ),
    ],
)
def test_joint_handling_needs_body_date_and_leader(supervision: Supervision, field: str, named: str) -> None:
    for case in (sorted_case(Level.JOINT), case_in(Status.AWAITING_MEETING, Level.TOWN)):
        with pytest.raises(DomainError) as caught:
            apply(case, Action.JOINT, supervision)
        assert caught.value.field == field
        assert named in caught.value.message


def test_joint_handling_from_the_meeting_makes_the_level_joint() -> None:
    case = case_in(Status.AWAITING_MEETING, Level.TOWN)
    after, _ = apply(case, Action.JOINT, GOOD[Action.JOINT])  # type: ignore[arg-type]
    assert after.status == Status.IN_PROGRESS
    assert after.level == Level.JOINT
    assert after.supervision == GOOD[Action.JOINT]
    assert after.deadline == LATER


def test_progress_moves_the_next_check_of_a_supervised_case() -> None:
    case, _ = apply(sorted_case(Level.JOINT), Action.JOINT, GOOD[Action.JOINT])  # type: ignore[arg-type]
    check = LATER + timedelta(days=14)
    after, transition = apply(case, Action.PROGRESS, Progress(LATER, "现场踏勘", check))
    assert after.status == Status.IN_PROGRESS and transition.before == transition.after == Status.IN_PROGRESS
    assert after.supervision is not None and after.supervision.next_check_on == check
    assert transition.note == "现场踏勘"
    for bad, field in ((Progress(None, "踏勘"), "on"), (Progress(LATER, " "), "content")):
        with pytest.raises(DomainError) as caught:
            apply(after, Action.PROGRESS, bad)
        assert caught.value.field == field


@pytest.mark.parametrize("solvability", [NOT_SOON, "", "较难解决"])
def test_on_the_spot_only_for_immediately_solvable(solvability: str) -> None:
    payload = OnTheSpot(
        Classification("政策咨询", "个性", solvability, Level.CADRE),
        Resolution(RECORDED, "答复", "解答", "已解决"),
    )
    with pytest.raises(DomainError) as caught:
        apply(RequestCase(recorded_on=RECORDED), Action.SOLVE_ON_SPOT, payload)
    assert caught.value.field == "solvability"
    assert "立即可以解决" in caught.value.message or "解决难易" in caught.value.message


def test_on_the_spot_records_solved_and_still_needs_feedback() -> None:
    payload = GOOD[Action.SOLVE_ON_SPOT]
    after, transition = apply(RequestCase(recorded_on=RECORDED), Action.SOLVE_ON_SPOT, payload)  # type: ignore[arg-type]
    assert (transition.before, transition.after) == (Status.REGISTERED, Status.SOLVED)
    assert after.resolution == payload.resolution  # type: ignore[union-attr]
    assert after.classification == payload.classification  # type: ignore[union-attr]
    assert allowed_actions(after) == [Action.FEEDBACK]


@pytest.mark.parametrize(
    ("resolution", "field", "named"),
    [
        (Resolution(None, "修", "施工", "好"), "solved_on", "解决时间"),
        (Resolution(LATER, "", "施工", "好"), "measures", "解决措施"),
        (Resolution(LATER, "修", " ", "好"), "method", "解决办法"),
        (Resolution(LATER, "修", "施工", ""), "result", "解决结果"),
        (Resolution(RECORDED - timedelta(days=1), "修", "施工", "好"), "solved_on", "解决时间"),
    ],
)
def test_solving_needs_time_measures_method_and_result(
    resolution: Resolution, field: str, named: str
) -> None:
    case = case_in(Status.IN_PROGRESS, Level.VILLAGE)
    with pytest.raises(DomainError) as caught:
        apply(case, Action.SOLVE, resolution)
    assert caught.value.field == field and named in caught.value.message


@pytest.mark.parametrize(
    ("explanation", "field"),
    [
        (Explanation("", LATER), "text"),
        (Explanation("   ", LATER), "text"),
        (Explanation("依法解释", None), "given_on"),
        (Explanation("依法解释", RECORDED - timedelta(days=3)), "given_on"),
    ],
)
def test_unsolvable_needs_an_explanation_and_its_date(explanation: Explanation, field: str) -> None:
    case = case_in(Status.IN_PROGRESS, Level.VILLAGE)
    with pytest.raises(DomainError) as caught:
        apply(case, Action.EXPLAIN, explanation)
    assert caught.value.field == field
    after, _ = apply(case, Action.EXPLAIN, Explanation("不符合政策，已依法解释", LATER))
    assert after.status == Status.UNSOLVABLE and after.explanation == Explanation(
        "不符合政策，已依法解释", LATER
    )


def test_unsatisfied_feedback_returns_to_work_and_keeps_the_opinion() -> None:
    solved = replace(
        case_in(Status.SOLVED, Level.VILLAGE),
        assignment=Assignment("村委会", "王书记", LATER),
        resolution=Resolution(LATER, "修", "施工", "好"),
    )
    feedback = Feedback(LATER, "王书记", "李驻村", "赵村干", "渠道仍然漏水", "不满意", True)
    after, transition = apply(solved, Action.FEEDBACK, feedback)
    assert after.status == Status.IN_PROGRESS
    assert after.feedback == feedback and after.feedback.opinion == "渠道仍然漏水"
    assert "渠道仍然漏水" in transition.note
    assert after.resolution == solved.resolution and after.assignment == solved.assignment
    assert allowed_actions(after) == [Action.PROGRESS, Action.SOLVE, Action.EXPLAIN]
    without_reason = replace(feedback, opinion=" ")
    with pytest.raises(DomainError) as caught:
        apply(solved, Action.FEEDBACK, without_reason)
    assert caught.value.field == "opinion"


@pytest.mark.parametrize(
    ("feedback", "field"),
    [
        (Feedback(None, "王书记", "", "", "好", "满意", True), "on"),
        (Feedback(LATER, "", " ", "", "好", "满意", True), "responsible_person"),
        (Feedback(LATER, "王书记", "", "", "好", "", False), "satisfaction"),
    ],
)
def test_feedback_needs_date_people_and_satisfaction(feedback: Feedback, field: str) -> None:
    case = case_in(Status.UNSOLVABLE, Level.VILLAGE)
    with pytest.raises(DomainError) as caught:
        apply(case, Action.FEEDBACK, feedback)
    assert caught.value.field == field


@pytest.mark.parametrize("satisfaction", ["满意", "基本满意"])
def test_satisfied_feedback_closes(satisfaction: str) -> None:
    feedback = Feedback(LATER, "", "李驻村", "", "", satisfaction, False)
    after, transition = apply(case_in(Status.SOLVED, Level.CADRE), Action.FEEDBACK, feedback)
    assert after.status == Status.CLOSED and after.feedback == feedback
    assert allowed_actions(after) == [Action.REOPEN]


def test_closed_request_reopens_only_with_a_reason() -> None:
    closed = case_in(Status.CLOSED, Level.VILLAGE)
    for reason in ("", "  ", "\u3000"):
        with pytest.raises(DomainError) as caught:
            apply(closed, Action.REOPEN, Reopen(reason))
        assert caught.value.field == "reason" and "理由" in caught.value.message
    with pytest.raises(DomainError):
        apply(closed, Action.REOPEN, None)
    for action in Action:
        if action != Action.REOPEN:
            with pytest.raises(DomainError):
                apply(closed, action, GOOD[action])  # type: ignore[arg-type]
    after, transition = apply(closed, Action.REOPEN, Reopen("群众再次来访反映"))
    assert after.status == Status.IN_PROGRESS and after.reopen_reason == "群众再次来访反映"
    assert transition == Transition(Action.REOPEN, Status.CLOSED, Status.IN_PROGRESS, "群众再次来访反映")


@pytest.mark.parametrize(
    ("classification", "field"),
    [
        (Classification("", "个性", NOT_SOON, Level.VILLAGE), "category"),
        (Classification("生活困难", " ", NOT_SOON, Level.VILLAGE), "scope"),
        (Classification("生活困难", "个性", "", Level.VILLAGE), "solvability"),
        (Classification("生活困难", "个性", NOT_SOON, "村级"), "level"),  # type: ignore[arg-type]
        (Classification("生活困难", "个性", NOT_SOON, None), "level"),  # type: ignore[arg-type]
    ],
)
def test_sorting_needs_every_classification(classification: Classification, field: str) -> None:
    with pytest.raises(DomainError) as caught:
        apply(RequestCase(recorded_on=RECORDED), Action.SORT, classification)
    assert caught.value.field == field


def test_a_passed_next_check_is_overdue_only_while_the_case_is_handled() -> None:
    from zhuji_archive.domain.workflow import check_overdue

    today = date(2026, 11, 30)
    assert check_overdue(Status.IN_PROGRESS, date(2026, 11, 29), today)
    assert not check_overdue(Status.IN_PROGRESS, today, today)
    assert not check_overdue(Status.IN_PROGRESS, None, today)
    assert not check_overdue(Status.SOLVED, date(2026, 11, 1), today)
    assert not check_overdue(Status.CLOSED, date(2026, 11, 1), today)
