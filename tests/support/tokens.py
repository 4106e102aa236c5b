"""Tokens for tests, signed the way the local system signs them."""

from __future__ import annotations

from shared.auth.tokens import issue_token
from shared.settings import AuthSettings

TEST_SECRET = "test-secret-not-for-production"
AUTH = AuthSettings(dev_secret=TEST_SECRET)


def bearer(
    *roles: str,
    consulate: str | None = None,
    scopes: tuple[str, ...] = (),
    subject: str | None = None,
    ttl_seconds: int = 3600,
) -> dict[str, str]:
    token = issue_token(
        AUTH,
        subject=subject or f"test-{'-'.join(roles)}",
        roles=roles,
        scopes=scopes,
        consulate=consulate,
        ttl_seconds=ttl_seconds,
    )
    return {"Authorization": f"Bearer {token}"}
