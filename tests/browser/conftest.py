"""Browser fixtures: the app on a live server, Debian's chromium driven by Playwright, and axe.

Tests here act as a user does (see helpers.py): they find fields by their labels and buttons by
their words, so they keep passing when the markup or the CSS changes underneath. Each test module
sets `pytestmark = pytest.mark.browser`, so `pytest -m "not browser"` leaves them out.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from assess.web.app import create_app
from tests.browser.helpers import PAGES_WITHOUT_JAVASCRIPT
from tests.conftest import running_renderer

CHROMIUM = os.environ.get("ASSESS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
VIEWPORT = {"width": 1280, "height": 900}

expect.set_options(timeout=TIMEOUT_MS)


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives Debian's chromium against a live server")


@dataclass(frozen=True)
class LiveServer:
    url: str  # base URL, no trailing slash
    instance: Path


@pytest.fixture
def live_server(instance):
    """The app on its own copy of the demo database, served on a free port for one test."""
    app = create_app({"TESTING": True, "SECRET_KEY": "browser-tests"}, instance_path=instance)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    with running_renderer(app):
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", instance=instance)
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"No chromium at {CHROMIUM}: the browser tests need Debian's chromium. "
            "Install it with `apt-get install chromium`, or point ASSESS_CHROMIUM at it.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _page(browser, javascript: bool):
    """A page in a fresh context: no cookies or storage carried over from another test."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", java_script_enabled=javascript)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    if not javascript:
        PAGES_WITHOUT_JAVASCRIPT.add(page)
    yield page
    context.close()


@pytest.fixture
def page(browser):
    yield from _page(browser, javascript=True)


@pytest.fixture
def page_without_js(browser):
    """Every page must work without JavaScript (GOV.UK progressive enhancement)."""
    yield from _page(browser, javascript=False)
