"""Console page weight and load time, measured in the real headless Chromium.

Starts the three services and the console as processes on a scratch database
(the test harness's), seeds one person with a departure and a case, signs in as
each role in turn and loads its main screens with the cache off (as on a first
visit), on loopback and on an emulated slow 3G link (400 ms round trip, 400 kbit/s
down, 400 kbit/s up). Baseline in the same run: the console's smallest asset
(``/static/icon.svg``) loaded the same way, so the ratio shows what a page costs
over the link's own floor.

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/console_pages.py [--runs 5]

Results go to stdout; record them in bench/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from playwright.sync_api import Page, sync_playwright

from tests.support.browser import CHROMIUM_ARGS, chromium_path
from tests.support.databases import create_service_databases, drop_service_databases, test_server
from tests.support.live import free_port, live_system, wait_ready
from tests.support.tokens import bearer

SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 50_000,
    "uploadThroughput": 50_000,
}
LOOPBACK = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}


def seed(urls: dict[str, str]) -> tuple[str, str]:
    person = httpx.post(
        urls["registry"] + "/v1/persons",
        headers=bearer("registrar"),
        json={
            "pin": "21403199012345",
            "last_name": "Абдыкадыров",
            "first_name": "Нурлан",
            "last_name_latin": "Abdykadyrov",
            "first_name_latin": "Nurlan",
            "sex": "M",
            "birth_date": "1990-03-14",
            "region": "KG-O",
        },
    ).json()
    httpx.post(
        urls["registry"] + f"/v1/persons/{person['id']}/departures",
        headers=bearer("registrar"),
        json={"departed_on": "2026-03-01", "destination_country": "RU"},
    )
    case = httpx.post(
        urls["consular"] + "/v1/cases",
        headers=bearer("consular_officer", consulate="RU-MOW"),
        json={
            "consulate": "RU-MOW",
            "person_id": person["id"],
            "category": "wage_theft",
            "priority": "high",
            "description": "Wages unpaid.",
        },
    ).json()
    return person["id"], case["id"]


def load(page: Page, path: str, network: dict[str, Any]) -> tuple[int, float]:
    """(bytes over the wire, ms to the load event) for one cold load."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", network)
    total = 0

    def finished(event: dict[str, Any]) -> None:
        nonlocal total
        total += int(event["encodedDataLength"])

    cdp.on("Network.loadingFinished", finished)
    page.goto(path, wait_until="load")
    assert path == "/sign-in" or "/sign-in" not in page.url, f"{path}: not signed in"
    ms = page.evaluate(
        "(() => { const n = performance.getEntriesByType('navigation')[0];"
        " return n.loadEventEnd - n.startTime; })()"
    )
    cdp.send("Network.emulateNetworkConditions", LOOPBACK)
    cdp.detach()
    return total, float(ms)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with test_server() as server:
        urls = create_service_databases(server)
        try:
            with live_system(urls) as live:
                port = free_port()
                console = f"http://127.0.0.1:{port}"
                wait_ready(
                    console, live.start("console", ["serve", "console", "--port", str(port)])
                )
                person_id, case_id = seed(live.urls)
                measure(console, person_id, case_id, args.runs)
        finally:
            drop_service_databases(server)


def screens(person_id: str, case_id: str) -> dict[str, dict[str, str]]:
    """Each role's main screens (the role signs in once and loads them)."""
    return {
        "consular_supervisor": {
            "baseline: /static/icon.svg": "/static/icon.svg",
            "sign-in": "/sign-in",
            "home (supervisor)": "/",
            "person search": "/persons?q=Abdikadirov",
            "person record": f"/persons/{person_id}",
            "case list": "/cases",
            "case view": f"/cases/{case_id}",
            "statistics": "/statistics",
        },
        "registrar": {
            "home (registrar)": "/",
            "register a person": "/persons/new",
            "register a departure": f"/persons/{person_id}/departures/new",
        },
        "auditor": {"audit trail": "/audit"},
        "admin": {
            "consulates": "/admin/consulates",
            "SMS templates": "/admin/templates",
            "message log": "/admin/messages",
        },
    }


def measure(console: str, person_id: str, case_id: str, runs: int) -> None:
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for role, paths in screens(person_id, case_id).items():
            context = browser.new_context(base_url=console, locale="en-GB")
            page = context.new_page()
            page.goto("/sign-in")
            page.select_option("#f-role", role)
            page.click("button:has-text('Sign in')")
            page.wait_for_url(console + "/")
            for name, path in paths.items():
                fast = [load(page, path, LOOPBACK) for _ in range(runs)]
                slow = [load(page, path, SLOW_3G) for _ in range(runs)]
                rows.append(
                    (
                        name,
                        fast[0][0],
                        statistics.median(t for _, t in fast),
                        statistics.median(t for _, t in slow),
                    )
                )
            context.close()
        browser.close()
    base_fast, base_slow = rows[0][2], rows[0][3]
    print("| screen | KB transferred | load ms loopback | load ms slow 3G | slow 3G / baseline |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, size, fast_ms, slow_ms in rows:
        print(
            f"| {name} | {size / 1000:.1f} | {fast_ms:.0f} | {slow_ms:.0f} "
            f"| {slow_ms / base_slow:.1f} |"
        )
    print(f"(baseline loopback {base_fast:.0f} ms)")


if __name__ == "__main__":
    main()
