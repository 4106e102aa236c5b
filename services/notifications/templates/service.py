"""Template rules."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.templates.models import Template


async def current_templates(session: AsyncSession) -> Sequence[Template]:
    """The newest version of every (key, language)."""
    query = (
        select(Template)
        .distinct(Template.key, Template.language)
        .order_by(Template.key, Template.language, Template.version.desc())
    )
    return (await session.scalars(query)).all()
