"""Answering families' SMS: opt-out, opt-in, case status queries, help.

A callback only stores the SMS (and answers keywords at once, which need
nothing but our own database). A case query needs two peers, so the worker
answers it, retrying while a peer is down: the question is never lost, and
the row lock taken with SKIP LOCKED means one worker answers it once.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifications.inbound import peers
from services.notifications.inbound.keywords import Request, classify, reply_language
from services.notifications.inbound.models import InboundMessage
from services.notifications.messages.service import NewMessage, accept
from services.notifications.recipients import service as recipients
from services.notifications.recipients.phones import parse_e164
from services.notifications.settings import NotificationsSettings
from shared.errors import InvalidInput, ProblemError
from shared.logging import mask_phone

log = logging.getLogger("migreg.inbound")

INBOUND_CALLER = "notifications:inbound"

# Case statuses as a family reads them.
STATUS_LABELS: dict[str, dict[str, str]] = {
    "open": {"ky": "ачык", "ru": "открыто", "en": "open"},
    "in_progress": {"ky": "каралууда", "ru": "в работе", "en": "in progress"},
    "awaiting_information": {
        "ky": "маалымат күтүлүүдө",
        "ru": "ожидает сведений",
        "en": "awaiting information",
    },
    "referred": {
        "ky": "башка уюмга жөнөтүлдү",
        "ru": "передано в другую организацию",
        "en": "referred",
    },
    "resolved": {"ky": "чечилди", "ru": "решено", "en": "resolved"},
    "closed": {"ky": "жабылды", "ru": "закрыто", "en": "closed"},
}


async def receive(
    session: AsyncSession,
    *,
    provider_message_id: str,
    from_phone: str,
    text: str,
    settings: NotificationsSettings,
) -> tuple[InboundMessage, bool]:
    """Store an inbound SMS once; (row, new). Keywords are answered right away.

    ``from_phone`` as the provider sent it; refused (422, field ``from``)
    unless it is a valid number, stored in E.164.
    """
    phone = parse_e164(from_phone)
    if phone is None:
        raise InvalidInput("from", "not a valid phone number in E.164 form")
    request = classify(text)
    inserted = await session.scalar(
        insert(InboundMessage)
        .values(
            id=uuid.uuid4(),
            provider_message_id=provider_message_id,
            from_phone=phone,
            text=text,
            kind=request.kind,
            status="pending",
            attempts=0,
        )
        .on_conflict_do_nothing(index_elements=[InboundMessage.provider_message_id])
        .returning(InboundMessage.id)
    )
    row = await session.scalar(
        select(InboundMessage)
        .where(InboundMessage.provider_message_id == provider_message_id)
        .with_for_update()
    )
    assert row is not None
    if inserted is not None and request.kind != "case_query":
        try:
            async with session.begin_nested():
                await answer(session, row, settings)
        except ProblemError as exc:  # a template an admin broke: the worker retries
            _postpone(row, settings, f"reply not possible: {exc.detail}")
    return row, inserted is not None


async def answer(
    session: AsyncSession, inbound: InboundMessage, settings: NotificationsSettings
) -> None:
    """Act on the SMS and queue the reply; raises PeerDown to be retried."""
    request = classify(inbound.text)
    phone = inbound.from_phone
    known = await recipients.find(session, phone)
    language = reply_language(request, known.language if known else None, settings.default_language)
    now = datetime.now(UTC)
    params: dict[str, str] = {}
    ignore_opt_out = False
    if request.kind == "stop":
        await recipients.set_opt_out(session, phone, keyword=inbound.text.strip()[:20], at=now)
        template, ignore_opt_out = "opt_out_confirmed", True
    elif request.kind == "start":
        await recipients.set_opt_out(session, phone, keyword=None, at=None)
        template = "opt_in_confirmed"
    elif request.kind == "case_query":
        template, params, language = await _case_reply(settings, request, phone, language)
    else:
        template = "help"
    # A reply to someone who just wrote to us: no quiet hours, no daily cap.
    # A late one (a peer was down for a while) must not wake them at night.
    urgent = now - inbound.received_at <= timedelta(seconds=settings.inbound_urgent_seconds)
    reply = await accept(
        session,
        NewMessage(
            to=phone,
            template=template,
            language=language,
            params=params,
            reference=f"inbound:{inbound.id}",
            urgent=urgent,
            ignore_opt_out=ignore_opt_out,
        ),
        caller=INBOUND_CALLER,
        settings=settings,
    )
    inbound.status = "answered"
    inbound.answered_at = now
    inbound.reply_message_id = reply.id
    log.info(
        "inbound answered",
        extra={"inbound_id": str(inbound.id), "kind": request.kind, "from": mask_phone(phone)},
    )


async def _case_reply(
    settings: NotificationsSettings, request: Request, phone: str, language: str
) -> tuple[str, dict[str, str], str]:
    """The status only to a consented family contact; the same neutral reply to
    everyone else and for unknown cases, so the reply reveals nothing."""
    assert request.case_number is not None
    case = await peers.case_status(settings, request.case_number)
    if case is None or case.person_id is None:
        return "case_unknown_reply", {}, language
    if await peers.family_sms_withheld(settings, case.person_id):
        return "case_unknown_reply", {}, language
    contacts = await peers.family_contacts(settings, case.person_id)
    match = next((c for c in contacts if c.phone == phone), None)
    if match is None:
        return "case_unknown_reply", {}, language
    if match.language in ("ky", "ru", "en"):
        language = match.language
    label = STATUS_LABELS.get(case.status, {}).get(language, case.status)
    updated = case.updated_at.astimezone(ZoneInfo(settings.default_time_zone)).strftime("%d.%m.%Y")
    params = {"case_number": case.case_number, "status": label, "updated": updated}
    if case.hotline:  # else the template's optional hotline part is left out
        params["hotline"] = case.hotline
    return "case_status_reply", params, language


async def answer_pending(session: AsyncSession, settings: NotificationsSettings) -> bool:
    """Answer one due pending SMS (row-locked, skipping ones other workers hold).

    Returns False when there was nothing to do.
    """
    inbound = await session.scalar(
        select(InboundMessage)
        .where(
            InboundMessage.status == "pending", InboundMessage.next_attempt_at <= datetime.now(UTC)
        )
        .order_by(InboundMessage.next_attempt_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if inbound is None:
        return False
    try:
        async with session.begin_nested():
            await answer(session, inbound, settings)
    except peers.PeerDown as exc:
        _postpone(inbound, settings, str(exc))
    except ProblemError as exc:
        _postpone(inbound, settings, f"reply not possible: {exc.detail}")
    except Exception as exc:  # one bad row must not stop the worker (nor block the queue)
        # The type and the place only: a message or a traceback's values
        # could carry the sender's number.
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        log.error(
            "inbound answer failed unexpectedly",
            extra={
                "inbound_id": str(inbound.id),
                "error": type(exc).__name__,
                "at": f"{frame.filename}:{frame.lineno}",
            },
        )
        _postpone(inbound, settings, f"unexpected error: {type(exc).__name__}")
    return True


def _postpone(inbound: InboundMessage, settings: NotificationsSettings, error: str) -> None:
    """Keep the SMS and try again later, backing off, until the tries or the
    time run out: then it is ``failed`` with the reason and gets no reply (an
    answer a day late, or a guess, would mislead more than silence)."""
    now = datetime.now(UTC)
    inbound.attempts += 1
    inbound.last_error = error[:500]
    delay = settings.inbound_retry_seconds * 2 ** min(inbound.attempts - 1, 6)
    next_at = now + timedelta(seconds=delay)
    give_up_at = inbound.received_at + timedelta(seconds=settings.inbound_give_up_seconds)
    if inbound.attempts >= settings.inbound_max_attempts or next_at > give_up_at:
        inbound.status = "failed"
        inbound.last_error = f"gave up after {inbound.attempts} attempts: {error}"[:500]
        log.warning("inbound given up", extra={"inbound_id": str(inbound.id), "error": error})
        return
    inbound.next_attempt_at = next_at
    log.warning("inbound answer postponed", extra={"inbound_id": str(inbound.id), "error": error})
