"""What the administration screen needs: a draft template's preview as it is typed,
the opt-out list with adding and removing a number, and the message log by status."""

from __future__ import annotations

import secrets

import httpx

from tests.notifications.notif_support import ADMIN, SENDER, queue, sql


def _phone() -> str:
    return "+99670" + "".join(secrets.choice("0123456789") for _ in range(7))


async def test_a_draft_body_is_previewed_with_encoding_and_segments(
    notifications: httpx.AsyncClient,
) -> None:
    draft = {"body": "Case {case_number} opened[, call {hotline}].", "params": {"case_number": "7"}}
    answer = await notifications.post("/v1/templates/preview", json=draft, headers=ADMIN)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    # A placeholder not yet filled shows by name; an optional part with it stays in.
    assert body["text"] == "Case 7 opened, call {hotline}."
    assert body["encoding"] == "GSM-7" and body["segments"] == 1
    assert body["placeholders"] == ["case_number", "hotline"]
    cyrillic = {"body": "Иш " * 30, "params": {"unused": "x"}}
    long = (await notifications.post("/v1/templates/preview", json=cyrillic, headers=ADMIN)).json()
    assert long["encoding"] == "UCS-2" and long["segments"] == 2
    bad = await notifications.post(
        "/v1/templates/preview", json={"body": "Hi {name!r}"}, headers=ADMIN
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body"
    senders = await notifications.post("/v1/templates/preview", json=draft, headers=SENDER)
    assert senders.status_code == 403


async def test_an_administrator_opts_a_number_out_and_back_in(
    notifications: httpx.AsyncClient,
) -> None:
    phone = _phone()
    added = await notifications.put(f"/v1/opt-outs/{phone}", headers=ADMIN)
    assert added.status_code == 200, added.text
    assert added.json()["phone"] == phone and added.json()["opt_out_keyword"] == "admin"
    again = await notifications.put(f"/v1/opt-outs/{phone}", headers=ADMIN)
    assert again.json()["opted_out_at"] == added.json()["opted_out_at"]
    listed = (await notifications.get("/v1/opt-outs", headers=ADMIN)).json()["items"]
    assert listed[0]["phone"] == phone

    assert (await notifications.delete(f"/v1/opt-outs/{phone}", headers=ADMIN)).status_code == 204
    assert (await notifications.delete(f"/v1/opt-outs/{phone}", headers=ADMIN)).status_code == 404
    listed = (await notifications.get("/v1/opt-outs", headers=ADMIN)).json()["items"]
    assert phone not in [item["phone"] for item in listed]

    bad = await notifications.put("/v1/opt-outs/12345", headers=ADMIN)
    assert bad.status_code == 422
    assert [(e["field"], e["in"]) for e in bad.json()["errors"]] == [("phone", "path")]
    assert (await notifications.get("/v1/opt-outs", headers=SENDER)).status_code == 403
    assert (await notifications.put(f"/v1/opt-outs/{phone}", headers=SENDER)).status_code == 403


async def test_the_opt_out_list_pages_by_cursor(notifications: httpx.AsyncClient) -> None:
    phones = [_phone() for _ in range(3)]
    for phone in phones:
        await notifications.put(f"/v1/opt-outs/{phone}", headers=ADMIN)
    first = (await notifications.get("/v1/opt-outs?limit=2", headers=ADMIN)).json()
    second = (
        await notifications.get(
            f"/v1/opt-outs?limit=2&cursor={first['next_cursor']}", headers=ADMIN
        )
    ).json()
    seen = [i["phone"] for i in first["items"] + second["items"]]
    assert seen[:3] == phones[::-1] and len(set(seen)) == len(seen)
    for phone in phones:
        await notifications.delete(f"/v1/opt-outs/{phone}", headers=ADMIN)


async def test_the_message_log_filters_by_status(
    notifications: httpx.AsyncClient, database_urls: dict[str, str]
) -> None:
    phone = _phone()
    failed = await queue(notifications, to=phone, reference="status-filter")
    await queue(notifications, to=phone, reference="status-filter")
    sql(
        database_urls["notifications"],
        "UPDATE messages SET status = 'failed' WHERE id = :id",
        id=failed["id"],
    )
    url = f"/v1/messages?to={phone.replace('+', '%2B')}"
    suppressed = (await notifications.get(url + "&status=failed", headers=ADMIN)).json()
    assert [m["status"] for m in suppressed["items"]] == ["failed"]
    assert len((await notifications.get(url, headers=ADMIN)).json()["items"]) == 2
    wrong = await notifications.get(url + "&status=lost", headers=ADMIN)
    assert wrong.status_code == 422
