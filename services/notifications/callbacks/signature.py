"""Provider callbacks are signed: HMAC-SHA256 of the raw body, hex, in X-Signature."""

from __future__ import annotations

import hashlib
import hmac

from shared.errors import Unauthorized


class BadSignature(Unauthorized):
    """`X-Signature` is missing or does not match the raw body."""

    slug = "bad-signature"


def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, signature: str | None, secret: str) -> None:
    if not signature:
        raise BadSignature("X-Signature is missing: sign the raw body with HMAC-SHA256.")
    given = signature.strip().removeprefix("sha256=").lower()
    if not hmac.compare_digest(given.encode(), sign(body, secret).encode()):
        raise BadSignature("X-Signature does not match the body.")
