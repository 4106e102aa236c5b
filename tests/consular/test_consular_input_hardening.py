"""Consular bodies share the registry's input rules: unknown fields refused,
free text kept with its line breaks, control and bidi characters refused."""

from __future__ import annotations

import httpx

from tests.consular.conftest import MOSCOW, open_case


async def test_a_note_with_an_unknown_field_is_refused(consular: httpx.AsyncClient) -> None:
    case = await open_case(consular)
    response = await consular.post(
        f"/v1/cases/{case['id']}/notes",
        json={"text": "Called the employer.", "bogus": 1},
        headers=MOSCOW,
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "bogus"


async def test_free_text_keeps_line_breaks_but_not_escapes(consular: httpx.AsyncClient) -> None:
    case = await open_case(consular)
    url = f"/v1/cases/{case['id']}/notes"
    kept = await consular.post(url, json={"text": "Line one\nLine two  "}, headers=MOSCOW)
    assert kept.status_code == 201, kept.text
    assert "Line one\nLine two" in kept.json()["data"].values()
    refused = await consular.post(url, json={"text": "\x1b[2JОш \u202e"}, headers=MOSCOW)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "text"
