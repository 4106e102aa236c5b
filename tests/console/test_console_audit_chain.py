"""The auditor's audit page shows whether the chain holds, and what breaks it."""

from __future__ import annotations

import time

import httpx
import pytest
from playwright.sync_api import expect

from tests.registry.audit_helpers import as_superuser
from tests.support.tokens import bearer

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def _sealed(live) -> int:
    """Wait for the live registry's sealer to chain every event; the head's seq."""
    for _ in range(100):
        state = httpx.get(
            live.urls["registry"] + "/v1/audit/verification",
            headers=bearer("auditor"),
            timeout=10,
        ).json()
        if state["unsealed"] == 0 and state["verified_through_seq"]:
            return int(state["verified_through_seq"])
        time.sleep(0.2)
    raise AssertionError(f"the trail was not sealed: {state}")


def test_the_auditor_sees_the_chain_intact_then_broken(console, page, seed, live, database_urls):
    seed.person()
    head = _sealed(live)
    console.sign_in("auditor")
    page.click("nav >> text=Audit trail")
    chain = page.get_by_test_id("chain")
    expect(chain.get_by_role("heading")).to_have_text("Chain verification: intact")
    expect(chain).to_contain_text(f"Event {head}")
    expect(chain).to_contain_text("None filed: only the newest events were checked")
    console.check("audit-chain-intact")

    as_superuser(database_urls["registry"], "UPDATE audit_events SET actor = 'x' WHERE seq = 1")
    page.reload()
    expect(chain.get_by_role("heading")).to_have_text("Chain verification: BROKEN")
    expect(chain).to_contain_text("Event 1")
    expect(chain).to_contain_text("the row was altered")
    console.check("audit-chain-broken")
