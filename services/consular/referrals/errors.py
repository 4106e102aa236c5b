"""Referral errors, each mapped once to problem+json."""

from __future__ import annotations

from shared.errors import Conflict, NotFound


class ReferralNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No referral with this id on this case.")


class ReferralMoveRefused(Conflict):
    """The partner's answer does not follow from the referral's status."""

    def __init__(self, current: str, to: str, allowed: tuple[str, ...]) -> None:
        super().__init__(
            f"a referral cannot move from {current} to {to}",
            extra={"current": current, "allowed": list(allowed)},
        )
