"""What a service declares to have an outbox: its table and a handler per kind."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI

from shared.http import Peers
from shared.outbox.models import OutboxMixin
from shared.outbox.outcomes import Handler
from shared.outbox.relay import Relay, relay_running


@dataclass(frozen=True)
class OutboxSpec:
    model: type[OutboxMixin]
    handlers: Mapping[str, Handler]

    def relay(self, app: FastAPI, peers: Peers) -> Relay:
        return Relay(
            model=self.model,
            sessions=app.state.sessionmaker,
            handlers=self.handlers,
            peers=peers,
            settings=app.state.settings,
        )

    @asynccontextmanager
    async def running(self, app: FastAPI, peers: Peers) -> AsyncIterator[None]:
        """The relay in the background, unless the settings turn it off (tests drive
        it by hand with ``app.state.relay.run_once()``)."""
        relay = self.relay(app, peers)
        app.state.relay = relay
        if not app.state.settings.outbox_relay:
            yield
            return
        async with relay_running(app, relay):
            yield
