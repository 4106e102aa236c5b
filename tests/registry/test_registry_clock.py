""" "Today" is the configured country's date, not the server's."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from services.registry.clock import today, years_after
from services.registry.settings import RegistrySettings
from tests.registry.conftest import REGISTRAR, MakePerson, depart

EAST, WEST = "Etc/GMT-14", "Etc/GMT+12"  # UTC+14 and UTC-12: always two dates apart


def test_today_is_the_configured_zones_date() -> None:
    east = today(RegistrySettings(time_zone=EAST))
    west = today(RegistrySettings(time_zone=WEST))
    assert east == datetime.now(ZoneInfo(EAST)).date()
    assert (east - west).days in (1, 2)
    assert years_after(date(2024, 2, 29), 1) == date(2025, 2, 28)
    with pytest.raises(ValidationError, match="unknown time zone"):
        RegistrySettings(time_zone="Mars/Olympus_Mons")


async def test_a_departure_today_in_the_configured_zone_is_not_in_the_future(
    registry: httpx.AsyncClient,
    registry_app: FastAPI,
    make_person: MakePerson,
) -> None:
    configured = registry_app.state.settings
    try:
        await _check_departures_follow_the_zone(registry, registry_app, make_person)
    finally:
        registry_app.state.settings = configured


async def _check_departures_follow_the_zone(
    registry: httpx.AsyncClient, registry_app: FastAPI, make_person: MakePerson
) -> None:
    # Whatever the server's clock says, one of the two zones is on another date.
    server_today = date.today()
    zone = EAST if datetime.now(ZoneInfo(EAST)).date() != server_today else WEST
    zone_today = datetime.now(ZoneInfo(zone)).date()
    assert zone_today != server_today
    settings = registry_app.state.settings.model_copy(update={"time_zone": zone})
    registry_app.state.settings = settings
    pid = (await make_person())["id"]

    future = await depart(registry, pid, (zone_today + timedelta(days=1)).isoformat())
    assert future.status_code == 422
    latest = max(zone_today, server_today)
    response = await depart(registry, pid, latest.isoformat())
    if latest == zone_today:  # the zone is ahead: its today is fine
        assert response.status_code == 201, response.text
    else:  # the zone is behind: the server's today is still tomorrow there
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "departed_on"
    url = f"/v1/persons/{pid}/status-events"
    body = {"status": "missing", "date": (zone_today + timedelta(days=1)).isoformat()}
    late = await registry.post(url, json={**body, "source": "x"}, headers=REGISTRAR)
    assert late.status_code == 422
    on_latest = {"status": "missing", "date": latest.isoformat(), "source": "x"}
    reported = await registry.post(url, json=on_latest, headers=REGISTRAR)
    assert reported.status_code == (201 if latest == zone_today else 422), reported.text
