"""Asking for family SMS about a case, and recording what became of each one.

A request is an outbox row (``family.notify``) written with the case change. The relay
then asks the registry for the person's consented contacts and writes one
``family.sms`` row per contact (``handlers.py``); each SMS's status is followed until
it is final and written on the case's timeline. A family not reached (no contact,
refused, failed, expired, suppressed) raises a follow-up task for the case's officer.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from sqlalchemy.ext.asyncio import AsyncSession

from services.consular.cases import timeline
from services.consular.cases.models import Case
from services.consular.consulates.models import Consulate
from services.consular.family.models import FamilySms, OutboxItem
from services.consular.tasks.service import FAMILY_NOT_REACHED, raise_task
from shared.auth.principal import Principal, Role
from shared.outbox import enqueue

# Who writes the relay's lines on the timeline.
RELAY = Principal(subject="system:family-sms", roles=frozenset({Role.service}))

# Outcomes after which the family must be called instead.
NOT_REACHED = frozenset({"failed", "expired", "suppressed", "refused"})
FINAL = frozenset({"delivered", *NOT_REACHED})
# Held back (quiet hours, the daily cap): it goes later, but the family does not know
# yet, so the officer is asked to judge whether to call now.
DEFERRED = "deferred"


def mask(phone: str) -> str:
    """+996 *** ** 56: the country and the last two digits, enough to tell contacts apart."""
    try:
        country = f"+{phonenumbers.parse(phone).country_code}"
    except phonenumbers.NumberParseException:
        country = phone[:4]
    return f"{country} *** ** {phone[-2:]}"


def request_notice(
    session: AsyncSession, case: Case, template: str, at: datetime, actor: Principal
) -> None:
    """Queue ``template`` (case_opened, case_resolved) to the person's family."""
    if case.person_id is None:
        reason = "the person is not registered, so no family contact is known"
        timeline.record(session, case, "family_sms_not_sent", at, actor, reason=reason)
        raise_task(session, case, FAMILY_NOT_REACHED, f"Family not told: {reason}.", at, actor)
        return
    enqueue(
        session,
        OutboxItem,
        "family.notify",
        {
            "case_id": str(case.id),
            "person_id": str(case.person_id),
            "template": template,
            "case_number": case.case_number,
        },
        subject=f"case:{case.id}",
    )


# Shown on the case (supervisors, administrators and its consulate's officers).
PROTECTED = (
    "the person has a restricted vulnerability marker under which the family is never "
    "told automatically"
)


async def withhold(session: AsyncSession, case_id: uuid.UUID, at: datetime) -> None:
    """The request is kept on the timeline; the officer is told why nothing went."""
    case = await session.get(Case, case_id)
    if case is None:
        return
    timeline.record(session, case, "family_sms_not_sent", at, RELAY, reason=PROTECTED)
    text = f"Family not told automatically: {PROTECTED}. Decide with the person whether to call."
    raise_task(session, case, FAMILY_NOT_REACHED, text, at, RELAY)


async def fan_out(
    session: AsyncSession,
    case_id: uuid.UUID,
    template: str,
    contacts: list[tuple[str, str]],
    at: datetime,
) -> None:
    """One outbox row per contact (phone, language), each with its own id and record."""
    case = await session.get(Case, case_id)
    if case is None:
        return
    if not contacts:
        reason = "no family member has agreed to SMS and given a phone"
        timeline.record(session, case, "family_sms_not_sent", at, RELAY, reason=reason)
        raise_task(session, case, FAMILY_NOT_REACHED, f"Family not told: {reason}.", at, RELAY)
        return
    consulate = await session.get(Consulate, case.consulate)
    params = {"case_number": case.case_number}
    if consulate is not None and consulate.hotline:
        params["hotline"] = consulate.hotline
    zone = ZoneInfo(consulate.time_zone if consulate else "UTC")
    for phone, language in contacts:
        sms = FamilySms(
            id=uuid.uuid4(),
            case_id=case.id,
            phone_masked=mask(phone),
            language=language,
            template=template,
            status="requested",
            status_at=at,
            created_at=at,
        )
        session.add(sms)
        body = {
            "to": phone,
            "template": template,
            "language": language,
            "params": params,
            "reference": f"case:{case.id}",
        }
        enqueue(session, OutboxItem, "family.sms", body, subject=f"case:{case.id}", item_id=sms.id)
        _on_timeline(session, case, sms, at, zone)


async def record_outcome(
    session: AsyncSession,
    sms_id: uuid.UUID,
    status: str,
    at: datetime,
    *,
    detail: str | None = None,
    message_id: uuid.UUID | None = None,
) -> None:
    """A new status for one SMS: on the timeline, and a task when the family was not reached."""
    sms = await session.get(FamilySms, sms_id, with_for_update=True)
    if sms is None:
        return
    if message_id is not None:
        sms.message_id = message_id
    if (sms.status, sms.detail) == (status, detail):
        return
    sms.status, sms.detail, sms.status_at = status, detail, at
    case = await session.get(Case, sms.case_id)
    if case is None:
        return
    _on_timeline(session, case, sms, at, await _zone(session, case))
    if status in NOT_REACHED or status == DEFERRED:
        why = f": {detail}" if detail else ""
        then = " Call the family if they must know sooner." if status == DEFERRED else ""
        text = f"Family SMS to {sms.phone_masked} {status}{why}.{then or ' Call the family.'}"
        raise_task(session, case, FAMILY_NOT_REACHED, text, at, RELAY)


def _on_timeline(
    session: AsyncSession, case: Case, sms: FamilySms, at: datetime, zone: ZoneInfo
) -> None:
    data: dict[str, Any] = {
        "sms_id": str(sms.id),
        "to": sms.phone_masked,
        "template": sms.template,
        "language": sms.language,
        "status": sms.status,
        "detail": sms.detail,
        "message_id": str(sms.message_id) if sms.message_id else None,
        "summary": summary(sms, at, zone),
    }
    timeline.record(session, case, "family_sms", at, RELAY, **data)


async def _zone(session: AsyncSession, case: Case) -> ZoneInfo:
    # Officers read times in their consulate's zone.
    consulate = await session.get(Consulate, case.consulate)
    return ZoneInfo(consulate.time_zone if consulate else "UTC")


def summary(sms: FamilySms, at: datetime, zone: ZoneInfo) -> str:
    """What the officer reads: ``SMS to +996 *** ** 56: delivered 14:02``."""
    when = at.astimezone(zone).strftime("%H:%M")
    why = f" ({sms.detail})" if sms.detail else ""
    return f"SMS to {sms.phone_masked}: {sms.status} {when}{why}"
