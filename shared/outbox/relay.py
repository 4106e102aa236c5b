"""The relay: claims due outbox rows, runs their handlers, records each outcome.

Claim: one short transaction, ``FOR UPDATE SKIP LOCKED``, sets a lease (owner and
expiry) so relays in several processes never take the same row and a relay that
dies lets its rows come back when the lease lapses. The handler runs outside any
transaction (it calls peers); the outcome is then recorded in a transaction that
first checks the lease is still ours, so a relay that stalled past its lease and
lost the row records nothing (the peer's idempotency makes its call harmless).

A relay finishes every delivery of a round before it claims again, so a row still
leased to it at a claim is one whose outcome could not be recorded (the database
went away mid-round): it is due again at once, not a whole lease later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.http import Peers
from shared.outbox.models import DELIVERED, PENDING, POISONED, OutboxMixin
from shared.outbox.outcomes import Delivered, Entry, Handler, Later, Poisoned, Retry
from shared.request_context import bind_request_id, reset_request_id
from shared.settings import ServiceSettings

log = logging.getLogger("migreg.outbox")
# After a round in which every call failed the relay pauses the poll interval
# doubled once per such round in a row, up to this many times (32 s at 1 s).
PAUSE_DOUBLINGS = 5


def backoff(failures: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with jitter: uniform in the upper half of
    min(cap, base * 2^n), so relays retrying after an outage do not all call the
    peer at once, yet never retry sooner than half the backoff."""
    ceiling = min(cap, base * 2 ** min(failures, 30))
    return rng.uniform(ceiling / 2, ceiling)


@dataclass
class Relay:
    model: type[OutboxMixin]
    sessions: async_sessionmaker[AsyncSession]
    handlers: Mapping[str, Handler]
    peers: Peers
    settings: ServiceSettings
    owner: str = field(
        default_factory=lambda: f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    )
    rng: random.Random = field(default_factory=random.Random)

    async def claim(self) -> list[Entry]:
        model = self.model
        now = datetime.now(UTC)
        due = (
            select(model.id)
            .where(
                model.status == PENDING,
                model.next_attempt_at <= now,
                or_(
                    model.lease_expires_at.is_(None),
                    model.lease_expires_at < now,
                    model.lease_owner == self.owner,
                ),
            )
            .order_by(model.next_attempt_at)
            .limit(self.settings.outbox_batch_size)
            .with_for_update(skip_locked=True)
        )
        stmt = (
            update(model)
            .where(model.id.in_(due.scalar_subquery()))
            .values(
                lease_owner=self.owner,
                lease_expires_at=now + timedelta(seconds=self.settings.outbox_lease_seconds),
                attempts=model.attempts + 1,
            )
            .returning(
                model.id,
                model.kind,
                model.payload,
                model.subject,
                model.attempts,
                model.request_id,
                model.created_at,
            )
            .execution_options(synchronize_session=False)
        )
        async with self.sessions() as session, session.begin():
            rows = (await session.execute(stmt)).all()
        return [Entry(*row) for row in rows]

    async def run_once(self) -> int:
        """One batch: claim, deliver each (concurrently), record. Returns how many."""
        return len(await self._round())

    async def _round(self) -> list[bool]:
        """One batch; for each row, whether its call failed and waits to be retried."""
        entries = await self.claim()
        # Every delivery ends before the round does, even when one of them fails to
        # record: the next claim may then take back this relay's own leases.
        outcomes = await asyncio.gather(
            *(self.deliver(entry) for entry in entries), return_exceptions=True
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return [bool(outcome) for outcome in outcomes]

    async def deliver(self, entry: Entry) -> bool:
        """Call the peer for one row and record the outcome; True: it is to be retried."""
        token = bind_request_id(entry.request_id)
        try:
            outcome = await self._attempt(entry)
            await self._record(entry, outcome)
        finally:
            reset_request_id(token)
        return isinstance(outcome, Retry)

    async def _attempt(self, entry: Entry) -> Delivered | Exception:
        handler = self.handlers.get(entry.kind)
        if handler is None:
            return Poisoned(f"no handler for kind {entry.kind!r} in this service")
        try:
            async with asyncio.timeout(self.settings.outbox_lease_seconds / 2):
                return await handler(entry, self.peers)
        except (Retry, Later, Poisoned) as exc:
            return exc
        except TimeoutError:
            return Retry("the handler took longer than half the lease")
        except Exception as exc:  # a bug in one handler must not stop the relay or lose the row
            log.exception("outbox handler failed", extra={"outbox_id": str(entry.id)})
            return Retry(f"handler error: {type(exc).__name__}")

    async def _record(self, entry: Entry, outcome: Delivered | Exception) -> None:
        now = datetime.now(UTC)
        async with self.sessions() as session, session.begin():
            item = await session.scalar(
                select(self.model)
                .where(self.model.id == entry.id, self.model.lease_owner == self.owner)
                .with_for_update()
            )
            if item is None or item.status != PENDING:
                log.warning(
                    "outbox lease lost before recording", extra={"outbox_id": str(entry.id)}
                )
                return
            item.lease_owner, item.lease_expires_at, item.updated_at = None, None, now
            extra = {"outbox_id": str(entry.id), "kind": entry.kind}
            finish = getattr(outcome, "finish", None)
            if finish is not None:
                await finish(session)
            if isinstance(outcome, Delivered):
                item.status, item.delivered_at, item.last_error = DELIVERED, now, None
                log.info("outbox delivered", extra=extra)
            elif isinstance(outcome, Poisoned):
                item.status, item.last_error = POISONED, str(outcome)[:1000]
                item.problem = outcome.problem or None
                item.failures += 1
                log.warning("outbox poisoned", extra={**extra, "error": str(outcome)})
            elif isinstance(outcome, Later):
                item.next_attempt_at = now + timedelta(seconds=outcome.seconds)
                item.last_error = None
            else:
                item.failures += 1
                item.last_error = str(outcome)[:1000]
                delay = backoff(
                    item.failures - 1,
                    self.settings.outbox_retry_base_seconds,
                    self.settings.outbox_retry_max_seconds,
                    self.rng,
                )
                item.next_attempt_at = now + timedelta(seconds=delay)
                log.warning("outbox retry", extra={**extra, "error": str(outcome), "in_s": delay})

    async def run(self, stop: asyncio.Event) -> None:
        failing = 0  # rounds in a row in which every call failed: the peers are away
        while not stop.is_set():
            try:
                retried = await self._round()
            except (SQLAlchemyError, OSError) as exc:
                # The database is away: leases bring claimed rows back; try again later.
                log.warning("outbox relay round failed: %s", type(exc).__name__)
                retried = []
            except Exception:  # a bug recording one row must not stop every later one
                log.exception("outbox relay round failed unexpectedly")
                retried = []
            if retried and not all(retried):
                failing = 0
                continue
            # Nothing due, or a whole batch failed: with a peer down, a backlog of
            # due rows would otherwise be called round after round without a pause,
            # taking the service's CPU from its requests. Pause longer each time.
            failing = failing + 1 if retried else 0
            poll = self.settings.outbox_poll_seconds
            pause = min(
                poll * 2 ** min(failing, PAUSE_DOUBLINGS),
                max(poll, self.settings.outbox_retry_max_seconds),  # no row waits longer
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)


@asynccontextmanager
async def relay_running(app: FastAPI, relay: Relay) -> AsyncIterator[None]:
    """The relay as a background task of the app's lifespan, stopped at shutdown."""
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop), name=f"outbox-relay-{relay.owner}")
    app.state.relay = relay
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=10)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
