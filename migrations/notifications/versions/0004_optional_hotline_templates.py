"""templates leave the hotline sentence out when there is no hotline; family-worded departure SMS

Revision ID: 0004
Revises: 0003

Each changed template gets a new version, but only where the current version is still
the one first seeded: a template an administrator has edited is left as they wrote it.
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.notifications.templates.seed_data import SEED_TEMPLATES

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The bodies 0002 first seeded (key, language, body), before this revision.
FIRST_SEEDED: tuple[tuple[str, str, str], ...] = (
    (
        "departure_registered",
        "ky",
        "{name}, чет өлкөгө чыгууңуз катталды ({country}). Элчиликтин ишеним телефону: {hotline}",
    ),
    (
        "departure_registered",
        "ru",
        "{name}, ваш выезд зарегистрирован ({country}). Горячая линия консульства: {hotline}",
    ),
    (
        "departure_registered",
        "en",
        "{name}, your departure to {country} has been registered. Consulate hotline: {hotline}",
    ),
    (
        "case_opened",
        "ky",
        "№{case_number} кайрылуу ачылды. Абалын билүү үчүн ушул номерди жөнөтүңүз. Ишеним телефону: {hotline}",
    ),
    (
        "case_opened",
        "ru",
        "Открыто обращение №{case_number}. Чтобы узнать статус, отправьте этот номер. Горячая линия: {hotline}",
    ),
    (
        "case_opened",
        "en",
        "Case {case_number} has been opened. Text this case number to get its status. Consulate hotline: {hotline}",
    ),
    (
        "case_status_changed",
        "ky",
        "№{case_number} кайрылуунун абалы өзгөрдү: {status}. Элчиликтин ишеним телефону: {hotline}",
    ),
    (
        "case_status_changed",
        "ru",
        "Статус обращения №{case_number} изменён: {status}. Горячая линия консульства: {hotline}",
    ),
    (
        "case_status_changed",
        "en",
        "Case {case_number} status changed: {status}. Consulate hotline: {hotline}",
    ),
    (
        "case_resolved",
        "ky",
        "№{case_number} кайрылуу чечилди. Суроолор боюнча элчиликтин ишеним телефону: {hotline}",
    ),
    (
        "case_resolved",
        "ru",
        "Обращение №{case_number} решено. Остались вопросы? Горячая линия консульства: {hotline}",
    ),
    (
        "case_resolved",
        "en",
        "Case {case_number} has been resolved. Questions? Consulate hotline: {hotline}",
    ),
    (
        "case_status_reply",
        "ky",
        "№{case_number} кайрылуунун абалы: {status}. Жаңыртылды: {updated}. Ишеним телефону: {hotline}",
    ),
    (
        "case_status_reply",
        "ru",
        "Обращение №{case_number}: {status}. Обновлено: {updated}. Горячая линия: {hotline}",
    ),
    (
        "case_status_reply",
        "en",
        "Case {case_number}: {status}. Updated: {updated}. Consulate hotline: {hotline}",
    ),
)

templates = sa.table(
    "templates",
    sa.column("id", sa.Uuid()),
    sa.column("key"),
    sa.column("language"),
    sa.column("version"),
    sa.column("body"),
    sa.column("created_by"),
)


def _current(key: str, language: str) -> tuple[int, str] | None:
    row = (
        op.get_bind()
        .execute(
            sa.select(templates.c.version, templates.c.body)
            .where(templates.c.key == key, templates.c.language == language)
            .order_by(templates.c.version.desc())
            .limit(1)
        )
        .first()
    )
    return None if row is None else (row[0], row[1])


def upgrade() -> None:
    revised: dict[tuple[str, str], str] = {(t.key, t.language): t.body for t in SEED_TEMPLATES}
    for key, language, first in FIRST_SEEDED:
        current = _current(key, language)
        if current is None or current[1] != first or (key, language) not in revised:
            continue
        op.execute(
            templates.insert().values(
                id=uuid.uuid4(),
                key=key,
                language=language,
                version=current[0] + 1,
                body=revised[(key, language)],
                created_by="seed",
            )
        )


def downgrade() -> None:
    # The earlier versions are still there; only the seeded revisions go.
    for key, language, _first in FIRST_SEEDED:
        current = _current(key, language)
        if current is not None and current[0] > 1:
            op.execute(
                templates.delete().where(
                    templates.c.key == key,
                    templates.c.language == language,
                    templates.c.version == current[0],
                    templates.c.created_by == "seed",
                )
            )
