"""A boolean in a body is true or false, never 0 or "yes" (schemathesis negative data)."""

from __future__ import annotations

import httpx
import pytest

from tests.support.tokens import bearer

SENDER = bearer("service", scopes=("notifications:send",), subject="service:consular")
MESSAGE = {
    "to": "+996700123456",
    "template": "case_opened",
    "language": "ky",
    "params": {"case_number": "RU-MOW-2026-000123", "hotline": "+74951234567"},
}


@pytest.mark.parametrize("urgent", [0, 1, "true", "yes"])
async def test_a_number_or_string_is_not_a_boolean(
    notifications: httpx.AsyncClient, urgent: object
) -> None:
    response = await notifications.post(
        "/v1/messages", json={**MESSAGE, "urgent": urgent}, headers=SENDER
    )
    assert response.status_code == 422
    assert [(e["field"], e["in"]) for e in response.json()["errors"]] == [("urgent", "body")]
