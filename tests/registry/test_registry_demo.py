"""The demo data `migreg dev` loads: a living system, loaded once."""

from __future__ import annotations

import httpx

from services.registry.demo.loader import load_demo
from tests.registry.conftest import REGISTRAR, depart
from tests.support.tokens import bearer


async def test_demo_loads_once_and_behaves_like_registered_data(
    registry: httpx.AsyncClient, database_urls: dict[str, str]
) -> None:
    summary = load_demo(database_urls["registry"], count=120)
    assert summary.startswith("loaded 120 SYNTHETIC people")
    assert "already present" in load_demo(database_urls["registry"], count=120)

    listed = await registry.get("/v1/persons", params={"limit": 200}, headers=REGISTRAR)
    people = listed.json()["items"]
    assert len(people) == 120
    assert all("SYNTHETIC DEMO" in p["locality"] for p in people)

    # Found by a misspelled Latin surname (ы written i, в written w).
    target = next(
        p for p in people if "y" in p["last_name_latin"] and p["last_name_latin"].endswith("ov")
    )
    misspelled = target["last_name_latin"].replace("y", "i")[:-1] + "w"
    found = await registry.get("/v1/persons", params={"q": misspelled}, headers=REGISTRAR)
    assert target["id"] in [p["id"] for p in found.json()["items"]]

    # Derived statuses agree with the loaded movements: an abroad person cannot leave again.
    abroad = next(p for p in people if p["status"] == "abroad")
    assert (await depart(registry, abroad["id"], "2026-11-01")).status_code == 409

    at_risk = await registry.get(
        "/v1/at-risk-children", params={"limit": 200}, headers=bearer("admin")
    )
    assert at_risk.status_code == 200
    children = at_risk.json()["items"]
    assert children, "the demo shows at least one child at risk"
    listed_parent = next(p for p in people if p["id"] == children[0]["person_id"])
    assert listed_parent["status"] == "abroad"

    # Some family has a minor child with a caregiver recorded.
    for person in people:
        family = await registry.get(f"/v1/persons/{person['id']}/family-members", headers=REGISTRAR)
        assert family.status_code == 200
        cared_for = [m for m in family.json()["items"] if m["minor"] and m["caregiver_id"]]
        if cared_for:
            ids = {m["id"] for m in family.json()["items"]}
            assert cared_for[0]["caregiver_id"] in ids
            break
    else:
        raise AssertionError("no demo family has a minor with a caregiver")
