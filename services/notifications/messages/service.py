"""Accepting messages into the outbox and reading them back."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.messages.encoding import analyse
from services.notifications.messages.errors import MessageNotFound
from services.notifications.messages.models import Message, MessageEvent
from services.notifications.recipients.models import Recipient
from services.notifications.recipients.phones import parse_e164
from services.notifications.settings import NotificationsSettings
from services.notifications.templates.rendering import render
from services.notifications.templates.service import find_current
from shared.errors import InvalidInput
from shared.pagination import CursorKey, KeyTimestamp, KeyUuid


@dataclass(frozen=True)
class NewMessage:
    to: str
    template: str
    language: str
    params: dict[str, str]
    reference: str | None = None
    urgent: bool = False
    ignore_opt_out: bool = False


def now_utc() -> datetime:
    return datetime.now(UTC)


async def accept(
    session: AsyncSession, new: NewMessage, *, caller: str, settings: NotificationsSettings
) -> Message:
    """Validate everything, render, and queue; nothing is sent here."""
    phone = parse_e164(new.to)
    if phone is None:
        raise InvalidInput("to", "not a valid phone number in E.164 form (e.g. +996700123456)")
    template = await find_current(session, new.template, new.language)
    if template is None:
        raise InvalidInput("template", f"no template {new.template!r} in language {new.language!r}")
    text = render(template.body, new.params)
    sms = analyse(text)
    if sms.segments > settings.max_segments:
        raise InvalidInput(
            "params",
            f"the text renders to {sms.characters} characters ({sms.units} {sms.encoding} "
            f"units), {sms.segments} SMS; at most {settings.max_segments} are allowed",
        )
    now = now_utc()
    message = Message(
        id=uuid.uuid4(),
        status="queued",
        to_phone=phone,
        template_key=template.key,
        language=template.language,
        template_version=template.version,
        text=text,
        encoding=sms.encoding,
        segments=sms.segments,
        reference=new.reference,
        urgent=new.urgent,
        ignore_opt_out=new.ignore_opt_out,
        caller=caller,
        attempts=0,
        next_attempt_at=now,
        expires_at=now + timedelta(seconds=settings.message_ttl_seconds),
        created_at=now,
        updated_at=now,
    )
    session.add(message)
    session.add(
        MessageEvent(message_id=message.id, kind="accepted", status="queued", detail=None, at=now)
    )
    await remember_language(session, phone, template.language)
    await session.flush()
    return message


async def remember_language(session: AsyncSession, phone: str, language: str) -> None:
    """The language we last wrote in is the one replies to this number use."""
    stmt = insert(Recipient).values(phone=phone, language=language)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[Recipient.phone], set_={"language": language, "updated_at": now_utc()}
        )
    )


def visible_to(caller: str, is_admin: bool) -> list[ColumnElement[bool]]:
    return [] if is_admin else [Message.caller == caller]


async def get_message(
    session: AsyncSession, message_id: uuid.UUID, *, caller: str, is_admin: bool
) -> tuple[Message, Sequence[MessageEvent]]:
    message = await session.scalar(
        select(Message).where(Message.id == message_id, *visible_to(caller, is_admin))
    )
    if message is None:
        # Another caller's message is "not found" too: ids are not an oracle.
        raise MessageNotFound("There is no such message among yours.")
    events = (
        await session.scalars(
            select(MessageEvent)
            .where(MessageEvent.message_id == message_id)
            .order_by(MessageEvent.at, MessageEvent.id)
        )
    ).all()
    return message, events


_CURSOR = CursorKey(tuple[KeyTimestamp, KeyUuid])


async def list_messages(
    session: AsyncSession,
    *,
    caller: str,
    is_admin: bool,
    reference: str | None,
    to: str | None,
    limit: int,
    cursor: str | None,
    status: str | None = None,
) -> tuple[Sequence[Message], str | None]:
    """Newest first, keyset-paginated on (created_at, id)."""
    query = select(Message).where(*visible_to(caller, is_admin))
    if status is not None:
        query = query.where(Message.status == status)
    if reference is not None:
        query = query.where(Message.reference == reference)
    if to is not None:
        phone = parse_e164(to)
        if phone is None:
            raise InvalidInput(("query", "to"), "not a valid phone number in E.164 form")
        query = query.where(Message.to_phone == phone)
    if cursor is not None:
        query = query.where(tuple_(Message.created_at, Message.id) < _CURSOR.decode(cursor))
    query = query.order_by(Message.created_at.desc(), Message.id.desc()).limit(limit + 1)
    rows = (await session.scalars(query)).all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _CURSOR.encode((last.created_at, last.id))
    return rows, next_cursor
