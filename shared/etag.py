"""Optimistic concurrency: ``ETag`` out, ``If-Match`` required on updates, so two
officers cannot silently overwrite each other."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header

from shared.errors import PreconditionFailed, PreconditionRequired

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=100,
        description="The ETag you read; required on updates (428 without, 412 when stale)",
    ),
]


def etag_for(version: int) -> str:
    return f'W/"{version}"'


def check_if_match(if_match: str | None, current_version: int) -> None:
    if if_match is None or not if_match.strip():
        raise PreconditionRequired("Send If-Match with the ETag you read before changing this.")
    wanted = {tag.strip() for tag in if_match.split(",")}
    if "*" in wanted:
        # "*" would match any version and defeat the point: ask for the real ETag.
        raise PreconditionRequired("Send the ETag you read in If-Match, not '*'.")
    current = etag_for(current_version)
    # Weak comparison (RFC 9110 §8.8.3.2): W/"3" and "3" match.
    if current not in wanted and current.removeprefix("W/") not in wanted:
        raise PreconditionFailed(
            "This record changed since you read it; read it again.", extra={"current_etag": current}
        )
