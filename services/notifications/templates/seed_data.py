"""Seed SMS templates (Kyrgyz, Russian, English) loaded into an empty database.

Bodies use str.format placeholders with simple names only (``{case_number}``), so
`placeholders` can tell which params a template needs. Recipients are often on
basic phones in rural areas: Cyrillic forces UCS-2 (67 characters a concatenated
part), so every text is kept to two segments once typical values are filled in.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Final, Literal

Language = Literal["ky", "ru", "en"]


@dataclass(frozen=True)
class SeedTemplate:
    key: str
    language: Language
    body: str


def placeholders(body: str) -> frozenset[str]:
    """Names of the ``{name}`` fields in `body` (literal text and ``{{`` are skipped)."""
    return frozenset(
        field_name
        for _literal, field_name, _spec, _conversion in string.Formatter().parse(body)
        if field_name is not None
    )


def _template(key: str, *, ky: str, ru: str, en: str) -> tuple[SeedTemplate, ...]:
    # One call per key keeps the three languages of a message side by side.
    return (
        SeedTemplate(key, "ky", ky),
        SeedTemplate(key, "ru", ru),
        SeedTemplate(key, "en", en),
    )


SEED_TEMPLATES: Final[tuple[SeedTemplate, ...]] = (
    # A hotline sentence is an optional part ``[...]``: left out when the consulate has
    # no hotline, rather than printing a blank.
    *_template(
        "departure_registered",
        ky="{name} чет өлкөгө чыгуусу катталды ({country})."
        "[ Элчиликтин ишеним телефону: {hotline}]",
        ru="Выезд {name} зарегистрирован ({country}).[ Горячая линия консульства: {hotline}]",
        en="The departure of {name} to {country} has been registered."
        "[ Consulate hotline: {hotline}]",
    ),
    *_template(
        "case_opened",
        ky="№{case_number} кайрылуу ачылды. Абалын билүү үчүн ушул номерди жөнөтүңүз."
        "[ Ишеним телефону: {hotline}]",
        ru="Открыто обращение №{case_number}. Чтобы узнать статус, отправьте этот номер."
        "[ Горячая линия: {hotline}]",
        en="Case {case_number} has been opened. Text this case number to get its status."
        "[ Consulate hotline: {hotline}]",
    ),
    *_template(
        "case_status_changed",
        ky="№{case_number} кайрылуунун абалы өзгөрдү: {status}."
        "[ Элчиликтин ишеним телефону: {hotline}]",
        ru="Статус обращения №{case_number} изменён: {status}."
        "[ Горячая линия консульства: {hotline}]",
        en="Case {case_number} status changed: {status}.[ Consulate hotline: {hotline}]",
    ),
    *_template(
        "case_resolved",
        ky="№{case_number} кайрылуу чечилди."
        "[ Суроолор боюнча элчиликтин ишеним телефону: {hotline}]",
        ru="Обращение №{case_number} решено.[ Остались вопросы? "
        "Горячая линия консульства: {hotline}]",
        en="Case {case_number} has been resolved.[ Questions? Consulate hotline: {hotline}]",
    ),
    *_template(
        "case_status_reply",
        ky="№{case_number} кайрылуунун абалы: {status}. Жаңыртылды: {updated}."
        "[ Ишеним телефону: {hotline}]",
        ru="Обращение №{case_number}: {status}. Обновлено: {updated}.[ Горячая линия: {hotline}]",
        en="Case {case_number}: {status}. Updated: {updated}.[ Consulate hotline: {hotline}]",
    ),
    # Same answer for an unknown number and for a phone not linked to the case:
    # the reply must not reveal whether a case exists.
    *_template(
        "case_unknown_reply",
        ky="Бул номер боюнча маалымат берилбейт. Номерди текшерип, кайра жөнөтүңүз "
        "же элчиликке кайрылыңыз.",
        ru="По этому номеру сведения не предоставляются. Проверьте номер и отправьте "
        "снова или обратитесь в консульство.",
        en="No information can be given for this number. Check the number and try again, "
        "or contact the consulate.",
    ),
    # Confirmations fit a single SMS even in Cyrillic.
    *_template(
        "opt_out_confirmed",
        ky="SMS билдирүүлөрдөн баш тарттыңыз. Кайра алуу үчүн START деп жазыңыз.",
        ru="Вы отписались от SMS. Чтобы снова получать их, отправьте START.",
        en="You have opted out of SMS notifications. Text START to receive them again.",
    ),
    *_template(
        "opt_in_confirmed",
        ky="SMS билдирүүлөр кайра кошулду. Баш тартуу: ТОКТОТ же STOP.",
        ru="SMS-уведомления снова включены. Отписаться: СТОП или STOP.",
        en="SMS notifications are on again. Text STOP to opt out.",
    ),
    *_template(
        "help",
        ky="Кайрылуунун абалын билүү үчүн анын номерин жөнөтүңүз. "
        "Баш тартуу: ТОКТОТ же STOP. Кайра кошулуу: START.",
        ru="Отправьте номер обращения, чтобы узнать его статус. "
        "Отписаться: СТОП или STOP. Подписаться снова: START.",
        en="Text a case number to get its status. Text STOP to opt out, START to opt back in.",
    ),
)
