"""The synthetic demo population: reproducible, valid, and shaped like the real one."""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from datetime import date

import phonenumbers
import pycountry
import pytest

from services.registry.demo.synthetic import (
    DEMO_AS_OF,
    SYNTHETIC_MARK,
    DemoPerson,
    _Numbers,
    generate_people,
    iter_people,
)
from services.registry.persons.names import skeleton
from services.registry.persons.pin import check_pin_matches, parse_pin

CUTOFF = date(2026, 11, 1)  # every generated date falls before this
KG_REGIONS = {s.code for s in pycountry.subdivisions.get(country_code="KG")}  # type: ignore[no-untyped-call]
RETURN_REASONS = {"contract_end", "deportation", "entry_ban", "health", "family", "other"}
RELATIONS = {"spouse", "child", "parent", "sibling", "guardian", "other"}


@pytest.fixture(scope="module")
def people() -> list[DemoPerson]:
    return generate_people(2_000)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def status(person: DemoPerson) -> str:
    if not person.movements:
        return "in_country"
    return "abroad" if person.movements[-1].kind == "departure" else "returned"


def test_same_seed_same_people() -> None:
    assert generate_people(200, seed=7) == generate_people(200, seed=7)


def test_other_seed_other_people() -> None:
    assert generate_people(50, seed=7) != generate_people(50, seed=8)


def test_a_shorter_run_is_a_prefix_and_streaming_matches() -> None:
    assert generate_people(40) == generate_people(100)[:40]
    assert list(iter_people(40)) == generate_people(40)


def test_three_hundred_people_in_well_under_a_second() -> None:
    start = time.perf_counter()
    generate_people(300, seed=99)
    assert time.perf_counter() - start < 1.0


def test_pins_are_valid_unique_and_match_sex_and_birth_date(people: list[DemoPerson]) -> None:
    pins = []
    for person in people:
        assert check_pin_matches(person.pin, person.sex, person.birth_date) == []
        pins.append(person.pin)
        for member in person.family:
            if member.pin is not None:
                assert check_pin_matches(member.pin, member.sex, member.birth_date) == []
                pins.append(member.pin)
    assert len(pins) == len(set(pins))


def test_some_family_members_have_no_pin(people: list[DemoPerson]) -> None:
    assert any(m.pin is None for p in people for m in p.family)


def test_phones_are_valid_kyrgyz_e164_numbers(people: list[DemoPerson]) -> None:
    phones = [p.phone for p in people] + [m.phone for p in people for m in p.family]
    given = [phone for phone in phones if phone is not None]
    assert len(given) == len(set(given))
    for phone in given:
        number = phonenumbers.parse(phone)
        assert phonenumbers.is_valid_number(number), phone
        assert phonenumbers.region_code_for_number(number) == "KG"
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == phone


def test_regions_are_iso_3166_2_kg_codes_and_all_appear(people: list[DemoPerson]) -> None:
    regions = {p.region for p in people}
    assert regions <= KG_REGIONS
    assert regions == KG_REGIONS


def test_adults_are_18_to_60(people: list[DemoPerson]) -> None:
    ages = [age_on(p.birth_date, DEMO_AS_OF) for p in people]
    assert min(ages) >= 18
    assert max(ages) <= 60


CYRILLIC_NAME = re.compile(r"[А-ЯЁӨҮҢа-яёөүң][А-ЯЁӨҮҢа-яёөүң' -]*")
LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z' -]*")


def test_names_fit_the_api_and_spellings_agree(people: list[DemoPerson]) -> None:
    for p in people:
        for name in (
            p.last_name,
            p.first_name,
            *(m.last_name for m in p.family),
            *(m.first_name for m in p.family),
        ):
            assert CYRILLIC_NAME.fullmatch(name), name
        assert LATIN_NAME.fullmatch(p.last_name_latin) and LATIN_NAME.fullmatch(p.first_name_latin)
        # The Latin spelling is a transliteration of the Cyrillic one.
        assert skeleton(p.last_name) == skeleton(p.last_name_latin)
        assert skeleton(p.first_name) == skeleton(p.first_name_latin)
        expected_ending = ("ов", "ев", " уулу") if p.sex == "M" else ("ова", "ева", " кызы")
        assert p.last_name.endswith(expected_ending)
        assert p.language in {"ky", "ru", "en"}


def test_patronymics_use_both_russian_and_kyrgyz_forms(people: list[DemoPerson]) -> None:
    endings = Counter(p.patronymic.split()[-1][-4:] for p in people if p.patronymic)
    assert {"ович", "овна", "уулу", "кызы"} <= set(endings)


def test_everything_free_text_is_marked_synthetic(people: list[DemoPerson]) -> None:
    for p in people:
        assert SYNTHETIC_MARK in p.locality
        for move in p.movements:
            if move.employer is not None:
                assert SYNTHETIC_MARK in move.employer


def test_movement_sequences_are_possible(people: list[DemoPerson]) -> None:
    for p in people:
        adult_on = date(
            p.birth_date.year + 18,
            p.birth_date.month,
            28 if (p.birth_date.month, p.birth_date.day) == (2, 29) else p.birth_date.day,
        )
        kinds = [m.kind for m in p.movements]
        # Departures and returns alternate, starting with a departure.
        expected = ["departure", "return"] * (len(kinds) // 2) + ["departure"] * (len(kinds) % 2)
        assert kinds == expected
        dates = [m.date for m in p.movements]
        assert dates == sorted(dates) and len(set(dates)) == len(dates)
        assert all(adult_on <= d < CUTOFF for d in dates)


def test_movement_fields_are_valid_codes(people: list[DemoPerson]) -> None:
    for move in (m for p in people for m in p.movements):
        if move.kind == "departure":
            assert pycountry.countries.get(alpha_2=move.destination_country) is not None
            assert move.destination_city
            assert move.reason is None
            if move.sector is not None:
                assert move.sector in "ABCDEFGHIJKLMNOPQRSTU"
                assert move.occupation in {str(d) for d in range(10)}
        else:
            assert move.reason in RETURN_REASONS
            assert move.destination_country is None


def test_status_mix_is_about_60_abroad_15_returned(people: list[DemoPerson]) -> None:
    shares = Counter(status(p) for p in people)
    assert abs(shares["abroad"] / len(people) - 0.60) < 0.05
    assert abs(shares["returned"] / len(people) - 0.15) < 0.04
    assert abs(shares["in_country"] / len(people) - 0.25) < 0.05


def test_destinations_are_mostly_russia_and_kazakhstan(people: list[DemoPerson]) -> None:
    countries = Counter(
        m.destination_country for p in people for m in p.movements if m.kind == "departure"
    )
    total = sum(countries.values())
    assert (countries["RU"] + countries["KZ"]) / total > 0.75
    assert countries["RU"] > countries["KZ"] > 0
    assert countries["TR"] > 0 and countries["KR"] > 0
    assert countries.most_common(4) and [c for c, _ in countries.most_common(4)] == [
        "RU",
        "KZ",
        "TR",
        "KR",
    ]


def test_sectors_are_mostly_construction_trade_hospitality_and_transport(
    people: list[DemoPerson],
) -> None:
    sectors = Counter(m.sector for p in people for m in p.movements if m.sector)
    top = {code for code, _ in sectors.most_common(4)}
    assert top == {"F", "G", "I", "H"}


def test_family_members_are_consistent(people: list[DemoPerson]) -> None:
    for p in people:
        for member in p.family:
            assert member.relation in RELATIONS
            assert member.birth_date < CUTOFF
            assert member.sms_consent is False or member.phone is not None
            if member.relation == "spouse":
                assert member.sex != p.sex
                assert age_on(member.birth_date, DEMO_AS_OF) >= 18
            if member.relation == "child":
                assert age_on(p.birth_date, member.birth_date) >= 19
            if member.relation == "parent":
                assert age_on(member.birth_date, p.birth_date) >= 20


def test_caregivers_point_at_adults_in_the_same_family(people: list[DemoPerson]) -> None:
    for p in people:
        for member in p.family:
            minor = age_on(member.birth_date, DEMO_AS_OF) < 18
            if member.caregiver_index is None:
                continue
            assert member.relation == "child" and minor
            caregiver = p.family[member.caregiver_index]
            assert caregiver.relation in {"spouse", "parent"}
            assert age_on(caregiver.birth_date, DEMO_AS_OF) >= 18


def test_the_demo_shows_grandparent_care_and_children_at_risk(people: list[DemoPerson]) -> None:
    minors = [
        (p, m)
        for p in people
        for m in p.family
        if m.relation == "child" and age_on(m.birth_date, DEMO_AS_OF) < 18
    ]
    caregivers = [
        p.family[m.caregiver_index].relation if m.caregiver_index is not None else None
        for p, m in minors
    ]
    assert caregivers.count("spouse") > caregivers.count("parent") > 0
    assert caregivers.count(None) > 0
    elderly = [
        1
        for p, m in minors
        if m.caregiver_index is not None
        and age_on(p.family[m.caregiver_index].birth_date, DEMO_AS_OF) > 75
    ]
    assert elderly


def test_pins_parse_on_the_demo_day(people: list[DemoPerson]) -> None:
    # Nothing is born after the demo's "today", so a registry run on that day accepts them.
    for p in people[:200]:
        parse_pin(p.pin, today=DEMO_AS_OF)
        for member in p.family:
            if member.pin:
                parse_pin(member.pin, today=DEMO_AS_OF)


def test_names_are_long_tailed_with_thousands_of_surnames() -> None:
    people = generate_people(30_000, seed=5)
    surnames = Counter(p.last_name for p in people)
    firsts = Counter(p.first_name for p in people if p.sex == "M")
    # Thousands of distinct surnames, the commonest carried by 1-3 %.
    assert len(surnames) > 3_000
    assert 0.005 < surnames.most_common(1)[0][1] / len(people) < 0.03
    # Half the surnames are carried by at most three people: a long tail.
    assert sorted(surnames.values())[len(surnames) // 2] <= 3
    # A few very common first names: the top five cover a fifth of men.
    assert sum(n for _, n in firsts.most_common(5)) / sum(firsts.values()) > 0.2
    # Patronymic-derived surnames in both sexes' forms.
    assert any(s.endswith(" уулу") for s in surnames)
    assert any(s.endswith(" кызы") for s in surnames)


def test_regions_follow_population() -> None:
    people = generate_people(20_000, seed=3)
    regions = Counter(p.region for p in people)
    # Osh region and Jalal-Abad are the most populous, Talas the least.
    assert regions.most_common(2)[0][0] in {"KG-O", "KG-J"}
    assert min(regions, key=regions.__getitem__) == "KG-T"


def test_seasonal_workers_leave_in_spring_and_return_in_autumn() -> None:
    people = generate_people(5_000, seed=4)
    departures = Counter(m.date.month for p in people for m in p.movements if m.kind == "departure")
    returns = Counter(m.date.month for p in people for m in p.movements if m.kind == "return")
    spring = sum(departures[m] for m in (3, 4, 5)) / sum(departures.values())
    autumn = sum(returns[m] for m in (10, 11, 12)) / sum(returns.values())
    assert spring > 0.4 and autumn > 0.4
    assert max(len(p.movements) for p in people) >= 8  # repeated seasons


def test_phone_numbers_stay_unique_beyond_a_million() -> None:
    # A country's worth of migrants and relatives: the blocks must not wrap around.
    numbers = _Numbers(random.Random(1))
    phones = [numbers.phone() for _ in range(1_200_000)]
    assert len(set(phones)) == len(phones)
