"""Pure rules: keywords, reply language, quiet hours, backoff, time zones, rendering."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notifications.delivery.care import (
    backoff_seconds,
    in_quiet_hours,
    local_day_start,
    next_morning,
    tomorrow_morning,
)
from services.notifications.inbound.keywords import classify, reply_language
from services.notifications.recipients.phones import parse_e164, time_zone_for
from services.notifications.templates.rendering import render
from shared.errors import InvalidInput

BISHKEK = ZoneInfo("Asia/Bishkek")  # UTC+6, no DST


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("STOP", "stop"),
        (" Stop ", "stop"),
        ("стоп", "stop"),
        ("ТОКТОТ\n", "stop"),
        ("START", "start"),
        ("kg-bsk-2026-000001", "case_query"),
        ("№RU-MOW-2026-000123", "case_query"),
        ("RU-MOW-26-000123", "help"),
        ("please stop", "help"),
        ("", "help"),
    ],
)
def test_inbound_keywords(text: str, kind: str) -> None:
    assert classify(text).kind == kind


def test_reply_language_prefers_the_keyword_then_the_number_then_the_default() -> None:
    assert reply_language(classify("ТОКТОТ"), "ru", "en") == "ky"
    assert reply_language(classify("СТОП"), "ky", "en") == "ky"
    assert reply_language(classify("СТОП"), None, "ky") == "ru"
    assert reply_language(classify("STOP"), "en", "ky") == "en"
    assert reply_language(classify("STOP"), None, "ky") == "ky"


def test_quiet_hours_span_midnight_in_the_local_zone() -> None:
    evening = datetime(2026, 3, 1, 15, 30, tzinfo=UTC)  # 21:30 in Bishkek
    noon = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)  # 12:00 in Bishkek
    assert in_quiet_hours(evening, BISHKEK, 21, 8)
    assert not in_quiet_hours(noon, BISHKEK, 21, 8)
    assert not in_quiet_hours(evening, BISHKEK, 0, 0)  # disabled
    assert next_morning(evening, BISHKEK, 8) == datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    early = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)  # 02:00 on 2 March in Bishkek
    assert next_morning(early, BISHKEK, 8) == datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    assert local_day_start(early, BISHKEK) == datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
    assert tomorrow_morning(noon, BISHKEK, 8) == datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@given(attempt=st.integers(1, 40), jitter=st.floats(0, 1, exclude_max=True))
def test_backoff_grows_is_capped_and_jittered(attempt: int, jitter: float) -> None:
    delay = min(3600.0, 10.0 * 2 ** (attempt - 1))
    assert delay / 2 <= backoff_seconds(attempt, 10.0, 3600.0, jitter) <= delay


def test_time_zone_from_the_number() -> None:
    zones = {"RU": "Europe/Moscow"}
    assert time_zone_for("+996700123456", country_zones=zones, default="UTC").key == "Asia/Bishkek"
    assert time_zone_for("+79161234567", country_zones=zones, default="UTC").key == "Europe/Moscow"
    assert time_zone_for("+12025550123", country_zones={}, default="UTC").key == "America/New_York"


def test_phone_numbers_must_be_valid_e164() -> None:
    assert parse_e164("+996700123456") == "+996700123456"
    assert parse_e164("+996 700 123 456") == "+996700123456"
    assert parse_e164("0700123456") is None
    assert parse_e164("+99670") is None


def test_rendering_is_strict() -> None:
    assert render("Hi {name}, {name}!", {"name": "Aida"}) == "Hi Aida, Aida!"
    with pytest.raises(InvalidInput):
        render("Hi {name}", {})
    with pytest.raises(InvalidInput):
        render("Hi", {"name": "x"})
    with pytest.raises(InvalidInput):
        render("{name.upper}", {"name": "x"})
