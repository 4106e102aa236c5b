"""Pure registry rules: movement sequences, the at-risk ages, the audit hash."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from services.registry.audit.chain import GENESIS, canonical, link_hash
from services.registry.families.models import FamilyMember
from services.registry.families.risk import caregiver_risk, is_minor
from services.registry.movements.errors import ImpossibleSequence
from services.registry.movements.service import Step, check_sequence

D = date.fromisoformat


def test_alternating_dated_sequence_is_fine() -> None:
    check_sequence(
        [
            Step("departure", D("2020-01-01")),
            Step("return", D("2020-01-01")),  # same day back: allowed
            Step("departure", D("2021-05-01")),
        ]
    )
    check_sequence([])


@pytest.mark.parametrize(
    ("steps", "needle"),
    [
        ([Step("return", D("2020-01-01"))], "no departure before it"),
        (
            [Step("departure", D("2020-01-01")), Step("departure", D("2020-02-01"))],
            "left on 2020-01-01",
        ),
        (
            [
                Step("departure", D("2020-01-01")),
                Step("return", D("2020-02-01")),
                Step("return", D("2020-03-01")),
            ],
            "since the return on 2020-02-01",
        ),
        (
            [Step("departure", D("2020-05-01")), Step("return", D("2020-04-30"))],
            "before the previous movement (departure on 2020-05-01)",
        ),
    ],
)
def test_impossible_sequences_say_why(steps: list[Step], needle: str) -> None:
    with pytest.raises(ImpossibleSequence) as caught:
        check_sequence(steps)
    assert needle in caught.value.detail


def _carer(born: date, pin: str | None = None) -> FamilyMember:
    return FamilyMember(
        id=uuid.uuid4(), relation="parent", birth_date=born, pin=pin, caregiver_id=None
    )


def test_age_edges_of_the_at_risk_rule() -> None:
    today = D("2026-06-15")
    assert is_minor(D("2008-06-16"), today)  # 17, turns 18 tomorrow
    assert not is_minor(D("2008-06-15"), today)  # 18 today
    assert caregiver_risk(_carer(D("1950-06-15")), {}, today) == "caregiver is over 75"  # 76
    assert caregiver_risk(_carer(D("1950-06-16")), {}, today) is None  # 75: not over 75
    assert caregiver_risk(_carer(D("2010-01-01")), {}, today) == "caregiver is a minor"
    assert caregiver_risk(None, {}, today) == "no caregiver recorded"
    away = _carer(D("1990-01-01"), pin="11501199000001")
    assert caregiver_risk(away, {"11501199000001": "abroad"}, today) == "caregiver is abroad"
    assert caregiver_risk(away, {"11501199000001": "deceased"}, today) == "caregiver is deceased"


def _event(at: datetime) -> dict[str, object]:
    return {
        "id": uuid.UUID("7e0a3f2c-1b7d-4f7b-9a43-2f5e3c9d1a10"),
        "occurred_at": at,
        "actor": "registrar-osh",
        "role": "registrar",
        "action": "read",
        "resource_type": "person",
        "resource_id": "5b1d7e2a-0000-4000-8000-000000000001",
        "person_id": None,
        "request_id": "req-1",
    }


def test_hash_does_not_depend_on_the_session_time_zone() -> None:
    at = datetime(2026, 11, 22, 9, 30, 0, 123456, tzinfo=UTC)
    bishkek = at.astimezone(timezone(timedelta(hours=6)))
    assert canonical(_event(at)) == canonical(_event(bishkek))
    assert link_hash(GENESIS, _event(at)) == link_hash(GENESIS, _event(bishkek))


def test_hash_covers_every_field_and_the_previous_link() -> None:
    at = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
    base = link_hash(GENESIS, _event(at))
    assert link_hash("f" * 64, _event(at)) != base
    for field, value in [("actor", "someone-else"), ("action", "update"), ("request_id", None)]:
        changed = {**_event(at), field: value}
        assert link_hash(GENESIS, changed) != base, field
