"""Message endpoints: HTTP only."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.notifications.access import Reader, Sender
from services.notifications.messages import service
from services.notifications.messages.errors import MessageNotFound
from services.notifications.messages.models import Message
from services.notifications.messages.schemas import (
    MessageAccepted,
    MessageEventOut,
    MessageIn,
    MessageList,
    MessageOut,
    MessageSummary,
    Status,
)
from services.notifications.settings import NotificationsSettings
from services.notifications.templates.schemas import stringify
from shared.auth.principal import Role
from shared.db import DbSession
from shared.errors import problems
from shared.idempotency import (
    IdempotencyKey,
    IdempotencyKeyReused,
    StoredResponse,
    idempotent,
)
from shared.pagination import Cursor, Limit

router = APIRouter(prefix="/messages", tags=["messages"])


def _accepted(message: Message) -> MessageAccepted:
    return MessageAccepted(
        id=message.id,
        status=message.status,
        encoding=message.encoding,
        segments=message.segments,
        to=message.to_phone,
        template=message.template_key,
        language=message.language,
        template_version=message.template_version,
        reference=message.reference,
        urgent=message.urgent,
        created_at=message.created_at,
    )


@router.post(
    "",
    status_code=202,
    response_model=MessageAccepted,
    responses=problems(IdempotencyKeyReused),
    summary="Queue a templated SMS (answered only once it is stored)",
)
async def send_message(
    body: MessageIn,
    request: Request,
    session: DbSession,
    principal: Sender,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    settings: NotificationsSettings = request.app.state.settings

    async def run() -> StoredResponse:
        message = await service.accept(
            session,
            service.NewMessage(
                to=body.to,
                template=body.template,
                language=body.language,
                params=stringify(body.params),
                reference=body.reference,
                urgent=body.urgent,
            ),
            caller=principal.subject,
            settings=settings,
        )
        accepted = _accepted(message).model_dump(mode="json")
        return StoredResponse(202, accepted, {"Location": f"/v1/messages/{message.id}"})

    async def revisit(answer: Any) -> None:
        # Only its sender (or an administrator) may see a message again.
        await service.get_message(
            session, uuid.UUID(answer["id"]), caller=principal.subject, is_admin=False
        )

    return await idempotent(
        session, principal, idempotency_key, "POST /v1/messages", body, run, revisit=revisit
    )


@router.get(
    "/{message_id}",
    response_model=MessageOut,
    responses=problems(MessageNotFound),
    summary="A message's status and its full history",
)
async def get_message(message_id: uuid.UUID, session: DbSession, principal: Reader) -> MessageOut:
    message, events = await service.get_message(
        session, message_id, caller=principal.subject, is_admin=principal.has_role(Role.admin)
    )
    return MessageOut(
        **_accepted(message).model_dump(),
        status_reason=message.status_reason,
        text=message.text,
        attempts=message.attempts,
        next_attempt_at=message.next_attempt_at if message.status == "queued" else None,
        expires_at=message.expires_at,
        provider=message.provider,
        provider_message_id=message.provider_message_id,
        sent_at=message.sent_at,
        delivered_at=message.delivered_at,
        updated_at=message.updated_at,
        history=[MessageEventOut.model_validate(e) for e in events],
    )


@router.get(
    "", response_model=MessageList, summary="Your messages by reference, recipient or status"
)
async def list_messages(
    session: DbSession,
    principal: Reader,
    reference: Annotated[str | None, Query(max_length=200)] = None,
    to: Annotated[str | None, Query(max_length=20, description="E.164")] = None,
    status: Annotated[Status | None, Query(description="Only messages in this status")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> MessageList:
    rows, next_cursor = await service.list_messages(
        session,
        caller=principal.subject,
        is_admin=principal.has_role(Role.admin),
        reference=reference,
        to=to,
        limit=limit,
        cursor=cursor,
        status=status,
    )
    items = [
        MessageSummary(
            **_accepted(m).model_dump(), status_reason=m.status_reason, updated_at=m.updated_at
        )
        for m in rows
    ]
    return MessageList(items=items, next_cursor=next_cursor)
