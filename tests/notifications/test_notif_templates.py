"""Templates: versioned edits, preview with encoding and segments."""

from __future__ import annotations

import httpx

from tests.notifications.notif_support import ADMIN, SENDER, fetch, queue


async def test_seeded_templates_cover_every_key_in_three_languages(
    notifications: httpx.AsyncClient,
) -> None:
    items = (await notifications.get("/v1/templates", headers=SENDER)).json()["items"]
    languages: dict[str, set[str]] = {}
    for item in items:
        languages.setdefault(item["key"], set()).add(item["language"])
    assert len(languages) == 9
    assert all(langs == {"ky", "ru", "en"} for langs in languages.values())


async def test_preview_renders_and_counts_segments(notifications: httpx.AsyncClient) -> None:
    response = await notifications.post(
        "/v1/templates/case_status_reply/ky/preview",
        json={
            "params": {
                "case_number": "RU-MOW-2026-000123",
                "status": "каралууда",
                "updated": "21.11.2026",
                "hotline": "+74951234567",
            }
        },
        headers=ADMIN,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["text"].startswith("№RU-MOW-2026-000123 кайрылуунун абалы: каралууда.")
    assert body["encoding"] == "UCS-2"
    assert body["segments"] == 2 and body["units"] == len(body["text"])
    missing = await notifications.post(
        "/v1/templates/help/en/preview", json={"params": {"x": "1"}}, headers=ADMIN
    )
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "params.x"
    unknown = await notifications.post("/v1/templates/nope/en/preview", json={}, headers=ADMIN)
    assert unknown.status_code == 404


async def test_an_edit_is_a_new_version_and_queued_messages_keep_theirs(
    notifications: httpx.AsyncClient,
) -> None:
    queued = await queue(notifications, template="help", language="en", params={})
    current = await notifications.get("/v1/templates/help/en", headers=ADMIN)
    etag = current.headers["etag"]
    without = await notifications.put(
        "/v1/templates/help/en", json={"body": "Text a case number."}, headers=ADMIN
    )
    assert without.status_code == 428
    edited = await notifications.put(
        "/v1/templates/help/en",
        json={"body": "Text a case number, {name}."},
        headers={**ADMIN, "If-Match": etag},
    )
    assert edited.status_code == 200
    assert edited.json()["version"] == current.json()["version"] + 1
    stale = await notifications.put(
        "/v1/templates/help/en", json={"body": "Again."}, headers={**ADMIN, "If-Match": etag}
    )
    assert stale.status_code == 412
    old = await fetch(notifications, queued["id"])
    assert old["template_version"] == current.json()["version"]
    assert old["text"] == current.json()["body"]
    fresh = await queue(notifications, template="help", language="en", params={"name": "Aida"})
    assert fresh["template_version"] == edited.json()["version"]
    assert (await fetch(notifications, fresh["id"]))["text"] == "Text a case number, Aida."


async def test_a_new_template_is_created_and_bad_bodies_are_refused(
    notifications: httpx.AsyncClient,
) -> None:
    created = await notifications.put(
        "/v1/templates/clinic_reminder/ru", json={"body": "Приём {date}"}, headers=ADMIN
    )
    assert created.status_code == 201 and created.json()["version"] == 1
    for body in ("{name.__class__}", "{x:>99999}", "{unclosed", "{0}"):
        response = await notifications.put(
            "/v1/templates/clinic_reminder2/ru", json={"body": body}, headers=ADMIN
        )
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["field"] == "body"
    not_admin = await notifications.put("/v1/templates/help/en", json={"body": "x"}, headers=SENDER)
    assert not_admin.status_code == 403
