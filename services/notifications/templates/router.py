"""Template endpoints: HTTP only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.notifications.templates import service
from services.notifications.templates.schemas import TemplateList, TemplateOut
from shared.auth.dependencies import require
from shared.auth.principal import Principal
from shared.db import DbSession

router = APIRouter(prefix="/templates", tags=["templates"])

TemplateReader = Annotated[Principal, Depends(require("admin", scopes=("notifications:send",)))]


@router.get("", response_model=TemplateList, summary="Current SMS templates per key and language")
async def list_templates(session: DbSession, principal: TemplateReader) -> TemplateList:
    rows = await service.current_templates(session)
    return TemplateList(items=[TemplateOut.model_validate(r) for r in rows])
