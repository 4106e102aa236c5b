"""Cursor, ETag and idempotency-hash rules shared by every service."""

from __future__ import annotations

import pytest

from shared.errors import InvalidInput, PreconditionFailed, PreconditionRequired
from shared.etag import check_if_match, etag_for
from shared.idempotency import request_hash
from shared.pagination import decode_cursor, encode_cursor


def test_a_cursor_round_trips_its_sort_key() -> None:
    key = ["2026-11-22T10:00:00+00:00", "7cf03af2-460f-4a7d-9223-cd18a414fa17"]
    assert decode_cursor(encode_cursor(key), 2) == key


@pytest.mark.parametrize("cursor", ["not base64 at all!", encode_cursor([1]), "e30"])
def test_a_foreign_cursor_is_a_422_on_the_cursor_field(cursor: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        decode_cursor(cursor, 2)
    assert caught.value.extra["errors"][0]["field"] == "query.cursor"


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
