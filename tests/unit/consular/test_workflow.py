import itertools

import pytest

from services.consular.cases.workflow import (
    SENSITIVE_CATEGORIES,
    TRANSITIONS,
    CaseCategory,
    CaseStatus,
    Resolution,
    ResolutionNotAllowed,
    ResolutionRequired,
    TransitionRefused,
    allowed_next,
    check_transition,
)

S = CaseStatus
Pair = tuple[CaseStatus, CaseStatus]

EXPECTED = {
    (S.open, S.in_progress),
    (S.in_progress, S.awaiting_information),
    (S.in_progress, S.referred),
    (S.in_progress, S.resolved),
    (S.awaiting_information, S.in_progress),
    (S.awaiting_information, S.resolved),
    (S.referred, S.in_progress),
    (S.referred, S.resolved),
    (S.resolved, S.closed),
    (S.resolved, S.in_progress),
    (S.closed, S.in_progress),
}
ALL_PAIRS = set(itertools.product(S, S))
REFUSED = sorted(ALL_PAIRS - EXPECTED)


def _resolution_for(to: CaseStatus) -> Resolution | None:
    return Resolution.assisted if to == S.resolved else None


def _pair_id(pair: Pair) -> str:
    return f"{pair[0]}->{pair[1]}"


def test_transition_table_matches_the_specification() -> None:
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == EXPECTED
    assert set(TRANSITIONS) == set(S)


@pytest.mark.parametrize("pair", sorted(EXPECTED), ids=_pair_id)
def test_every_allowed_pair_passes_for_a_supervisor(pair: Pair) -> None:
    current, to = pair
    check_transition(current, to, is_supervisor=True, resolution=_resolution_for(to))


@pytest.mark.parametrize("pair", sorted(EXPECTED - {(S.closed, S.in_progress)}), ids=_pair_id)
def test_every_allowed_pair_except_reopening_closed_passes_for_an_officer(pair: Pair) -> None:
    current, to = pair
    check_transition(current, to, is_supervisor=False, resolution=_resolution_for(to))


@pytest.mark.parametrize("is_supervisor", [True, False])
@pytest.mark.parametrize("pair", REFUSED, ids=_pair_id)
def test_every_other_pair_is_refused_naming_allowed_next_states(
    pair: Pair, is_supervisor: bool
) -> None:
    current, to = pair
    with pytest.raises(TransitionRefused) as caught:
        check_transition(current, to, is_supervisor=is_supervisor, resolution=_resolution_for(to))
    error = caught.value
    expected_allowed = allowed_next(current, is_supervisor=is_supervisor)
    assert (error.current, error.requested, error.allowed) == (current, to, expected_allowed)
    for state in expected_allowed:
        assert str(state) in str(error)


@pytest.mark.parametrize("pair", REFUSED, ids=_pair_id)
def test_a_refused_move_is_reported_before_a_resolution_problem(pair: Pair) -> None:
    current, to = pair
    with pytest.raises(TransitionRefused):
        check_transition(current, to, is_supervisor=True, resolution=Resolution.other)


def test_reopening_a_closed_case_is_supervisor_only() -> None:
    check_transition(S.closed, S.in_progress, is_supervisor=True, resolution=None)
    with pytest.raises(TransitionRefused) as caught:
        check_transition(S.closed, S.in_progress, is_supervisor=False, resolution=None)
    assert caught.value.allowed == ()
    assert "supervisor" in caught.value.reason
    assert "none" in str(caught.value)


def test_reopening_a_resolved_case_is_open_to_officers() -> None:
    check_transition(S.resolved, S.in_progress, is_supervisor=False, resolution=None)


def test_allowed_next_depends_on_role_only_for_closed_cases() -> None:
    for status in S:
        officer = allowed_next(status, is_supervisor=False)
        supervisor = allowed_next(status, is_supervisor=True)
        if status == S.closed:
            assert (officer, supervisor) == ((), (S.in_progress,))
        else:
            assert officer == supervisor == TRANSITIONS[status]


def test_allowed_next_examples() -> None:
    assert allowed_next(S.open, is_supervisor=False) == (S.in_progress,)
    assert allowed_next(S.in_progress, is_supervisor=False) == (
        S.awaiting_information,
        S.referred,
        S.resolved,
    )


@pytest.mark.parametrize("current", [S.in_progress, S.awaiting_information, S.referred])
def test_resolving_requires_a_resolution(current: CaseStatus) -> None:
    with pytest.raises(ResolutionRequired) as caught:
        check_transition(current, S.resolved, is_supervisor=True, resolution=None)
    assert caught.value.current == current


@pytest.mark.parametrize("resolution", list(Resolution))
def test_every_resolution_code_can_resolve(resolution: Resolution) -> None:
    check_transition(S.in_progress, S.resolved, is_supervisor=False, resolution=resolution)


@pytest.mark.parametrize("pair", sorted(p for p in EXPECTED if p[1] != S.resolved), ids=_pair_id)
def test_a_resolution_is_refused_when_not_resolving(pair: Pair) -> None:
    current, to = pair
    with pytest.raises(ResolutionNotAllowed) as caught:
        check_transition(current, to, is_supervisor=True, resolution=Resolution.assisted)
    assert (caught.value.current, caught.value.requested) == (current, to)
    assert caught.value.resolution == Resolution.assisted


def test_plain_strings_from_the_wire_are_accepted() -> None:
    check_transition(
        S("in_progress"), S("resolved"), is_supervisor=False, resolution=Resolution("repatriated")
    )
    assert S("open") == "open"


def test_sensitive_categories() -> None:
    assert {
        CaseCategory.death,
        CaseCategory.trafficking,
        CaseCategory.violence,
        CaseCategory.missing_person,
    } == SENSITIVE_CATEGORIES
    assert CaseCategory.wage_theft not in SENSITIVE_CATEGORIES


def test_enum_values_match_the_wire_contract() -> None:
    assert [c.value for c in CaseCategory] == [
        "wage_theft",
        "document_confiscation",
        "detention",
        "deportation",
        "trafficking",
        "violence",
        "accident_injury",
        "death",
        "missing_person",
        "medical",
        "other",
    ]
    assert [s.value for s in S] == [
        "open",
        "in_progress",
        "awaiting_information",
        "referred",
        "resolved",
        "closed",
    ]
