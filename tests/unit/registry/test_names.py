"""Name skeletons and symmetric-delete keys for cross-script fuzzy search."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.registry.persons.names import (
    deletion_keys,
    edit_distance,
    name_keys,
    name_tokens,
    skeleton,
)

SPELLINGS_OF_ONE_NAME = [
    ("Абдыкадыров", "Abdykadyrov", "Abdikadirov", "ABDYKADYROV", "Абды-Кадыров"),
    ("Жээнбеков", "Jeenbekov", "Zheenbekov", "Jeenbekov"),
    ("Үсөнов", "Usonov", "Üsönov"),
    ("Юлдашева", "Yuldasheva", "Iuldasheva"),
    ("Маңас", "Manas", "Mangas", "Мангас", "Mañas"),
    ("Жылдыз", "Zhyldyz", "Jyldyz", "Jildiz"),
    ("Айгүл", "Aigul", "Aygul", "Aigül"),
    ("Чолпон", "Cholpon", "Çolpon", "Čolpon"),
    ("Мээрим", "Meerim", "Merim"),
    ("Хасанов", "Khasanov", "Hasanov", "Xасанов"),  # the last starts with a Latin X
    ("Исхак", "Iskhak", "Ishak"),
    ("Джамиля", "Jamila", "Djamilya", "Dzhamilya", "Жамиля"),
    ("Данияр", "Daniyar", "Daniiar"),
    ("Бейшеналиев", "Beishenaliev", "Beyshenaliev"),
    ("Сергей", "Sergey", "Sergei"),
    ("Ёлкин", "Yolkin", "Iolkin"),
    ("Ильяс", "Ilyas", "Il'yas", "Ilias"),
    ("Щукин", "Shchukin", "Schukin"),
    ("Цой", "Tsoi", "Tsoy"),
    ("Алексей", "Aleksei", "Alexey"),
]


@pytest.mark.parametrize("spellings", SPELLINGS_OF_ONE_NAME, ids=lambda s: s[1])
def test_spellings_of_one_name_share_a_skeleton(spellings: tuple[str, ...]) -> None:
    skeletons = {skeleton(s) for s in spellings}
    assert len(skeletons) == 1, skeletons


def test_skeletons_of_the_design_examples() -> None:
    assert skeleton("Абдыкадыров") == "abdikadirov"
    assert skeleton("Жээнбеков") == "jenbekov"
    assert skeleton("Юлдашева") == "uldaseva"
    assert skeleton("Маңас") == "manas"


def test_separators_and_soft_signs_are_dropped() -> None:
    assert skeleton("Абды-Кадыр") == skeleton("Абды кадыр") == skeleton("абдыкадыр")
    assert skeleton("Ольга") == skeleton("Olga")
    assert skeleton("Объедин") == skeleton("Obedin")
    assert skeleton("O'Neil") == skeleton("O Neil") == "oneil"


def test_latin_lookalikes_inside_a_cyrillic_word_are_read_as_cyrillic() -> None:
    assert skeleton("Бакиeв") == skeleton("Бакиев")  # Latin e
    assert skeleton("TOKTOГУЛОВ") == skeleton("Токтогулов")
    # A purely Latin word next to a Cyrillic one is left alone.
    assert skeleton("Abdykadyrov Нурлан") == skeleton("Abdykadyrov") + skeleton("Нурлан")


@pytest.mark.parametrize("text", ["", "   ", "-'-", "ЬЪ", "123"])
def test_nothing_letter_like_gives_an_empty_skeleton(text: str) -> None:
    assert skeleton(text) == ""


def test_decomposed_unicode_input_is_handled() -> None:
    # й typed as и + combining breve must still be й, not и followed by junk.
    assert skeleton("Сергеи\u0306") == skeleton("Сергей")


@given(st.text(max_size=30))
def test_skeleton_is_lowercase_ascii_without_doubles(text: str) -> None:
    result = skeleton(text)
    assert re.fullmatch(r"[a-z]*", result)
    assert not re.search(r"(.)\1", result)


@given(
    st.text(
        alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяүөңabcdefghijklmnopqrstuvwxyz -'", max_size=30
    )
)
def test_skeleton_is_idempotent(text: str) -> None:
    once = skeleton(text)
    assert skeleton(once) == once


def test_typo_is_one_edit_away_and_shares_a_key() -> None:
    typo, real = skeleton("Abdykadyrob"), skeleton("Абдыкадыров")
    assert edit_distance(typo, real) == 1
    assert deletion_keys(typo) & deletion_keys(real)


@pytest.mark.parametrize(
    "typo, real",
    [
        ("Zheenbkov", "Жээнбеков"),  # a letter left out
        ("Toktogullov", "Токтогулов"),  # a doubled letter collapses anyway
        ("Tokrogulov", "Токтогулов"),  # a neighbouring key
        ("Mamytova", "Мамытов"),  # female form of a male name
    ],
)
def test_common_typos_share_a_key(typo: str, real: str) -> None:
    assert deletion_keys(skeleton(typo)) & deletion_keys(skeleton(real))


@pytest.mark.parametrize(
    "a, b",
    [
        ("Asanov", "Usenov"),  # two substitutions apart, in different places
        ("Токтогулов", "Садыров"),
        ("Бакиев", "Мамытов"),
        ("Жээнбеков", "Осмонов"),
        ("Нурлан", "Бермет"),
        ("Айгүл", "Азамат"),
        ("Абдыкадыров", "Абдраимов"),  # same opening, different names
    ],
)
def test_different_names_share_no_key(a: str, b: str) -> None:
    assert not deletion_keys(skeleton(a)) & deletion_keys(skeleton(b))


def test_deletion_keys_are_the_key_and_its_single_deletions() -> None:
    assert deletion_keys("abc") == {"abc", "bc", "ac", "ab"}
    assert deletion_keys("aab") == {"aab", "ab", "aa"}


def test_empty_string_is_never_a_key() -> None:
    assert deletion_keys("") == set()
    assert deletion_keys("a") == {"a"}


def test_long_keys_are_cut_to_bound_the_row_count() -> None:
    keys = deletion_keys("abcdefghijklmnopqrstuvwxyzabcdef", max_len=24)
    assert len(keys) <= 25
    assert all(len(k) <= 24 for k in keys)


lowercase = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=40)


@st.composite
def one_edit_apart(draw: st.DrawFn) -> tuple[str, str]:
    """An ASCII string and the same string with one deletion, substitution or insertion."""
    original = draw(lowercase)
    at = draw(st.integers(min_value=0, max_value=len(original) - 1))
    letter = draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz"))
    edit = draw(st.sampled_from(["delete", "substitute", "insert"]))
    if edit == "delete":
        edited = original[:at] + original[at + 1 :]
    elif edit == "substitute":
        edited = original[:at] + letter + original[at + 1 :]
    else:
        edited = original[:at] + letter + original[at:]
    return original, edited


@given(one_edit_apart())
def test_strings_one_edit_apart_share_a_deletion_key(pair: tuple[str, str]) -> None:
    original, edited = pair
    assert deletion_keys(original) & deletion_keys(edited)


@given(lowercase, lowercase)
def test_a_shared_key_means_at_most_two_edits(a: str, b: str) -> None:
    # The flip side: keys never tie together strings far apart (below the cut).
    if deletion_keys(a, max_len=50) & deletion_keys(b, max_len=50):
        assert edit_distance(a, b) <= 2


def test_name_tokens_split_skeletonize_and_dedupe() -> None:
    assert name_tokens("Абдыкадыров Нурлан", None, "", "Abdykadyrov", "Бакыт уулу") == [
        "abdikadirov",
        "nurlan",
        "bakit",
    ]


def test_name_tokens_split_on_hyphens_and_dashes() -> None:
    assert name_tokens("Абды-Кадыр Ахмед–Али") == ["abdi", "kadir", "ahmed", "ali"]


def test_name_tokens_skip_patronymic_particles() -> None:
    assert name_tokens("Асан уулу", "Айгүл Бакыт кызы") == ["asan", "aigul", "bakit"]


def test_name_keys_are_the_union_of_token_keys() -> None:
    assert name_keys("Улан Асанов") == deletion_keys("ulan") | deletion_keys("asanov")
    assert name_keys(None, "") == set()


@pytest.mark.parametrize(
    "a, b, distance",
    [
        ("", "", 0),
        ("abc", "", 3),
        ("", "abc", 3),
        ("kitten", "sitting", 3),
        ("flaw", "lawn", 2),
        ("abdikadirov", "abdikadirob", 1),
        ("usonov", "usonov", 0),
    ],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance
    assert edit_distance(b, a) == distance


@given(lowercase, lowercase)
def test_edit_distance_bounds(a: str, b: str) -> None:
    d = edit_distance(a, b)
    assert abs(len(a) - len(b)) <= d <= max(len(a), len(b))
    assert (d == 0) == (a == b)
