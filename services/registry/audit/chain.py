"""The hash chain: ``hash = sha256(prev_hash + canonical row)``.

Kept free of database code so the writer and ``migreg audit verify`` agree
byte for byte on what is hashed.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64

# The columns the hash covers, in a fixed order; seq and hash are not in it
# (seq is the chain's position, hash is the result).
HASHED_FIELDS = (
    "id",
    "occurred_at",
    "actor",
    "role",
    "action",
    "resource_type",
    "resource_id",
    "person_id",
    "request_id",
)


def _text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def canonical(row: Mapping[str, Any]) -> str:
    return json.dumps(
        {name: _text(row[name]) for name in HASHED_FIELDS},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def link_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(row)).encode()).hexdigest()
