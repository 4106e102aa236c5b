"""Step 3: hand one decided SMS to the provider, outside any transaction.

Each call is bounded by ``send_timeout_seconds`` (the settings check that a batch's
sends fit inside the lease). Whatever happens comes back as a value for ``record``:
a provider that raises something unexpected must not lose the message, so that is a
temporary failure and the message is tried again.
"""

from __future__ import annotations

import asyncio
import logging

from services.notifications.providers.base import (
    OutgoingSms,
    PermanentFailure,
    Provider,
    SendResult,
    TemporaryFailure,
)

log = logging.getLogger("migreg.worker")


async def send(
    provider: Provider, sms: OutgoingSms, time_limit_seconds: float
) -> SendResult | Exception:
    try:
        async with asyncio.timeout(time_limit_seconds):
            return await provider.send(sms)
    except TimeoutError:
        return TemporaryFailure(f"send took over {time_limit_seconds:g} s")
    except (TemporaryFailure, PermanentFailure) as exc:
        return exc
    except Exception as exc:
        log.exception("provider raised unexpectedly", extra={"message_id": str(sms.message_id)})
        return TemporaryFailure(f"provider error: {type(exc).__name__}")
