"""Phone numbers: E.164 parsing and the recipient's time zone (phonenumbers)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as phone_timezone


def parse_e164(raw: str) -> str | None:
    """The number in E.164 if it is a valid international number, else None."""
    if not raw.startswith("+"):
        return None
    try:
        number = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def time_zone_for(phone: str, *, country_zones: dict[str, str], default: str) -> ZoneInfo:
    """Where the recipient most likely is.

    phonenumbers lists every zone of the number's area; one zone is taken as is.
    A country spanning several zones uses the configured zone for that country,
    else the first zone listed; an unknown number uses the default zone.
    """
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return ZoneInfo(default)
    zones = [z for z in phone_timezone.time_zones_for_number(number) if z != "Etc/Unknown"]
    region = phonenumbers.region_code_for_number(number)
    if len(zones) == 1:
        name = zones[0]
    elif region in country_zones:
        name = country_zones[region]
    else:
        name = zones[0] if zones else default
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        return ZoneInfo(default)
