"""What the registry's creating POSTs hand to ``shared.idempotency.idempotent``:
the stored 201 answer, and the re-check a replay passes before it is answered."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.persons import service as persons
from shared.idempotency import Revisit, StoredResponse


def revisit(session: AsyncSession) -> Revisit:
    """A replay hands the record out again: its person must still be there (404
    otherwise). The route's audit declaration records the replay as a read."""

    async def check(answer: Any) -> None:
        resource_id = uuid.UUID(answer["id"])
        person_id = uuid.UUID(answer["person_id"]) if "person_id" in answer else resource_id
        await persons.get_person(session, person_id)

    return check


def created(
    body: BaseModel, location: str | None = None, etag: str | None = None
) -> StoredResponse:
    headers = {}
    if location:
        headers["Location"] = location
    if etag:
        headers["ETag"] = etag
    return StoredResponse(201, body.model_dump(mode="json"), headers)
