"""Case errors, each mapped once to problem+json."""

from __future__ import annotations

from shared.errors import Conflict, InvalidInput, PeerUnavailable

SENSITIVE_NOTICE = (
    "no templated SMS is sent to the family for this category: "
    "a consular officer must contact the family in person or by phone"
)


class TransitionConflict(Conflict):
    """Not allowed from the current status; `current` and `allowed` say what is."""

    slug = "transition-not-allowed"


class AlreadyLinked(Conflict):
    """The case is already linked to a registered person (`person_id`)."""

    slug = "already-linked"

    def __init__(self, person_id: object) -> None:
        super().__init__(
            "This case is already linked to a registered person.",
            extra={"person_id": str(person_id)},
        )


class RegistryUnavailable(PeerUnavailable):
    """The registry could not confirm the person; nothing was saved. Retry later."""

    slug = "registry-unavailable"


class FamilyNotificationRefused(InvalidInput):
    """notify_family on a sensitive category (death, trafficking, violence, missing)."""

    def __init__(self, category: str) -> None:
        super().__init__("notify_family", f"{SENSITIVE_NOTICE} ({category})")
