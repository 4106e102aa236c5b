"""Synthetic Kyrgyz names with a realistic long tail, built from roots and suffix rules.

Kyrgyz surnames are mostly an ancestor's given name with a Russian suffix
(Асанов, Жумабаев, Сатыбалдиев; -а for women), and since the 1990s a growing
share carry the Kyrgyz patronymic construction instead (Бакыт уулу "son of
Бакыт", Бакыт кызы "daughter of Бакыт"). Given names are very often compounds
of a small set of elements (Абды+кадыр, Жума+бек, Нур+лан). So the generator
combines element lists into a few thousand ancestor roots, derives surnames
from them with the suffix rules below, and draws every list with a
Zipf–Mandelbrot weight ``1 / (rank + q) ** s``: a handful of names are very
common and most are rare, which is what makes name search hard at national
scale (a common first name matches tens of thousands of people).

Rank order is a seeded shuffle of the combinations, so which compound is
common is arbitrary but fixed. The shape parameters are chosen so that the
most common surname is carried by about 1-2 % of people and the most common
first names by about 3-6 % of their sex, the order of magnitude reported
for Central Asian populations (there is no published Kyrgyz surname frequency
table; see bench/README.md "Synthetic country" for the measured result).
Latin spellings use the Kyrgyz national (BGN/PCGN-like) romanisation: ж zh,
ы y, ү ü→u, ө ö→o, ң ng, й i, ч ch, ш sh.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

# Elements of compound names (Cyrillic). First elements end in a vowel or a
# consonant; the joiner below keeps the compound pronounceable.
_FIRST_ELEMENTS = (
    "Абды", "Айт", "Акы", "Ала", "Алты", "Аман", "Асан", "Бай", "Бек", "Бол", "Бороон",
    "Жан", "Жолдош", "Жума", "Жээн", "Кара", "Кең", "Кул", "Куш", "Мамат", "Мыр", "Нур",
    "Ор", "Осмон", "Сары", "Сай", "Сул", "Таш", "Темир", "Токто", "Турду", "Үсөн", "Чын",
    "Шар", "Эр", "Эсен", "Ысма", "Өмүр", "Кадыр", "Калы", "Кудай", "Мырза", "Сатыбал",
    "Токтор", "Жусуп", "Абыл", "Ак", "Дөөлөт", "Бакы", "Жаны", "Кубан", "Медет", "Сапар",
    "Талай", "Убай", "Курман", "Мукаш", "Ыры", "Кайыр", "Эмил",
)  # fmt: skip
_SECOND_ELEMENTS = (
    "бек", "бай", "кул", "алы", "мурат", "кадыр", "гул", "мат", "бол", "жан", "тай",
    "назар", "сейит", "бай", "ым", "кан", "тур", "дин", "жол", "бото", "кожо",
    "акун", "аалы", "мамбет", "сары", "таш", "берди", "бакы", "жаркын", "ша",
    "малик", "асан", "ырыс", "темир", "даулет", "карим", "шер", "мырза",
)  # fmt: skip

# Given names proper, most popular first (used as roots too). Sources of the
# *order* are popularity lists published by the civil registry (Tunduk/ЗАГС
# press releases of the most frequent newborn names); the weights are ours.
MALE_NAMES = (
    "Нурлан", "Азамат", "Бакыт", "Эрлан", "Улан", "Талант", "Мирлан", "Нурбек", "Адилет",
    "Айбек", "Тимур", "Канат", "Марат", "Асан", "Данияр", "Бектур", "Темирлан", "Эмил",
    "Жолдош", "Үсөн", "Нурсултан", "Эрмек", "Руслан", "Максат", "Алмаз", "Бакытбек",
    "Жоомарт", "Кубаныч", "Медер", "Нуржан", "Самат", "Таалай", "Улукбек", "Чыңгыз",
    "Элдияр", "Жаныбек", "Азат", "Бекжан", "Дастан", "Эркин", "Ислам", "Мухаммед",
    "Байэл", "Аскар", "Болот", "Бакай", "Арстан", "Мыктыбек", "Нурдин", "Сыймык",
    "Токтосун", "Урмат", "Фарид", "Абдыкадыр", "Жумабек", "Сатыбалды", "Кадыр", "Исмаил",
    "Мамат", "Осмон", "Курманбек", "Эсенбек", "Жээнбек", "Алтынбек", "Мелис", "Нурис",
    "Өмүрбек", "Кайрат", "Эрбол", "Замир", "Жанболот", "Акылбек", "Бекболот", "Дамир",
    "Ильяс", "Рысбек", "Сагын", "Таир", "Уметалы", "Шамшыбек", "Ысмайыл", "Эльдар",
    "Абай", "Арсен", "Бейшен", "Догдурбек", "Жаныш", "Иса", "Калыс", "Мурат", "Нарын",
    "Орозбек", "Садыр", "Турсун", "Үмөт", "Чолпонбек", "Шаршен", "Эгемберди", "Тынчтык",
)  # fmt: skip
FEMALE_NAMES = (
    "Айгүл", "Айпери", "Жылдыз", "Гүлнара", "Мээрим", "Бермет", "Асел", "Нургүл", "Элнура",
    "Бегимай", "Айжан", "Назира", "Динара", "Айдай", "Каныкей", "Салтанат", "Чолпон",
    "Жаркын", "Айзада", "Гүлзат", "Нуриза", "Айсулуу", "Эльмира", "Умут", "Зарина",
    "Камила", "Жибек", "Мадина", "Аида", "Алтынай", "Бактыгүл", "Венера", "Гүлмира",
    "Дильноза", "Жамила", "Зуура", "Ирина", "Калыйча", "Лира", "Майрам", "Наргиза",
    "Нуржамал", "Перизат", "Роза", "Санабар", "Таттыбүбү", "Уулжан", "Фатима", "Чынара",
    "Шайыр", "Элмира", "Юлдуз", "Айнура", "Акмарал", "Асылкан", "Бурул", "Гүлайым",
    "Дарика", "Жазгүл", "Замира", "Кумушай", "Мирагүл", "Назгүл", "Саадат", "Токтобүбү",
    "Үмүт", "Айым", "Бүбүсара", "Гүлжан", "Нурайым", "Сезим", "Толгонай", "Эркайым",
)  # fmt: skip

# Kyrgyz Cyrillic → Latin (national romanisation); every name above is
# written with these letters only.
_LATIN = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
        "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
        "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
        "я": "ya", "ү": "u", "ө": "o", "ң": "ng",
    }
)  # fmt: skip

_PARTICLES = frozenset({"uulu", "kyzy"})
_VOWELS = frozenset("аеёиоуыэюяөү")


def latin(cyrillic: str) -> str:
    """The Latin spelling of a Kyrgyz Cyrillic name (capitalised per word)."""
    words = cyrillic.lower().translate(_LATIN).split(" ")
    return " ".join(w if w in _PARTICLES else w[:1].upper() + w[1:] for w in words)


def surname_stem(root: str) -> str:
    """The male surname of an ancestor root: Асан→Асанов, Жумабай→Жумабаев, Бакы→Бакиев."""
    if root.endswith("й"):
        return root[:-1] + "ев"
    if root.endswith(("ы", "и")):
        return root[:-1] + "иев"
    if root[-1] in _VOWELS:
        return root + "ев"
    return root + "ов"


def _compound(first: str, second: str) -> str:
    if first[-1] in _VOWELS and second[0] in _VOWELS:
        second = second[1:]  # Жума + алы → Жумалы
    return first + second


def ancestor_roots(seed: int) -> list[str]:
    """Several thousand distinct roots: the given names, then every compound, shuffled."""
    compounds = {_compound(a, b) for a in _FIRST_ELEMENTS for b in _SECOND_ELEMENTS}
    # Sorted before the shuffle: set order differs between runs.
    shuffled = sorted(compounds - set(MALE_NAMES))
    random.Random(seed).shuffle(shuffled)  # noqa: S311 - reproducible, not secret
    # Common given names are also the most common surname roots.
    return [*MALE_NAMES[:40], *shuffled, *MALE_NAMES[40:]]


class Zipf:
    """Draws from ``options`` with weight ``1 / (rank + q) ** s`` (rank from 1)."""

    def __init__(self, options: Sequence[str], s: float, q: float) -> None:
        self.options = tuple(options)
        weights = [1 / (rank + q) ** s for rank in range(1, len(self.options) + 1)]
        self._cumulative = list(accumulate(weights))

    def share_of_first(self) -> float:
        return float(self._cumulative[0] / self._cumulative[-1])

    def pick(self, rng: random.Random) -> str:
        return self.options[bisect_right(self._cumulative, rng.random() * self._cumulative[-1])]


class NameBook:
    """Everything a population needs to draw names; built once per seed."""

    # Shape parameters (see the module docstring and bench/README.md).
    SURNAME_SHAPE = (1.0, 25.0)
    GIVEN_SHAPE = (1.0, 4.0)
    # Share of people whose surname is a patronymic construction (Бакыт уулу).
    PATRONYMIC_SURNAME_SHARE = 0.08

    def __init__(self, seed: int) -> None:
        self.surname_roots = Zipf(ancestor_roots(seed), *self.SURNAME_SHAPE)
        self.male = Zipf(MALE_NAMES, *self.GIVEN_SHAPE)
        self.female = Zipf(FEMALE_NAMES, *self.GIVEN_SHAPE)

    def given(self, rng: random.Random, sex: str) -> str:
        return (self.male if sex == "M" else self.female).pick(rng)

    def family_surname(self, rng: random.Random) -> str:
        """The male form a family shares: Асанов, or a patronymic root marked with '+'."""
        if rng.random() < self.PATRONYMIC_SURNAME_SHARE:
            return "+" + self.male.pick(rng)
        return surname_stem(self.surname_roots.pick(rng))


def surname_for(family: str, sex: str) -> str:
    """A family surname in this person's form: Асанов/Асанова, Бакыт уулу/кызы."""
    if family.startswith("+"):
        return f"{family[1:]} {'уулу' if sex == 'M' else 'кызы'}"
    return family if sex == "M" else family + "а"


def patronymic(father: str, sex: str, kyrgyz_form: bool) -> str:
    """Бакыт уулу / Бакыт кызы, or the Russian form Бакытович / Бакытовна."""
    if kyrgyz_form:
        return f"{father} {'уулу' if sex == 'M' else 'кызы'}"
    return surname_stem(father) + ("ич" if sex == "M" else "на")
