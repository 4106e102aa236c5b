"""Audit declared on the route, not remembered in its body.

    @router.get("/{person_id}", ...)
    @audited(Action.read, PERSON)
    async def read_person(...) -> PersonOut: ...

The declaration adds one dependency (the request's ``AuditTrail``) and, when
the endpoint returns, records one event per record its answer shows: each
item of a page, or the one record. An idempotent replay hands a record out
again, so it is recorded as a read. An error that names a record (the
duplicate-PIN 409 carries the existing person's id) is recorded as a read in
its own transaction, since the request's own one rolls back.

Which routes must declare is checked by tests/registry/test_registry_audit_walk.py.
"""

from __future__ import annotations

import functools
import inspect
import json
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.registry.audit import service
from services.registry.audit.service import Touched
from shared.auth.dependencies import CurrentPrincipal
from shared.auth.principal import Principal
from shared.db import DbSession, ReadSession
from shared.errors import ProblemError


class Action(StrEnum):
    create = "create"
    read = "read"
    update = "update"
    correct = "correct"
    withdraw_consent = "withdraw_consent"
    withdraw_marker = "withdraw_marker"
    status_change = "status_change"


@dataclass(frozen=True)
class Resource:
    """Where an answer item names a record: its id field and its person's."""

    type: str  # person, family_member, movement, status_event, marker, protection
    id_field: str = "id"
    # None: the record is the person. Items without the field (family
    # contacts) belong to the route's ``person_id``.
    person_field: str | None = "person_id"
    # Skip the item when this field is true (a withdrawn movement's ``corrects``).
    unless: str | None = None

    def touched(self, item: Any, path_person: Any) -> Touched | None:
        raw = _field(item, self.id_field)
        if raw is None or (self.unless and _field(item, self.unless)):
            return None
        record_id = uuid.UUID(str(raw))
        if self.person_field is None:
            return Touched(self.type, record_id, record_id)
        person = _field(item, self.person_field) or path_person
        return Touched(self.type, record_id, uuid.UUID(str(person)) if person else None)


PERSON = Resource("person", person_field=None)
FAMILY_MEMBER = Resource("family_member")
MOVEMENT = Resource("movement")
STATUS_EVENT = Resource("status_event")
MARKER = Resource("marker")


class AuditTrail:
    """The request's audit trail: its caller, and the transaction its events go in.

    ``session``: the request's own (writes and their events commit together);
    None on routes that only read through a ``ReadSession`` (their events go
    in a statement of their own on the primary). ``off`` records nothing."""

    def __init__(
        self,
        session: AsyncSession | None,
        principal: Principal | None,
        engine: AsyncEngine | None = None,
    ) -> None:
        self.session, self.principal, self.engine = session, principal, engine

    @classmethod
    def off(cls) -> AuditTrail:
        """For benchmarks that measure what auditing costs; never used by the app."""
        return cls(None, None)

    async def record(self, action: Action, touched: Iterable[Touched]) -> None:
        if self.session is None:
            await self.record_apart(action, touched)
        elif self.principal is not None:
            await service.record(self.session, self.principal, action, touched)

    async def record_apart(self, action: Action, touched: Iterable[Touched]) -> None:
        """Outside the request's transaction (it is about to roll back, or it is a
        read-only one): one INSERT, committed on its own (autocommit), so one
        round trip rather than BEGIN, INSERT, COMMIT."""
        if self.engine is None or self.principal is None:
            return
        async with self.engine.connect() as conn:
            alone = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await service.record(alone, self.principal, action, touched)


async def audit_trail(
    request: Request, session: DbSession, principal: CurrentPrincipal
) -> AuditTrail:
    return AuditTrail(session, principal, request.app.state.engine)


async def audit_trail_apart(request: Request, principal: CurrentPrincipal) -> AuditTrail:
    """For routes that read through a ``ReadSession`` only: no write session opened."""
    return AuditTrail(None, principal, request.app.state.engine)


@dataclass(frozen=True)
class Declaration:
    action: Action
    resources: tuple[Resource, ...]


Endpoint = TypeVar("Endpoint", bound=Callable[..., Awaitable[Any]])
_TRAIL = "audit_trail_"


def audited(action: Action, *resources: Resource) -> Callable[[Endpoint], Endpoint]:
    """Record ``action`` on every record of ``resources`` the answer shows."""
    if not resources:
        raise ValueError("name at least one resource")

    def declare(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            trail: AuditTrail = kwargs.pop(_TRAIL)
            try:
                answer = await endpoint(*args, **kwargs)
            except ProblemError as exc:
                revealed: tuple[Touched, ...] = getattr(exc, "reveals", ())
                if revealed:
                    await trail.record_apart(Action.read, revealed)
                raise
            replayed = isinstance(answer, Response) and _replayed(answer)
            touched = _touched(_items(answer), resources, kwargs.get("person_id"))
            await trail.record(Action.read if replayed else action, touched)
            return answer

        signature = inspect.signature(endpoint, eval_str=True)
        trail = audit_trail_apart if _reads_only(signature) else audit_trail
        extra = inspect.Parameter(
            _TRAIL,
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[AuditTrail, Depends(trail)],
        )
        wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*signature.parameters.values(), extra]
        )
        wrapper.__audit__ = Declaration(action, resources)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return declare


def _reads_only(signature: inspect.Signature) -> bool:
    """The route takes a ReadSession and no DbSession: nothing of its own to commit."""
    kinds = {p.annotation for p in signature.parameters.values()}
    return any(k is ReadSession for k in kinds) and not any(k is DbSession for k in kinds)


def declaration(endpoint: Callable[..., Any]) -> Declaration | None:
    """The route's audit declaration, if it has one."""
    found: Declaration | None = getattr(endpoint, "__audit__", None)
    return found


def _replayed(response: Response) -> bool:
    return response.headers.get("Idempotent-Replayed") == "true"


def _items(answer: Any) -> list[Any]:
    """The records an answer shows: a page's items, or the answer itself."""
    if isinstance(answer, Response):
        answer = json.loads(bytes(answer.body)) if answer.status_code < 300 else None
    if answer is None:
        return []
    items = _field(answer, "items")
    return list(items) if isinstance(items, list) else [answer]


def _touched(
    items: list[Any], resources: tuple[Resource, ...], path_person: Any
) -> Iterator[Touched]:
    seen: set[tuple[str, uuid.UUID]] = set()
    for item in items:
        for resource in resources:
            found = resource.touched(item, path_person)
            if found and (found.resource_type, found.resource_id) not in seen:
                seen.add((found.resource_type, found.resource_id))
                yield found


def _field(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)
