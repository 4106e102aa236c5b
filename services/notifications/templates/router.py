"""Template endpoints: HTTP only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from services.notifications.access import Admin, Reader
from services.notifications.messages.encoding import analyse
from services.notifications.templates import service
from services.notifications.templates.errors import TemplateNotFound
from services.notifications.templates.rendering import placeholder_names, render, render_draft
from services.notifications.templates.schemas import (
    DraftPreviewIn,
    DraftPreviewOut,
    Language,
    PreviewIn,
    PreviewOut,
    TemplateIn,
    TemplateKey,
    TemplateList,
    TemplateOut,
    stringify,
)
from shared.db import DbSession
from shared.errors import PreconditionFailed, PreconditionRequired, problems
from shared.etag import IfMatch, etag_for

router = APIRouter(prefix="/templates", tags=["templates"])


def _analysed(text: str) -> dict[str, Any]:
    """The text as it goes out: its encoding, SMS segments and their units."""
    sms = analyse(text)
    return {
        "text": text,
        "encoding": sms.encoding,
        "segments": sms.segments,
        "units": sms.units,
        "characters": sms.characters,
    }


KeyPath = Annotated[TemplateKey, Path(description="Template key, e.g. case_opened")]


@router.get("", response_model=TemplateList, summary="Current SMS templates per key and language")
async def list_templates(session: DbSession, principal: Reader) -> TemplateList:
    rows = await service.current_templates(session)
    return TemplateList(items=[TemplateOut.model_validate(r) for r in rows])


@router.post(
    "/preview",
    response_model=DraftPreviewOut,
    summary="Render a body not yet stored: text, encoding and SMS segments (for editors)",
)
async def preview_draft(body: DraftPreviewIn, principal: Admin) -> DraftPreviewOut:
    text = render_draft(body.body, stringify(body.params))
    return DraftPreviewOut(**_analysed(text), placeholders=placeholder_names(body.body))


@router.get(
    "/{key}/{language}",
    response_model=TemplateOut,
    responses=problems(TemplateNotFound),
    summary="The current version of one template (its ETag is needed to edit it)",
)
async def get_template(
    key: KeyPath,
    language: Language,
    session: DbSession,
    principal: Reader,
    response: Response,
) -> TemplateOut:
    template = await service.get_current(session, key, language)
    response.headers["ETag"] = etag_for(template.version)
    return TemplateOut.model_validate(template)


@router.put(
    "/{key}/{language}",
    response_model=TemplateOut,
    responses={
        201: {"description": "A new template", "model": TemplateOut},
        **problems(PreconditionFailed, PreconditionRequired),
    },
    summary="Store a new version of a template (If-Match needed when it exists)",
)
async def put_template(
    key: KeyPath,
    language: Language,
    body: TemplateIn,
    session: DbSession,
    principal: Admin,
    response: Response,
    if_match: IfMatch = None,
) -> TemplateOut:
    template, created = await service.put_template(
        session,
        key=key,
        language=language,
        body=body.body,
        author=principal.subject,
        if_match=if_match,
    )
    response.status_code = 201 if created else 200
    response.headers["ETag"] = etag_for(template.version)
    return TemplateOut.model_validate(template)


@router.post(
    "/{key}/{language}/preview",
    response_model=PreviewOut,
    responses=problems(TemplateNotFound),
    summary="Render a template: text, encoding and number of SMS segments",
)
async def preview_template(
    key: KeyPath, language: Language, body: PreviewIn, session: DbSession, principal: Reader
) -> PreviewOut:
    template = await service.get_current(session, key, language)
    text = render(template.body, stringify(body.params))
    return PreviewOut(**_analysed(text), version=template.version)
