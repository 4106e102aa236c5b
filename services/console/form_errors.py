"""The services' field errors in the user's words: each ``errors[]`` entry of a
problem+json answer is recognised by its kind (a pattern the value missed, a
required field left blank, a PIN rule...) and shown as a plain sentence in the
user's language next to its field. An error of a kind not known here keeps the
service's own English text.

The services give each error a field and an English reason but no code (see
``shared/errors.py``), so the kind is read from the reason's fixed wording:
pydantic's messages ("String should match pattern ...") and the registry's own
("... is in the future"). Recognised by hand, in one table, because no library
maps pydantic's English back to its error types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from services.console.i18n import N_


@dataclass(frozen=True)
class Explained:
    """A console message for a field: gettext ``msgid`` with its parameters, each
    shown through the named template filter (``label``, ``date``) when given."""

    msgid: str
    params: dict[str, str] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.msgid % self.params if self.params else self.msgid


FILL_IN = N_("Fill this in.")
CHOOSE = N_("Choose one from the list.")
REAL_DATE = N_("Enter a real date.")

# A pattern the value did not match, by field.
PATTERNS: dict[str, str] = {
    "last_name": N_("Use Cyrillic letters, as in the passport."),
    "first_name": N_("Use Cyrillic letters, as in the passport."),
    "patronymic": N_("Use Cyrillic letters, as in the passport."),
    "last_name_latin": N_("Use Latin letters A–Z, as in the passport."),
    "first_name_latin": N_("Use Latin letters A–Z, as in the passport."),
    "sector": N_("Use a sector letter A–U: choose one from the list."),
    "occupation": N_("Use an occupation group 0–9: choose one from the list."),
    "destination_country": CHOOSE,
    "pin": N_("A PIN is 14 digits."),
}

# The reason's wording → the message, whatever the field.
KINDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), message)
    for pattern, message in (
        (r"^Field required", FILL_IN),
        (r"^String should have at least", FILL_IN),
        (r"^String should have at most", N_("This is too long.")),
        (r"^Input should be a valid date|^Input should be a valid datetime", REAL_DATE),
        (r"must be an ISO 8601 date", REAL_DATE),
        (r"^Input should be a valid UUID", N_("Use the whole id, as copied from the table.")),
        (r"^Input should be", CHOOSE),
        (r"^PIN must be \d+ digits", N_("A PIN is 14 digits.")),
        (r"^PIN must start with", N_("A PIN starts with 1 (female) or 2 (male).")),
        (r"^PIN birth date .* is not a real date", N_("The PIN's birth date is not a real date.")),
        (r"^PIN birth year", N_("The PIN's birth year is too early.")),
        (r"^PIN encodes birth date .*in the future", N_("The PIN's birth date is in the future.")),
        (r"not (a valid )?phone number", N_("This is not a phone number.")),
        (r"is not an ISO 3166-2 region", CHOOSE),
        (r"is not an ISO 3166-1 country", CHOOSE),
        (r"^a departure leaves the home country", N_("Choose a country other than home.")),
        (r"is in the future$", N_("This date is in the future.")),
        (r"is in a month that has not ended yet", N_("This month has not ended yet.")),
        (r"is before the person's birth date$", N_("This date is before the birth date.")),
        (r"^is before the departure date", N_("This date is before the departure date.")),
        (r"SMS consent needs a phone number", N_("SMS consent needs a phone number.")),
        (r"^cannot be null", FILL_IN),
        (r"^send at least one changed field", N_("Change at least one field.")),
    )
)
PATTERN_MISMATCH = re.compile(r"^String should match pattern")


def explain(name: str, reason: str) -> Explained | str:
    """The console's message for one field error, or the service's text if unknown."""
    if PATTERN_MISMATCH.match(reason):
        return Explained(PATTERNS.get(name, N_("This is not in the expected form.")))
    for pattern, message in KINDS:
        if pattern.search(reason):
            return Explained(message)
    return reason


def pin_disagreements(check: dict[str, Any]) -> dict[str, Explained]:
    """Messages by field from the registry's PIN check (``POST /v1/pin-checks``):
    the PIN itself, and the sex and birth date it contradicts."""
    if not check.get("problems"):
        return {}
    if not check["valid"]:
        return {"pin": _as_explained(explain("pin", check["problems"][0]["reason"]))}
    encoded = check["encoded"]
    said = {
        "sex": Explained(N_("The PIN says %(sex)s."), {"sex": encoded["sex"]}, {"sex": "label"}),
        "birth_date": Explained(
            N_("The PIN says %(date)s."), {"date": encoded["birth_date"]}, {"date": "date"}
        ),
    }
    found: dict[str, Explained] = {
        "pin": Explained(
            N_("The PIN encodes: %(sex)s, born %(date)s. Check the fields marked below."),
            {"sex": encoded["sex"], "date": encoded["birth_date"]},
            {"sex": "label", "date": "date"},
        )
    }
    for problem in check["problems"]:
        found[problem["field"]] = said[problem["field"]]
    return found


def _as_explained(message: Explained | str) -> Explained:
    return message if isinstance(message, Explained) else Explained(message)
