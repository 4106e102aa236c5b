"""Template rules: every edit is a new version; queued messages keep theirs."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.templates.errors import TemplateNotFound
from services.notifications.templates.models import Template
from services.notifications.templates.rendering import parse_body
from shared.etag import check_if_match


async def current_templates(session: AsyncSession) -> Sequence[Template]:
    """The newest version of every (key, language)."""
    query = (
        select(Template)
        .distinct(Template.key, Template.language)
        .order_by(Template.key, Template.language, Template.version.desc())
    )
    return (await session.scalars(query)).all()


async def find_current(session: AsyncSession, key: str, language: str) -> Template | None:
    query = (
        select(Template)
        .where(Template.key == key, Template.language == language)
        .order_by(Template.version.desc())
        .limit(1)
    )
    return (await session.scalars(query)).first()


async def get_current(session: AsyncSession, key: str, language: str) -> Template:
    template = await find_current(session, key, language)
    if template is None:
        raise TemplateNotFound(f"There is no template {key!r} in language {language!r}.")
    return template


async def put_template(
    session: AsyncSession,
    *,
    key: str,
    language: str,
    body: str,
    author: str,
    if_match: str | None,
) -> tuple[Template, bool]:
    """Store `body` as the next version; (template, created) where created means
    the key/language is new. Editing an existing template needs its ETag."""
    parse_body(body)
    current = await find_current(session, key, language)
    if current is not None:
        check_if_match(if_match, current.version)
        if current.body == body:
            return current, False
    template = Template(
        key=key,
        language=language,
        version=(current.version + 1) if current else 1,
        body=body,
        created_by=author,
    )
    session.add(template)
    await session.flush()
    await session.refresh(template)
    return template, current is None
