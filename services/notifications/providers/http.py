"""A generic JSON SMS-gateway client.

Most gateways take one JSON POST per message with the number, the text and a
client reference, and answer with their own message id; what differs is the
field names and the credentials, so both are settings.
"""

from __future__ import annotations

from typing import Any

import httpx

from services.notifications.providers.base import (
    OutgoingSms,
    PermanentFailure,
    SendResult,
    TemporaryFailure,
)
from services.notifications.settings import NotificationsSettings


class HttpGatewayProvider:
    name = "http"

    def __init__(
        self, settings: NotificationsSettings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._url = settings.http_gateway_url
        self._fields = settings.http_field_map
        self._id_field = settings.http_response_id_field
        self._sender = settings.http_sender
        headers = {}
        if settings.http_bearer_token:
            headers["Authorization"] = f"Bearer {settings.http_bearer_token}"
        auth = (
            httpx.BasicAuth(settings.http_username, settings.http_password or "")
            if settings.http_username
            else None
        )
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(settings.http_timeout_seconds),
            headers=headers,
            auth=auth,
            transport=transport,
        )

    def _payload(self, sms: OutgoingSms) -> dict[str, Any]:
        ours = {
            "to": sms.to,
            "text": sms.text,
            "reference": str(sms.message_id),
            "sender": self._sender,
            "encoding": sms.encoding,
        }
        return {self._fields[name]: value for name, value in ours.items() if name in self._fields}

    async def send(self, sms: OutgoingSms) -> SendResult:
        try:
            response = await self._client.post(self._url, json=self._payload(sms))
        except httpx.TimeoutException as exc:
            raise TemporaryFailure(f"gateway timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise TemporaryFailure(f"gateway unreachable ({type(exc).__name__})") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise TemporaryFailure(f"gateway answered {response.status_code}")
        if response.status_code >= 400:
            raise PermanentFailure(f"gateway refused the message ({response.status_code})")
        return SendResult(provider_message_id=self._message_id(response))

    def _message_id(self, response: httpx.Response) -> str | None:
        try:
            body = response.json()
        except ValueError:
            return None
        value = body.get(self._id_field) if isinstance(body, dict) else None
        return str(value) if value is not None else None

    async def aclose(self) -> None:
        await self._client.aclose()
