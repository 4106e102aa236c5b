"""The provider interface the worker talks to.

A provider only sends one SMS and says how it went; everything else (leases,
retries, care rules, history) is the worker's. An SMPP provider would be one
more class with the same ``send`` — bind once, ``submit_sm`` per message with
our id as the client reference — and one more branch in ``make_provider``.

Delivery is at-least-once after a worker crash; the gateway must deduplicate
on client_reference (our message id). A worker that dies between handing an
SMS over and recording it cannot know whether it went, so another worker sends
it again once the lease lapses. ``send`` is cut off by the worker after
``send_timeout_seconds``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OutgoingSms:
    message_id: uuid.UUID  # sent as the client reference: a resend is recognisable
    to: str
    text: str
    encoding: str
    segments: int


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str | None


class TemporaryFailure(Exception):
    """Worth trying again later: a timeout, a dropped connection, a 5xx."""


class PermanentFailure(Exception):
    """Trying again will not help: the provider refused the message (a 4xx)."""


class Provider(Protocol):
    name: str

    async def send(self, sms: OutgoingSms) -> SendResult:
        """Hand one SMS over; raise TemporaryFailure or PermanentFailure."""
        ...

    async def aclose(self) -> None: ...
