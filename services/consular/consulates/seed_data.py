"""Seed list of the Kyrgyz Republic's embassies and consulates in the main destination countries.

Only career missions that handle consular protection are listed. Deliberately left out:

- the Ministry of Foreign Affairs in Bishkek (not a consulate abroad);
- the Permanent Mission to the United Nations in New York (a diplomatic mission to the UN,
  not a consular post: citizens in the United States are served from Washington);
- honorary consuls (Voronezh, Yuzhno-Sakhalinsk, Nizhny Novgorod, ...), which cannot own
  protection cases;
- the embassy's chancery offices in Russian regions (Krasnoyarsk, Vladivostok, ...), which
  are branches of the Moscow embassy rather than consulates. Samara has no Kyrgyz post we
  know of.

Hotlines are ``None`` throughout on purpose: a wrong number on a migrant's emergency line
is worse than none, and we could not confirm any current public hotline number from a
source we trust. Fill them in from the official mfa.gov.kg pages before production.

Codes are the country's ISO 3166-1 alpha-2 code, a hyphen, and the city's UN/LOCODE
location part (IATA-like for Astana, whose LOCODE changed with the city's names).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ConsulateKind = Literal["embassy", "consulate_general", "consulate"]


@dataclass(frozen=True, slots=True)
class SeedConsulate:
    """One consular post as loaded into the consulates table on first run."""

    code: str
    name: str
    country: str  # ISO 3166-1 alpha-2
    city: str
    hotline: str | None  # E.164, or None when no public hotline is confirmed
    time_zone: str  # IANA name, used for SLA display and SMS quiet hours
    kind: ConsulateKind


SEED_CONSULATES: tuple[SeedConsulate, ...] = (
    # Russian Federation: by far the largest destination.
    SeedConsulate(
        code="RU-MOW",
        name="Embassy of the Kyrgyz Republic in the Russian Federation",
        country="RU",
        city="Moscow",
        hotline=None,
        time_zone="Europe/Moscow",
        kind="embassy",
    ),
    SeedConsulate(
        code="RU-YEK",
        name="Consulate General of the Kyrgyz Republic in Yekaterinburg",
        country="RU",
        city="Yekaterinburg",
        hotline=None,
        time_zone="Asia/Yekaterinburg",
        kind="consulate_general",
    ),
    SeedConsulate(
        # Upgraded from a vice-consulate to a consulate general in 2018-2019.
        code="RU-OVB",
        name="Consulate General of the Kyrgyz Republic in Novosibirsk",
        country="RU",
        city="Novosibirsk",
        hotline=None,
        time_zone="Asia/Novosibirsk",
        kind="consulate_general",
    ),
    SeedConsulate(
        # Opened 1 September 2023 (MFA announcement); a consul general is in post since.
        code="RU-LED",
        name="Consulate General of the Kyrgyz Republic in Saint Petersburg",
        country="RU",
        city="Saint Petersburg",
        hotline=None,
        time_zone="Europe/Moscow",
        kind="consulate_general",
    ),
    SeedConsulate(
        # Press reports from 2024 name a Consul General of the Kyrgyz Republic in Kazan;
        # the opening date is not confirmed here. Verify against mfa.gov.kg.
        code="RU-KZN",
        name="Consulate General of the Kyrgyz Republic in Kazan",
        country="RU",
        city="Kazan",
        hotline=None,
        time_zone="Europe/Moscow",
        kind="consulate_general",
    ),
    # Kazakhstan. Astana shares the Asia/Almaty zone (UTC+5 since March 2024).
    SeedConsulate(
        code="KZ-NQZ",
        name="Embassy of the Kyrgyz Republic in the Republic of Kazakhstan",
        country="KZ",
        city="Astana",
        hotline=None,
        time_zone="Asia/Almaty",
        kind="embassy",
    ),
    SeedConsulate(
        code="KZ-ALA",
        name="Consulate General of the Kyrgyz Republic in Almaty",
        country="KZ",
        city="Almaty",
        hotline=None,
        time_zone="Asia/Almaty",
        kind="consulate_general",
    ),
    # Türkiye.
    SeedConsulate(
        code="TR-ANK",
        name="Embassy of the Kyrgyz Republic in the Republic of Türkiye",
        country="TR",
        city="Ankara",
        hotline=None,
        time_zone="Europe/Istanbul",
        kind="embassy",
    ),
    SeedConsulate(
        code="TR-IST",
        name="Consulate General of the Kyrgyz Republic in Istanbul",
        country="TR",
        city="Istanbul",
        hotline=None,
        time_zone="Europe/Istanbul",
        kind="consulate_general",
    ),
    # Republic of Korea.
    SeedConsulate(
        code="KR-SEL",
        name="Embassy of the Kyrgyz Republic in the Republic of Korea",
        country="KR",
        city="Seoul",
        hotline=None,
        time_zone="Asia/Seoul",
        kind="embassy",
    ),
    # United Arab Emirates.
    SeedConsulate(
        code="AE-AUH",
        name="Embassy of the Kyrgyz Republic in the United Arab Emirates",
        country="AE",
        city="Abu Dhabi",
        hotline=None,
        time_zone="Asia/Dubai",
        kind="embassy",
    ),
    SeedConsulate(
        code="AE-DXB",
        name="Consulate General of the Kyrgyz Republic in Dubai",
        country="AE",
        city="Dubai",
        hotline=None,
        time_zone="Asia/Dubai",
        kind="consulate_general",
    ),
    # United Kingdom.
    SeedConsulate(
        code="GB-LON",
        name="Embassy of the Kyrgyz Republic in the United Kingdom",
        country="GB",
        city="London",
        hotline=None,
        time_zone="Europe/London",
        kind="embassy",
    ),
    # United States.
    SeedConsulate(
        code="US-WAS",
        name="Embassy of the Kyrgyz Republic in the United States of America",
        country="US",
        city="Washington",
        hotline=None,
        time_zone="America/New_York",
        kind="embassy",
    ),
    # Germany.
    SeedConsulate(
        code="DE-BER",
        name="Embassy of the Kyrgyz Republic in the Federal Republic of Germany",
        country="DE",
        city="Berlin",
        hotline=None,
        time_zone="Europe/Berlin",
        kind="embassy",
    ),
)
