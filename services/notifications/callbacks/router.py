"""Provider callbacks: delivery reports and inbound SMS (HTTP only).

Deny by default holds here too: a provider calls with a service token holding
scope ``notifications:callbacks`` (a static header most gateways can send),
and signs the raw body; a missing or wrong signature is a 401 and changes nothing.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel, ValidationError

from services.notifications.access import ProviderCallback
from services.notifications.callbacks import service
from services.notifications.callbacks.schemas import (
    DeliveryReportIn,
    DeliveryReportOut,
    InboundIn,
    InboundOut,
)
from services.notifications.callbacks.signature import BadSignature, verify
from services.notifications.inbound import service as inbound
from services.notifications.messages.errors import MessageNotFound
from services.notifications.settings import NotificationsSettings
from shared.db import DbSession
from shared.errors import InvalidInput, problems

router = APIRouter(prefix="/provider-callbacks", tags=["provider callbacks"])

Signature = Annotated[
    str | None,
    Header(alias="X-Signature", max_length=200, description="hex HMAC-SHA256 of the body"),
]

M = TypeVar("M", bound=BaseModel)


def _body_schema(model: type[BaseModel]) -> dict[str, Any]:
    # The body is read raw (the signature covers its exact bytes), so its
    # schema is declared here for OpenAPI.
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema(by_alias=True)}},
        }
    }


async def _signed(request: Request, signature: str | None, model: type[M]) -> M:
    settings: NotificationsSettings = request.app.state.settings
    raw = await request.body()
    verify(raw, signature, settings.callback_secret)
    try:
        return model.model_validate(json.loads(raw))
    except (ValueError, ValidationError) as exc:
        errors = exc.errors() if isinstance(exc, ValidationError) else []
        first = errors[0] if errors else None
        field = ".".join(str(p) for p in first["loc"]) if first and first["loc"] else "body"
        raise InvalidInput(field, first["msg"] if first else "not JSON") from exc


@router.post(
    "/delivery-reports",
    response_model=DeliveryReportOut,
    openapi_extra=_body_schema(DeliveryReportIn),
    responses=problems(BadSignature, MessageNotFound),
    summary="A provider's delivery report (signed)",
)
async def delivery_report(
    request: Request, session: DbSession, principal: ProviderCallback, x_signature: Signature = None
) -> DeliveryReportOut:
    report = await _signed(request, x_signature, DeliveryReportIn)
    provider = request.app.state.settings.provider
    message, changed = await service.apply_report(session, report, provider=provider)
    return DeliveryReportOut(message_id=message.id, status=message.status, changed=changed)


@router.post(
    "/inbound",
    response_model=InboundOut,
    openapi_extra=_body_schema(InboundIn),
    responses=problems(BadSignature),
    summary="An SMS a family sent us (signed)",
)
async def inbound_sms(
    request: Request, session: DbSession, principal: ProviderCallback, x_signature: Signature = None
) -> InboundOut:
    sms = await _signed(request, x_signature, InboundIn)
    row, new = await inbound.receive(
        session,
        provider_message_id=sms.id,
        from_phone=sms.from_,
        text=sms.text,
        settings=request.app.state.settings,
    )
    return InboundOut(
        id=row.id,
        kind=row.kind,
        status=row.status,
        duplicate=not new,
        reply_message_id=row.reply_message_id,
    )
