"""A deterministic synthetic population for the demo, tests and benchmarks.

Nothing here describes a real person. Every locality and employer carries the
text "SYNTHETIC DEMO", and phone numbers, valid in form, all come from one
recognisable block (+996, an operator code, then 0NNNNN). The same seed always
yields the same people, and a shorter run is a prefix of a longer one, so tests
can ask for a handful and benchmarks for 100,000 of the same population.

Proportions follow the shape of Kyrgyz labour migration: most workers come
from the south (Osh, Jalal-Abad, Batken), go to Russia and Kazakhstan, and
work in construction, trade, hospitality and transport.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate
from typing import Generic, Literal, TypeVar

from services.registry.clock import years_after, years_before
from services.registry.demo.names import NameBook, latin, patronymic, surname_for
from services.registry.persons.pin import Sex, make_pin

SYNTHETIC_MARK = "SYNTHETIC DEMO"
# Every date generated is on or before this day (the demo's "today").
DEMO_AS_OF = date(2026, 10, 31)

Relation = Literal["spouse", "child", "parent", "sibling", "guardian", "other"]
Language = Literal["ky", "ru", "en"]
MovementKind = Literal["departure", "return"]
ReturnReason = Literal["contract_end", "deportation", "entry_ban", "health", "family", "other"]

T = TypeVar("T")


@dataclass(slots=True)
class DemoFamilyMember:
    relation: Relation
    last_name: str
    first_name: str
    birth_date: date
    sex: Sex
    pin: str | None
    phone: str | None
    language: Language
    sms_consent: bool
    # Index into the same person's family list of who looks after this minor
    # child; None for adults, and for the few children nobody is caring for.
    caregiver_index: int | None = None


@dataclass(slots=True)
class DemoMovement:
    kind: MovementKind
    date: date
    destination_country: str | None = None  # ISO 3166-1 alpha-2; departures only
    destination_city: str | None = None
    purpose: str | None = None
    employer: str | None = None
    sector: str | None = None  # ISIC Rev.4 section letter
    occupation: str | None = None  # ISCO-08 major group digit
    reason: ReturnReason | None = None  # returns only


@dataclass(slots=True)
class DemoPerson:
    pin: str
    last_name: str
    first_name: str
    patronymic: str | None
    last_name_latin: str
    first_name_latin: str
    sex: Sex
    birth_date: date
    phone: str | None
    region: str  # ISO 3166-2:KG
    locality: str
    language: Language
    family: list[DemoFamilyMember] = field(default_factory=list)
    movements: list[DemoMovement] = field(default_factory=list)  # oldest first


class _Weighted(Generic[T]):
    """Options drawn in proportion to integer weights.

    One random() and a bisect per draw: several times cheaper than
    Random.choices, which re-sums the weights on every call.
    """

    def __init__(self, pairs: Sequence[tuple[T, int]]) -> None:
        self.options = tuple(option for option, _ in pairs)
        self._cumulative = list(accumulate(weight for _, weight in pairs))

    def pick(self, rng: random.Random) -> T:
        return self.options[bisect_right(self._cumulative, rng.random() * self._cumulative[-1])]


# --- reference tables ---------------------------------------------------------
# Every proportion below is documented with its source in bench/README.md
# ("Synthetic country"); figures are rounded, the shape is what matters.

# Sex of labour migrants: about two men for every woman (NSC KR, Kyrgyz
# Integrated Household Survey, labour migration module).
_MALE_SHARE = 0.66
# Age of labour migrants on the demo day, five-year groups (same survey:
# median around 30, few past 55): (youngest, oldest, weight).
_AGE_GROUPS = _Weighted(
    [
        ((18, 19), 4),
        ((20, 24), 18),
        ((25, 29), 21),
        ((30, 34), 18),
        ((35, 39), 14),
        ((40, 44), 10),
        ((45, 49), 7),
        ((50, 54), 5),
        ((55, 60), 3),
    ]
)

# Region code (ISO 3166-2:KG), weight = permanent population in thousands
# (NSC KR, population by region at 1 January 2024, rounded), towns. Localities
# carry the synthetic mark already, so every person shares these few strings.
_REGIONS = (
    ("KG-O", 1404, ("Kara-Suu", "Özgön", "Nookat", "Aravan", "Kara-Kulja")),
    ("KG-J", 1339, ("Bazar-Korgon", "Kochkor-Ata", "Suzak", "Tash-Kömür", "Toktogul")),
    ("KG-GB", 1174, ("Bishkek",)),
    ("KG-C", 1010, ("Tokmok", "Kant", "Kara-Balta", "Sokuluk", "Belovodskoye")),
    ("KG-B", 565, ("Batken", "Kyzyl-Kiya", "Isfana", "Sülüktü", "Kadamjay")),
    ("KG-Y", 524, ("Karakol", "Balykchy", "Cholpon-Ata", "Tüp")),
    ("KG-GO", 362, ("Osh",)),
    ("KG-N", 310, ("Naryn", "At-Bashy", "Kochkor")),
    ("KG-T", 275, ("Talas", "Kara-Buura", "Bakay-Ata")),
)
_REGION_PICK = _Weighted([(code, weight) for code, weight, _ in _REGIONS])
_LOCALITIES = {
    code: tuple(f"{town} ({SYNTHETIC_MARK})" for town in towns) for code, _, towns in _REGIONS
}
# In the capital and Chüy Russian is a common home language.
_RUSSIAN_LEANING = frozenset({"KG-GB", "KG-C"})
_LANGUAGES: tuple[Language, ...] = ("ky", "ru", "en")
_LANGUAGE_PICK = {
    True: _Weighted(list(zip(_LANGUAGES, (50, 45, 5), strict=True))),
    False: _Weighted(list(zip(_LANGUAGES, (85, 14, 1), strict=True))),
}

# Country, weight (share of departures, %), ((city, weight), ...): Russia
# first by far, then Kazakhstan, Türkiye, South Korea and a tail (IOM
# Kyrgyzstan migration profile; Ministry of Labour, Social Security and
# Migration estimates of citizens abroad).
_DESTINATIONS = (
    (
        "RU",
        72,
        (
            ("Moscow", 50),
            ("Saint Petersburg", 20),
            ("Yekaterinburg", 12),
            ("Novosibirsk", 10),
            ("Kazan", 8),
        ),
    ),
    ("KZ", 11, (("Almaty", 70), ("Astana", 30))),
    ("TR", 5, (("Istanbul", 80), ("Antalya", 20))),
    ("KR", 4, (("Seoul", 60), ("Incheon", 40))),
    ("AE", 2, (("Dubai", 1),)),
    ("DE", 2, (("Berlin", 50), ("Munich", 50))),
    ("US", 2, (("New York", 60), ("Chicago", 40))),
    ("GB", 1, (("London", 1),)),
    ("UZ", 1, (("Tashkent", 1),)),
)
_COUNTRY_PICK = _Weighted([(code, weight) for code, weight, _ in _DESTINATIONS])
_CITY_PICK = {code: _Weighted(cities) for code, _, cities in _DESTINATIONS}

# ISIC section, weight, likely ISCO-08 major groups, employer names.
_SECTORS = (
    ("F", 30, ("7", "9"), ("Monolit Stroi", "Stroi Alliance", "Kirpich Plus")),
    ("G", 22, ("5", "9"), ("Sadovod Market", "Optovik Trade", "Dordoi Textile")),
    ("I", 15, ("5", "9"), ("Plov Center Cafe", "Hotel Vostok", "Samsa House")),
    ("H", 12, ("8",), ("TransLogistic", "Taxi Bystro", "Sever Cargo")),
    ("C", 10, ("8", "7"), ("Shveinyi Tsekh 7", "Metallkonstruktsiya", "Agro Pererabotka")),
    ("Q", 5, ("2", "3", "5"), ("City Clinic No 4", "Care Home Zabota")),
    ("T", 4, ("9",), ("Private household",)),
    ("A", 2, ("6", "9"), ("Teplitsa Agro",)),
)
_SECTOR_PICK = _Weighted([(code, weight) for code, weight, _, _ in _SECTORS])
_OCCUPATIONS = {code: groups for code, _, groups, _ in _SECTORS}
_EMPLOYERS = {
    code: tuple(f"{name} ({SYNTHETIC_MARK})" for name in names) for code, _, _, names in _SECTORS
}

_PURPOSE_PICK = _Weighted([("work", 88), ("study", 7), ("family", 5)])
_RETURN_REASONS: tuple[ReturnReason, ...] = (
    "contract_end",
    "family",
    "health",
    "deportation",
    "entry_ban",
    "other",
)
_RETURN_PICK = _Weighted(list(zip(_RETURN_REASONS, (55, 15, 7, 8, 5, 10), strict=True)))

# Operator codes; the subscriber part always starts with 0 (see _Numbers).
# The first six as before (small populations keep their numbers), then the
# rest of the mobile ranges: 5.6 million distinct numbers, enough for a country.
_PHONE_PREFIXES = (
    "555",
    "700",
    "770",
    "505",
    "220",
    "990",
    *(
        str(code)
        for code in (*range(221, 230), *range(500, 510), *range(550, 560), *range(701, 710))
        if str(code) not in {"555", "505"}
    ),
    *(str(code) for code in (*range(771, 780), 995, 996, 997, 998, 999)),
)

# Relatives are born no earlier than this (keeps everyone plausibly alive).
_OLDEST_BIRTH = date(1931, 1, 1)

_ABROAD_SHARE = 0.60
# Of those who travel, the share who go every spring and come back for the
# winter (construction and agriculture seasons); the rest stay a year or more.
_SEASONAL_SHARE = 0.45
# Of the families with children, the share where the other parent is not recorded.
_SINGLE_PARENT_SHARE = 0.2
_RETURNED_SHARE = 0.15


# --- generation ---------------------------------------------------------------
def generate_people(count: int, seed: int = 2026) -> list[DemoPerson]:
    """``count`` synthetic people; the same seed gives the same people."""
    return list(iter_people(count, seed))


def iter_people(count: int, seed: int = 2026, *, as_of: date = DEMO_AS_OF) -> Iterator[DemoPerson]:
    """The same people as :func:`generate_people`, one at a time (for bulk loads)."""
    # Reproducibility is the point here, not unpredictability.
    maker = _Maker(random.Random(seed), as_of, seed)  # noqa: S311
    for _ in range(count):
        yield maker.person()


@lru_cache(maxsize=4)
def _name_book(seed: int) -> NameBook:
    return NameBook(seed)


class _Numbers:
    """Unique PINs and phone numbers within one generated population."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._pins: set[str] = set()
        self._phones = 0

    def pin(self, sex: Sex, born: date) -> str:
        # A random serial reads more like real data than a counter; retry the
        # rare collision so a demo load never trips the unique constraint.
        while True:
            pin = make_pin(sex, born, self._rng.randrange(100_000))
            if pin not in self._pins:
                self._pins.add(pin)
                return pin

    def phone(self) -> str:
        # Each prefix holds 100,000 numbers 0NNNNN; stepping by a number
        # coprime to 100,000 scatters consecutive people across the block.
        n = self._phones
        self._phones += 1
        block, slot = divmod(n, 100_000)
        prefix = _PHONE_PREFIXES[block % len(_PHONE_PREFIXES)]
        return f"+996{prefix}0{slot * 7_919 % 100_000:05d}"


class _Maker:
    """Draws one person at a time from a single seeded random stream."""

    def __init__(self, rng: random.Random, as_of: date, seed: int) -> None:
        self.rng = rng
        self.as_of = as_of
        self.numbers = _Numbers(rng)
        self.names = _name_book(seed)

    def person(self) -> DemoPerson:
        rng = self.rng
        sex: Sex = "M" if rng.random() < _MALE_SHARE else "F"
        born = self._birth_date()
        family_surname = self.names.family_surname(rng)
        first = self.names.given(rng, sex)
        region = _REGION_PICK.pick(rng)
        language = self._language(region)
        last = surname_for(family_surname, sex)
        person = DemoPerson(
            pin=self.numbers.pin(sex, born),
            last_name=last,
            first_name=first,
            # "Азамат уулу" already names the father.
            patronymic=None if family_surname.startswith("+") else self._patronymic(sex),
            last_name_latin=latin(last),
            first_name_latin=latin(first),
            sex=sex,
            birth_date=born,
            phone=self.numbers.phone() if rng.random() < 0.95 else None,
            region=region,
            locality=rng.choice(_LOCALITIES[region]),
            language=language,
        )
        person.family = _FamilyMaker(self, person, family_surname).family()
        person.movements = self._movements(born)
        return person

    # -- helpers shared with the family maker --
    def birth_date_between(self, earliest: date, latest: date) -> date:
        return earliest + timedelta(days=self.rng.randint(0, max(0, (latest - earliest).days)))

    def _birth_date(self) -> date:
        # An age group by the migrants' age profile, then a day within it.
        youngest, oldest = _AGE_GROUPS.pick(self.rng)
        latest = years_before(self.as_of, youngest)
        earliest = years_before(self.as_of, oldest + 1) + timedelta(days=1)
        return self.birth_date_between(earliest, latest)

    def _language(self, region: str) -> Language:
        return _LANGUAGE_PICK[region in _RUSSIAN_LEANING].pick(self.rng)

    def _patronymic(self, sex: Sex) -> str:
        father = self.names.given(self.rng, "M")
        return patronymic(father, sex, kyrgyz_form=self.rng.random() < 0.4)

    def _movements(self, born: date) -> list[DemoMovement]:
        draw = self.rng.random()
        if draw >= _ABROAD_SHARE + _RETURNED_SHARE:
            return []
        abroad_now = draw < _ABROAD_SHARE
        return _Journeys(self, earliest=years_after(born, 18)).build(abroad_now)


class _FamilyMaker:
    """One person's family: spouse, children, a parent, maybe a sibling."""

    def __init__(self, maker: _Maker, person: DemoPerson, surname: str) -> None:
        self.maker = maker
        self.rng = maker.rng
        self.person = person
        self.surname = surname
        self.members: list[DemoFamilyMember] = []

    def family(self) -> list[DemoFamilyMember]:
        age = _age(self.person.birth_date, self.maker.as_of)
        spouse = self._spouse() if age >= 21 and self.rng.random() < 0.75 else None
        children = self._children(spouse) if spouse is not None else []
        if spouse is not None and children and self.rng.random() < _SINGLE_PARENT_SHARE:
            # Widowed or divorced: the other parent is not recorded (the
            # spouse was added first, so the children's indices shift by one).
            del self.members[spouse]
            spouse, children = None, [i - 1 for i in children]
        parent = self._parent() if self.rng.random() < 0.5 else None
        if self.rng.random() < 0.15:
            self._sibling()
        self._assign_caregivers(children, spouse, parent)
        return self.members

    def _add(
        self,
        relation: Relation,
        sex: Sex,
        born: date,
        *,
        phone_chance: float,
        pin_chance: float = 0.8,
    ) -> int:
        rng = self.rng
        phone = self.maker.numbers.phone() if rng.random() < phone_chance else None
        self.members.append(
            DemoFamilyMember(
                relation=relation,
                last_name=surname_for(self.surname, sex),
                first_name=self._first_name(sex),
                birth_date=born,
                sex=sex,
                pin=self.maker.numbers.pin(sex, born) if rng.random() < pin_chance else None,
                phone=phone,
                # Most families speak the migrant's language at home.
                language=self.person.language if rng.random() < 0.9 else "ru",
                sms_consent=phone is not None and rng.random() < 0.85,
            )
        )
        return len(self.members) - 1

    def _first_name(self, sex: Sex) -> str:
        # Redraw a few times so siblings rarely share a name; give up rather
        # than loop, since a repeat is harmless.
        taken = {self.person.first_name, *(m.first_name for m in self.members)}
        name = self.maker.names.given(self.rng, sex)
        for _ in range(3):
            if name not in taken:
                break
            name = self.maker.names.given(self.rng, sex)
        return name

    def _spouse(self) -> int:
        own = self.person.birth_date
        # Husbands tend to be a few years older than their wives.
        low, high = (-6, 3) if self.person.sex == "M" else (-3, 6)
        older_by = timedelta(days=self.rng.randint(low * 365, high * 365))
        born = _clamp(own - older_by, _OLDEST_BIRTH, years_before(self.maker.as_of, 18))
        sex: Sex = "F" if self.person.sex == "M" else "M"
        return self._add("spouse", sex, born, phone_chance=0.85)

    def _children(self, spouse: int) -> list[int]:
        couple = (self.person, self.members[spouse])
        mother = next(p.birth_date for p in couple if p.sex == "F")
        first_possible = max(years_after(p.birth_date, 19) for p in couple)
        last_possible = min(self.maker.as_of, years_after(mother, 45))
        if first_possible > last_possible:
            return []
        children = []
        for _ in range(self.rng.choice((0, 1, 2, 2, 3, 3, 4))):
            born = self.maker.birth_date_between(first_possible, last_possible)
            sex: Sex = "M" if self.rng.random() < 0.5 else "F"
            grown = _age(born, self.maker.as_of) >= 16
            children.append(
                self._add("child", sex, born, phone_chance=0.5 if grown else 0.0, pin_chance=0.95)
            )
        return children

    def _parent(self, *, elderly: bool = False) -> int:
        # A parent is 20 to 38 years older; an elderly one (an at-risk
        # caregiver) is also at least 76 on the demo day.
        latest = years_before(self.person.birth_date, 20)
        if elderly:
            latest = min(latest, years_before(self.maker.as_of, 76))
        earliest = max(years_before(latest, 18), _OLDEST_BIRTH)
        born = self.maker.birth_date_between(earliest, latest)
        sex: Sex = "F" if self.rng.random() < 0.6 else "M"
        return self._add("parent", sex, born, phone_chance=0.5, pin_chance=0.9)

    def _sibling(self) -> None:
        own = self.person.birth_date
        born = _clamp(
            own + timedelta(days=self.rng.randint(-3650, 3650)),
            _OLDEST_BIRTH,
            self.maker.as_of - timedelta(days=1),
        )
        sex: Sex = "M" if self.rng.random() < 0.5 else "F"
        self._add("sibling", sex, born, phone_chance=0.6)

    def _assign_caregivers(
        self, children: list[int], spouse: int | None, parent: int | None
    ) -> None:
        minors = [i for i in children if _age(self.members[i].birth_date, self.maker.as_of) < 18]
        if not minors:
            return
        draw = self.rng.random()
        # A single parent abroad leaves the children with grandparents more often.
        unfit = 0.5 if spouse is None else 0.06
        caregiver: int | None
        if draw < unfit / 2:
            caregiver = None  # at risk: nobody recorded as caring for them
        elif draw < unfit:
            caregiver = self._parent(elderly=True)  # at risk: a grandparent past 75
        elif draw < 0.25 or spouse is None:
            caregiver = parent if parent is not None else self._parent()
        else:
            caregiver = spouse
        for i in minors:
            self.members[i].caregiver_index = caregiver


class _Journeys:
    """A valid departure/return history, built backwards from the demo day."""

    def __init__(self, maker: _Maker, earliest: date) -> None:
        self.maker = maker
        self.rng = maker.rng
        self.earliest = earliest  # no one leaves before adulthood
        self.seasonal = self.rng.random() < _SEASONAL_SHARE

    def build(self, abroad_now: bool) -> list[DemoMovement]:
        latest = self.maker.as_of - timedelta(days=1)
        if latest < self.earliest:
            return []  # came of age today: cannot have left yet
        moves: list[DemoMovement] = []  # newest first until the final reverse
        cursor = latest  # every earlier event happens on or before this day
        if abroad_now:
            departed = self._back_from(cursor, self._days_since_departure(cursor))
            moves.append(self._departure(departed))
            cursor = departed - timedelta(days=self.rng.randint(30, 365))
        # A returned person has at least one completed trip; anyone may have up
        # to three (a seasonal worker six), each earlier one less likely.
        trip_required = not abroad_now
        for _ in range(6 if self.seasonal else 3):
            if cursor < self.earliest or (not trip_required and self.rng.random() < 0.5):
                break
            trip_required = False
            trip = self._trip_ending_by(cursor)
            if trip is None:
                break
            moves.extend(trip)
            cursor = trip[1].date - timedelta(days=self.rng.randint(30, 365))
        moves.reverse()
        return moves

    def _days_since_departure(self, cursor: date) -> int:
        if not self.seasonal:
            return self.rng.randint(0, 1_400)
        # Left this spring (March to May), or last spring if it is not yet March.
        year = cursor.year if cursor.month >= 3 else cursor.year - 1
        left = date(year, 3, 1) + timedelta(days=self.rng.randint(0, 91))
        return max(0, (cursor - left).days)

    def _trip_ending_by(self, cursor: date) -> tuple[DemoMovement, DemoMovement] | None:
        """A (return, departure) pair, newest first, with the return on or before ``cursor``."""
        if self.seasonal:
            returned, departed = self._season_ending_by(cursor)
        else:
            returned = self._back_from(cursor, self.rng.randint(0, 900))
            departed = returned - timedelta(days=self.rng.randint(60, 730))
        departed = max(self.earliest, departed)
        if returned <= departed:
            return None
        return self._return(returned), self._departure(departed)

    def _season_ending_by(self, cursor: date) -> tuple[date, date]:
        """(return, departure) of the latest season: back in October to December
        of a year, gone since March to May of the same year."""
        year = cursor.year if cursor >= date(cursor.year, 10, 1) else cursor.year - 1
        returned = min(cursor, date(year, 10, 1) + timedelta(days=self.rng.randint(0, 91)))
        departed = date(year, 3, 1) + timedelta(days=self.rng.randint(0, 91))
        return returned, departed

    def _back_from(self, cursor: date, back: int) -> date:
        return max(self.earliest, cursor - timedelta(days=back))

    def _departure(self, day: date) -> DemoMovement:
        rng = self.rng
        country = _COUNTRY_PICK.pick(rng)
        purpose = _PURPOSE_PICK.pick(rng)
        move = DemoMovement(
            kind="departure",
            date=day,
            destination_country=country,
            destination_city=_CITY_PICK[country].pick(rng),
            purpose=purpose,
        )
        if purpose == "work":
            sector = _SECTOR_PICK.pick(rng)
            move.sector = sector
            move.occupation = rng.choice(_OCCUPATIONS[sector])
            move.employer = rng.choice(_EMPLOYERS[sector])
        return move

    def _return(self, day: date) -> DemoMovement:
        return DemoMovement(kind="return", date=day, reason=_RETURN_PICK.pick(self.rng))


# --- small date and choice helpers -------------------------------------------
def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _clamp(day: date, low: date, high: date) -> date:
    return min(max(day, low), high)
