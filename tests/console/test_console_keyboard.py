"""Keyboard only: sign in, search, open a person and submit a form with Tab, Enter and
typing, the focus always visible (a ring of 3:1 contrast with what is around it)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

# The focused element and its focus ring: the outline and any box-shadow colours, each
# held against the background behind the element, by WCAG contrast.
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const rgb = (s) => (s.match(/rgba?\\(([^)]+)\\)/g) || []).map((c) =>
    c.replace(/rgba?\\(|\\)/g, '').split(',').map(Number));
  const lum = ([r, g, b]) => [r, g, b].map((v) => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05);
  };
  let back = [255, 255, 255];
  for (let n = el.parentElement; n; n = n.parentElement) {
    const [c] = rgb(getComputedStyle(n).backgroundColor);
    if (c && (c.length < 4 || c[3] > 0)) { back = c; break; }
  }
  const style = getComputedStyle(el);
  const rings = [];
  if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
    rings.push(...rgb(style.outlineColor));
  if (style.boxShadow !== 'none') rings.push(...rgb(style.boxShadow));
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), id: el.id, text: (el.textContent || '').trim().slice(0, 40),
    inMain: !!el.closest('main'),
    onScreen: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
      && box.left < innerWidth && box.top < innerHeight,
    contrast: Math.max(0, ...rings.map((c) => ratio(c.slice(0, 3), back.slice(0, 3)))),
  };
}"""


def _focused(page: Page) -> dict[str, Any]:
    focus: dict[str, Any] | None = page.evaluate(FOCUS)
    assert focus is not None, "Tab left the focus nowhere"
    assert focus["onScreen"], f"the focused element is off screen: {focus}"
    assert focus["contrast"] >= 3, f"the focus ring is not visible enough: {focus}"
    return focus


def _tab_to(page: Page, selector: str, limit: int = 40, key: str = "Tab") -> None:
    """Tab (or Shift+Tab) until ``selector`` has the focus, every stop visibly focused."""
    for _ in range(limit):
        page.keyboard.press(key)
        _focused(page)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def test_sign_in_search_open_and_submit_with_the_keyboard_only(console, page, seed):
    person = seed.person(last_name="Клавиатуров", last_name_latin="Klaviaturov")
    page.goto("/sign-in")

    page.keyboard.press("Tab")
    skip = _focused(page)
    assert skip["text"] == "Skip to content", "the first stop is the skip link"
    _tab_to(page, "#f-role")
    page.keyboard.type("Registrar")
    expect(page.locator("#f-role")).to_have_value("registrar")
    _tab_to(page, "#f-name")
    page.keyboard.type("keyboard.user")
    page.keyboard.press("Enter")
    page.wait_for_url(console.url + "/")

    # The skip link passes the navigation: the next stop is in the page's content.
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Skip to content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert _focused(page)["inMain"], "after the skip link, Tab goes into the content"

    _tab_to(page, "nav a[href='/persons']", key="Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/persons$"))
    _tab_to(page, "#q")
    page.keyboard.type("Klaviaturov")  # results come as it is typed
    expect(page.locator(f"main a[href='/persons/{person['id']}']")).to_be_visible()
    _tab_to(page, f"main a[href='/persons/{person['id']}']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(f"/persons/{person['id']}$"))

    _tab_to(page, "a[href$='/departures/new']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/departures/new$"))
    _tab_to(page, "#f-departed_on")
    # Day and month alike: the date field's segment order follows the browser's locale.
    page.keyboard.type("03032026")
    expect(page.locator("#f-departed_on")).to_have_value("2026-03-03")
    _tab_to(page, "#f-destination_country")
    page.keyboard.type("Russia")
    expect(page.locator("#f-destination_country")).to_have_value("RU")
    _tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(f"/persons/{person['id']}$"))
    expect(page.locator(".notice")).to_have_text("The departure is registered.")
