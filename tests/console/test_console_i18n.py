"""The console's catalogues: every text translated into Kyrgyz and Russian, none stale."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from services.console.i18n import LOCALE_DIR, formatters, translations

PLACEHOLDER = re.compile(r"%\(\w+\)s")


def catalogue(language: str):
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def extracted_ids(tmp_path) -> set:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "services/console/babel.cfg",
            "-k",
            "N_",
            "-k",
            "gettext:2",
            "-o",
            str(pot),
            ".",
        ],
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as source:
        return {m.id for m in read_po(source) if m.id}


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_every_text_is_translated_with_its_placeholders(language, tmp_path):
    entries = {m.id: m.string for m in catalogue(language) if m.id}
    missing = sorted(extracted_ids(tmp_path) - set(entries))
    assert not missing, f"run ./scripts/console-messages and translate: {missing}"
    for msgid, text in entries.items():
        assert text, f"{language}: {msgid!r} is not translated"
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(msgid)), msgid


def test_catalogues_compile_and_translate():
    assert translations("ru").gettext("People") == "Люди"
    assert translations("ky").gettext("People") == "Адамдар"
    assert translations("en").gettext("People") == "People"


def test_dates_and_numbers_follow_the_language():
    assert formatters("en")["date"]("2026-03-14") == "Mar 14, 2026"
    assert formatters("ru")["date"]("2026-03-14") == "14 мар. 2026\u202fг."
    assert formatters("ru")["number"](1520) == "1\xa0520"
    assert formatters("en")["number"](1520) == "1,520"
