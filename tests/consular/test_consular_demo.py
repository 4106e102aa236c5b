"""The demo cases ``migreg dev`` loads: written through the real rules, loaded once."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from services.consular.demo.loader import load_demo
from shared.migrate import sync_url


def test_demo_cases_load_once_in_several_states(database_urls: dict[str, str]) -> None:
    url = database_urls["consular"]
    assert "5 demo cases" in load_demo(url)
    assert load_demo(url) == "demo cases already loaded"
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT consulate, status FROM cases")).all()
            events = conn.execute(text("SELECT count(*) FROM case_events")).scalar_one()
    finally:
        engine.dispose()
    assert sorted(rows) == [
        ("KZ-ALA", "in_progress"),
        ("RU-MOW", "awaiting_information"),
        ("RU-MOW", "in_progress"),
        ("RU-MOW", "open"),
        ("TR-IST", "resolved"),
    ]
    assert events == 5 + 6  # one "created" each, plus six transitions
