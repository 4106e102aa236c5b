"""An idempotent replay answers only a caller who may still see the case."""

from __future__ import annotations

import httpx

from tests.consular.conftest import MOSCOW, SUPERVISOR, case_body


async def test_a_replay_after_the_case_moved_away_is_404_for_the_old_consulate(
    consular: httpx.AsyncClient,
) -> None:
    headers = {**MOSCOW, "Idempotency-Key": "border-post-retry-1"}
    first = await consular.post("/v1/cases", json=case_body(), headers=headers)
    assert first.status_code == 201, first.text
    case = first.json()

    moved = await consular.post(
        f"/v1/cases/{case['id']}/transfer",
        json={"consulate": "KZ-ALA", "reason": "The worker moved to Almaty."},
        headers={**SUPERVISOR, "If-Match": first.headers["ETag"]},
    )
    assert moved.status_code == 200, moved.text

    replay = await consular.post("/v1/cases", json=case_body(), headers=headers)
    assert replay.status_code == 404
    assert replay.headers["content-type"] == "application/problem+json"
    assert case["id"] not in replay.text
    # Still one case, now in Almaty: the refused replay opened nothing.
    listed = await consular.get("/v1/cases", headers=SUPERVISOR)
    assert [c["consulate"] for c in listed.json()["items"]] == ["KZ-ALA"]
