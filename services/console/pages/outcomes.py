"""Family SMS outcomes and follow-up tasks, as the officer reads them.

The consular service writes its reasons and task details in English; the known ones
are message ids here (``N_``), so the console shows them in the user's language, and
anything it does not know yet is shown as written rather than hidden.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request

from services.console.i18n import N_
from services.console.labels import LABELS
from services.console.rendering import gettext

# Why a family SMS was not sent (consular: services/consular/family/service.py).
REASONS = (
    N_("the person is not registered, so no family contact is known"),
    N_("no family member has agreed to SMS and given a phone"),
    N_(
        "the person has a restricted vulnerability marker under which the family is never "
        "told automatically"
    ),
)
# Why a case's priority is not lower (consular: services/consular/cases/protection.py).
PRIORITY_REASONS = (N_("The person has an active vulnerability marker: at least high priority."),)
_KNOWN = frozenset(REASONS + PRIORITY_REASONS)
# The task details consular writes, each with its translatable form.
_TASKS = (
    (
        re.compile(
            r"Family not told automatically: (?P<reason>.+)\."
            r" Decide with the person whether to call\."
        ),
        N_("Family not told automatically: %(reason)s. Decide with the person whether to call."),
    ),
    (re.compile(r"Family not told: (?P<reason>.+)\."), N_("Family not told: %(reason)s.")),
    (
        re.compile(
            r"Family SMS to (?P<to>.+?) (?P<status>[a-z_]+)(?:: (?P<detail>.+))?\."
            r" Call the family if they must know sooner\."
        ),
        N_("Family SMS to %(to)s: %(status)s%(detail)s. Call the family if they must know sooner."),
    ),
    (
        re.compile(
            r"Family SMS to (?P<to>.+?) (?P<status>[a-z_]+)(?:: (?P<detail>.+))?\."
            r" Call the family\."
        ),
        N_("Family SMS to %(to)s: %(status)s%(detail)s. Call the family."),
    ),
)


def reason(request: Request, text: str) -> str:
    """A known reason in the user's language; an unknown one as written."""
    return gettext(request, text) if text in _KNOWN else text


def _code(request: Request, code: str) -> str:
    return gettext(request, LABELS[code]) if code in LABELS else code


def task_detail(request: Request, text: str) -> str:
    """A task's detail in the user's language when its form is known."""
    for pattern, message in _TASKS:
        found = pattern.fullmatch(text)
        if found is None:
            continue
        parts = found.groupdict()
        values = {
            "reason": reason(request, parts.get("reason") or ""),
            "to": parts.get("to") or "",
            "status": _code(request, parts.get("status") or ""),
            "detail": f" ({parts['detail']})" if parts.get("detail") else "",
        }
        return gettext(request, message) % values
    return text


def explain(request: Request, event: dict[str, Any]) -> str | None:
    """The readable line for an SMS outcome or a task on the timeline (None: not one)."""
    data = event.get("data") or {}
    kind = event.get("kind")
    if kind == "family_sms_not_sent":
        return reason(request, str(data.get("reason") or ""))
    if kind == "follow_up_task":
        task = _code(request, str(data.get("task") or ""))
        return f"{task}: {task_detail(request, str(data.get('detail') or ''))}"
    if kind == "family_sms":
        values = {
            "template": _code(request, str(data.get("template") or "")),
            "to": data.get("to") or "",
            "status": _code(request, str(data.get("status") or "")),
        }
        line = gettext(request, "%(template)s to %(to)s: %(status)s") % values
        return f"{line} ({data['detail']})" if data.get("detail") else line
    return None
