"""Administration (admins only): consulates, SMS templates and the message log."""

from __future__ import annotations

from fastapi import APIRouter

from services.console.pages import admin_consulates, admin_messages, admin_templates

router = APIRouter()
for module in (admin_consulates, admin_templates, admin_messages):
    router.include_router(module.router)
