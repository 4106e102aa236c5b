"""The system Chromium (Debian package ``chromium``) driven by Playwright; nothing is
downloaded at run time. ``scripts/install-browser`` installs it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALL_HINT = (
    "The browser tests need Chromium: run `sudo ./scripts/install-browser` "
    "(Debian/Ubuntu: apt-get install chromium), or set CHROMIUM=/path/to/chromium."
)


def chromium_path() -> str:
    """The browser to drive; a missing one fails the tests (never skipped as passed)."""
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.fail(INSTALL_HINT, pytrace=False)


def artefacts_dir() -> Path:
    """Screenshots of each main screen (kept by CI as artefacts)."""
    path = Path(os.environ.get("MIGREG_ARTEFACTS", ".var/artefacts")) / "console"
    path.mkdir(parents=True, exist_ok=True)
    return path


def axe_source() -> str:
    """axe-core as shipped inside the axe-playwright-python wheel (a test dependency)."""
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
