"""Swagger UI and ReDoc work on a network without internet: every script, style
and image the pages load comes from the service itself."""

from __future__ import annotations

import re

import httpx
import pytest

# src="...", href="...", and the document URL the page's script fetches.
_REFERENCES = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url:\s*["']([^"']+)["']""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
@pytest.mark.parametrize("service", ["registry", "consular", "notifications"])
async def test_docs_pages_load_only_their_own_assets(
    service: str,
    page: str,
    registry: httpx.AsyncClient,
    consular: httpx.AsyncClient,
    notifications: httpx.AsyncClient,
) -> None:
    client = {"registry": registry, "consular": consular, "notifications": notifications}[service]
    html = await client.get(page)
    assert html.status_code == 200
    references = [a or b for a, b in _REFERENCES.findall(html.text)]
    assert any(r.endswith(".js") for r in references), references
    for reference in references:
        assert reference.startswith("/") and not reference.startswith("//"), reference
        asset = await client.get(reference)
        assert asset.status_code == 200, reference
        assert asset.content, reference
    assert "cdn" not in html.text.lower()
