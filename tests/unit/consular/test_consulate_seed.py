import re
from dataclasses import FrozenInstanceError
from zoneinfo import ZoneInfo

import pycountry
import pytest

from services.consular.consulates.seed_data import SEED_CONSULATES, SeedConsulate

CODE = re.compile(r"^[A-Z]{2}-[A-Z]{3}$")
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
KINDS = {"embassy", "consulate_general", "consulate"}

ids = [c.code for c in SEED_CONSULATES]


def test_codes_are_unique() -> None:
    assert len(ids) == len(set(ids))


def test_seed_is_not_empty_and_covers_main_destinations() -> None:
    countries = {c.country for c in SEED_CONSULATES}
    assert {"RU", "KZ", "TR", "KR"} <= countries


def test_each_destination_country_has_exactly_one_embassy() -> None:
    embassies: dict[str, int] = {}
    for c in SEED_CONSULATES:
        if c.kind == "embassy":
            embassies[c.country] = embassies.get(c.country, 0) + 1
    assert embassies == dict.fromkeys({c.country for c in SEED_CONSULATES}, 1)


def test_ministry_headquarters_is_not_a_consulate() -> None:
    assert all(c.country != "KG" for c in SEED_CONSULATES)


@pytest.mark.parametrize("consulate", SEED_CONSULATES, ids=ids)
def test_code_format(consulate: SeedConsulate) -> None:
    assert CODE.match(consulate.code)


@pytest.mark.parametrize("consulate", SEED_CONSULATES, ids=ids)
def test_country_is_iso_alpha2_and_matches_code_prefix(consulate: SeedConsulate) -> None:
    assert pycountry.countries.get(alpha_2=consulate.country) is not None
    assert consulate.code.split("-")[0] == consulate.country


@pytest.mark.parametrize("consulate", SEED_CONSULATES, ids=ids)
def test_time_zone_loads(consulate: SeedConsulate) -> None:
    ZoneInfo(consulate.time_zone)


@pytest.mark.parametrize("consulate", SEED_CONSULATES, ids=ids)
def test_hotline_is_none_or_e164(consulate: SeedConsulate) -> None:
    assert consulate.hotline is None or E164.match(consulate.hotline)


@pytest.mark.parametrize("consulate", SEED_CONSULATES, ids=ids)
def test_fields_are_filled(consulate: SeedConsulate) -> None:
    assert consulate.kind in KINDS
    assert consulate.name.strip() == consulate.name
    assert consulate.city.strip() == consulate.city
    assert "Kyrgyz Republic" in consulate.name


def test_seed_entries_are_immutable() -> None:
    with pytest.raises(FrozenInstanceError):
        SEED_CONSULATES[0].code = "XX-XXX"  # type: ignore[misc]
