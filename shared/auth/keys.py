"""RS256 verification keys: configured PEMs, and a JWKS fetched in the background.

One key set per app, shared by every request. The key server is never waited on by
more than one request: a token with an unknown ``kid`` starts at most one fetch per
``jwks_refresh_seconds``; the request that started it waits for it (without blocking
the event loop), every other unknown ``kid`` is refused at once while it runs. So a
flood of forged ``kid``s costs the key server one request a minute and the service
nothing, while a legitimately rotated key is picked up on its first use.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx
from jose import jwk
from jose.exceptions import JWKError

from shared.auth.claims import InvalidToken
from shared.settings import AuthSettings

log = logging.getLogger(__name__)


class KeyStore:
    def __init__(self, settings: AuthSettings) -> None:
        self.settings = settings
        self._jwks: dict[str, Any] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._refresh: asyncio.Task[None] | None = None

    def prefetch(self) -> None:
        """Start fetching the JWKS (at startup), so first requests find it cached."""
        if self.settings.jwks_url:
            self._start_refresh()

    async def rsa_key(self, kid: str | None) -> Any:
        pem = self._pem_key(kid)
        if pem is not None:
            return pem
        if not self.settings.jwks_url:
            raise InvalidToken("unknown signing key")
        key = self._jwks_key(kid)
        if key is None:
            await self._refresh_for_unknown_kid()
            key = self._jwks_key(kid)
        elif self._stale() and not self._refreshing() and not self._tried_recently():
            self._start_refresh()  # keep answering with the cached keys meanwhile
        if key is None:
            raise InvalidToken("unknown signing key")
        return key

    def _pem_key(self, kid: str | None) -> str | None:
        pems = self.settings.public_keys_pem
        if kid is not None:
            return pems.get(kid)
        if len(pems) == 1 and not self.settings.jwks_url:
            return next(iter(pems.values()))
        return None

    def _jwks_key(self, kid: str | None) -> Any:
        if kid is None:
            return next(iter(self._jwks.values())) if len(self._jwks) == 1 else None
        return self._jwks.get(kid)

    def _stale(self) -> bool:
        fetched = self._fetched_at
        return fetched is None or time.monotonic() - fetched > self.settings.jwks_cache_seconds

    def _refreshing(self) -> bool:
        return self._refresh is not None and not self._refresh.done()

    def _tried_recently(self) -> bool:
        attempted = self._attempted_at
        return (
            attempted is not None
            and time.monotonic() - attempted < self.settings.jwks_refresh_seconds
        )

    async def _refresh_for_unknown_kid(self) -> None:
        if self._refreshing():
            raise InvalidToken("unknown signing key (signing keys are being refreshed)")
        # Until a first fetch succeeds there is nothing to serve with: try again.
        if self._fetched_at is not None and self._tried_recently():
            raise InvalidToken("unknown signing key")
        # Shielded: a caller that hangs up must not cancel the fetch others rely on.
        await asyncio.shield(self._start_refresh())

    def _start_refresh(self) -> asyncio.Task[None]:
        self._attempted_at = time.monotonic()
        self._refresh = asyncio.get_running_loop().create_task(self._fetch())
        return self._refresh

    async def _fetch(self) -> None:
        url = self.settings.jwks_url
        assert url is not None
        try:
            async with httpx.AsyncClient(timeout=self.settings.jwks_timeout_seconds) as client:
                response = await client.get(url)
                response.raise_for_status()
                keys = _parse_jwks(response.json())
        except (httpx.HTTPError, ValueError, TypeError, AttributeError, JWKError) as exc:
            # Keep the keys we have; the next unknown kid after the interval retries.
            log.warning("JWKS fetch failed", extra={"error": type(exc).__name__})
            return
        self._jwks = keys
        self._fetched_at = time.monotonic()


def _parse_jwks(document: Any) -> dict[str, Any]:
    """RSA signing keys by ``kid``; anything else in the set is skipped."""
    keys: dict[str, Any] = {}
    for entry in document.get("keys", []):
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
            continue
        if entry.get("kty") != "RSA" or entry.get("use", "sig") != "sig":
            continue
        keys[entry["kid"]] = jwk.construct(entry, algorithm="RS256")
    return keys
