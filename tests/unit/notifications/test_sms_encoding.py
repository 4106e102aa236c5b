"""SMS encoding and segmentation: worked examples and properties."""

from __future__ import annotations

import dataclasses
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notifications.messages.encoding import SmsEncoding, analyse, split_segments

# An independent copy of GSM 03.38 (basic table without ESC, then the extension
# table), so the tests do not just read back the module's own constants.
GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = "\f^{}\\[~]|€"
CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯңөүҢӨҮ"
EMOJI = "😀"


def gsm_septets(text: str) -> int:
    return sum(2 if char in GSM_EXTENSION else 1 for char in text)


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def units_of(part: str, encoding: str) -> int:
    return gsm_septets(part) if encoding == "GSM-7" else utf16_units(part)


# --- worked examples ---------------------------------------------------------------


def test_the_modules_alphabet_is_exactly_the_standards() -> None:
    # 128 codes minus ESC in the basic table, ten characters in the extension table.
    assert len(set(GSM_BASIC)) == 127 and len(set(GSM_EXTENSION)) == 10
    # Every BMP character, asked of the module: one septet for exactly the basic
    # table, two for exactly the extension table, UCS-2 for everything else.
    by_units: dict[int, set[str]] = {1: set(), 2: set()}
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue  # surrogates are not characters
        result = analyse(chr(code))
        if result.encoding == "GSM-7":
            by_units[result.units].add(chr(code))
    assert by_units[1] == set(GSM_BASIC)
    assert by_units[2] == set(GSM_EXTENSION)


@pytest.mark.parametrize("char", sorted(GSM_BASIC))
def test_every_basic_character_is_one_septet(char: str) -> None:
    assert analyse(char) == SmsEncoding("GSM-7", units=1, segments=1, characters=1)


@pytest.mark.parametrize("char", sorted(GSM_EXTENSION))
def test_every_extension_character_is_two_septets(char: str) -> None:
    assert analyse(char) == SmsEncoding("GSM-7", units=2, segments=1, characters=1)


def test_euro_counts_two_septets() -> None:
    assert analyse("10 €").units == 5


def test_empty_text_is_one_segment() -> None:
    assert analyse("") == SmsEncoding("GSM-7", units=0, segments=1, characters=0)
    assert split_segments("") == [""]


def test_160_gsm_characters_fit_one_segment() -> None:
    assert analyse("a" * 160) == SmsEncoding("GSM-7", units=160, segments=1, characters=160)
    assert split_segments("a" * 160) == ["a" * 160]


def test_161_gsm_characters_need_two_segments() -> None:
    assert analyse("a" * 161).segments == 2
    assert split_segments("a" * 161) == ["a" * 153, "a" * 8]


def test_escape_characters_can_push_over_the_single_limit() -> None:
    # 159 characters but 161 septets.
    text = "a" * 158 + "€"
    assert analyse(text).units == 160
    assert analyse(text + "b").segments == 2


def test_escape_pair_at_septet_153_moves_to_next_segment() -> None:
    text = "a" * 152 + "€" + "b" * 10
    parts = split_segments(text)
    assert parts == ["a" * 152, "€" + "b" * 10]
    assert analyse(text).segments == 2


def test_70_cyrillic_characters_fit_one_segment() -> None:
    assert analyse("ж" * 70) == SmsEncoding("UCS-2", units=70, segments=1, characters=70)


def test_71_cyrillic_characters_need_two_segments() -> None:
    assert analyse("ж" * 71).segments == 2
    assert split_segments("ж" * 71) == ["ж" * 67, "ж" * 4]


def test_one_cyrillic_letter_switches_latin_text_to_ucs2() -> None:
    result = analyse("a" * 100 + "ү")
    assert result.encoding == "UCS-2"
    assert result.units == 101
    assert result.segments == 2


def test_emoji_counts_two_units() -> None:
    assert analyse(EMOJI) == SmsEncoding("UCS-2", units=2, segments=1, characters=1)
    assert analyse("ж" * 68 + EMOJI).segments == 1
    assert analyse("ж" * 69 + EMOJI).segments == 2


def test_emoji_at_segment_boundary_is_not_split() -> None:
    # Unit 67 would be the first half of the surrogate pair: the emoji moves on whole.
    text = "ж" * 66 + EMOJI + "ж" * 10
    assert split_segments(text) == ["ж" * 66, EMOJI + "ж" * 10]
    assert analyse(text) == SmsEncoding("UCS-2", units=78, segments=2, characters=77)


def test_greedy_split_can_need_more_segments_than_units_suggest() -> None:
    # 306 septets would be 2 full parts, but the pair at 153 pushes a third.
    text = "a" * 152 + "€" + "a" * 152
    assert analyse(text).units == 306
    assert [gsm_septets(part) for part in split_segments(text)] == [152, 153, 1]
    assert analyse(text).segments == 3


def test_result_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        analyse("hi").segments = 2  # type: ignore[misc]


# --- properties --------------------------------------------------------------------

gsm_text = st.text(alphabet=st.sampled_from(GSM_BASIC + GSM_EXTENSION), max_size=500)
any_text = st.one_of(
    gsm_text,
    st.text(max_size=400),
    st.text(alphabet=st.sampled_from(CYRILLIC + GSM_BASIC + EMOJI + "€ "), max_size=400),
)


@given(any_text)
def test_joining_parts_gives_the_text_back(text: str) -> None:
    assert "".join(split_segments(text)) == text


@given(any_text)
def test_segment_count_matches_parts(text: str) -> None:
    assert len(split_segments(text)) == analyse(text).segments


@given(any_text)
def test_units_and_characters_are_counted_independently(text: str) -> None:
    result = analyse(text)
    assert result.characters == len(text)
    assert result.units == units_of(text, result.encoding)


@given(any_text)
def test_each_part_is_within_its_limit(text: str) -> None:
    result = analyse(text)
    parts = split_segments(text)
    single, concatenated = (160, 153) if result.encoding == "GSM-7" else (70, 67)
    limit = single if len(parts) == 1 else concatenated
    assert all(units_of(part, result.encoding) <= limit for part in parts)


@given(any_text)
def test_parts_are_filled_before_starting_the_next(text: str) -> None:
    # Greedy: a part only ends when its successor's first character would not fit.
    result = analyse(text)
    parts = split_segments(text)
    if len(parts) == 1:
        return
    limit = 153 if result.encoding == "GSM-7" else 67
    for part, following in pairwise(parts):
        assert part and following
        assert units_of(part + following[0], result.encoding) > limit


@given(gsm_text)
def test_gsm_only_text_is_gsm7(text: str) -> None:
    assert analyse(text).encoding == "GSM-7"


@given(any_text, st.sampled_from(CYRILLIC), st.integers(min_value=0))
def test_any_text_with_a_cyrillic_letter_is_ucs2(text: str, letter: str, at: int) -> None:
    position = at % (len(text) + 1)
    result = analyse(text[:position] + letter + text[position:])
    assert result.encoding == "UCS-2"


@given(any_text)
def test_single_segment_exactly_when_within_single_limit(text: str) -> None:
    result = analyse(text)
    single = 160 if result.encoding == "GSM-7" else 70
    assert (result.segments == 1) == (result.units <= single)
