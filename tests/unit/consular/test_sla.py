from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.consular.cases.sla import (
    CASE_NUMBER_RE,
    DEFAULT_SLA,
    StatusSpan,
    case_number,
    compute_sla,
)
from services.consular.cases.workflow import CaseStatus, Priority

S = CaseStatus
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
D = timedelta(days=1)
History = tuple[datetime, list[StatusSpan], datetime]


def span(status: CaseStatus, start: timedelta, end: timedelta | None = None) -> StatusSpan:
    return StatusSpan(status, T0 + start, None if end is None else T0 + end)


# --- defaults and the plain running clock ---------------------------------------------


def test_default_sla_values() -> None:
    assert {
        Priority.critical: 24 * H,
        Priority.high: 3 * D,
        Priority.normal: 10 * D,
        Priority.low: 30 * D,
    } == DEFAULT_SLA


@pytest.mark.parametrize("priority", list(Priority))
def test_fresh_case_is_green_and_due_after_its_sla(priority: Priority) -> None:
    view = compute_sla(T0, priority, [span(S.open, 0 * H)], T0)
    assert view.due_at == T0 + DEFAULT_SLA[priority]
    assert view.state == "green"
    assert view.paused_for == view.elapsed_active == timedelta(0)


def test_no_history_counts_as_open_and_running() -> None:
    view = compute_sla(T0, Priority.high, [], T0 + 2 * D)
    assert view.elapsed_active == 2 * D
    assert view.state == "amber"


def test_green_until_half_then_amber() -> None:
    spans = [span(S.open, 0 * H, 1 * H), span(S.in_progress, 1 * H)]
    just_before_half = compute_sla(T0, Priority.critical, spans, T0 + 12 * H - timedelta(seconds=1))
    at_half = compute_sla(T0, Priority.critical, spans, T0 + 12 * H)
    assert just_before_half.state == "green"
    assert at_half.state == "amber"
    assert at_half.elapsed_active == 12 * H


def test_amber_at_due_time_red_just_after() -> None:
    spans = [span(S.in_progress, 0 * H)]
    assert compute_sla(T0, Priority.critical, spans, T0 + 24 * H).state == "amber"
    late = compute_sla(T0, Priority.critical, spans, T0 + 24 * H + timedelta(seconds=1))
    assert late.state == "red"
    assert late.due_at == T0 + 24 * H


def test_referred_case_keeps_the_clock_running() -> None:
    spans = [span(S.in_progress, 0 * H, 1 * H), span(S.referred, 1 * H)]
    view = compute_sla(T0, Priority.critical, spans, T0 + 25 * H)
    assert view.state == "red"
    assert view.paused_for == timedelta(0)


def test_custom_sla_mapping() -> None:
    custom = {p: 2 * H for p in Priority}
    view = compute_sla(T0, Priority.low, [span(S.open, 0 * H)], T0 + 1 * H, custom)
    assert view.due_at == T0 + 2 * H
    assert view.state == "amber"


# --- pauses -------------------------------------------------------------------------------


def test_finished_pause_extends_due_time() -> None:
    spans = [
        span(S.open, 0 * H, 1 * H),
        span(S.in_progress, 1 * H, 5 * H),
        span(S.awaiting_information, 5 * H, 5 * H + 2 * D),
        span(S.in_progress, 5 * H + 2 * D),
    ]
    view = compute_sla(T0, Priority.normal, spans, T0 + 3 * D)
    assert view.paused_for == 2 * D
    assert view.due_at == T0 + 10 * D + 2 * D
    assert view.elapsed_active == 1 * D
    assert view.state == "green"


def test_ongoing_pause_counts_up_to_now_and_shows_paused() -> None:
    spans = [span(S.in_progress, 0 * H, 4 * H), span(S.awaiting_information, 4 * H)]
    view = compute_sla(T0, Priority.critical, spans, T0 + 30 * H)
    assert view.paused_for == 26 * H
    assert view.due_at == T0 + 24 * H + 26 * H
    assert view.elapsed_active == 4 * H
    assert view.state == "paused"


def test_ongoing_pause_due_time_keeps_moving_with_now() -> None:
    spans = [span(S.in_progress, 0 * H, 1 * H), span(S.awaiting_information, 1 * H)]
    earlier = compute_sla(T0, Priority.high, spans, T0 + 10 * D)
    later = compute_sla(T0, Priority.high, spans, T0 + 20 * D)
    assert later.due_at - earlier.due_at == 10 * D
    assert later.elapsed_active == earlier.elapsed_active == 1 * H


def test_case_already_overdue_stays_red_while_paused() -> None:
    spans = [span(S.in_progress, 0 * H, 30 * H), span(S.awaiting_information, 30 * H)]
    view = compute_sla(T0, Priority.critical, spans, T0 + 40 * H)
    assert view.state == "red"


# --- finishing and reopening ------------------------------------------------------------


def test_resolved_in_time_is_met_and_the_clock_stops() -> None:
    spans = [span(S.in_progress, 0 * H, 10 * H), span(S.resolved, 10 * H)]
    view = compute_sla(T0, Priority.critical, spans, T0 + 100 * D)
    assert view.state == "met"
    assert view.elapsed_active == 10 * H
    assert view.due_at == T0 + 24 * H


def test_resolved_then_closed_is_judged_at_resolution() -> None:
    spans = [
        span(S.in_progress, 0 * H, 10 * H),
        span(S.resolved, 10 * H, 40 * H),
        span(S.closed, 40 * H),
    ]
    view = compute_sla(T0, Priority.critical, spans, T0 + 50 * H)
    assert view.state == "met"
    assert view.elapsed_active == 10 * H


def test_resolved_late_is_breached() -> None:
    spans = [span(S.in_progress, 0 * H, 30 * H), span(S.resolved, 30 * H)]
    view = compute_sla(T0, Priority.critical, spans, T0 + 31 * H)
    assert view.state == "breached"
    assert view.elapsed_active == 30 * H


def test_pause_still_counts_when_judging_a_resolved_case() -> None:
    spans = [
        span(S.in_progress, 0 * H, 10 * H),
        span(S.awaiting_information, 10 * H, 40 * H),
        span(S.resolved, 40 * H),
    ]
    view = compute_sla(T0, Priority.critical, spans, T0 + 50 * H)
    assert view.paused_for == 30 * H
    assert view.state == "met"


def test_reopened_case_resumes_the_clock_without_counting_finished_time() -> None:
    spans = [
        span(S.in_progress, 0 * H, 10 * H),
        span(S.resolved, 10 * H, 3 * D),
        span(S.in_progress, 3 * D),
    ]
    view = compute_sla(T0, Priority.critical, spans, T0 + 3 * D + 5 * H)
    assert view.stopped_for == 3 * D - 10 * H
    assert view.elapsed_active == 15 * H
    assert view.due_at == T0 + 24 * H + view.stopped_for
    assert view.state == "amber"


# --- input validation ---------------------------------------------------------------------


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 3, 1, 9, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        compute_sla(naive, Priority.normal, [], T0)
    with pytest.raises(ValueError, match="timezone-aware"):
        compute_sla(T0, Priority.normal, [StatusSpan(S.open, naive)], T0)


def test_now_before_opening_is_refused() -> None:
    with pytest.raises(ValueError, match="earlier"):
        compute_sla(T0, Priority.normal, [], T0 - H)


def test_overlapping_spans_are_refused() -> None:
    spans = [span(S.in_progress, 0 * H, 5 * H), span(S.awaiting_information, 4 * H)]
    with pytest.raises(ValueError, match="overlap"):
        compute_sla(T0, Priority.normal, spans, T0 + 6 * H)


def test_only_the_last_span_may_be_open_ended() -> None:
    spans = [span(S.in_progress, 0 * H), span(S.awaiting_information, 4 * H)]
    with pytest.raises(ValueError, match="open-ended"):
        compute_sla(T0, Priority.normal, spans, T0 + 6 * H)


def test_span_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="ends before"):
        compute_sla(T0, Priority.normal, [span(S.open, 2 * H, 1 * H)], T0 + 6 * H)


def test_non_positive_sla_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        compute_sla(T0, Priority.low, [], T0, {Priority.low: timedelta(0)})


def test_other_utc_offsets_compare_as_instants() -> None:
    bishkek = timezone(timedelta(hours=6))
    view = compute_sla(T0.astimezone(bishkek), Priority.critical, [], T0 + 25 * H)
    assert view.state == "red"


# --- properties -----------------------------------------------------------------------------

statuses = st.sampled_from(list(S))
minutes = st.integers(min_value=0, max_value=60 * 24 * 40)


@st.composite
def histories(draw: st.DrawFn) -> History:
    """A contiguous status history starting at opening, plus a 'now' at or after its end."""
    opened_at = T0 + timedelta(minutes=draw(st.integers(0, 10_000)))
    steps = draw(st.lists(st.tuples(statuses, minutes), min_size=0, max_size=8))
    ongoing = draw(st.booleans())
    spans: list[StatusSpan] = []
    cursor = opened_at
    for index, (status, length) in enumerate(steps):
        end = cursor + timedelta(minutes=length)
        is_last = index == len(steps) - 1
        spans.append(StatusSpan(status, cursor, None if is_last and ongoing else end))
        cursor = end
    now = cursor + timedelta(minutes=draw(minutes))
    return opened_at, spans, now


@given(histories(), st.sampled_from(list(Priority)))
def test_due_at_is_never_before_opened_plus_sla(history: History, priority: Priority) -> None:
    opened_at, spans, now = history
    view = compute_sla(opened_at, priority, spans, now)
    assert view.due_at >= opened_at + DEFAULT_SLA[priority]
    assert view.due_at == opened_at + DEFAULT_SLA[priority] + view.paused_for + view.stopped_for


@given(histories(), st.sampled_from(list(Priority)), st.data())
def test_pausing_never_makes_a_case_due_sooner(
    history: History, priority: Priority, data: st.DataObject
) -> None:
    opened_at, spans, now = history
    running = [i for i, s in enumerate(spans) if s.status in {S.open, S.in_progress, S.referred}]
    if not running:
        return
    index = data.draw(st.sampled_from(running))
    paused = list(spans)
    original = spans[index]
    paused[index] = StatusSpan(S.awaiting_information, original.started_at, original.ended_at)
    before = compute_sla(opened_at, priority, spans, now)
    after = compute_sla(opened_at, priority, paused, now)
    assert after.due_at >= before.due_at
    assert after.elapsed_active <= before.elapsed_active


@given(histories(), st.sampled_from(list(Priority)))
def test_live_case_is_red_exactly_when_past_due(history: History, priority: Priority) -> None:
    opened_at, spans, now = history
    view = compute_sla(opened_at, priority, spans, now)
    if view.state in {"met", "breached"}:
        return
    assert (view.state == "red") == (now > view.due_at)
    assert view.elapsed_active + view.paused_for + view.stopped_for == now - opened_at


@given(histories(), st.sampled_from(list(Priority)), minutes)
def test_finished_case_does_not_change_as_time_passes(
    history: History, priority: Priority, extra: int
) -> None:
    opened_at, spans, now = history
    view = compute_sla(opened_at, priority, spans, now)
    if view.state not in {"met", "breached"}:
        return
    later = compute_sla(opened_at, priority, spans, now + timedelta(minutes=extra))
    assert later == view


# --- case numbers -------------------------------------------------------------------------


def test_case_number_format() -> None:
    assert case_number("RU-MOW", 2026, 42) == "RU-MOW-2026-000042"
    assert case_number("KZ-ALA", 2027, 999_999) == "KZ-ALA-2027-999999"


@pytest.mark.parametrize(
    ("code", "year", "seq"),
    [
        ("ru-mow", 2026, 1),
        ("RU-MOSC", 2026, 1),
        ("RUMOW", 2026, 1),
        ("RU-MOW", 26, 1),
        ("RU-MOW", 10_000, 1),
        ("RU-MOW", 2026, 0),
        ("RU-MOW", 2026, 1_000_000),
    ],
)
def test_case_number_rejects_bad_parts(code: str, year: int, seq: int) -> None:
    with pytest.raises(ValueError):
        case_number(code, year, seq)


@given(
    st.sampled_from(["RU-MOW", "TR-IST", "AE-DXB"]),
    st.integers(1000, 9999),
    st.integers(1, 999_999),
)
def test_case_number_round_trips_through_the_pattern(code: str, year: int, seq: int) -> None:
    text = f"Status? {case_number(code, year, seq)} please"
    match = CASE_NUMBER_RE.search(text)
    assert match is not None
    assert (match["consulate"], int(match["year"]), int(match["seq"])) == (code, year, seq)
