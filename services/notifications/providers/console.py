"""Development provider: logs a redacted line instead of sending."""

from __future__ import annotations

import logging

from services.notifications.providers.base import OutgoingSms, SendResult
from shared.logging import mask_phone

log = logging.getLogger("migreg.sms.console")


class ConsoleProvider:
    name = "console"

    async def send(self, sms: OutgoingSms) -> SendResult:
        # Never the text or the full number: both can identify a family.
        log.info(
            "SMS (console provider, not sent)",
            extra={
                "message_id": str(sms.message_id),
                "to": mask_phone(sms.to),
                "encoding": sms.encoding,
                "segments": sms.segments,
                "characters": len(sms.text),
            },
        )
        return SendResult(provider_message_id=f"console-{sms.message_id}")

    async def aclose(self) -> None:
        return None
