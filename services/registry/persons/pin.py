"""National personal number (PIN) rules.

The defaults are the Kyrgyz PIN: 14 digits; the first is the sex (1 female,
2 male); the next eight the birth date as DDMMYYYY; the last five a serial.
No check digit is published, so a PIN can only be checked for shape and for
agreement with the sex and birth date given alongside it.

Everything country-specific lives in a :class:`PinRules` value (length, where
the sex digit and the date parts sit, which digit means which sex, where the
serial sits). Another country whose number has the same ingredients can pass
its own ``PinRules`` to every function here; one with a check digit or a
different structure replaces this module behind the same function names.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import Literal

Sex = Literal["F", "M"]

# A half-open [start, end) range of character positions within the PIN.
Span = tuple[int, int]


@dataclass(frozen=True)
class PinRules:
    """Where each fact sits in a national personal number."""

    length: int = 14
    sex_position: int = 0
    # Pairs rather than a dict so the dataclass stays frozen and hashable.
    sex_digits: tuple[tuple[str, Sex], ...] = (("1", "F"), ("2", "M"))
    day: Span = (1, 3)
    month: Span = (3, 5)
    year: Span = (5, 9)
    serial: Span = (9, 14)
    # Civil registers do not hold living people born before this year; an
    # earlier year is far likelier a typing slip than a real person.
    min_birth_year: int = 1900

    @property
    def serial_width(self) -> int:
        return self.serial[1] - self.serial[0]

    def sex_for_digit(self, digit: str) -> Sex | None:
        return next((sex for d, sex in self.sex_digits if d == digit), None)

    def digit_for_sex(self, sex: Sex) -> str:
        return next(d for d, s in self.sex_digits if s == sex)


KG_PIN_RULES = PinRules()


class PinError(ValueError):
    """A PIN that breaks the rules; the message is safe to show to a user.

    The message never repeats the whole PIN, only the part at fault, so it can
    also be logged.
    """

    def __init__(self, message: str, *, field: str = "pin") -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class PinFacts:
    """What a valid PIN says about its holder."""

    sex: Sex
    birth_date: date
    serial: str


def parse_pin(pin: str, *, today: date | None = None, rules: PinRules = KG_PIN_RULES) -> PinFacts:
    """Check a PIN's shape and return the facts it encodes.

    ``today`` bounds the birth date (no one is born in the future); tests pass
    it to stay independent of the clock.
    """
    _check_shape(pin, rules)
    sex = _sex_of(pin, rules)
    birth_date = _birth_date_of(pin, rules)
    if birth_date > (today or date.today()):
        raise PinError(f"PIN encodes birth date {birth_date.isoformat()}, which is in the future")
    return PinFacts(sex=sex, birth_date=birth_date, serial=_cut(pin, rules.serial))


@dataclass(frozen=True)
class Disagreement:
    """A given value the PIN contradicts; the message names both values."""

    field: Literal["sex", "birth_date"]
    message: str


def disagreements(
    pin: str,
    sex: Sex | None,
    birth_date: date | None,
    *,
    today: date | None = None,
    rules: PinRules = KG_PIN_RULES,
) -> tuple[PinFacts, list[Disagreement]]:
    """The facts a PIN encodes and every given value that disagrees with them (a value
    not given is not compared). A malformed PIN raises :class:`PinError`."""
    facts = parse_pin(pin, today=today, rules=rules)
    found: list[Disagreement] = []
    if sex is not None and facts.sex != sex:
        found.append(Disagreement("sex", f"PIN encodes sex {facts.sex} but sex is {sex}"))
    if birth_date is not None and facts.birth_date != birth_date:
        found.append(
            Disagreement(
                "birth_date",
                f"PIN encodes birth date {facts.birth_date.isoformat()} "
                f"but birth_date is {birth_date.isoformat()}",
            )
        )
    return facts, found


def check_pin_matches(
    pin: str,
    sex: Sex,
    birth_date: date,
    *,
    today: date | None = None,
    rules: PinRules = KG_PIN_RULES,
) -> list[str]:
    """Messages for every way the PIN disagrees with the given sex and birth date.

    An empty list means they agree. A malformed PIN raises :class:`PinError`
    instead, because there is nothing to compare.
    """
    _check_shape(pin, rules)
    # The serial holds no other fact: the answer is remembered for the rest of
    # the PIN (a bulk import has some thousands of birth dates for a million PINs).
    serial = "0" * rules.serial_width
    facts = pin[: rules.serial[0]] + serial + pin[rules.serial[1] :]
    return list(_matches(facts, sex, birth_date, today or date.today(), rules))


@functools.lru_cache(maxsize=1 << 16)
def _matches(pin: str, sex: Sex, birth_date: date, today: date, rules: PinRules) -> tuple[str, ...]:
    _, found = disagreements(pin, sex, birth_date, today=today, rules=rules)
    return tuple(d.message for d in found)


def mask_pin(pin: str) -> str:
    """The PIN as logs may carry it: first character and last two, the rest starred.

    The length is kept so a wrong-length input still shows as such. Inputs too
    short to hide anything after revealing three characters are starred whole.
    """
    if len(pin) < 6:
        return "*" * len(pin)
    return pin[0] + "*" * (len(pin) - 3) + pin[-2:]


def make_pin(sex: Sex, birth_date: date, serial: int, *, rules: PinRules = KG_PIN_RULES) -> str:
    """Build a PIN with the given facts (demo data and tests)."""
    if not 0 <= serial < 10**rules.serial_width:
        raise ValueError(f"serial must be 0..{10**rules.serial_width - 1}, got {serial}")
    if birth_date.year < rules.min_birth_year:
        raise ValueError(f"birth year must be {rules.min_birth_year} or later")
    chars = ["0"] * rules.length
    _put(chars, rules.sex_position, rules.digit_for_sex(sex))
    _put(chars, rules.day[0], f"{birth_date.day:02d}")
    _put(chars, rules.month[0], f"{birth_date.month:02d}")
    _put(chars, rules.year[0], f"{birth_date.year:04d}")
    _put(chars, rules.serial[0], f"{serial:0{rules.serial_width}d}")
    return "".join(chars)


def _check_shape(pin: str, rules: PinRules) -> None:
    # str.isdigit() alone would accept other scripts' digits and superscripts,
    # which no register issues, so the PIN must be ASCII too.
    if len(pin) != rules.length or not (pin.isascii() and pin.isdigit()):
        raise PinError(f"PIN must be {rules.length} digits")


def _sex_of(pin: str, rules: PinRules) -> Sex:
    digit = pin[rules.sex_position]
    sex = rules.sex_for_digit(digit)
    if sex is None:
        allowed = " or ".join(
            f"{d} ({'female' if s == 'F' else 'male'})" for d, s in rules.sex_digits
        )
        raise PinError(f"PIN must start with {allowed}, not {digit}")
    return sex


def _birth_date_of(pin: str, rules: PinRules) -> date:
    day, month, year = (int(_cut(pin, span)) for span in (rules.day, rules.month, rules.year))
    try:
        born = date(year, month, day)
    except ValueError:
        raise PinError(
            f"PIN birth date {day:02d}.{month:02d}.{year:04d} (DD.MM.YYYY) is not a real date"
        ) from None
    if born.year < rules.min_birth_year:
        raise PinError(f"PIN birth year {born.year} is before {rules.min_birth_year}")
    return born


def _cut(pin: str, span: Span) -> str:
    return pin[span[0] : span[1]]


def _put(chars: list[str], start: int, text: str) -> None:
    chars[start : start + len(text)] = list(text)
