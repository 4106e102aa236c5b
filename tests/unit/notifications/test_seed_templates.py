"""Seed SMS templates: complete, consistent across languages, short enough to send."""

from __future__ import annotations

from collections import defaultdict

import pytest

from services.notifications.messages.encoding import analyse
from services.notifications.templates.seed_data import (
    SEED_TEMPLATES,
    SeedTemplate,
    placeholders,
)

LANGUAGES = {"ky", "ru", "en"}

EXPECTED_PLACEHOLDERS = {
    "departure_registered": {"name", "country", "hotline"},
    "case_opened": {"case_number", "hotline"},
    "case_status_changed": {"case_number", "status", "hotline"},
    "case_resolved": {"case_number", "hotline"},
    "case_status_reply": {"case_number", "status", "updated", "hotline"},
    "case_unknown_reply": set(),
    "opt_out_confirmed": set(),
    "opt_in_confirmed": set(),
    "help": set(),
}

# Typical (rather long) values per language: Cyrillic names and statuses keep the
# Kyrgyz and Russian texts in UCS-2, where the two-segment budget is 134 units.
TYPICAL_VALUES = {
    "ky": {
        "name": "Айгүл Токтогулова",
        "country": "Россия Федерациясы",
        "status": "маалымат күтүлүүдө",
    },
    "ru": {
        "name": "Айгуль Токтогулова",
        "country": "Российская Федерация",
        "status": "ожидает информации",
    },
    "en": {
        "name": "Aigul Toktogulova",
        "country": "Russian Federation",
        "status": "awaiting information",
    },
}
COMMON_VALUES = {
    "hotline": "+7 495 123-45-67",
    "case_number": "RU-MOW-2025-000123",
    "updated": "2025-03-14",
}


def render(template: SeedTemplate, language_of_values: str | None = None) -> str:
    values = {**COMMON_VALUES, **TYPICAL_VALUES[language_of_values or template.language]}
    return template.body.format(**values)


def by_key() -> dict[str, dict[str, SeedTemplate]]:
    grouped: dict[str, dict[str, SeedTemplate]] = defaultdict(dict)
    for template in SEED_TEMPLATES:
        grouped[template.key][template.language] = template
    return grouped


def template_id(template: SeedTemplate) -> str:
    return f"{template.key}-{template.language}"


def test_expected_keys_are_present() -> None:
    assert set(by_key()) == set(EXPECTED_PLACEHOLDERS)


def test_no_duplicate_key_and_language() -> None:
    pairs = [(t.key, t.language) for t in SEED_TEMPLATES]
    assert len(pairs) == len(set(pairs))


@pytest.mark.parametrize("key", sorted(EXPECTED_PLACEHOLDERS))
def test_every_key_has_all_three_languages(key: str) -> None:
    assert set(by_key()[key]) == LANGUAGES


@pytest.mark.parametrize("key", sorted(EXPECTED_PLACEHOLDERS))
def test_placeholders_are_the_same_across_languages(key: str) -> None:
    found = {language: placeholders(t.body) for language, t in by_key()[key].items()}
    assert all(names == EXPECTED_PLACEHOLDERS[key] for names in found.values()), found


def test_kyrgyz_bodies_use_kyrgyz_letters() -> None:
    kyrgyz = "".join(t.body for t in SEED_TEMPLATES if t.language == "ky").lower()
    assert set("ңөү") <= set(kyrgyz)


def test_kyrgyz_and_russian_bodies_are_cyrillic() -> None:
    for template in SEED_TEMPLATES:
        if template.language != "en":
            assert analyse(template.body).encoding == "UCS-2", template_id(template)


def test_english_bodies_stay_in_gsm7() -> None:
    for template in SEED_TEMPLATES:
        if template.language == "en":
            assert analyse(render(template)).encoding == "GSM-7", template_id(template)


@pytest.mark.parametrize("template", SEED_TEMPLATES, ids=template_id)
def test_renders_within_two_segments(template: SeedTemplate) -> None:
    assert analyse(render(template)).segments <= 2


@pytest.mark.parametrize(
    "template", [t for t in SEED_TEMPLATES if t.language == "en"], ids=template_id
)
def test_english_fits_two_segments_even_with_cyrillic_values(template: SeedTemplate) -> None:
    # A Cyrillic name or status turns an English text into UCS-2.
    assert analyse(render(template, language_of_values="ru")).segments <= 2


@pytest.mark.parametrize("template", SEED_TEMPLATES, ids=template_id)
def test_placeholders_are_simple_names(template: SeedTemplate) -> None:
    assert all(name.isidentifier() for name in placeholders(template.body))


@pytest.mark.parametrize("template", SEED_TEMPLATES, ids=template_id)
def test_rendered_text_has_no_leftover_braces(template: SeedTemplate) -> None:
    text = render(template)
    assert "{" not in text and "}" not in text


def test_placeholders_parser() -> None:
    assert placeholders("Case {case_number}: {status}, {status}") == {"case_number", "status"}
    assert placeholders("no fields, {{literal}} braces") == frozenset()
    assert placeholders("") == frozenset()


@pytest.mark.parametrize(
    "template",
    [t for t in SEED_TEMPLATES if t.key in {"opt_out_confirmed", "opt_in_confirmed"}],
    ids=template_id,
)
def test_opt_confirmations_fit_one_sms(template: SeedTemplate) -> None:
    assert analyse(template.body).segments == 1
