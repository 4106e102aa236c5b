"""Cursor, ETag and idempotency-hash rules shared by every service."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from shared.errors import InvalidInput, PreconditionFailed, PreconditionRequired
from shared.etag import check_if_match, etag_for
from shared.idempotency import request_hash
from shared.pagination import CursorKey, KeyBigInt, KeyText, KeyTimestamp, KeyUuid
from tests.support.cursors import forged_cursor

BY_TIME = CursorKey(tuple[KeyTimestamp, KeyUuid])
BY_NAME = CursorKey(tuple[KeyText, KeyText, KeyUuid])
BY_SEQ = CursorKey(tuple[KeyBigInt])
AN_ID = "7cf03af2-460f-4a7d-9223-cd18a414fa17"


def test_a_cursor_round_trips_its_sort_key() -> None:
    key = (dt.datetime(2026, 11, 22, 10, tzinfo=dt.UTC), uuid.UUID(AN_ID))
    assert BY_TIME.decode(BY_TIME.encode(key)) == key
    assert BY_SEQ.decode(BY_SEQ.encode((2**63 - 1,))) == (2**63 - 1,)


@pytest.mark.parametrize(
    ("codec", "cursor"),
    [
        (BY_TIME, "not base64 at all!"),
        (BY_TIME, forged_cursor([1])),
        (BY_TIME, "e30"),
        (BY_TIME, forged_cursor([0, AN_ID])),
        (BY_SEQ, forged_cursor([True])),
        (BY_SEQ, forged_cursor([2**63])),
        (BY_SEQ, forged_cursor([-1])),
        (BY_SEQ, forged_cursor(["1"])),
        (BY_NAME, forged_cursor(["\ud800", "a", AN_ID])),
        (BY_NAME, forged_cursor(["a\u0000", "a", AN_ID])),
        (BY_NAME, forged_cursor([True, "a", AN_ID])),
        (BY_NAME, forged_cursor(["a", "a", 5])),
    ],
)
def test_a_foreign_cursor_is_a_422_on_the_cursor_field(codec: CursorKey[Any], cursor: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        codec.decode(cursor)
    error = caught.value.extra["errors"][0]
    assert (error["field"], error["in"]) == ("cursor", "query")


def test_if_match_is_required_and_must_be_current() -> None:
    with pytest.raises(PreconditionRequired):
        check_if_match(None, 3)
    with pytest.raises(PreconditionFailed) as stale:
        check_if_match(etag_for(2), 3)
    assert stale.value.extra["current_etag"] == 'W/"3"'
    check_if_match('W/"3"', 3)
    check_if_match('"3"', 3)  # weak comparison
    check_if_match('W/"1", W/"3"', 3)


def test_the_request_hash_ignores_key_order_only() -> None:
    assert request_hash({"a": 1, "b": [1, 2]}) == request_hash({"b": [1, 2], "a": 1})
    assert request_hash({"a": 1}) != request_hash({"a": 2})


def test_if_match_star_is_not_enough() -> None:
    with pytest.raises(PreconditionRequired):
        check_if_match("*", 3)
