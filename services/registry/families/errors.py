"""Family domain errors."""

from __future__ import annotations

import uuid

from shared.errors import Conflict, NotFound


class FamilyMemberNotFound(NotFound):
    """This person has no family member with this id."""

    slug = "family-member-not-found"

    def __init__(self, member_id: uuid.UUID) -> None:
        super().__init__(f"This person has no family member with id {member_id}.")


class NoConsentToWithdraw(Conflict):
    """There is no consent to withdraw."""

    slug = "no-consent-to-withdraw"
