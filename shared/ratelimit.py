"""Per-principal rate limits (429 with ``Retry-After``), with the `limits` library.

A limit is declared once, by wrapping an access dependency:
``Depends(rate_limited(require(...), "person-read"))``; the settings hold one
limit per role (``person_read_limits``), and a role without one is not limited.

Counted per replica by default (``async+memory://``): the limit exists to make
scraping the registry with a stolen token slow, and an in-process moving window
adds no database write to every read and keeps working while the database is
slow. With N replicas a principal gets at most N times the configured rate, so
configure the per-replica share (or point ``rate_limit_storage_uri`` at a shared
Redis or Memcached, which `limits` supports, for one exact count). PostgreSQL
was not used: an exact counter there costs a write on every person read.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable

from fastapi import Depends, Request
from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from shared.auth.principal import Principal
from shared.errors import ProblemError
from shared.settings import ServiceSettings


class RateLimited(ProblemError):
    status, slug = 429, "rate-limited"


class RateLimiter:
    """One per app: the configured limits per role and the window counts."""

    def __init__(self, settings: ServiceSettings) -> None:
        self._strategy = MovingWindowRateLimiter(
            storage_from_string(settings.rate_limit_storage_uri)
        )
        self._limits: dict[str, dict[str, RateLimitItem]] = {
            "person-read": {role: parse(text) for role, text in settings.person_read_limits.items()}
        }

    async def hit(self, bucket: str, principal: Principal) -> None:
        limit = self._limits[bucket].get(principal.primary_role)
        if limit is None:
            return
        if await self._strategy.hit(limit, bucket, principal.subject):
            return
        stats = await self._strategy.get_window_stats(limit, bucket, principal.subject)
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        raise RateLimited(
            f"Too many requests; try again in {wait} s.",
            headers={"Retry-After": str(wait)},
            extra={"limit": str(limit)},
        )


PrincipalDependency = Callable[..., Awaitable[Principal]]


def rate_limited(admit: PrincipalDependency, bucket: str) -> PrincipalDependency:
    """``admit`` (who may call), then one hit on the caller's ``bucket``."""

    # A default, not Annotated: ``admit`` is local, and annotations here are strings.
    async def check(request: Request, principal: Principal = Depends(admit)) -> Principal:
        limiter: RateLimiter = request.app.state.rate_limiter
        await limiter.hit(bucket, principal)
        return principal

    # Read by shared.openapi to document the 429 on each operation it guards.
    check.rate_limit_bucket = bucket  # type: ignore[attr-defined]
    return check
